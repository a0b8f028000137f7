import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import { managerScope } from '../../access/manager-scope.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import type { AccessRule } from '../../access/rules.js';
import { personActor, recordAudits } from '../../audit/audit-log.js';
import { today } from '../../competence/holdings.js';
import type { Requirement } from '../../competence/requirements.js';
import { cellPeople, gapReport, STATUSES, type Coverage, type GapFilters, type GroupCoverage } from '../../competence/rollups.js';
import { coverageRollup, type CoverageRollup } from '../../competence/status-summary.js';
import type { Schema } from '../../db/schema.js';
import type { ScopeUnit } from '../../organisation/unit-scope.js';
import { alert, button, link, table } from '../ds/components.js';
import { choiceGroup, input, select, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { formatDate } from '../learner/messages.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { formatNumber, pageContext, requireTouch, type AccessDeps, type PageContext } from '../access/page-context.js';
import { tv, type CoverageMessageId } from './coverage-messages.js';

export const MANAGER_COVERAGE_PAGE = '/manage/competence';
export const ADMIN_COVERAGE_PAGE = '/admin/competence/coverage';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who looks: a manager (their scope) or a municipality's administrator (the whole municipality). */
interface Viewer {
  readonly kind: 'manager' | 'admin';
  readonly path: string;
  /** The units that may be seen, parents before children. */
  readonly units: readonly ScopeUnit[];
  /** Where the matrix starts without a unit chosen. */
  readonly roots: readonly string[];
  /** The population's units; undefined: the whole municipality. */
  readonly unitIds: readonly string[] | undefined;
}

/** The filters as typed in the GET form; a bad value is a problem on the form, never a 500. */
interface ParsedFilters {
  readonly filters: GapFilters;
  readonly values: Record<string, string | string[]>;
  readonly errors: Map<string, string>;
  readonly requirementId: string | undefined;
  readonly cellUnitId: string | undefined;
}

function parseFilters(req: Request, locale: Locale): ParsedFilters {
  const text = (name: string) => (param(req, name) ?? '').trim();
  const errors = new Map<string, string>();
  const unit = text('unit');
  const competence = text('competence');
  const job = text('job').slice(0, 200);
  const daysText = text('days');
  let expiringDays = 90;
  if (daysText !== '') {
    if (/^\d{1,3}$/.test(daysText) && Number(daysText) <= 730) expiringDays = Number(daysText);
    else errors.set('days', tv(locale, 'coverage.filter.days.invalid'));
  }
  const show = ([] as string[]).concat((req.query['show'] as string | string[] | undefined) ?? []).map(String);
  const requirement = text('requirement');
  const cell = text('cell');
  // An id that is not one is treated like an unknown one: not found (never a database error).
  for (const id of [unit, competence, requirement, cell]) if (id && !UUID.test(id)) throw new ProblemError('not-found', 'No such unit, competence or requirement.');
  return {
    filters: {
      unitId: unit || undefined,
      jobTitle: job || undefined,
      competenceId: competence || undefined,
      mandatoryOnly: show.includes('mandatory'),
      newcomersOnly: show.includes('newcomers'),
      expiringDays,
    },
    values: { unit, job, competence, days: daysText || '90', show },
    errors,
    requirementId: requirement || undefined,
    cellUnitId: cell || undefined,
  };
}

const band = (percent: number | null): 'good' | 'partial' | 'low' | null => (percent === null ? null : percent >= 90 ? 'good' : percent >= 60 ? 'partial' : 'low');
const BAND_COLOUR = { good: 'success', partial: 'warning', low: 'danger' } as const;

function percentText(locale: Locale, percent: number): string {
  return `${formatNumber(locale, percent, 1)} %`;
}

export function requirementLabel(locale: Locale, r: Requirement): string {
  const name = r.competence.name[locale] ?? r.competence.name.nb;
  const who = [r.jobTitle ? fillIn(tv(locale, 'coverage.for-role'), { role: r.jobTitle }) : '', r.orgUnit ? fillIn(tv(locale, 'coverage.in-unit'), { unit: r.orgUnit.name }) : ''].filter(Boolean).join(' ');
  return `${name} ${who} (${tv(locale, r.mandatory ? 'coverage.mandatory' : 'coverage.recommended')})`;
}

function cell(ctx: PageContext, viewer: Viewer, query: Record<string, string>, requirement: Requirement, unit: ScopeUnit, coverage: Coverage | undefined): SafeHtml {
  const { locale } = ctx;
  if (!coverage || coverage.total === 0) return html`<span class="app-muted">${tv(locale, 'coverage.cell.none')}</span>`;
  const b = band(coverage.percent);
  const label = fillIn(tv(locale, 'coverage.cell'), { covered: formatNumber(locale, coverage.covered), applicable: formatNumber(locale, coverage.applicable) });
  const grace = coverage.counts.grace > 0 ? html` <span class="app-muted">${fillIn(tv(locale, 'coverage.cell.grace'), { grace: formatNumber(locale, coverage.counts.grace) })}</span>` : '';
  const href = ctx.href(viewer.path, { ...query, requirement: requirement.id, cell: unit.id });
  const srLabel = fillIn(tv(locale, 'coverage.cell.link'), { requirement: requirement.competence.name[locale] ?? requirement.competence.name.nb, unit: unit.name });
  return html`<span data-cell="${requirement.id}:${unit.id}" data-covered="${coverage.covered}" data-applicable="${coverage.applicable}"${b ? html` data-band="${b}"` : ''}>${b && coverage.percent !== null
    ? html`<span class="ds-tag" data-color="${BAND_COLOUR[b]}">${percentText(locale, coverage.percent)} · ${tv(locale, `coverage.band.${b}`)}</span><br>`
    : ''}<a class="ds-link" href="${href}" aria-label="${label}. ${srLabel}">${label}</a>${grace}</span>`;
}

async function coveragePage(db: Kysely<Schema>, ctx: PageContext, viewer: Viewer, parsed: ParsedFilters, tenantName: string): Promise<SafeHtml> {
  const { locale } = ctx;
  const day = today();
  const title = tv(locale, 'coverage.title');
  const unitById = new Map(viewer.units.map((u) => [u.id, u]));
  const chosen = parsed.filters.unitId ? unitById.get(parsed.filters.unitId) : undefined;
  const population = { tenantId: ctx.principal.tenantId, unitIds: viewer.unitIds };
  // The columns: the chosen unit (or the roots) and the units right below.
  const base = chosen ? [chosen] : viewer.roots.map((id) => unitById.get(id)).filter((u): u is ScopeUnit => u !== undefined);
  const baseIds = new Set(base.map((u) => u.id));
  const columns = [...base, ...viewer.units.filter((u) => u.parentId !== null && baseIds.has(u.parentId) && !baseIds.has(u.id))];
  const report: CoverageRollup | null = parsed.errors.size > 0 ? null : await coverageRollup(db, population, day, parsed.filters, { columns: columns.map((u) => u.id) });
  const byUnit = report?.byUnit ?? new Map<string, GroupCoverage>();
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.values)) if (typeof v === 'string' && v && k !== 'days') query[k] = v;
  if (parsed.values['days'] !== '90') query['days'] = String(parsed.values['days']);
  const shows = parsed.values['show'] as string[];
  const showQuery = shows.length ? `&${shows.map((s) => `show=${encodeURIComponent(s)}`).join('&')}` : '';
  const withShow = (href: string) => href.replace(/(#|$)/, `${showQuery}$1`);
  const requirements = report ? report.requirements.filter((r) => columns.some((u) => (byUnit.get(u.id)?.byRequirement.get(r.id)?.total ?? 0) > 0)) : [];

  // The filters' choices: the viewer's units, the job titles in them, the competences required.
  const jobTitles = await db
    .selectFrom('employments as e')
    .select((eb) => eb.fn.min('e.job_title').as('title'))
    .where('e.tenant_id', '=', ctx.principal.tenantId)
    .$if(viewer.unitIds !== undefined, (q) => q.where('e.org_unit_id', 'in', viewer.unitIds!.length ? viewer.unitIds! : ['00000000-0000-0000-0000-000000000000']))
    .where('e.start_date', '<=', day)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', day)]))
    .groupBy((eb) => eb.fn('lower', ['e.job_title']))
    .orderBy((eb) => eb.fn('lower', ['e.job_title']))
    .execute();
  const allRequirements = report?.requirements ?? [];
  const competences = [...new Map(allRequirements.map((r) => [r.competence.id, r.competence])).values()];
  const state: FormState = { locale, values: parsed.values, errors: parsed.errors };
  const form = html`<form method="get" action="${viewer.path}" class="app-form" data-coverage-filters>
${ctx.hidden}
<h2>${tv(locale, 'coverage.filters')}</h2>
${select(state, 'unit', tv(locale, 'coverage.filter.unit'), viewer.units.map((u) => ({ value: u.id, label: `${'– '.repeat(Math.max(0, u.depth - (viewer.units[0]?.depth ?? 1)))}${u.name}` })), { placeholder: tv(locale, 'coverage.filter.unit.all') })}
${select(state, 'job', tv(locale, 'coverage.filter.job'), jobTitles.map((j) => ({ value: String(j.title), label: String(j.title) })), { placeholder: tv(locale, 'coverage.filter.job.all') })}
${select(state, 'competence', tv(locale, 'coverage.filter.competence'), competences.map((c) => ({ value: c.id, label: c.name[locale] ?? c.name.nb })), { placeholder: tv(locale, 'coverage.filter.competence.all') })}
${input(state, 'days', tv(locale, 'coverage.filter.days'), { type: 'number', min: 0, max: 730, inputmode: 'numeric', hint: tv(locale, 'coverage.filter.days.hint') })}
${choiceGroup(state, 'show', tv(locale, 'coverage.filter.options'), [{ value: 'mandatory', label: tv(locale, 'coverage.filter.mandatory') }, { value: 'newcomers', label: tv(locale, 'coverage.filter.newcomers') }], { multiple: true })}
${button(tv(locale, 'coverage.filter.apply'), { type: 'submit', variant: 'primary' })}
</form>`;

  const matrix = requirements.length === 0
    ? alert('info', tv(locale, 'coverage.no-requirements'), { attrs: html` data-no-requirements` })
    : table({
        label: tv(locale, 'coverage.matrix'),
        caption: true,
        rowHeader: true,
        attrs: html` data-coverage-matrix`,
        columns: [{ label: tv(locale, 'coverage.matrix.requirement') }, ...columns.map((u) => ({ label: baseIds.has(u.id) && columns.length > 1 ? fillIn(tv(locale, 'coverage.matrix.subtree'), { unit: u.name }) : u.name }))],
        rows: requirements.map((r) => ({
          cells: [requirementLabel(locale, r), ...columns.map((u) => cell(ctx, viewer, query, r, u, byUnit.get(u.id)?.byRequirement.get(r.id)))],
          attrs: html` data-requirement-row="${r.competence.code}"`,
        })),
      });

  const total = report?.total ?? null;
  const statusTable = total && total.all.total > 0
    ? table({
        label: tv(locale, 'coverage.by-status'),
        caption: true,
        rowHeader: true,
        attrs: html` data-status-totals`,
        columns: [{ label: tv(locale, 'coverage.status') }, { label: tv(locale, 'coverage.count'), numeric: true }],
        rows: STATUSES.map((s) => ({ cells: [tv(locale, `status.${s}` as CoverageMessageId), formatNumber(locale, total.all.counts[s])], attrs: html` data-status="${s}"` })),
      })
    : '';

  let drill: SafeHtml | '' = '';
  if (report && parsed.requirementId && parsed.cellUnitId) {
    const requirement = report.requirements.find((r) => r.id === parsed.requirementId);
    const cellUnit = unitById.get(parsed.cellUnitId);
    // Another tenant's requirement or a unit outside the viewer's: not found, like one that does not exist.
    if (!requirement || !cellUnit) throw new ProblemError('not-found', 'No such requirement or unit.');
    // The people of one cell: computed for them from the holdings (the summary keeps counts, not who).
    const people = cellPeople(await gapReport(db, population, day, parsed.filters), requirement.id, cellUnit.id);
    const names = new Map(people.length ? (await db.selectFrom('people').select(['id', 'name']).where('id', 'in', people.map((p) => p.personId)).execute()).map((p) => [p.id, p.name]) : []);
    people.sort((a, b) => STATUSES.indexOf(a.status.status) - STATUSES.indexOf(b.status.status) || (names.get(a.personId) ?? '').localeCompare(names.get(b.personId) ?? '', 'nb'));
    await recordAudits(db, people.map((p) => ({
      tenantId: ctx.principal.tenantId,
      actor: personActor(ctx.principal.personId),
      action: 'competence.gaps.viewed',
      subjectPersonId: p.personId,
      object: { kind: 'competence-requirement', id: requirement.id },
      details: { view: viewer.kind, unit: cellUnit.id },
    })));
    const heading = fillIn(tv(locale, 'drill.title'), { requirement: requirement.competence.name[locale] ?? requirement.competence.name.nb, unit: cellUnit.name });
    const dateText = (d: string) => formatDate(locale, new Date(`${d}T12:00:00Z`));
    drill = html`<section aria-labelledby="drill-heading" data-drill-down>
<h2 id="drill-heading" tabindex="-1">${heading}</h2>
<p>${link(withShow(ctx.href(viewer.path, query)), tv(locale, 'drill.close'))}</p>
${people.length === 0 ? html`<p>${tv(locale, 'drill.empty')}</p>` : table({
  label: heading,
  rowHeader: true,
  columns: [{ label: tv(locale, 'drill.name') }, { label: tv(locale, 'coverage.status') }, { label: tv(locale, 'drill.until') }, { label: tv(locale, 'drill.job') }, { label: tv(locale, 'drill.unit') }],
  rows: people.map((p) => {
    const name = names.get(p.personId) ?? '–';
    return {
      cells: [
        viewer.kind === 'manager' ? link(ctx.href(`/manage/people/${p.personId}`), name) : name,
        tv(locale, `status.${p.status.status}` as CoverageMessageId),
        p.status.status === 'grace' && p.status.graceEnds ? fillIn(tv(locale, 'drill.grace-ends'), { day: dateText(p.status.graceEnds) }) : p.status.validUntil ? dateText(p.status.validUntil) : '–',
        [...new Set(p.employments.map((e) => e.jobTitle))].join(', '),
        [...new Set(p.employments.map((e) => unitById.get(e.unitId)?.name ?? ''))].join(', '),
      ],
      attrs: html` data-person-row="${p.personId}" data-status="${p.status.status}"`,
    };
  }),
})}
<p class="app-muted">${tv(locale, 'drill.audited')}</p>
</section>`;
  }

  const intro = viewer.kind === 'manager'
    ? fillIn(tv(locale, 'coverage.intro.manager'), { day: formatDate(locale, new Date(`${day}T12:00:00Z`)) })
    : fillIn(tv(locale, 'coverage.intro.admin'), { tenant: tenantName, day: formatDate(locale, new Date(`${day}T12:00:00Z`)) });
  const body = html`${viewer.kind === 'manager' ? html`<p>${link(ctx.href('/manage'), tv(locale, 'coverage.back'))}</p>` : ''}
<h1 data-coverage="${viewer.kind}">${title}</h1>
<p>${intro}</p>
${viewer.units.length === 0 ? alert('info', tv(locale, 'coverage.no-units'), { attrs: html` data-no-units` }) : html`${form}
${drill}
<h2>${tv(locale, 'coverage.matrix')}</h2>
<p>${tv(locale, 'coverage.legend')}</p>
${total ? html`<p data-people-count="${total.people}">${fillIn(tv(locale, 'coverage.people'), { count: formatNumber(locale, total.people) })}</p>` : ''}
${matrix}
${statusTable}`}`;
  return page({ locale, title, path: viewer.path, keep: ctx.keep, theme: ctx.theme, body });
}

/** Units parents first, each followed by its subtree, siblings by name (for the unit choice). */
function treeOrder(units: readonly ScopeUnit[]): ScopeUnit[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, ScopeUnit[]>();
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: ScopeUnit[] = [];
  const walk = (parent: string | null) => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'nb'))) {
      out.push(u);
      walk(u.id);
    }
  };
  walk(null);
  return out;
}

/**
 * The coverage matrix: requirements × units, for a manager (the units in their scope) at
 * /manage/competence and for a municipality's administrator (the whole municipality) at
 * /admin/competence/coverage; filters as a GET form; a cell's people on request, audited per person
 * (`competence.gaps.viewed`).
 */
export function coverageRouter(deps: AccessDeps): Router {
  const router = Router();
  const { db } = deps;

  const serve = (path: string, viewerOf: (ctx: PageContext) => Promise<Viewer>) => {
    router.get(path, async (req, res) => {
      const rule: AccessRule = ROUTE_DECISIONS[`GET ${path}`]!;
      const ctx = await pageContext(req, res, deps, rule);
      const parsed = parseFilters(req, ctx.locale);
      const viewer = await viewerOf(ctx);
      // A unit outside the viewer's (another municipality's, outside a manager's scope) is not found.
      if (parsed.filters.unitId) requireTouch(ctx, rule, { unitIds: [parsed.filters.unitId], scope: { rootUnitIds: viewer.roots, unitIds: new Set(viewer.units.map((u) => u.id)) } });
      const tenant = await db.selectFrom('tenants').select('name').where('id', '=', ctx.principal.tenantId).executeTakeFirst();
      sendPage(res, parsed.errors.size > 0 ? 400 : 200, await coveragePage(db, ctx, viewer, parsed, tenant?.name ?? ''));
    });
  };

  serve(MANAGER_COVERAGE_PAGE, async (ctx) => {
    const scope = await managerScope(db, ctx.principal.tenantId, ctx.principal.personId, today());
    const roots = scope.units.filter((u) => !u.parentId || !scope.unitIds.has(u.parentId)).map((u) => u.id);
    return { kind: 'manager', path: MANAGER_COVERAGE_PAGE, units: treeOrder(scope.units), roots, unitIds: scope.units.map((u) => u.id) };
  });

  serve(ADMIN_COVERAGE_PAGE, async (ctx) => {
    const day = today();
    const rows = await db
      .selectFrom('org_units')
      .select(['id', 'parent_id', 'code', 'name', (eb) => eb.fn<number>('array_length', ['path', eb.val(1)]).as('depth')])
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', day)]))
      .orderBy('path')
      .execute();
    const units = treeOrder(rows.map((r) => ({ id: r.id, parentId: r.parent_id, code: r.code, name: r.name, depth: r.depth })));
    return { kind: 'admin', path: ADMIN_COVERAGE_PAGE, units, roots: units.filter((u) => u.parentId === null).map((u) => u.id), unitIds: undefined };
  });

  router.use(refusalHandler);
  return router;
}
