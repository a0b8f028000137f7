import type { OrgUnit } from '../../organisation/org-units.js';
import type { UnitInTree, UnitMember } from '../../organisation/org-queries.js';
import { alert, button, facts, link, table } from '../ds/components.js';
import { errorSummary, input, select, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import type { AdminContext } from './admin-context.js';
import { showDate, showPercentage } from './format.js';
import { to } from './messages.js';

export const ORG_PAGE = '/admin/org';
export const unitPath = (id: string) => `${ORG_PAGE}/units/${id}`;
export const PEOPLE_PAGE = '/admin/people';
export const personPath = (id: string) => `${PEOPLE_PAGE}/${id}`;

/** A unit as a choice in a parent or unit chooser: indented by depth, with its code. */
export function unitChoices(tree: readonly UnitInTree[]): { value: string; label: string }[] {
  return tree.map((u) => ({ value: u.id, label: `${'\u00a0\u00a0'.repeat(u.depth)}${u.name} (${u.code})` }));
}

function unitLabel(ctx: AdminContext, unit: OrgUnit): SafeHtml {
  return html`${link(ctx.href(unitPath(unit.id)), `${unit.name} (${unit.code})`, html` data-unit-link="${unit.id}"`)}${unit.endedOn ? html` <span class="app-muted">(${to(ctx.locale, 'org.ended', { date: showDate(ctx.locale, unit.endedOn) })})</span>` : ''}`;
}

/** The tree as nested lists; each unit's children fold away under a disclosure, open for the top level. */
function treeList(ctx: AdminContext, tree: readonly UnitInTree[]): SafeHtml {
  const children = new Map<string | null, UnitInTree[]>();
  const listed = new Set(tree.map((u) => u.id));
  for (const unit of tree) {
    const parent = unit.parentId && listed.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  const branch = (parent: string | null): SafeHtml => html`<ul class="ds-list"${parent === null ? html` data-org-tree` : ''}>${(children.get(parent) ?? []).map((unit) => {
    const below = children.get(unit.id) ?? [];
    return html`<li data-unit="${unit.code}">${unitLabel(ctx, unit)} <span class="app-muted" data-counts="${unit.activeHere}/${unit.activeInSubtree}">– ${to(ctx.locale, 'org.counts', { here: unit.activeHere, subtree: unit.activeInSubtree })}</span>${below.length > 0
      ? html`<details${unit.depth === 0 ? html` open` : ''}><summary>${to(ctx.locale, 'org.children', { count: below.length })}</summary>${branch(unit.id)}</details>`
      : ''}</li>`;
  })}</ul>`;
  return branch(null);
}

export interface TreePageInput {
  tree: readonly UnitInTree[];
  query: string;
  hits: readonly OrgUnit[] | null;
  form: FormState;
  notice?: string | undefined;
}

export function treePageBody(ctx: AdminContext, view: TreePageInput): SafeHtml {
  const { locale } = ctx;
  const labels = { code: to(locale, 'unit.code'), name: to(locale, 'unit.name'), parent: to(locale, 'unit.parent') };
  const searchState: FormState = { locale, values: { q: view.query }, errors: new Map() };
  return html`<h1>${to(locale, 'org.title')}</h1>
<p>${to(locale, 'org.intro', { tenant: ctx.tenant.name })}</p>
${view.notice ? alert('success', view.notice, { live: 'status', attrs: html` data-notice` }) : ''}
<form method="get" action="${ORG_PAGE}" role="search" class="app-search">
${ctx.hidden}
${input(searchState, 'q', to(locale, 'org.search'), { type: 'search' })}
${button(to(locale, 'org.search.button'), { variant: 'secondary' })}
</form>
${view.hits === null ? '' : html`<section aria-labelledby="hits-heading" data-unit-hits>
<h2 id="hits-heading">${to(locale, 'org.search.results', { q: view.query })}</h2>
${view.hits.length === 0 ? html`<p>${to(locale, 'org.search.none')}</p>` : html`<ul class="ds-list">${view.hits.map((u) => html`<li>${unitLabel(ctx, u)}</li>`)}</ul>`}
</section>`}
<section aria-labelledby="tree-heading">
<h2 id="tree-heading">${to(locale, 'org.tree')}</h2>
${view.tree.length === 0 ? html`<p data-empty>${to(locale, 'org.empty')}</p>` : treeList(ctx, view.tree)}
</section>
<section aria-labelledby="new-heading">
<h2 id="new-heading">${to(locale, 'org.new')}</h2>
${errorSummary(view.form, labels)}
<form method="post" action="${ORG_PAGE}/units" novalidate data-form="new-unit">
${ctx.hidden}
${input(view.form, 'code', labels.code, { hint: to(locale, 'unit.code.hint') })}
${input(view.form, 'name', labels.name, { wide: true })}
${select(view.form, 'parent', labels.parent, unitChoices(view.tree), { placeholder: to(locale, 'unit.parent.top') })}
${button(to(locale, 'org.new.button'))}
</form>
</section>`;
}

export interface UnitPageInput {
  unit: OrgUnit;
  ancestors: readonly OrgUnit[];
  counts: { here: number; subtree: number };
  tree: readonly UnitInTree[];
  children: readonly UnitInTree[];
  people: readonly UnitMember[];
  forms: { edit: FormState; move: FormState; end: FormState };
  notice?: string | undefined;
}

/** An ended unit shows no forms; a refusal of a form posted anyway is shown on its own. */
function endedRefusal(view: UnitPageInput): SafeHtml | '' {
  const message = [view.forms.edit, view.forms.move, view.forms.end].flatMap((f) => [...f.errors.values()])[0];
  return message ? alert('danger', message, { live: 'alert', attrs: html` data-refusal` }) : '';
}

export function unitPageBody(ctx: AdminContext, view: UnitPageInput): SafeHtml {
  const { locale } = ctx;
  const { unit } = view;
  const parent = view.ancestors.at(-1);
  const labels = { code: to(locale, 'unit.code'), name: to(locale, 'unit.name'), parent: to(locale, 'unit.parent'), 'ended-on': to(locale, 'unit.end.date') };
  const action = unitPath(unit.id);
  const choices = unitChoices(view.tree).filter((c) => c.value !== unit.id);
  return html`<h1 data-unit-title>${unit.name}</h1>
${view.notice ? alert('success', view.notice, { live: 'status', attrs: html` data-notice` }) : ''}
${facts([
    [to(locale, 'unit.code'), unit.code, html` data-fact="code"`],
    [to(locale, 'unit.parent'), parent ? unitLabel(ctx, parent) : to(locale, 'unit.parent.none')],
    [to(locale, 'unit.active-here'), String(view.counts.here), html` data-fact="here"`],
    [to(locale, 'unit.active-subtree'), String(view.counts.subtree), html` data-fact="subtree"`],
    [to(locale, 'unit.status'), unit.endedOn ? to(locale, 'org.ended', { date: showDate(locale, unit.endedOn) }) : to(locale, 'unit.status.active'), html` data-fact="status"`],
  ])}
<section aria-labelledby="people-heading">
<h2 id="people-heading">${to(locale, 'unit.people')}</h2>
${view.people.length === 0 ? html`<p>${to(locale, 'unit.people.none')}</p>` : table({
    label: to(locale, 'unit.people'),
    rowHeader: true,
    columns: [{ label: to(locale, 'person.name') }, { label: to(locale, 'person.employee-number') }, { label: to(locale, 'employment.job-title') }, { label: to(locale, 'employment.percentage'), numeric: true }, { label: to(locale, 'unit.leads') }],
    rows: view.people.map((p) => ({
      cells: [link(ctx.href(`/admin/people/${p.personId}`), p.name ?? to(locale, 'person.unnamed')), p.employeeNumber, p.jobTitle, showPercentage(locale, p.percentage), p.leadsUnit ? to(locale, 'unit.leads') : ''],
      attrs: html` data-member="${p.employeeNumber}"`,
    })),
  })}
</section>
${view.children.length === 0 ? '' : html`<section aria-labelledby="children-heading">
<h2 id="children-heading">${to(locale, 'unit.subunits')}</h2>
<ul class="ds-list">${view.children.map((c) => html`<li>${unitLabel(ctx, c)} <span class="app-muted">– ${to(locale, 'org.counts', { here: c.activeHere, subtree: c.activeInSubtree })}</span></li>`)}</ul>
</section>`}
${unit.endedOn ? endedRefusal(view) : html`<section aria-labelledby="edit-heading">
<h2 id="edit-heading">${to(locale, 'unit.edit')}</h2>
${errorSummary(view.forms.edit, labels)}
<form method="post" action="${action}" novalidate data-form="edit-unit">
${ctx.hidden}<input type="hidden" name="action" value="change">
${input(view.forms.edit, 'code', labels.code, { hint: to(locale, 'unit.code.hint') })}
${input(view.forms.edit, 'name', labels.name, { wide: true })}
${button(to(locale, 'unit.edit.button'))}
</form>
</section>
<section aria-labelledby="move-heading">
<h2 id="move-heading">${to(locale, 'unit.move')}</h2>
${errorSummary(view.forms.move, labels)}
<form method="post" action="${action}" novalidate data-form="move-unit">
${ctx.hidden}<input type="hidden" name="action" value="move">
${select(view.forms.move, 'parent', labels.parent, choices, { placeholder: to(locale, 'unit.parent.top'), hint: to(locale, 'unit.move.hint') })}
${button(to(locale, 'unit.move.button'))}
</form>
</section>
<section aria-labelledby="end-heading">
<h2 id="end-heading">${to(locale, 'unit.end')}</h2>
<p>${to(locale, 'unit.end.hint')}</p>
${errorSummary(view.forms.end, labels)}
<form method="post" action="${action}" novalidate data-form="end-unit">
${ctx.hidden}<input type="hidden" name="action" value="end">
${input(view.forms.end, 'ended-on', labels['ended-on'], { hint: to(locale, 'employment.date.hint') })}
${button(to(locale, 'unit.end.button'), { variant: 'secondary', danger: true })}
</form>
</section>`}`;
}
