import { alert, button, linkButton } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page } from '../layout.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import type { RefusalCode } from '../../lti/refusal.js';
import type { LoginInitiation } from '../../lti/oidc-login.js';
import { loginParameters, loginUrl } from './login-cookies.js';
import { tl } from './messages.js';

export function refusalPage(locale: Locale, code: RefusalCode, reference: string): SafeHtml {
  // Pages after the launch (designer, learner) refuse a role or a session, not a launch.
  const title = tl(locale, code === 'not-permitted' || code === 'session-invalid' ? `refusal.title.${code}` : 'refusal.title');
  return page({
    locale,
    title,
    body: html`<div data-refusal="${code}">
<h1>${title}</h1>
${alert('danger', tl(locale, `refusal.${code}`))}
<p class="app-reference">${tl(locale, 'refusal.reference')}: ${reference}</p>
<p>${tl(locale, 'refusal.help')}</p>
</div>`,
  });
}

/**
 * A launch through a region's shared platform that no municipality could be found for: what the
 * launcher can tell the LMS administrator, exactly.
 */
export function unmappedPage(locale: Locale, regionName: string, emailDomain: string | null, reference: string): SafeHtml {
  const title = tl(locale, 'unmapped.title');
  return page({
    locale,
    title,
    body: html`<div data-refusal="municipality-unmapped">
<h1>${title}</h1>
${alert('warning', tl(locale, 'refusal.municipality-unmapped'))}
<p>${fillIn(tl(locale, 'unmapped.intro'), { region: regionName })}</p>
<p data-email-domain="${emailDomain ?? ''}">${emailDomain ? fillIn(tl(locale, 'unmapped.domain'), { domain: emailDomain, region: regionName }) : tl(locale, 'unmapped.no-email')}</p>
<h2>${tl(locale, 'unmapped.what')}</h2>
<ul class="ds-list">
<li data-send="kommunenummer">${tl(locale, 'unmapped.send-number')}</li>
<li data-send="email-domain">${tl(locale, 'unmapped.or-domain')}</li>
</ul>
<p>${tl(locale, 'unmapped.then')}</p>
<p class="app-reference">${tl(locale, 'refusal.reference')}: ${reference}</p>
</div>`,
  });
}

/**
 * The page that runs the postMessage storage exchange. When the platform does not answer: at login
 * (`put`) it goes on to `continueHref`, a fresh login without the storage (the platform's login
 * hint is not spent yet); at launch (`get`) the hint is spent, and it says to start again.
 */
export function storagePage(
  locale: Locale,
  storage: { mode: 'put' | 'get'; target: string; origin: string; key: string; value?: string; next?: string },
  continueHref: string | undefined,
  launchForm?: { idToken: string; state: string },
): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'storage.title'),
    body: html`<h1>${tl(locale, 'storage.title')}</h1>
<p id="lti-wait">${tl(locale, 'storage.wait')}</p>
<div id="lti-storage" data-mode="${storage.mode}" data-target="${storage.target}" data-origin="${storage.origin}" data-key="${storage.key}" data-value="${storage.value ?? ''}" data-next="${storage.next ?? ''}" data-continue="${continueHref ?? ''}"></div>
${launchForm
  ? html`<form id="lti-launch-form" method="post" action="/lti/launch">
<input type="hidden" name="id_token" value="${launchForm.idToken}">
<input type="hidden" name="state" value="${launchForm.state}">
<input type="hidden" name="binding" id="lti-binding" value="">
<input type="hidden" name="storage_checked" value="1">
</form>`
  : ''}
${continueHref
  ? html`<noscript><p><a class="ds-link" href="${continueHref}">${tl(locale, 'storage.continue')}</a></p></noscript>`
  : html`<div id="lti-fallback" hidden data-launch-lost>${alert('warning', tl(locale, 'lost.body'))}</div>
<noscript>${alert('warning', tl(locale, 'lost.body'))}</noscript>`}
<script src="/lti/assets/storage.js"></script>`,
  });
}

/**
 * Decided at login, before the platform saw the login: the frame keeps no cookie. The link opens a
 * fresh login in a window of its own, where the tool's cookie is first-party; the language links
 * run the check again in the chosen language.
 */
export function newWindowPage(locale: Locale, initiation: LoginInitiation, lang: string | undefined): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'window.title'),
    path: '/lti/login',
    keep: loginParameters(initiation),
    body: html`<h1>${tl(locale, 'window.title')}</h1>
<p>${tl(locale, 'window.body')}</p>
<p>${linkButton(loginUrl(initiation, lang), tl(locale, 'window.link'), { attrs: html` target="_blank" rel="noopener" data-new-window` })}</p>
<p>${tl(locale, 'window.after')}</p>`,
  });
}

/** At launch without the browser's binding: the login hint is spent, so the person starts again. */
export function launchLostPage(locale: Locale): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'lost.title'),
    body: html`<div data-launch-lost>
<h1>${tl(locale, 'lost.title')}</h1>
${alert('warning', tl(locale, 'lost.body'))}
</div>`,
  });
}

export function deepLinkPickerPage(locale: Locale, items: readonly LinkableItem[], sessionToken: string, contextToken: string): SafeHtml {
  return page({
    locale,
    title: tl(locale, 'deeplink.title'),
    body: html`<h1>${tl(locale, 'deeplink.title')}</h1>
<p>${tl(locale, 'deeplink.intro')}</p>
${items.length === 0 ? html`<p data-no-items>${tl(locale, 'deeplink.empty')}</p>` : ''}
<ul class="app-cards">
${items.map(
  (item) => html`<li class="ds-card" data-variant="default"><form method="post" action="/lti/deep-linking/respond">
<h2 class="ds-heading" data-size="xs">${item.title}</h2>
${item.details ? html`<p class="app-muted" data-item-details>${item.details}</p>` : ''}
<p>${item.description}</p>
<input type="hidden" name="session" value="${sessionToken}">
<input type="hidden" name="context" value="${contextToken}">
<input type="hidden" name="item" value="${item.id}">
${button(`${tl(locale, 'deeplink.choose')}: ${item.title}`, { attrs: html` data-item="${item.id}"` })}
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
${button(tl(locale, 'storage.continue'))}
</form>
<script src="/lti/assets/autosubmit.js"></script>`,
  });
}
