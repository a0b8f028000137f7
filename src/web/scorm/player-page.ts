import type { LaunchableItem, PackageManifest } from '../../content/manifest-model.js';
import { LONG_TEXT_ELEMENTS, LONG_TEXT_LIMIT } from '../../scorm/cmi-model.js';
import type { PlayerNavigation } from '../../scorm/runtime.js';
import type { Refusal } from '../../scorm/sequencing/rules.js';
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
  /** What may be launched and where navigation leads (1.2 prerequisites, 2004 sequencing). */
  navigation: PlayerNavigation;
  /** `/content/<token>` (relative to the content origin). */
  base: string;
  /** Where "back" leads when the attempt was opened from a path step (the tool's origin). */
  returnUrl?: string | undefined;
}

type Text = Parameters<typeof scormText>[1];

const NOTICE: Record<Refusal, Text> = {
  prerequisites: 'player.locked',
  disabled: 'player.locked',
  'attempt-limit': 'player.no-attempts',
  'hidden-from-choice': 'player.unavailable',
  'choice-not-allowed': 'player.unavailable',
  'choice-exit': 'player.unavailable',
  'forward-only': 'player.unavailable',
  'stop-forward-traversal': 'player.unavailable',
};

/** The mark beside a contents entry that cannot be chosen; order rules (flow only, forward only) need none. */
const MARK: Partial<Record<Refusal, Text>> = { prerequisites: 'player.locked-mark', disabled: 'player.locked-mark', 'attempt-limit': 'player.no-attempts-mark' };

/** The player: table of contents, previous/next, the SCO's frame, and the data the script reads. */
export function playerPage({ locale, manifest, items, current, navigation, base, returnUrl }: PlayerPageInput): SafeHtml {
  const t = (id: Text) => scormText(locale, id);
  const { refusal, view, sequenced } = navigation;
  const link = (item: LaunchableItem) => `${base}/play/${encodeURIComponent(item.id)}?lang=${locale}`;
  const byId = new Map(items.map((i) => [i.id, i]));
  const playing = current && !refusal ? current : undefined;
  // 2004: continue and previous are decided again on the state stored when the learner goes.
  const flowUrl = (request: 'continue' | 'previous', target: string | null) => {
    const item = target ? byId.get(target) : undefined;
    if (!item || !playing) return null;
    if (!sequenced) return view.choiceRefusals.has(item.id) ? null : link(item);
    return `${base}/navigate/${request}?from=${encodeURIComponent(playing.id)}&lang=${locale}`;
  };
  const previousUrl = flowUrl('previous', view.previousTarget);
  const nextUrl = flowUrl('continue', view.continueTarget);
  const depth = (item: LaunchableItem) => Math.min(item.depth, 4);
  const toc = items
    .filter((item) => item === current || !view.hidden.has(item.id))
    .map((item) => {
      const refused = view.choiceRefusals.get(item.id);
      const mark = refused && MARK[refused];
      if (item === playing) {
        return html`<li class="depth-${depth(item)}"><a href="${link(item)}" aria-current="page">${item.title}</a> <span class="ds-sr-only">${t('player.current')}</span></li>`;
      }
      if (refused || item === current) {
        return html`<li class="depth-${depth(item)}">${item.title}${mark ? html` <span class="locked">${t(mark)}</span>` : ''}</li>`;
      }
      return html`<li class="depth-${depth(item)}"><a href="${link(item)}">${item.title}</a></li>`;
    });
  const following = view.continueTarget ? byId.get(view.continueTarget) : undefined;
  // One SCO: its end is the course's end; there is no other part to choose.
  const single = items.filter((i) => i.scormType === 'sco').length <= 1;
  const config = playing && {
    standard: manifest.standard,
    scoId: playing.id,
    launchUrl: `${base}/files/${playing.launch.split('/').map((s, i, all) => (i === all.length - 1 ? encodeLast(s) : encodeURIComponent(s))).join('/')}`,
    launchStateUrl: `${base}/runtime/${encodeURIComponent(playing.id)}/launch`,
    commitUrl: `${base}/runtime/${encodeURIComponent(playing.id)}/commit`,
    // 1.2: a locked next part may open when this one finishes: the script offers the link then.
    nextUrl: sequenced ? nextUrl : following ? link(following) : null,
    previousUrl,
    exitUrl: `${base}/exit?lang=${locale}`,
    choiceUrls: Object.fromEntries(items.map((i) => [i.id, link(i)])),
    // SCORM 2004 RTE 4.4.2 adl.nav.request_valid: what the LMS would accept now.
    requestValid: sequenced
      ? {
          continue: nextUrl !== null,
          previous: previousUrl !== null,
          choice: Object.fromEntries(items.map((i) => [i.id, !view.choiceRefusals.has(i.id)])),
        }
      : null,
    // The server's lengths for free text, so the browser accepts what the server stores.
    longText: { elements: LONG_TEXT_ELEMENTS[manifest.standard], limit: LONG_TEXT_LIMIT },
    returnUrl: returnUrl ?? null,
    singleSco: single,
    texts: {
      ready: t('player.ready'),
      failed: t('player.failed'),
      superseded: t('player.superseded'),
      finishedPart: t('player.finished-part'),
      finishedCourse: t('player.finished-course'),
      returning: t('player.returning'),
      next: t('player.next'),
    },
  };
  // JSON in a data block: `<` escaped so no value can close the script element.
  const json = config ? JSON.stringify(config).replace(/</g, '\\u003c') : '';
  const back = returnUrl ? html`<p class="player-back"><a href="${returnUrl}" id="player-back">${t('player.back')}</a></p>` : '';
  const body = html`<div class="player">
${back}
<h1>${manifest.title}</h1>
<nav aria-label="${t('player.toc')}" class="player-toc"><ol>${toc}</ol></nav>
${current && refusal ? html`<p class="ds-alert locked-notice" data-color="info">${t(NOTICE[refusal])}</p>` : ''}
${playing
    ? html`<div class="player-controls" id="player-controls">
${previousUrl ? html`<a class="ds-button" data-variant="secondary" data-size="sm" id="player-previous" href="${previousUrl}">${t('player.previous')}</a>` : ''}
${nextUrl ? html`<a class="ds-button" data-variant="secondary" data-size="sm" id="player-next" href="${nextUrl}">${t('player.next')}</a>` : ''}
</div>
<p id="player-status" role="status" aria-live="polite">${t('player.loading')}</p>
<iframe id="sco-frame" class="sco-frame" title="${fillText(t('player.frame'), { title: playing.title })}" src="about:blank"></iframe>
<script type="application/json" id="player-config">${new SafeHtml(json)}</script>
<script src="/content/_player/scorm-again.js"></script>
<script src="/content/_player/player.js"></script>`
    : current
      ? ''
      : html`<h2>${t('player.exit.title')}</h2><p>${t(single ? 'player.exit.body-single' : 'player.exit.body')}</p>`}
</div>
<link rel="stylesheet" href="/content/_player/player.css">`;
  return page({ locale, title: current ? `${current.title} – ${manifest.title}` : manifest.title, body, path: current ? `${base}/play/${encodeURIComponent(current.id)}` : `${base}/exit` });
}

/** The launch file name may carry the item's parameters (query, fragment): keep those as written. */
function encodeLast(segment: string): string {
  const cut = segment.search(/[?#]/);
  return cut < 0 ? encodeURIComponent(segment) : encodeURIComponent(segment.slice(0, cut)) + segment.slice(cut);
}
