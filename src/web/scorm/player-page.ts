import type { LaunchableItem, PackageManifest } from '../../content/manifest-model.js';
import { html, SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import { fillText, scormText } from './messages.js';

export interface PlayerPageInput {
  locale: Locale;
  manifest: PackageManifest;
  items: LaunchableItem[];
  /** The SCO to play, or undefined for the page shown after the learner exits. */
  current: LaunchableItem | undefined;
  /** Items whose prerequisites are not met yet (SCORM 1.2). */
  locked: ReadonlySet<string>;
  /** `/content/<token>` (relative to the content origin). */
  base: string;
}

/** The player: table of contents, previous/next, the SCO's frame, and the data the script reads. */
export function playerPage({ locale, manifest, items, current, locked, base }: PlayerPageInput): SafeHtml {
  const t = (id: Parameters<typeof scormText>[1]) => scormText(locale, id);
  const link = (item: LaunchableItem) => `${base}/play/${encodeURIComponent(item.id)}?lang=${locale}`;
  const index = current ? items.indexOf(current) : -1;
  const open = (item: LaunchableItem | undefined) => (item && !locked.has(item.id) ? item : undefined);
  const previous = open(index > 0 ? items[index - 1] : undefined);
  const following = index >= 0 ? items[index + 1] : undefined;
  const next = open(following);
  const isLocked = current !== undefined && locked.has(current.id);
  const toc = items.map((item) =>
    locked.has(item.id)
      ? html`<li class="depth-${Math.min(item.depth, 4)}">${item.title} <span class="locked">${t('player.locked-mark')}</span></li>`
      : item === current
      ? html`<li class="depth-${Math.min(item.depth, 4)}"><a href="${link(item)}" aria-current="page">${item.title}</a> <span class="visually-hidden">${t('player.current')}</span></li>`
      : html`<li class="depth-${Math.min(item.depth, 4)}"><a href="${link(item)}">${item.title}</a></li>`,
  );
  const config = current && !isLocked && {
    standard: manifest.standard,
    scoId: current.id,
    launchUrl: `${base}/files/${current.launch.split('/').map((s, i, all) => (i === all.length - 1 ? encodeLast(s) : encodeURIComponent(s))).join('/')}`,
    launchStateUrl: `${base}/runtime/${encodeURIComponent(current.id)}/launch`,
    commitUrl: `${base}/runtime/${encodeURIComponent(current.id)}/commit`,
    // A locked next part may open when this one finishes: the script offers the link then.
    nextUrl: following ? link(following) : null,
    previousUrl: previous ? link(previous) : null,
    exitUrl: `${base}/exit?lang=${locale}`,
    choiceUrls: Object.fromEntries(items.map((i) => [i.id, link(i)])),
    texts: { ready: t('player.ready'), failed: t('player.failed'), superseded: t('player.superseded'), finishedPart: t('player.finished-part'), next: t('player.next') },
  };
  // JSON in a data block: `<` escaped so no value can close the script element.
  const json = config ? JSON.stringify(config).replace(/</g, '\\u003c') : '';
  const body = html`<div class="player">
<h1>${manifest.title}</h1>
<nav aria-label="${t('player.toc')}" class="player-toc"><ol>${toc}</ol></nav>
${isLocked ? html`<p class="locked-notice">${t('player.locked')}</p>` : ''}
${current && !isLocked
    ? html`<div class="player-controls" id="player-controls">
${previous ? html`<a class="button" id="player-previous" href="${link(previous)}">${t('player.previous')}</a>` : ''}
${next ? html`<a class="button" id="player-next" href="${link(next)}">${t('player.next')}</a>` : ''}
</div>
<p id="player-status" role="status" aria-live="polite">${t('player.loading')}</p>
<iframe id="sco-frame" class="sco-frame" title="${fillText(t('player.frame'), { title: current.title })}" src="about:blank"></iframe>
<script type="application/json" id="player-config">${new SafeHtml(json)}</script>
<script src="/content/_player/scorm-again.js"></script>
<script src="/content/_player/player.js"></script>`
    : current
      ? ''
      : html`<h2>${t('player.exit.title')}</h2><p>${t('player.exit.body')}</p>`}
</div>
<link rel="stylesheet" href="/content/_player/player.css">`;
  return page({ locale, title: current ? `${current.title} – ${manifest.title}` : manifest.title, body, path: current ? `${base}/play/${encodeURIComponent(current.id)}` : `${base}/exit` });
}

/** The launch file name may carry the item's parameters (query, fragment): keep those as written. */
function encodeLast(segment: string): string {
  const cut = segment.search(/[?#]/);
  return cut < 0 ? encodeURIComponent(segment) : encodeURIComponent(segment.slice(0, cut)) + segment.slice(cut);
}
