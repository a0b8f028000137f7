import type { TinCanManifest } from '../../content/tincan-model.js';
import { inLanguage } from '../../content/tincan-model.js';
import { html } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import { fillText, scormText } from '../scorm/messages.js';

export interface TinCanPlayerInput {
  readonly locale: Locale;
  readonly manifest: TinCanManifest;
  /** `/content/tincan/<token>` on the content origin. */
  readonly base: string;
  /** The launch parameters (endpoint, auth, actor, registration, activity_id) as the course reads them. */
  readonly launch: URLSearchParams;
  readonly returnUrl: string;
}

/** The launch file's path encoded segment by segment; its own query (if any) kept and joined with the launch parameters. */
export function launchUrl(base: string, launchFile: string, launch: URLSearchParams): string {
  const cut = launchFile.search(/[?#]/);
  const file = cut < 0 ? launchFile : launchFile.slice(0, cut);
  const own = cut < 0 ? '' : launchFile.slice(cut);
  const query = own.startsWith('?') ? own.slice(1).split('#')[0] ?? '' : '';
  const joined = [query, launch.toString()].filter(Boolean).join('&');
  return `${base}/files/${file.split('/').map(encodeURIComponent).join('/')}?${joined}`;
}

/** The course in a frame under a way back to the path; the script keeps the launch credential alive. */
export function tinCanPlayerPage({ locale, manifest, base, launch, returnUrl }: TinCanPlayerInput): ReturnType<typeof page> {
  const t = (id: Parameters<typeof scormText>[1]) => scormText(locale, id);
  const title = inLanguage(manifest.activities.find((a) => a.id === manifest.courseActivityId)?.names ?? {}, locale) ?? manifest.title;
  const body = html`<div class="player" data-tincan-player>
<p class="player-back"><a href="${returnUrl}" id="player-back">${t('player.back')}</a></p>
<h1>${title}</h1>
<iframe id="sco-frame" class="sco-frame" title="${fillText(t('player.frame'), { title })}" src="${launchUrl(base, manifest.launch, launch)}"></iframe>
<script src="/content/_player/tincan-keepalive.js" data-keepalive="${base}/keepalive"></script>
</div>
<link rel="stylesheet" href="/content/_player/player.css">`;
  // Switching language reloads the player: the course needs its launch parameters again.
  return page({ locale, title, body, path: `${base}/player`, keep: Object.fromEntries(launch) });
}

/** Renews the launch credential every 10 minutes while the page is open (docs/content.md, "xAPI packages"). */
export const KEEPALIVE_SCRIPT = `(() => {
  const script = document.currentScript;
  const url = script && script.getAttribute('data-keepalive');
  if (!url) return;
  setInterval(() => { fetch(url, { method: 'POST', keepalive: true }).catch(() => undefined); }, 10 * 60 * 1000);
})();
`;
