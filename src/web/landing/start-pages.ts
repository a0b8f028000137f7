import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { card, link } from '../ds/components.js';
import { page, type PageTheme } from '../layout.js';
import { AUDIT_PAGE } from '../audit/router.js';
import { PRIVACY_PAGE } from '../privacy/router.js';
import { THEME_PAGE } from '../theme/router.js';
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
}

interface Action {
  readonly path: string;
  readonly label: LandingMessageId;
  readonly hint?: LandingMessageId;
}

/** Pages a manager can reach today: their own paths (managers learn too). */
const MANAGER_ACTIONS: readonly Action[] = [{ path: ROLE_LANDINGS.learner, label: 'manager.my-paths', hint: 'manager.my-paths.hint' }];

/** Administrators may use the designer's pages (src/web/designer/context.ts). */
const ADMIN_ACTIONS: readonly Action[] = [
  { path: ROLE_LANDINGS.designer, label: 'admin.design', hint: 'admin.design.hint' },
  { path: '/design/import', label: 'admin.import' },
  { path: '/design/packages/upload', label: 'admin.upload' },
  { path: THEME_PAGE, label: 'admin.theme', hint: 'admin.theme.hint' },
  { path: PRIVACY_PAGE, label: 'admin.privacy', hint: 'admin.privacy.hint' },
  { path: AUDIT_PAGE, label: 'admin.audit', hint: 'admin.audit.hint' },
];

function startPage(role: 'manager' | 'admin', input: StartPageInput, actions: readonly Action[], notes: readonly LandingMessageId[]): SafeHtml {
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

/** A manager's start page: what works today, and plainly what their own views will bring. */
export function managerStartPage(input: StartPageInput): SafeHtml {
  return startPage('manager', input, MANAGER_ACTIONS, []);
}

/** An administrator's start page: the design pages they may use, the LRS keys, and what comes. */
export function adminStartPage(input: StartPageInput): SafeHtml {
  return startPage('admin', input, ADMIN_ACTIONS, ['admin.lrs']);
}
