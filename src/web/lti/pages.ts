import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import type { RefusalCode } from '../../lti/refusal.js';
import { tl } from './messages.js';

export function refusalPage(locale: Locale, code: RefusalCode, reference: string): SafeHtml {
  // Pages after the launch (designer, learner) refuse a role or a session, not a launch.
  const title = tl(locale, code === 'not-permitted' || code === 'session-invalid' ? `refusal.title.${code}` : 'refusal.title');
  return page({
    locale,
    title,
    body: html`<div class="error-page" data-refusal="${code}">
<h1>${title}</h1>
<p>${tl(locale, `refusal.${code}`)}</p>
<p class="reference">${tl(locale, 'refusal.reference')}: ${reference}</p>
<p>${tl(locale, 'refusal.help')}</p>
</div>`,
  });
}

/** The page that runs the postMessage storage exchange, with its "open in a new window" fallback. */
export function storagePage(
  locale: Locale,
  storage: { mode: 'put' | 'get'; target: string; origin: string; key: string; value?: string; next?: string },
  fallbackHref: string,
  launchForm?: { idToken: string; state: string },
): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'storage.title'),
    body: html`<h1>${tl(locale, 'storage.title')}</h1>
<p id="lti-wait">${tl(locale, 'storage.wait')}</p>
<div id="lti-storage" data-mode="${storage.mode}" data-target="${storage.target}" data-origin="${storage.origin}" data-key="${storage.key}" data-value="${storage.value ?? ''}" data-next="${storage.next ?? ''}"></div>
${launchForm
  ? html`<form id="lti-launch-form" method="post" action="/lti/launch">
<input type="hidden" name="id_token" value="${launchForm.idToken}">
<input type="hidden" name="state" value="${launchForm.state}">
<input type="hidden" name="binding" id="lti-binding" value="">
<input type="hidden" name="storage_checked" value="1">
</form>`
  : ''}
<div id="lti-fallback" hidden>
<p>${tl(locale, 'window.body')}</p>
<p><a href="${fallbackHref}" target="_blank" rel="noopener">${tl(locale, 'window.link')}</a></p>
</div>
<script src="/lti/assets/storage.js"></script>`,
  });
}

export function newWindowPage(locale: Locale, href: string): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'window.title'),
    body: html`<h1>${tl(locale, 'window.title')}</h1>
<p>${tl(locale, 'window.body')}</p>
<p><a href="${href}" target="_blank" rel="noopener" data-new-window>${tl(locale, 'window.link')}</a></p>`,
  });
}

export function deepLinkPickerPage(locale: Locale, items: readonly LinkableItem[], sessionToken: string, contextToken: string): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'deeplink.title'),
    body: html`<h1>${tl(locale, 'deeplink.title')}</h1>
<p>${tl(locale, 'deeplink.intro')}</p>
${items.length === 0 ? html`<p data-no-items>${tl(locale, 'deeplink.empty')}</p>` : ''}
<ul class="deep-link-items">
${items.map(
  (item) => html`<li><form method="post" action="/lti/deep-linking/respond">
<h2>${item.title}</h2>
${item.details ? html`<p class="item-details" data-item-details>${item.details}</p>` : ''}
<p>${item.description}</p>
<input type="hidden" name="session" value="${sessionToken}">
<input type="hidden" name="context" value="${contextToken}">
<input type="hidden" name="item" value="${item.id}">
<button type="submit" data-item="${item.id}">${tl(locale, 'deeplink.choose')}: ${item.title}</button>
</form></li>`,
)}
</ul>`,
  });
}

/** A form that posts itself (with /lti/assets/autosubmit.js), with a button if scripts are off. */
export function autoPostPage(locale: Locale, title: string, action: string, fields: Record<string, string>): SafeHtml {
  return page({
    locale,
    title,
    body: html`<h1>${title}</h1>
<form method="post" action="${action}" data-autosubmit>
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">${tl(locale, 'storage.continue')}</button>
</form>
<script src="/lti/assets/autosubmit.js"></script>`,
  });
}
