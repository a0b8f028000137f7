import { Router } from 'express';
import { managerScope, type ManagerScope } from '../../access/manager-scope.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { recordAudit, personActor } from '../../audit/audit-log.js';
import { activeEmploymentsIn, type ActiveEmployment, type ScopeUnit } from '../../organisation/unit-scope.js';
import { osloDate } from '../../oslo-date.js';
import { th } from '../competence/holdings-messages.js';
import { alert, card, facts, link, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { MANAGER_REPORTS } from '../competence/reports-router.js';
import { tr } from '../competence/report-messages.js';
import { tland } from '../landing/messages.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { tv } from '../competence/coverage-messages.js';
import { ta } from './messages.js';
import { formatNumber, pageContext, requireTouch, type AccessDeps, type PageContext } from './page-context.js';
import { assignNotice, loadPersonCompetence, personCompetenceSection } from '../competence/assignments-web.js';

export const MANAGE_PAGE = '/manage';
const PERSON_PAGE = '/manage/people/:personId';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UnitFigures {
  headcount: number;
  fte: number;
}

/** Headcount and FTE of each unit itself (people counted once per unit). */
function figuresPerUnit(employments: readonly ActiveEmployment[]): Map<string, UnitFigures> {
  const people = new Map<string, Set<string>>();
  const figures = new Map<string, UnitFigures>();
  for (const e of employments) {
    const f = figures.get(e.unitId) ?? { headcount: 0, fte: 0 };
    const seen = people.get(e.unitId) ?? new Set<string>();
    if (!seen.has(e.personId)) f.headcount += 1;
    seen.add(e.personId);
    f.fte += e.percentage / 100;
    figures.set(e.unitId, f);
    people.set(e.unitId, seen);
  }
  return figures;
}

function unitTree(locale: Locale, scope: ManagerScope, figures: Map<string, UnitFigures>): SafeHtml {
  const children = new Map<string | null, ScopeUnit[]>();
  const inScope = scope.unitIds;
  for (const unit of scope.units) {
    // A root of the scope is shown at the top even when its parent is outside the scope.
    const parent = unit.parentId && inScope.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  const branch = (parent: string | null): SafeHtml | '' => {
    const units = children.get(parent);
    if (!units) return '';
    return html`<ul class="ds-list" data-unit-tree>${units.map((u) => {
      const f = figures.get(u.id) ?? { headcount: 0, fte: 0 };
      return html`<li data-unit="${u.code}">${u.name} <span class="app-muted">(${u.code}) · ${ta(locale, 'headcount')}: ${f.headcount} · ${ta(locale, 'fte')}: ${formatNumber(locale, f.fte, 2)}</span>${branch(u.id)}</li>`;
    })}</ul>`;
  };
  return branch(null) || html``;
}

function managePage(ctx: PageContext, tenantName: string, scope: ManagerScope, employments: readonly ActiveEmployment[]): SafeHtml {
  const { locale } = ctx;
  const unitName = new Map(scope.units.map((u) => [u.id, u.name]));
  const figures = figuresPerUnit(employments);
  const title = tland(locale, 'manager.title');
  const body = html`<div data-start-page="manager">
<h1 data-role="manager">${title}</h1>
<p>${tland(locale, 'manager.intro', { tenant: tenantName })}</p>
<p>${link(ctx.href('/learn'), ta(locale, 'manage.my-paths'), html` data-action-link="/learn"`)}</p>
${scope.units.length > 0 ? html`<p>${link(ctx.href('/manage/competence'), tv(locale, 'coverage.link'), html` data-action-link="/manage/competence"`)}</p>` : ''}
<h2>${ta(locale, 'manage.title')}</h2>
${scope.units.length === 0
    ? alert('info', fillIn(ta(locale, 'manage.none'), { tenant: tenantName }), { attrs: html` data-no-units` })
    : html`<p>${ta(locale, 'manage.intro')}</p>
<ul class="ds-list" data-manage-reports><li>${link(ctx.href(MANAGER_REPORTS.report), tr(locale, 'link.report'), html` data-action-link="${MANAGER_REPORTS.report}"`)}</li><li>${link(ctx.href(MANAGER_REPORTS.staffing), tr(locale, 'link.staffing'), html` data-action-link="${MANAGER_REPORTS.staffing}"`)}</li></ul>
${card(unitTree(locale, scope, figures))}
${table({
  label: ta(locale, 'manage.units'),
  caption: true,
  columns: [{ label: ta(locale, 'unit') }, { label: ta(locale, 'unit.code') }, { label: ta(locale, 'headcount'), numeric: true }, { label: ta(locale, 'fte'), numeric: true }],
  rows: scope.units.map((u) => {
    const f = figures.get(u.id) ?? { headcount: 0, fte: 0 };
    return { cells: [u.name, u.code, f.headcount, formatNumber(locale, f.fte, 2)], attrs: html` data-unit-row="${u.code}"` };
  }),
  rowHeader: true,
})}
<h2>${ta(locale, 'manage.people')}</h2>
${table({
  label: ta(locale, 'manage.people'),
  columns: [{ label: ta(locale, 'name') }, { label: ta(locale, 'employee-number') }, { label: ta(locale, 'job-title') }, { label: ta(locale, 'percentage'), numeric: true }, { label: ta(locale, 'unit') }],
  rows: employments.map((e) => ({
    cells: [
      link(ctx.href(`/manage/people/${e.personId}`), e.name ?? ta(locale, 'no-name')),
      e.employeeNumber,
      e.leadsUnit ? `${e.jobTitle} (${ta(locale, 'leads').toLowerCase()})` : e.jobTitle,
      `${formatNumber(locale, e.percentage, 2)} %`,
      unitName.get(e.unitId) ?? '',
    ],
    attrs: html` data-employee="${e.employeeNumber}"`,
  })),
  rowHeader: true,
})}`}
</div>`;
  return page({ locale, title, path: MANAGE_PAGE, keep: ctx.keep, theme: ctx.theme, body });
}

function personPage(ctx: PageContext, scope: ManagerScope, employments: readonly ActiveEmployment[], competence: SafeHtml | '' = ''): SafeHtml {
  const { locale } = ctx;
  const first = employments[0]!;
  const unitName = new Map(scope.units.map((u) => [u.id, u.name]));
  const title = first.name ?? ta(locale, 'no-name');
  const body = html`<p>${link(ctx.href(MANAGE_PAGE), ta(locale, 'person.back'))}</p>
<h1 data-person>${title}</h1>
${facts([[ta(locale, 'employee-number'), first.employeeNumber]])}
<p>${link(ctx.href(`/manage/people/${first.personId}/competence`), th(locale, 'person.link'), html` data-competence-link`)}</p>
<p>${link(ctx.href(`/manage/people/${first.personId}/cmi5`), ta(locale, 'person.cmi5'), html` data-cmi5-link`)}</p>
<h2>${ta(locale, 'person.employments')}</h2>
${table({
  label: ta(locale, 'person.employments'),
  columns: [{ label: ta(locale, 'unit') }, { label: ta(locale, 'job-title') }, { label: ta(locale, 'percentage'), numeric: true }, { label: ta(locale, 'start-date') }],
  rows: employments.map((e) => ({ cells: [unitName.get(e.unitId) ?? '', e.leadsUnit ? `${e.jobTitle} (${ta(locale, 'leads').toLowerCase()})` : e.jobTitle, `${formatNumber(locale, e.percentage, 2)} %`, e.startDate] })),
  rowHeader: true,
})}
${competence}
<p class="app-muted">${ta(locale, 'person.audited')}</p>`;
  return page({ locale, title, path: `/manage/people/${first.personId}`, keep: ctx.keep, theme: ctx.theme, body });
}

/**
 * The manager's view: the units in their scope (led by HR data or granted, with subtrees) and exactly
 * the people employed in them today; a person's details, audited as `person.viewed`.
 */
export function manageRouter(deps: AccessDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get(MANAGE_PAGE, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${MANAGE_PAGE}`]!);
    const day = osloDate();
    const scope = await managerScope(db, ctx.principal.tenantId, ctx.principal.personId, day);
    const employments = await activeEmploymentsIn(db, ctx.principal.tenantId, [...scope.unitIds], day);
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', ctx.principal.tenantId).executeTakeFirst();
    sendPage(res, 200, managePage(ctx, tenant?.name ?? '', scope, employments));
  });

  router.get(PERSON_PAGE, async (req, res) => {
    const rule = ROUTE_DECISIONS[`GET ${PERSON_PAGE}`]!;
    const ctx = await pageContext(req, res, deps, rule);
    const personId = String(req.params['personId']);
    if (!UUID.test(personId)) throw new ProblemError('not-found', 'No such person.');
    const day = osloDate();
    const scope = await managerScope(db, ctx.principal.tenantId, ctx.principal.personId, day);
    const employments = (await activeEmploymentsIn(db, ctx.principal.tenantId, [...scope.unitIds], day)).filter((e) => e.personId === personId);
    // A person outside the scope (another unit, another municipality, no one) is not found, alike.
    requireTouch(ctx, rule, { unitIds: employments.map((e) => e.unitId), scope });
    await recordAudit(db, { tenantId: ctx.principal.tenantId, actor: personActor(ctx.principal.personId), action: 'person.viewed', subjectPersonId: personId, details: { view: 'manager' } });
    const competence = personCompetenceSection(ctx.locale, ctx.hidden, `/manage/people/${personId}`, await loadPersonCompetence(db, ctx.principal.tenantId, personId), assignNotice(req));
    sendPage(res, 200, personPage(ctx, scope, employments, competence));
  });

  router.use(refusalHandler);
  return router;
}
