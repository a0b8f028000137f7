import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { managerScope, type ManagerScope } from '../../access/manager-scope.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { personActor, recordAudit, recordAudits } from '../../audit/audit-log.js';
import { addDays } from '../../competence/calendar.js';
import { completionsPerMonth, completionTimes, coverageByUnit, expiriesAhead, filterGapRows, gapRows, REQUIREMENT_STATUSES, subtreeOf, type GapFilters } from '../../competence/reports.js';
import type { RequirementStatus } from '../../competence/gaps.js';
import { PART_TIME_BANDS, staffingOf, totalPercentages, type BandCounts } from '../../organisation/staffing.js';
import { activeEmploymentsIn, type ScopeUnit } from '../../organisation/unit-scope.js';
import { osloDate } from '../../oslo-date.js';
import { alert, breadcrumbs, button, buttonRow, link, table } from '../ds/components.js';
import { errorSummary, input, select, type FormState } from '../ds/fields.js';
import { CHART_JS, REPORT_CHARTS_JS } from '../ds/scripts.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { formatNumber, pageContext, requireTouch, type AccessDeps, type PageContext } from '../access/page-context.js';
import { gapsCsv, gapsXlsx } from './gap-export.js';
import { tr } from './report-messages.js';

/** Where each view of the reports lives: a manager's (their units) and a municipality administrator's (every unit). */
interface ReportPaths {
  readonly kind: 'manager' | 'admin';
  readonly back: string;
  readonly staffing: string;
  readonly report: string;
  readonly csv: string;
  readonly xlsx: string;
}

export const MANAGER_REPORTS: ReportPaths = {
  kind: 'manager',
  back: '/manage',
  staffing: '/manage/staffing',
  report: '/manage/competence/report',
  csv: '/manage/competence/export.csv',
  xlsx: '/manage/competence/export.xlsx',
};

export const ADMIN_REPORTS: ReportPaths = {
  kind: 'admin',
  back: '/admin',
  staffing: '/admin/staffing',
  report: '/admin/competence/report',
  // /admin/competence/export.csv is the catalogue's export.
  csv: '/admin/competence/gaps.csv',
  xlsx: '/admin/competence/gaps.xlsx',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day as typed ('' or absent: today in Europe/Oslo); undefined when it is no real day. */
export function chosenDay(value: string | undefined, today: string): string | undefined {
  const text = (value ?? '').trim();
  if (text === '') return today;
  if (!DAY.test(text)) return undefined;
  try {
    return addDays(text, 0) === text ? text : undefined;
  } catch {
    return undefined;
  }
}

interface Scope {
  units: ScopeUnit[];
  manager: ManagerScope | null;
  tenantName: string;
}

async function reportScope(deps: AccessDeps, ctx: PageContext, paths: ReportPaths, day: string): Promise<Scope> {
  const { db } = deps;
  const tenantId = ctx.principal.tenantId;
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirst();
  if (paths.kind === 'manager') {
    const manager = await managerScope(db, tenantId, ctx.principal.personId, day);
    return { units: [...manager.units], manager, tenantName: tenant?.name ?? '' };
  }
  const rows = await db
    .selectFrom('org_units')
    .select(['id', 'parent_id', 'code', 'name', sql<number>`array_length(path, 1)`.as('depth')])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', day)]))
    .orderBy(sql`array_length(path, 1)`)
    .orderBy('name')
    .execute();
  return { units: rows.map((r) => ({ id: r.id, parentId: r.parent_id, code: r.code, name: r.name, depth: r.depth })), manager: null, tenantName: tenant?.name ?? '' };
}

const intlLocale = (locale: Locale) => (locale === 'en' ? 'en-GB' : locale === 'nn' ? 'nn-NO' : 'nb-NO');

function dayText(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

function monthText(locale: Locale, month: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-15T12:00:00Z`));
}

function shell(ctx: PageContext, paths: ReportPaths, path: string, title: string, body: SafeHtml, query: Record<string, string>): SafeHtml {
  const { locale } = ctx;
  const crumbs = breadcrumbs(tr(locale, paths.kind === 'manager' ? 'back.manage' : 'back.admin'), [{ href: ctx.href(paths.back), label: tr(locale, paths.kind === 'manager' ? 'back.manage' : 'back.admin') }]);
  const other = path === paths.staffing
    ? link(ctx.href(paths.report, query), tr(locale, 'link.report'), html` data-report-link`)
    : link(ctx.href(paths.staffing, query), tr(locale, 'link.staffing'), html` data-staffing-link`);
  return page({ locale, title, path, keep: { ...ctx.keep, ...query }, theme: ctx.theme, body: html`${crumbs}${body}<p class="app-print-hide">${other}</p>` });
}

function dayForm(ctx: PageContext, action: string, day: string, error: boolean): SafeHtml {
  const { locale } = ctx;
  const state: FormState = { locale, values: { date: day }, errors: error ? new Map([['date', tr(locale, 'date.invalid')]]) : new Map() };
  return html`${errorSummary(state, { date: tr(locale, 'date') })}<form method="get" action="${action}" class="app-print-hide" data-day-form>
${ctx.hidden}
${input(state, 'date', tr(locale, 'date'), { type: 'date', hint: tr(locale, 'date.hint') })}
${buttonRow(button(tr(locale, 'show'), { variant: 'secondary' }))}
</form>`;
}

const percentOf = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);

function staffingPage(ctx: PageContext, paths: ReportPaths, scope: Scope, day: string, staffing: ReturnType<typeof staffingOf>, dayError: boolean): SafeHtml {
  const { locale } = ctx;
  const title = tr(locale, 'staffing.title');
  const unitName = new Map(scope.units.map((u) => [u.id, u]));
  const bandCells = (bands: BandCounts) => PART_TIME_BANDS.map((b) => bands[b]);
  const body = html`<h1 data-staffing>${title}</h1>
<p>${tr(locale, 'staffing.intro')}</p>
<p class="app-muted">${paths.kind === 'manager' ? tr(locale, 'staffing.scope.manager') : fillIn(tr(locale, 'staffing.scope.admin'), { tenant: scope.tenantName })} ${fillIn(tr(locale, 'report.day'), { date: dayText(locale, day) })}</p>
${dayForm(ctx, paths.staffing, day, dayError)}
${scope.units.length === 0 ? alert('info', tr(locale, 'no-units'), { attrs: html` data-no-units` }) : staffing.total.headcount === 0 ? alert('info', tr(locale, 'staffing.none'), { attrs: html` data-no-staff` }) : html`
<h2>${tr(locale, 'staffing.bands')}</h2>
<p class="app-muted">${tr(locale, 'staffing.bands.hint')}</p>
${table({
  label: tr(locale, 'staffing.bands'),
  rowHeader: true,
  columns: [{ label: tr(locale, 'staffing.bands') }, { label: tr(locale, 'staffing.people'), numeric: true }, { label: tr(locale, 'staffing.share'), numeric: true }],
  rows: [
    ...PART_TIME_BANDS.map((b) => ({ cells: [tr(locale, `band.${b}`), staffing.total.bands[b], `${formatNumber(locale, percentOf(staffing.total.bands[b], staffing.total.headcount), 1)} %`], attrs: html` data-band="${b}"` })),
    { cells: [tr(locale, 'staffing.total'), staffing.total.headcount, `${formatNumber(locale, staffing.total.headcount === 0 ? 0 : 100, 1)} %`], attrs: html` data-band-total` },
  ],
})}
<p data-staffing-total>${tr(locale, 'headcount')}: ${staffing.total.headcount} · ${tr(locale, 'fte')}: ${formatNumber(locale, staffing.total.fte, 2)}</p>
<h2>${tr(locale, 'staffing.by-role')}</h2>
${table({
  label: tr(locale, 'staffing.by-role'),
  rowHeader: true,
  columns: [
    { label: tr(locale, 'job-title') }, { label: tr(locale, 'headcount'), numeric: true }, { label: tr(locale, 'fte'), numeric: true },
    ...PART_TIME_BANDS.map((b) => ({ label: tr(locale, `band.${b}`), numeric: true })),
  ],
  rows: staffing.roles.map((r) => ({ cells: [r.jobTitle, r.headcount, formatNumber(locale, r.fte, 2), ...bandCells(r.bands)], attrs: html` data-role-row="${r.jobTitle}"` })),
})}
<h2>${tr(locale, 'staffing.by-unit')}</h2>
${table({
  label: tr(locale, 'staffing.by-unit'),
  rowHeader: true,
  columns: [{ label: tr(locale, 'unit') }, { label: tr(locale, 'job-title') }, { label: tr(locale, 'headcount'), numeric: true }, { label: tr(locale, 'fte'), numeric: true }],
  rows: staffing.cells.map((c) => {
    const unit = unitName.get(c.unitId);
    return { cells: [`${unit?.name ?? ''} (${unit?.code ?? ''})`, c.jobTitle, c.headcount, formatNumber(locale, c.fte, 2)], attrs: html` data-cell="${unit?.code ?? ''}:${c.jobTitle}"` };
  }),
})}`}`;
  return shell(ctx, paths, paths.staffing, title, body, day === osloDate() ? {} : { date: day });
}

interface ChartSection {
  id: string;
  title: string;
  description: string;
  series: string;
  axis: 'x' | 'y';
  max?: number;
  table: (attrs: SafeHtml) => SafeHtml;
  empty?: string | undefined;
}

function chartSection(locale: Locale, c: ChartSection): SafeHtml {
  return html`<section class="app-report-section" aria-labelledby="${c.id}-title" data-chart-section="${c.id}">
<h2 id="${c.id}-title">${c.title}</h2>
<p id="${c.id}-desc">${c.description}</p>
${c.empty ? html`<p data-chart-empty>${c.empty}</p>` : html`<div class="app-chart" id="${c.id}-chart" data-chart-label="${fillIn(tr(locale, 'chart.label'), { title: c.title })}" data-chart-describedby="${c.id}-desc" data-chart-series="${c.series}" data-chart-axis="${c.axis}"${c.max !== undefined ? html` data-chart-max="${c.max}"` : ''}></div>
${c.table(html` data-chart="${c.id}-chart"`)}`}
</section>`;
}

interface ReportData {
  day: string;
  coverage: ReturnType<typeof coverageByUnit>;
  completions: ReturnType<typeof completionsPerMonth>;
  expiries: Awaited<ReturnType<typeof expiriesAhead>>;
  jobTitles: string[];
  competences: { code: string; name: string }[];
}

function reportPage(ctx: PageContext, paths: ReportPaths, scope: Scope, data: ReportData, dayError: boolean): SafeHtml {
  const { locale } = ctx;
  const title = tr(locale, 'report.title');
  const units = new Map(scope.units.map((u) => [u.id, u]));
  const covered = data.coverage.filter((c) => c.applicable > 0);
  const exportState: FormState = { locale, values: { date: data.day }, errors: new Map() };
  const body = html`<h1 data-report>${title}</h1>
<p>${tr(locale, 'report.intro')}</p>
<p class="app-muted">${paths.kind === 'manager' ? tr(locale, 'staffing.scope.manager') : fillIn(tr(locale, 'staffing.scope.admin'), { tenant: scope.tenantName })} ${fillIn(tr(locale, 'report.day'), { date: dayText(locale, data.day) })}</p>
<div class="app-print-hide" data-print-host data-print-label="${tr(locale, 'report.print')}"><p class="app-muted">${tr(locale, 'report.print.hint')}</p></div>
${dayForm(ctx, paths.report, data.day, dayError)}
${scope.units.length === 0 ? alert('info', tr(locale, 'no-units'), { attrs: html` data-no-units` }) : html`
${chartSection(locale, {
  id: 'coverage',
  title: tr(locale, 'coverage.title'),
  description: tr(locale, 'coverage.desc'),
  series: tr(locale, 'coverage.percent'),
  axis: 'y',
  max: 100,
  empty: covered.length === 0 ? tr(locale, 'coverage.none') : undefined,
  table: (attrs) => table({
    label: tr(locale, 'coverage.title'),
    rowHeader: true,
    attrs,
    columns: [{ label: tr(locale, 'unit') }, { label: tr(locale, 'coverage.met'), numeric: true }, { label: tr(locale, 'coverage.applicable'), numeric: true }, { label: tr(locale, 'coverage.percent'), numeric: true }],
    rows: data.coverage.map((c) => {
      const unit = units.get(c.unitId)!;
      const label = `${unit.name} (${unit.code})`;
      return {
        cells: [label, c.met, c.applicable, c.percent === null ? tr(locale, 'coverage.none') : `${c.percent} %`],
        attrs: c.percent === null ? html` data-coverage-unit="${unit.code}"` : html` data-coverage-unit="${unit.code}" data-label="${label}" data-value="${c.percent}"`,
      };
    }),
  }),
})}
${chartSection(locale, {
  id: 'completions',
  title: tr(locale, 'completions.title'),
  description: tr(locale, 'completions.desc'),
  series: tr(locale, 'completions.count'),
  axis: 'x',
  table: (attrs) => table({
    label: tr(locale, 'completions.title'),
    rowHeader: true,
    attrs,
    columns: [{ label: tr(locale, 'completions.month') }, { label: tr(locale, 'completions.count'), numeric: true }],
    rows: data.completions.map((m) => ({ cells: [monthText(locale, m.month), m.count], attrs: html` data-month="${m.month}" data-label="${monthText(locale, m.month)}" data-value="${m.count}"` })),
  }),
})}
${chartSection(locale, {
  id: 'expiries',
  title: tr(locale, 'expiries.title'),
  description: tr(locale, 'expiries.desc'),
  series: tr(locale, 'expiries.people'),
  axis: 'y',
  empty: data.expiries.length === 0 ? tr(locale, 'expiries.none') : undefined,
  table: (attrs) => table({
    label: tr(locale, 'expiries.title'),
    rowHeader: true,
    attrs,
    columns: [{ label: tr(locale, 'expiries.competence') }, { label: tr(locale, 'expiries.people'), numeric: true }, { label: tr(locale, 'expiries.first') }],
    rows: data.expiries.map((e) => {
      const name = `${e.competence.name[locale] ?? e.competence.name.nb} (${e.competence.code})`;
      return { cells: [name, e.people, dayText(locale, e.firstExpiry)], attrs: html` data-expiry="${e.competence.code}" data-label="${name}" data-value="${e.people}"` };
    }),
  }),
})}
<section class="app-print-hide" aria-labelledby="export-title" data-export>
<h2 id="export-title">${tr(locale, 'export.title')}</h2>
<p>${tr(locale, 'export.intro')}</p>
<form method="get" action="${paths.csv}" data-export-form>
${ctx.hidden}
<input type="hidden" name="date" value="${data.day}">
${select(exportState, 'unit', tr(locale, 'unit'), scope.units.map((u) => ({ value: u.id, label: `${'– '.repeat(Math.max(0, u.depth - (scope.units[0]?.depth ?? 1)))}${u.name} (${u.code})` })), { placeholder: tr(locale, 'unit.all') })}
${select(exportState, 'job', tr(locale, 'job-title'), data.jobTitles.map((j) => ({ value: j, label: j })), { placeholder: tr(locale, 'job-title.all') })}
${select(exportState, 'competence', tr(locale, 'filter.competence'), data.competences.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })), { placeholder: tr(locale, 'filter.competence.all') })}
${select(exportState, 'mandatory', tr(locale, 'filter.mandatory'), [{ value: 'mandatory', label: tr(locale, 'filter.mandatory.mandatory') }, { value: 'recommended', label: tr(locale, 'filter.mandatory.recommended') }], { placeholder: tr(locale, 'filter.mandatory.all') })}
${select(exportState, 'status', tr(locale, 'filter.status'), REQUIREMENT_STATUSES.map((s) => ({ value: s, label: tr(locale, `status.${s}`) })), { placeholder: tr(locale, 'filter.status.all') })}
${buttonRow(button(tr(locale, 'export.csv'), { variant: 'primary', attrs: html` data-export-csv` }), button(tr(locale, 'export.xlsx'), { variant: 'secondary', attrs: html` formaction="${paths.xlsx}" data-export-xlsx` }))}
</form>
</section>`}
<script src="${CHART_JS.href}"></script>
<script src="${REPORT_CHARTS_JS.href}"></script>`;
  return shell(ctx, paths, paths.report, title, body, data.day === osloDate() ? {} : { date: data.day });
}

function requestedDay(req: Request): { day: string; error: boolean } {
  const today = osloDate();
  const day = chosenDay(param(req, 'date'), today);
  return day === undefined ? { day: today, error: true } : { day, error: false };
}

/** The export's filters from the query; a unit outside the scope (another unit, another municipality, none) is not found. */
function exportFilters(req: Request, ctx: PageContext, paths: ReportPaths, scope: Scope): GapFilters {
  const filters: GapFilters = {};
  const unit = (param(req, 'unit') ?? '').trim();
  if (unit) {
    if (!UUID.test(unit)) throw new ProblemError('not-found', 'No such unit.');
    if (scope.manager) requireTouch(ctx, ROUTE_DECISIONS[`GET ${paths.csv}`]!, { unitIds: [unit], scope: scope.manager });
    if (!scope.units.some((u) => u.id === unit)) throw new ProblemError('not-found', 'No such unit.');
    filters.unitIds = subtreeOf(scope.units, unit);
  }
  const job = (param(req, 'job') ?? '').trim();
  if (job) filters.jobTitle = job.slice(0, 200);
  const competence = (param(req, 'competence') ?? '').trim();
  if (competence) filters.competenceCode = competence.slice(0, 64);
  const mandatory = (param(req, 'mandatory') ?? '').trim();
  if (mandatory) {
    if (mandatory !== 'mandatory' && mandatory !== 'recommended') throw new ProblemError('validation-failed', 'mandatory must be "mandatory" or "recommended".');
    filters.mandatory = mandatory === 'mandatory';
  }
  const status = (param(req, 'status') ?? '').trim();
  if (status) {
    if (!REQUIREMENT_STATUSES.includes(status as RequirementStatus)) throw new ProblemError('validation-failed', `status must be one of ${REQUIREMENT_STATUSES.join(', ')}.`);
    filters.status = status as RequirementStatus;
  }
  return filters;
}

/**
 * Staffing, the competence report (charts with tables, print-friendly) and the gap exports (CSV,
 * XLSX), for a manager's units (/manage/…) and for a municipality administrator's whole
 * municipality (/admin/…). Exports read other people's competence: each person exported is audited.
 */
export function reportsRouter(deps: AccessDeps): Router {
  const router = Router();
  const { db } = deps;

  for (const paths of [MANAGER_REPORTS, ADMIN_REPORTS]) {
    router.get(paths.staffing, async (req, res) => {
      const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${paths.staffing}`]!);
      const { day, error } = requestedDay(req);
      const scope = await reportScope(deps, ctx, paths, osloDate());
      const employments = await activeEmploymentsIn(db, ctx.principal.tenantId, scope.units.map((u) => u.id), day);
      const totals = await totalPercentages(db, ctx.principal.tenantId, employments.map((e) => e.personId), day);
      const staffing = staffingOf(day, scope.units.map((u) => u.id), employments, totals);
      sendPage(res, error ? 400 : 200, staffingPage(ctx, paths, scope, day, staffing, error));
    });

    router.get(paths.report, async (req, res) => {
      const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${paths.report}`]!);
      const { day, error } = requestedDay(req);
      const tenantId = ctx.principal.tenantId;
      const scope = await reportScope(deps, ctx, paths, osloDate());
      const employments = await activeEmploymentsIn(db, tenantId, scope.units.map((u) => u.id), day);
      const personIds = [...new Set(employments.map((e) => e.personId))];
      const [rows, times, expiries] = await Promise.all([
        gapRows(db, tenantId, employments, day),
        completionTimes(db, tenantId, personIds, day),
        expiriesAhead(db, tenantId, personIds, day, 90),
      ]);
      const collator = new Intl.Collator('nb');
      const competences = new Map(rows.map((r) => [r.competence.code, r.competence.name[ctx.locale] ?? r.competence.name.nb]));
      const data: ReportData = {
        day,
        coverage: coverageByUnit(scope.units, rows),
        completions: completionsPerMonth(times, day),
        expiries,
        jobTitles: [...new Set(employments.map((e) => e.jobTitle))].sort(collator.compare),
        competences: [...competences].map(([code, name]) => ({ code, name })).sort((a, b) => collator.compare(a.name, b.name)),
      };
      // Aggregates only (no person is named), recorded as one reading of the units' competence.
      await recordAudit(db, { tenantId, actor: personActor(ctx.principal.personId), action: 'competence.report.viewed', details: { view: paths.kind, units: scope.units.length, people: personIds.length, day } });
      sendPage(res, error ? 400 : 200, reportPage(ctx, paths, scope, data, error));
    });

    const exportRoute = (format: 'csv' | 'xlsx') => async (req: Request, res: Response) => {
      const path = format === 'csv' ? paths.csv : paths.xlsx;
      const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${path}`]!);
      const today = osloDate();
      const day = chosenDay(param(req, 'date'), today);
      if (day === undefined) throw new ProblemError('validation-failed', 'date must be a calendar day as YYYY-MM-DD.');
      const tenantId = ctx.principal.tenantId;
      const scope = await reportScope(deps, ctx, paths, today);
      const filters = exportFilters(req, ctx, paths, scope);
      const employments = await activeEmploymentsIn(db, tenantId, scope.units.map((u) => u.id), day);
      const rows = filterGapRows(await gapRows(db, tenantId, employments, day), filters);
      const units = new Map(scope.units.map((u) => [u.id, u]));
      const people = [...new Set(rows.map((r) => r.personId))];
      const details = { format, view: paths.kind, day, filters: { unit: param(req, 'unit') || null, job: filters.jobTitle ?? null, competence: filters.competenceCode ?? null, mandatory: filters.mandatory ?? null, status: filters.status ?? null } };
      const actor = personActor(ctx.principal.personId);
      for (let i = 0; i < people.length; i += 500) {
        await recordAudits(db, people.slice(i, i + 500).map((subjectPersonId) => ({ tenantId, actor, action: 'competence.gaps.exported', subjectPersonId, details })));
      }
      if (people.length === 0) await recordAudit(db, { tenantId, actor, action: 'competence.gaps.exported', details });
      const name = `kompetansegap-${day}.${format}`;
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').send(gapsCsv(ctx.locale, units, rows));
      } else {
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await gapsXlsx(ctx.locale, units, rows));
      }
    };
    router.get(paths.csv, exportRoute('csv'));
    router.get(paths.xlsx, exportRoute('xlsx'));
  }

  router.use(refusalHandler);
  return router;
}
