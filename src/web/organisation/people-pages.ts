import type { EmploymentWithUnit, PersonHit, PersonRecord, UnitInTree } from '../../organisation/org-queries.js';
import { th } from '../competence/holdings-messages.js';
import { alert, button, facts, link, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, select, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import type { AdminContext } from './admin-context.js';
import { showDate, showPercentage } from './format.js';
import { to } from './messages.js';
import { PEOPLE_PAGE, personPath, unitChoices, unitPath } from './org-pages.js';

/** The fields of an employment form; in a form for one employment they carry its prefix. */
export const EMPLOYMENT_FIELDS = ['unit', 'job-title', 'job-code', 'percentage', 'start-date', 'end-date', 'leads'] as const;
export const NEW_EMPLOYEE_FIELDS = ['employee-number', 'given-name', 'family-name', 'email'] as const;

/** The field-id prefix of the forms for one employment. */
export const employmentPrefix = (employmentId: string) => `e-${employmentId}-`;

function employmentLabels(locale: Locale, prefix: string): Record<string, string> {
  const labels: Record<string, string> = {
    unit: to(locale, 'employment.unit'),
    'job-title': to(locale, 'employment.job-title'),
    'job-code': to(locale, 'employment.job-code'),
    percentage: to(locale, 'employment.percentage'),
    'start-date': to(locale, 'employment.start-date'),
    'end-date': to(locale, 'employment.end-date'),
    leads: to(locale, 'employment.leads'),
  };
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}${k}`, v]));
}

export function peoplePageBody(ctx: AdminContext, view: { query: string; hits: readonly PersonHit[] | null; form: FormState }): SafeHtml {
  const { locale } = ctx;
  const searchState: FormState = { locale, values: { q: view.query }, errors: new Map() };
  const labels = {
    'employee-number': to(locale, 'person.employee-number'),
    'given-name': to(locale, 'person.given-name'),
    'family-name': to(locale, 'person.family-name'),
    email: to(locale, 'person.email'),
  };
  return html`<h1>${to(locale, 'people.title')}</h1>
<p>${to(locale, 'people.intro', { tenant: ctx.tenant.name })}</p>
<form method="get" action="${PEOPLE_PAGE}" role="search" class="app-search">
${ctx.hidden}
${input(searchState, 'q', to(locale, 'people.search'), { type: 'search' })}
${button(to(locale, 'org.search.button'), { variant: 'secondary' })}
</form>
${view.hits === null ? '' : html`<section aria-labelledby="hits-heading" data-people-hits>
<h2 id="hits-heading">${to(locale, 'people.results', { q: view.query })}</h2>
${view.hits.length === 0 ? html`<p>${to(locale, 'people.none')}</p>` : table({
    label: to(locale, 'people.results', { q: view.query }),
    rowHeader: true,
    columns: [{ label: to(locale, 'person.name') }, { label: to(locale, 'person.employee-number') }, { label: to(locale, 'person.email') }, { label: to(locale, 'people.active'), numeric: true }],
    rows: view.hits.map((p) => ({
      cells: [link(ctx.href(personPath(p.personId)), p.name ?? to(locale, 'person.unnamed')), p.employeeNumber ?? '', p.email ?? '', p.activeEmployments],
      attrs: html` data-person="${p.personId}"`,
    })),
  })}
</section>`}
<section aria-labelledby="new-heading">
<h2 id="new-heading">${to(locale, 'people.new')}</h2>
<p>${to(locale, 'people.new.hint')}</p>
${errorSummary(view.form, labels)}
<form method="post" action="${PEOPLE_PAGE}" novalidate data-form="new-employee">
${ctx.hidden}
${input(view.form, 'employee-number', labels['employee-number'], { hint: to(locale, 'person.employee-number.hint') })}
${input(view.form, 'given-name', labels['given-name'], { autocomplete: 'off' })}
${input(view.form, 'family-name', labels['family-name'], { autocomplete: 'off' })}
${input(view.form, 'email', labels.email, { type: 'email', optional: true, wide: true })}
${button(to(locale, 'people.new.button'))}
</form>
</section>`;
}

function status(locale: Locale, e: EmploymentWithUnit): string {
  if (e.active) return to(locale, 'employment.active');
  return e.endDate ? to(locale, 'employment.ended') : to(locale, 'employment.future');
}

/** The fields of one employment form (new, or a change of an existing one). */
function employmentFields(locale: Locale, state: FormState, prefix: string, tree: readonly UnitInTree[], endedUnit?: EmploymentWithUnit['orgUnit']): SafeHtml {
  const labels = employmentLabels(locale, prefix);
  const id = (name: string) => `${prefix}${name}`;
  // An employment in a unit that has since ended keeps that unit as a choice, so history can be corrected.
  const choices = [...unitChoices(tree), ...(endedUnit ? [{ value: endedUnit.id, label: `${endedUnit.name} (${endedUnit.code}) – ${to(locale, 'org.ended', { date: showDate(locale, endedUnit.endedOn) })}` }] : [])];
  return html`${select(state, id('unit'), labels[id('unit')]!, choices, { placeholder: to(locale, 'employment.choose-unit') })}
${input(state, id('job-title'), labels[id('job-title')]!, { wide: true })}
${input(state, id('job-code'), labels[id('job-code')]!, { optional: true })}
${input(state, id('percentage'), labels[id('percentage')]!, { inputmode: 'decimal', hint: to(locale, 'employment.percentage.hint') })}
${input(state, id('start-date'), labels[id('start-date')]!, { hint: to(locale, 'employment.date.hint') })}
${input(state, id('end-date'), labels[id('end-date')]!, { optional: true, hint: to(locale, 'employment.date.hint') })}
${choiceGroup(state, id('leads'), labels[id('leads')]!, [{ value: 'yes', label: to(locale, 'employment.leads.yes') }], { multiple: true })}`;
}

export interface PersonPageInput {
  record: PersonRecord;
  tree: readonly UnitInTree[];
  /** The form for a new employment, and for each employment its change and end forms. */
  forms: { add: FormState; change: ReadonlyMap<string, FormState>; end: ReadonlyMap<string, FormState> };
  /** The employment whose form was refused: its disclosure is open. */
  openEmployment?: string | undefined;
  notice?: string | undefined;
  /** The competence section (requirements, gaps, assignments), when the page shows it. */
  competence?: SafeHtml | undefined;
}

export function personPageBody(ctx: AdminContext, view: PersonPageInput): SafeHtml {
  const { locale } = ctx;
  const { record } = view;
  const name = record.name ?? to(locale, 'person.unnamed');
  const refused = [view.forms.add, ...view.forms.change.values(), ...view.forms.end.values()].find((f) => f.errors.size > 0);
  const allLabels = {
    ...employmentLabels(locale, ''),
    ...Object.fromEntries(record.employments.flatMap((e) => Object.entries(employmentLabels(locale, employmentPrefix(e.id))))),
  };
  return html`<h1 data-person-name>${name}</h1>
${view.notice ? alert('success', view.notice, { live: 'status', attrs: html` data-notice` }) : ''}
${refused ? errorSummary(refused, allLabels) : ''}
${facts([
    [to(locale, 'person.email'), record.email ?? ''],
    [to(locale, 'person.employee-number'), record.employee?.employeeNumber ?? '', html` data-fact="employee-number"`],
  ])}
<p>${link(ctx.href(`${personPath(record.personId)}/competence`), th(locale, 'person.link'), html` data-competence-link`)}</p>
<section aria-labelledby="employments-heading">
<h2 id="employments-heading">${to(locale, 'person.employments')}</h2>
${!record.employee ? html`<p data-not-employee>${to(locale, 'person.not-employee')}</p>` : record.employments.length === 0 ? html`<p>${to(locale, 'person.employments.none')}</p>` : table({
    label: to(locale, 'person.employments'),
    rowHeader: true,
    columns: [{ label: to(locale, 'employment.unit') }, { label: to(locale, 'employment.job-title') }, { label: to(locale, 'employment.percentage'), numeric: true }, { label: to(locale, 'employment.period') }, { label: to(locale, 'employment.status') }],
    rows: record.employments.map((e) => ({
      cells: [
        link(ctx.href(unitPath(e.orgUnit.id)), `${e.orgUnit.name} (${e.orgUnit.code})`),
        html`${e.jobTitle}${e.jobCode ? html` <span class="app-muted">(${e.jobCode})</span>` : ''}${e.leadsUnit ? html`<br><span class="app-muted">${to(locale, 'employment.leads')}</span>` : ''}`,
        showPercentage(locale, e.percentage),
        `${showDate(locale, e.startDate)} – ${e.endDate ? showDate(locale, e.endDate) : to(locale, 'employment.open')}`,
        status(locale, e),
      ],
      attrs: html` data-employment="${e.id}" data-status="${e.active ? 'active' : e.endDate ? 'ended' : 'future'}"`,
    })),
  })}
</section>
${record.employee ? html`${record.employments.map((e) => {
    const prefix = employmentPrefix(e.id);
    const unit = `${e.orgUnit.name} (${e.orgUnit.code})`;
    const change = view.forms.change.get(e.id)!;
    const end = view.forms.end.get(e.id);
    const open = view.openEmployment === e.id;
    return html`<details class="ds-details" data-employment-forms="${e.id}"${open ? html` open` : ''}>
<summary>${to(locale, 'employment.change', { unit })}</summary>
<div>
<form method="post" action="${personPath(record.personId)}/employments/${e.id}" novalidate data-form="change-employment">
${ctx.hidden}<input type="hidden" name="action" value="change">
${employmentFields(locale, change, prefix, view.tree, e.orgUnit.endedOn ? e.orgUnit : undefined)}
${button(to(locale, 'employment.change.button'))}
</form>
${end ? html`<form method="post" action="${personPath(record.personId)}/employments/${e.id}" novalidate data-form="end-employment">
${ctx.hidden}<input type="hidden" name="action" value="end">
${input(end, `${prefix}end-on`, to(locale, 'employment.end-date'), { hint: to(locale, 'employment.date.hint') })}
${button(to(locale, 'employment.end.button'), { variant: 'secondary', danger: true })}
</form>` : ''}
</div>
</details>`;
  })}
<section aria-labelledby="add-heading">
<h2 id="add-heading">${to(locale, 'employment.add')}</h2>
<form method="post" action="${personPath(record.personId)}/employments" novalidate data-form="add-employment">
${ctx.hidden}
${employmentFields(locale, view.forms.add, '', view.tree)}
${button(to(locale, 'employment.add.button'))}
</form>
</section>` : ''}
${view.competence ?? ''}`;
}
