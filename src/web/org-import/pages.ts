import type { ImportPreview, ImportRecord } from '../../organisation/hr-import/hr-import.js';
import type { PlannedEmployment, PlannedUnit } from '../../organisation/hr-import/plan.js';
import { problemText } from '../../organisation/hr-import/problems.js';
import { alert, breadcrumbs, button, facts, table } from '../ds/components.js';
import { html, SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page, type PageTheme } from '../layout.js';
import { ti } from './messages.js';

export const IMPORT_PAGE = '/admin/org/import';
export const SCRIPT_PATH = '/admin/org/import/upload.js';
/** Changes of one kind listed in full on the page; the rest are counted (the CLI and the counts have all). */
const LISTED = 200;

export interface ImportView {
  readonly locale: Locale;
  readonly token: string;
  readonly lang: Locale | undefined;
  readonly theme: PageTheme | undefined;
}

export function hrefOf(view: ImportView, path: string, query: Record<string, string> = {}): string {
  return `${path}?${new URLSearchParams({ session: view.token, ...(view.lang ? { lang: view.lang } : {}), ...query }).toString()}`;
}

function hidden(view: ImportView): SafeHtml {
  return html`<input type="hidden" name="session" value="${view.token}">${view.lang ? html`<input type="hidden" name="lang" value="${view.lang}">` : ''}`;
}

function crumbs(view: ImportView, withImport = false): SafeHtml {
  const items = [{ label: ti(view.locale, 'start'), href: hrefOf(view, '/admin') }];
  if (withImport) items.push({ label: ti(view.locale, 'title'), href: hrefOf(view, IMPORT_PAGE) });
  return breadcrumbs(ti(view.locale, 'crumbs'), items);
}

const numberFormat = (locale: Locale) => new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO');
const dateTime = (locale: Locale, at: Date) =>
  new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(at);
const day = (iso: string | null) => (iso ? iso.split('-').reverse().join('.') : '');
const percent = (locale: Locale, value: string) => (locale === 'en' ? value : value.replace('.', ','));

export function megabytes(bytes: number, locale: Locale): string {
  return `${numberFormat(locale).format(Math.round(bytes / 1024 / 1024))} MB`;
}

function statusOf(record: ImportRecord): 'previewed' | 'applied' | 'expired' {
  return record.status === 'applied' ? 'applied' : record.fileKept ? 'previewed' : 'expired';
}

/** The upload form, the progress of an upload with script, and the municipality's recent imports. */
export function uploadPage(view: ImportView, limitBytes: number, recent: readonly ImportRecord[], refusal?: string): SafeHtml {
  const { locale } = view;
  const nf = numberFormat(locale);
  const scriptTexts = JSON.stringify({ uploading: ti(locale, 'uploading'), checking: ti(locale, 'checking'), failed: ti(locale, 'failed'), refused: ti(locale, 'refused') }).replace(/</g, '\\u003c');
  const body = html`${crumbs(view)}
<h1>${ti(locale, 'title')}</h1>
<p>${ti(locale, 'intro')}</p>
<p>${ti(locale, 'columns')}</p>
<p>${ti(locale, 'whole')}</p>
<form id="org-import-form" method="post" enctype="multipart/form-data" action="${hrefOf(view, IMPORT_PAGE)}" novalidate>
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="org-import-file">${ti(locale, 'file')}</label>
<p class="ds-paragraph" data-field="description" id="org-import-limit">${ti(locale, 'file.limit', { size: megabytes(limitBytes, locale) })}</p>
<input class="ds-input" id="org-import-file" name="file" type="file" accept=".csv,.txt,text/csv"${refusal ? html` aria-invalid="true" aria-describedby="org-import-limit org-import-error"` : html` aria-describedby="org-import-limit"`}>
${refusal ? html`<p class="ds-validation-message" data-field="validation" id="org-import-error" data-state="refused">${refusal}</p>` : ''}
</div>
${button(ti(locale, 'submit'))}
</form>
<p><progress id="org-import-progress" max="100" value="0" aria-label="${ti(locale, 'progress')}" hidden></progress></p>
<p id="org-import-status" role="status" aria-live="polite"></p>
<h2>${ti(locale, 'recent')}</h2>
${recent.length === 0
    ? html`<p>${ti(locale, 'recent.none')}</p>`
    : table({
        label: ti(locale, 'recent'),
        columns: [{ label: ti(locale, 'col.when') }, { label: ti(locale, 'col.file') }, { label: ti(locale, 'col.status') }, { label: ti(locale, 'col.changes') }],
        rows: recent.map((r) => ({
          cells: [
            html`<a class="ds-link" href="${hrefOf(view, `${IMPORT_PAGE}/${r.id}`)}">${dateTime(locale, r.createdAt)}</a>`,
            r.fileName,
            ti(locale, `status.${statusOf(r)}`),
            ti(locale, 'changes.summary', {
              units: nf.format(r.counts.unitsAdded + r.counts.unitsChanged + r.counts.unitsEnded),
              employments: nf.format(r.counts.employmentsAdded + r.counts.employmentsChanged + r.counts.employmentsEnded),
              bad: nf.format(r.counts.badRows),
            }),
          ],
          attrs: html` data-import="${r.id}"`,
        })),
      })}
<script type="application/json" id="org-import-texts">${new SafeHtml(scriptTexts)}</script>
<script src="${SCRIPT_PATH}"></script>`;
  return page({ locale, title: ti(locale, 'title'), body, path: IMPORT_PAGE, keep: { session: view.token }, theme: view.theme });
}

function more(locale: Locale, total: number): SafeHtml | '' {
  return total > LISTED ? html`<p>${ti(locale, 'more', { count: numberFormat(locale).format(total - LISTED) })}</p>` : '';
}

function unitTable(locale: Locale, id: 'units.added' | 'units.changed' | 'units.ended', units: readonly PlannedUnit[]): SafeHtml | '' {
  if (units.length === 0) return '';
  const before = (u: PlannedUnit) => {
    if (!u.before) return '';
    const parts: string[] = [];
    if (u.before.name !== u.name) parts.push(u.before.name);
    if (u.before.parentCode !== u.parentCode) parts.push(`${ti(locale, 'unit.parent')}: ${u.before.parentCode ?? '–'}`);
    if (u.before.ended) parts.push(ti(locale, 'unit.reopened'));
    return parts.join('; ');
  };
  return html`<section data-list="${id}"><h3>${ti(locale, id)} (${numberFormat(locale).format(units.length)})</h3>
${table({
    label: ti(locale, id),
    rowHeader: true,
    columns: [{ label: ti(locale, 'unit.code') }, { label: ti(locale, 'unit.name') }, { label: ti(locale, 'unit.parent') }, ...(id === 'units.changed' ? [{ label: ti(locale, 'unit.before') }] : [])],
    rows: units.slice(0, LISTED).map((u) => ({ cells: [u.code, u.name, u.parentCode ?? '–', ...(id === 'units.changed' ? [before(u)] : [])] })),
  })}
${more(locale, units.length)}</section>`;
}

function employmentTable(locale: Locale, id: 'employments.added' | 'employments.changed' | 'employments.ended', employments: readonly PlannedEmployment[]): SafeHtml | '' {
  if (employments.length === 0) return '';
  const was = (e: PlannedEmployment, field: keyof NonNullable<PlannedEmployment['before']>, shown: string, format: (v: string | boolean | null) => string): SafeHtml | string =>
    id === 'employments.changed' && e.before && field in e.before ? html`${shown} <span class="app-muted">(${ti(locale, 'emp.was')} ${format(e.before[field] ?? null) || '–'})</span>` : shown;
  const yesNo = (v: string | boolean | null) => ti(locale, v === true ? 'yes' : 'no');
  return html`<section data-list="${id}"><h3>${ti(locale, id)} (${numberFormat(locale).format(employments.length)})</h3>
${table({
    label: ti(locale, id),
    rowHeader: true,
    columns: [{ label: ti(locale, 'emp.number') }, { label: ti(locale, 'emp.unit') }, { label: ti(locale, 'emp.title') }, { label: ti(locale, 'emp.percentage'), numeric: true }, { label: ti(locale, 'emp.start') }, { label: ti(locale, 'emp.end') }, { label: ti(locale, 'emp.leads') }],
    rows: employments.slice(0, LISTED).map((e) => ({
      cells: [
        e.employeeNumber,
        e.unitCode,
        was(e, 'jobTitle', e.jobTitle, (v) => String(v ?? '')),
        was(e, 'percentage', percent(locale, e.percentage), (v) => (v === null ? '' : percent(locale, String(v)))),
        was(e, 'startDate', day(e.startDate), (v) => day(v as string | null)),
        id === 'employments.ended' ? day(e.endDate) : was(e, 'endDate', day(e.endDate), (v) => day(v as string | null)),
        was(e, 'leads', ti(locale, e.leads ? 'yes' : 'no'), yesNo),
      ],
    })),
  })}
${more(locale, employments.length)}</section>`;
}

export type PreviewNotice = { kind: 'applied'; at: Date } | { kind: 'refused'; text: string } | { kind: 'expired' };

/** An import: its file, the summary, the bad rows, every change, and the confirmation. */
export function previewPage(view: ImportView, record: ImportRecord, preview: ImportPreview | undefined, notice?: PreviewNotice): SafeHtml {
  const { locale } = view;
  const nf = numberFormat(locale);
  const c = record.counts;
  const title = ti(locale, 'preview.title', { file: record.fileName });
  const noticeHtml =
    notice?.kind === 'applied'
      ? alert('success', ti(locale, 'applied', { when: dateTime(locale, notice.at) }), { live: 'status', attrs: html` data-state="applied"` })
      : notice?.kind === 'refused'
        ? alert('danger', notice.text, { live: 'alert', attrs: html` data-state="refused"` })
        : notice?.kind === 'expired'
          ? alert('warning', ti(locale, 'expired'), { attrs: html` data-state="expired"` })
          : '';
  const plan = preview?.plan;
  const problems = preview?.problems ?? [];
  const noChanges = c.unitsAdded + c.unitsChanged + c.unitsEnded + c.employmentsAdded + c.employmentsChanged + c.employmentsEnded + c.employeesAdded + c.employeesChanged === 0;
  const body = html`${crumbs(view, true)}
<h1>${title}</h1>
${noticeHtml}
${facts([
    [ti(locale, 'preview.file'), record.fileName],
    [ti(locale, 'preview.rows'), nf.format(c.rows), html` data-rows="${c.rows}"`],
    ...(preview ? [[ti(locale, 'preview.encoding'), `${preview.encoding.toUpperCase()}, «${preview.delimiter === '\t' ? 'tab' : preview.delimiter}»`] as const] : []),
    [ti(locale, 'preview.date'), day(record.importDate)],
    [ti(locale, 'col.status'), ti(locale, `status.${statusOf(record)}`), html` data-status="${statusOf(record)}"`],
    [ti(locale, 'preview.sha'), html`<code>${record.sha256.match(/.{1,16}/g)!.map((part, i) => html`${i > 0 ? html`<wbr>` : ''}${part}`)}</code>`],
  ])}
<h2>${ti(locale, 'preview.counts')}</h2>
${table({
    label: ti(locale, 'preview.counts'),
    rowHeader: true,
    columns: [{ label: ti(locale, 'count.what') }, { label: ti(locale, 'count.added'), numeric: true }, { label: ti(locale, 'count.changed'), numeric: true }, { label: ti(locale, 'count.ended'), numeric: true }],
    rows: [
      { cells: [ti(locale, 'count.units'), nf.format(c.unitsAdded), nf.format(c.unitsChanged), nf.format(c.unitsEnded)], attrs: html` data-count="units"` },
      { cells: [ti(locale, 'count.employments'), nf.format(c.employmentsAdded), nf.format(c.employmentsChanged), nf.format(c.employmentsEnded)], attrs: html` data-count="employments"` },
      { cells: [ti(locale, 'count.employees'), nf.format(c.employeesAdded), nf.format(c.employeesChanged), nf.format(c.peopleDisappeared)], attrs: html` data-count="employees"` },
    ],
  })}
${problems.length > 0
    ? html`<section data-problems="${problems.length}"><h2>${ti(locale, 'problems.title')}</h2>
${alert('danger', ti(locale, 'problems.intro', { count: nf.format(c.badRows) }))}
${table({
        label: ti(locale, 'problems.title'),
        rowHeader: true,
        columns: [{ label: ti(locale, 'problems.line'), numeric: true }, { label: ti(locale, 'problems.reason') }],
        rows: problems.slice(0, 1000).map((p) => ({ cells: [String(p.line), problemText(p, locale)], attrs: html` data-line="${p.line}"` })),
      })}
${problems.length > 1000 ? html`<p>${ti(locale, 'more', { count: nf.format(problems.length - 1000) })}</p>` : ''}</section>`
    : ''}
${plan && noChanges && problems.length === 0 ? html`<p data-nothing>${ti(locale, 'nothing')}</p>` : ''}
${plan
    ? html`${plan.disappeared.length > 0
        ? html`<section data-list="disappeared"><h3>${ti(locale, 'disappeared.title')} (${nf.format(plan.disappeared.length)})</h3>
<p>${ti(locale, 'disappeared.intro', { date: day(plan.importDate) })}</p>
${table({
            label: ti(locale, 'disappeared.title'),
            rowHeader: true,
            columns: [{ label: ti(locale, 'emp.number') }, { label: ti(locale, 'disappeared.name') }, { label: ti(locale, 'disappeared.count'), numeric: true }],
            rows: plan.disappeared.slice(0, LISTED).map((p) => ({ cells: [p.employeeNumber, p.name ?? '', nf.format(p.employments)] })),
          })}
${more(locale, plan.disappeared.length)}</section>`
        : ''}
${unitTable(locale, 'units.added', plan.units.added)}
${unitTable(locale, 'units.changed', plan.units.changed)}
${unitTable(locale, 'units.ended', plan.units.ended)}
${employmentTable(locale, 'employments.added', plan.employments.added)}
${employmentTable(locale, 'employments.changed', plan.employments.changed)}
${employmentTable(locale, 'employments.ended', plan.employments.ended)}`
    : ''}
${preview && preview.stale && !notice ? alert('warning', ti(locale, 'refusal.stale'), { attrs: html` data-state="stale"` }) : ''}
${preview && !preview.stale && record.status === 'previewed' && problems.length === 0
    ? html`<section aria-labelledby="apply-heading"><h2 id="apply-heading">${ti(locale, 'apply.title')}</h2>
<p>${ti(locale, 'apply.intro', { until: dateTime(locale, record.expiresAt) })}</p>
<form method="post" action="${IMPORT_PAGE}/${record.id}/apply">
${hidden(view)}<input type="hidden" name="sha256" value="${record.sha256}">
${button(ti(locale, 'apply.submit'), { attrs: html` data-apply` })}
</form></section>`
    : ''}
<p><a class="ds-link" href="${hrefOf(view, IMPORT_PAGE)}" data-back>${ti(locale, 'back')}</a></p>`;
  return page({ locale, title, body, path: `${IMPORT_PAGE}/${record.id}`, keep: { session: view.token }, theme: view.theme });
}

/** A region's administrator (or a retired municipality's): HR import is not theirs. */
export function notMunicipalityPage(view: ImportView): SafeHtml {
  const body = html`<h1>${ti(view.locale, 'title')}</h1>
${alert('info', ti(view.locale, 'not-municipality'), { attrs: html` data-state="not-municipality"` })}
<p><a class="ds-link" href="${hrefOf(view, '/admin')}">${ti(view.locale, 'start')}</a></p>`;
  return page({ locale: view.locale, title: ti(view.locale, 'title'), body, path: IMPORT_PAGE, keep: { session: view.token }, theme: view.theme });
}
