import { alert, button, linkButton } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import type { LaunchClaims } from '../../lti/claims.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import type { RefusalCode } from '../../lti/refusal.js';
import type { ToolRole } from '../../lti/roles.js';
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
<p>${linkButton(fallbackHref, tl(locale, 'window.link'), { attrs: html` target="_blank" rel="noopener"` })}</p>
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
<p>${linkButton(href, tl(locale, 'window.link'), { attrs: html` target="_blank" rel="noopener" data-new-window` })}</p>`,
  });
}

export interface LandingFacts {
  role: ToolRole;
  personId: string;
  tenantName: string;
  platformName: string;
  claims: LaunchClaims;
  sessionToken: string;
}

const fact = (label: string, value: string | undefined, empty: string) => html`<dt>${label}</dt><dd>${value ?? empty}</dd>`;

/** After a launch that no capability routes (e.g. a manager, or a learner on a link without a path):
 *  who the platform says you are, and what it sent. */
export function landingPage(locale: Locale, facts: LandingFacts): SafeHtml {
  const { claims } = facts;
  const empty = tl(locale, 'landing.not-sent');
  const title = tl(locale, `landing.${facts.role}`);
  return page({
    locale,
    title,
    body: html`<h1 data-role="${facts.role}">${title}</h1>
<p>${facts.role === 'designer' ? tl(locale, 'landing.designer.intro') : tl(locale, 'landing.intro')}</p>
<dl class="app-facts">
${fact(tl(locale, 'landing.role'), facts.role, empty)}
${fact(tl(locale, 'landing.person'), facts.personId, empty)}
${fact(tl(locale, 'landing.name'), claims.name, empty)}
${fact(tl(locale, 'landing.email'), claims.email, empty)}
${fact(tl(locale, 'landing.tenant'), facts.tenantName, empty)}
${fact(tl(locale, 'landing.platform'), facts.platformName, empty)}
${fact(tl(locale, 'landing.context'), claims.context ? `${claims.context.title ?? ''} (${claims.context.id})` : undefined, empty)}
${fact(tl(locale, 'landing.resource-link'), claims.resourceLink ? `${claims.resourceLink.title ?? ''} (${claims.resourceLink.id})` : undefined, empty)}
${fact(tl(locale, 'landing.path'), claims.custom['laeringslop_path'], empty)}
${fact(tl(locale, 'landing.lis-roles'), claims.roles.join(', '), empty)}
${fact(tl(locale, 'landing.locale'), claims.locale, empty)}
</dl>
<p><a href="/lti/session?session=${facts.sessionToken}" data-session-link>JSON</a></p>
<h2>${tl(locale, 'landing.claims')}</h2>
<pre tabindex="0">${JSON.stringify(claims.raw, null, 2)}</pre>`,
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
