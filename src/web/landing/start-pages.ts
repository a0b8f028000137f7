import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { card, link } from '../ds/components.js';
import { page, type PageTheme } from '../layout.js';
import { IMPORT_PAGE } from '../org-import/pages.js';
import { PLATFORMS_PAGE } from '../integrations/platforms.js';
import { FORWARDING_PAGE } from '../integrations/forwarding.js';
import { XAPI_CLIENTS_PAGE } from '../integrations/xapi-clients.js';
import { ORG_PAGE, PEOPLE_PAGE } from '../organisation/org-pages.js';
import { CATALOGUE_PAGE } from '../competence/catalogue-router.js';
import { ADMIN_REPORTS } from '../competence/reports-router.js';
import { ADMIN_COVERAGE_PAGE } from '../competence/coverage-router.js';
import type { TenantKind } from '../../tenants/tables.js';
import { MANAGERS_PAGE } from '../access/managers-router.js';
import { REGION_PAGE } from '../access/region-router.js';
import { AUDIT_PAGE } from '../audit/router.js';
import { PRIVACY_PAGE } from '../privacy/router.js';
import { THEME_PAGE } from '../theme/router.js';
import { EMAIL_DOMAINS_PAGE, LINKS_PAGE } from '../links/router.js';
import { tland, type LandingMessageId } from './messages.js';
import { ROLE_LANDINGS } from './role-landing.js';

export interface StartPageInput {
  readonly locale: Locale;
  readonly tenantName: string;
  /** `href` with what links must carry (the session; `lang` when chosen). */
  readonly href: (path: string) => string;
  /** What the layout's language links keep (the session). */
  readonly keep: Readonly<Record<string, string>>;
  /** The municipality's look. */
  readonly theme?: PageTheme | undefined;
  /** A region's administrator has no municipality's units or people. */
  readonly tenantKind?: 'municipality' | 'region' | undefined;
}

interface Action {
  readonly path: string;
  readonly label: LandingMessageId;
  readonly hint?: LandingMessageId;
  readonly municipalityOnly?: boolean;
}

/** Administrators may use the designer's pages (src/web/designer/context.ts). */
const ADMIN_ACTIONS: readonly Action[] = [
  { path: ROLE_LANDINGS.designer, label: 'admin.design', hint: 'admin.design.hint' },
  { path: '/design/import', label: 'admin.import' },
  { path: '/design/packages/upload', label: 'admin.upload' },
  { path: ORG_PAGE, label: 'admin.org', hint: 'admin.org.hint', municipalityOnly: true },
  { path: PEOPLE_PAGE, label: 'admin.people', hint: 'admin.people.hint', municipalityOnly: true },
  { path: PLATFORMS_PAGE, label: 'admin.platforms', hint: 'admin.platforms.hint' },
  { path: XAPI_CLIENTS_PAGE, label: 'admin.xapi-clients', hint: 'admin.xapi-clients.hint' },
  { path: FORWARDING_PAGE, label: 'admin.xapi-forwarding', hint: 'admin.xapi-forwarding.hint' },
  { path: THEME_PAGE, label: 'admin.theme', hint: 'admin.theme.hint' },
  { path: IMPORT_PAGE, label: 'admin.org-import', hint: 'admin.org-import.hint', municipalityOnly: true },
  { path: LINKS_PAGE, label: 'admin.links', hint: 'admin.links.hint', municipalityOnly: true },
  { path: EMAIL_DOMAINS_PAGE, label: 'admin.email-domains', hint: 'admin.email-domains.hint', municipalityOnly: true },
  { path: CATALOGUE_PAGE, label: 'admin.competence', hint: 'admin.competence.hint' },
  { path: ADMIN_COVERAGE_PAGE, label: 'admin.coverage', hint: 'admin.coverage.hint', municipalityOnly: true },
  { path: ADMIN_REPORTS.report, label: 'admin.competence-report', hint: 'admin.competence-report.hint', municipalityOnly: true },
  { path: ADMIN_REPORTS.staffing, label: 'admin.staffing', hint: 'admin.staffing.hint', municipalityOnly: true },
  { path: PRIVACY_PAGE, label: 'admin.privacy', hint: 'admin.privacy.hint', municipalityOnly: true },
  { path: AUDIT_PAGE, label: 'admin.audit', hint: 'admin.audit.hint', municipalityOnly: true },
];

function startPage(role: 'admin', input: StartPageInput, actions: readonly Action[], notes: readonly LandingMessageId[]): SafeHtml {
  const { locale } = input;
  const title = tland(locale, `${role}.title`);
  return page({
    locale,
    title,
    path: ROLE_LANDINGS[role],
    keep: input.keep,
    theme: input.theme,
    body: html`<div data-start-page="${role}">
<h1 data-role="${role}">${title}</h1>
<p>${tland(locale, `${role}.intro`, { tenant: input.tenantName })}</p>
<h2>${tland(locale, 'now.title')}</h2>
<ul class="app-cards">${actions.map((a) => card(html`<p>${link(input.href(a.path), tland(locale, a.label), html` data-action-link="${a.path}"`)}</p>
${a.hint ? html`<p class="app-muted">${tland(locale, a.hint)}</p>` : ''}`, { tag: 'li' }))}</ul>
${notes.map((n) => html`<p>${tland(locale, n)}</p>`)}
<h2>${tland(locale, 'later.title')}</h2>
<p data-later>${tland(locale, `${role}.later`)}</p>
</div>`,
  });
}

/** An administrator's start page: the design pages, the organisation, managers (or the region's figures), platforms and LRS keys, and what comes. */
export function adminStartPage(input: StartPageInput, tenantKind: TenantKind): SafeHtml {
  // A municipality's administrator manages its managers; a region's sees its municipalities' figures.
  const own: Action = tenantKind === 'region' ? { path: REGION_PAGE, label: 'admin.region', hint: 'admin.region.hint' } : { path: MANAGERS_PAGE, label: 'admin.managers', hint: 'admin.managers.hint' };
  const actions = ADMIN_ACTIONS.filter((a) => !a.municipalityOnly || tenantKind !== 'region');
  return startPage('admin', input, [own, ...actions], []);
}
