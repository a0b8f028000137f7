import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import { tland, type LandingMessageId } from './messages.js';
import { ROLE_LANDINGS } from './role-landing.js';

export interface StartPageInput {
  readonly locale: Locale;
  readonly tenantName: string;
  /** `href` with what links must carry (the session; `lang` when chosen). */
  readonly href: (path: string) => string;
  /** What the layout's language links keep (the session). */
  readonly keep: Readonly<Record<string, string>>;
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
];

function startPage(role: 'manager' | 'admin', input: StartPageInput, actions: readonly Action[], notes: readonly LandingMessageId[]): SafeHtml {
  const { locale } = input;
  const title = tland(locale, `${role}.title`);
  return page({
    locale,
    title,
    path: ROLE_LANDINGS[role],
    keep: input.keep,
    body: html`<div class="start-page" data-start-page="${role}">
<h1 data-role="${role}">${title}</h1>
<p>${tland(locale, `${role}.intro`, { tenant: input.tenantName })}</p>
<h2>${tland(locale, 'now.title')}</h2>
<ul class="actions">${actions.map((a) => html`<li><a href="${input.href(a.path)}" data-action-link="${a.path}">${tland(locale, a.label)}</a>${a.hint ? html`<br>${tland(locale, a.hint)}` : ''}</li>`)}</ul>
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
