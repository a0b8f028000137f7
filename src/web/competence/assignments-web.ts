import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { managerScope } from '../../access/manager-scope.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import {
  AssignmentNotFound,
  AssignmentRefused,
  assignmentStatus,
  assignPath,
  gapsWithPaths,
  listAssignments,
  suggestedDue,
  withdrawAssignment,
  type Assigner,
  type Assignment,
  type AssignmentFields,
  type GapWithPaths,
} from '../../competence/assignments.js';
import { catalogueTenants } from '../../competence/catalogue.js';
import { personRequirements, type PersonRequirement } from '../../competence/gaps.js';
import { today } from '../../competence/holdings.js';
import type { Schema } from '../../db/schema.js';
import { activeEmploymentsIn } from '../../organisation/unit-scope.js';
import { findVisiblePath } from '../../paths/paths.js';
import { pageContext, requireTouch, type AccessDeps, type PageContext } from '../access/page-context.js';
import { alert, button, link, table } from '../ds/components.js';
import { errorSummary, fieldGroup, input, select, textarea, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { formatDate } from '../learner/messages.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { tg, type AssignMessageId } from './assign-messages.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const MANAGER_ASSIGN = '/manage/people/:personId/assignments';
export const MANAGER_WITHDRAW = '/manage/people/:personId/assignments/:assignmentId/withdraw';
export const ADMIN_ASSIGN = '/admin/people/:personId/assignments';
export const ADMIN_WITHDRAW = '/admin/people/:personId/assignments/:assignmentId/withdraw';

export type AssignNotice = 'assigned' | 'already' | 'withdrawn';
const NOTICES: Record<AssignNotice, AssignMessageId> = { assigned: 'assign.done', already: 'assign.already', withdrawn: 'assign.withdrawn' };

/** A notice the assign routes redirect with, read from the query. */
export function assignNotice(req: Request): AssignNotice | undefined {
  const asked = param(req, 'assignment');
  return asked && asked in NOTICES ? (asked as AssignNotice) : undefined;
}

export const dayOf = (date: string) => new Date(`${date}T12:00:00Z`);
export const showDay = (locale: Locale, date: string) => formatDate(locale, dayOf(date));
/** A day as the forms show it: 31.12.2027. */
const formDay = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;

/** A requirement's status in words (never colour only), with the day that matters. */
export function requirementStatusText(locale: Locale, r: PersonRequirement): string {
  switch (r.status) {
    case 'met': return r.validUntil ? tg(locale, 'status.met.until', { date: showDay(locale, r.validUntil) }) : tg(locale, 'status.met');
    case 'expiring': return tg(locale, 'status.expiring', { date: showDay(locale, r.validUntil!) });
    case 'expired': return tg(locale, 'status.expired', { date: showDay(locale, r.validUntil!) });
    case 'grace': return tg(locale, 'status.grace', { date: showDay(locale, r.graceEnds!) });
    default: return tg(locale, `status.${r.status}`);
  }
}

export function requirementFor(locale: Locale, r: PersonRequirement): string {
  const role = r.requirement.jobTitle;
  const unit = r.requirement.orgUnit?.name;
  if (role && unit) return tg(locale, 'for.role-unit', { role, unit });
  return role ?? unit ?? tg(locale, 'for.everyone');
}

export const competenceName = (locale: Locale, c: { name: { nb: string; nn: string | null; en: string | null } }) => c.name[locale] ?? c.name.nb;

/** The requirements that apply to the person, with where they stand (a table). */
export function requirementsTable(locale: Locale, label: string, requirements: readonly PersonRequirement[]): SafeHtml {
  return table({
    label,
    rowHeader: true,
    columns: [{ label: tg(locale, 'col.competence') }, { label: tg(locale, 'col.for') }, { label: tg(locale, 'col.kind') }, { label: tg(locale, 'col.status') }],
    rows: requirements.map((r) => ({
      attrs: html` data-requirement="${r.requirement.competence.code}" data-status="${r.status}"`,
      cells: [
        competenceName(locale, r.requirement.competence),
        requirementFor(locale, r),
        tg(locale, r.requirement.mandatory ? 'kind.mandatory' : 'kind.recommended'),
        r.status === 'met' ? requirementStatusText(locale, r) : html`<strong>${requirementStatusText(locale, r)}</strong>`,
      ],
    })),
  });
}

/** What the person pages show: requirements, gaps with the paths that close them, assignments. */
export interface PersonCompetence {
  readonly onDate: string;
  readonly requirements: readonly PersonRequirement[];
  readonly gaps: readonly GapWithPaths[];
  readonly assignments: readonly Assignment[];
}

export async function loadPersonCompetence(db: Kysely<Schema>, tenantId: string, personId: string, onDate = today()): Promise<PersonCompetence> {
  const requirements = await personRequirements(db, tenantId, personId, onDate);
  return {
    onDate,
    requirements,
    gaps: await gapsWithPaths(db, tenantId, personId, requirements),
    assignments: await listAssignments(db, tenantId, personId, { includeWithdrawn: true }),
  };
}

const fieldPrefix = (competenceId: string) => `a-${competenceId}-`;

/** The assign form for one gap: the path (one, or a choice), the due date (suggested), a note. */
function assignForm(locale: Locale, hidden: SafeHtml, action: string, gap: GapWithPaths, open: readonly Assignment[], state: FormState): SafeHtml | '' {
  const competence = gap.requirement.requirement.competence;
  const assignedPaths = new Set(open.map((a) => a.path.id));
  const choices = gap.paths.filter((p) => !p.completed && !assignedPaths.has(p.id));
  if (choices.length === 0) return '';
  const prefix = fieldPrefix(competence.id);
  const only = choices.length === 1 ? choices[0]! : undefined;
  const fields = html`${only
    ? html`<input type="hidden" name="${prefix}path" value="${only.id}">`
    : select(state, `${prefix}path`, tg(locale, 'assign.path'), choices.map((p) => ({ value: p.id, label: p.title })))}
${input(state, `${prefix}due`, tg(locale, 'assign.due'), { hint: tg(locale, 'assign.due.hint'), inputmode: 'numeric' })}
${textarea(state, `${prefix}note`, tg(locale, 'assign.note'), { optional: true, rows: 2, maxlength: 1000 })}
${button(only ? tg(locale, 'assign.button', { title: only.title }) : tg(locale, 'assign.button.chosen'))}`;
  return html`<form method="post" action="${action}" novalidate data-assign-form="${competence.code}">
${hidden}<input type="hidden" name="competence" value="${competence.id}">
${fieldGroup(tg(locale, 'assign.legend', { competence: competenceName(locale, competence) }), fields, { nested: true })}
</form>`;
}

function blankForm(locale: Locale, gap: GapWithPaths, onDate: string): FormState {
  return { locale, values: { [`${fieldPrefix(gap.requirement.requirement.competence.id)}due`]: formDay(suggestedDue(onDate)) }, errors: new Map() };
}

function gapEntry(locale: Locale, hidden: SafeHtml, action: string, gap: GapWithPaths, assignments: readonly Assignment[], onDate: string, state?: FormState, heading: 'h2' | 'h4' = 'h4'): SafeHtml {
  const competence = gap.requirement.requirement.competence;
  const open = assignments.filter((a) => a.competence.id === competence.id && !a.withdrawnAt && !a.completedAt);
  const completed = gap.paths.filter((p) => p.completed);
  return html`<li data-gap="${competence.code}">
${heading === 'h2' ? html`<h2>${competenceName(locale, competence)}: ${requirementStatusText(locale, gap.requirement)}</h2>` : html`<h4>${competenceName(locale, competence)}: ${requirementStatusText(locale, gap.requirement)}</h4>`}
${open.map((a) => html`<p data-gap-assigned="${a.path.id}">${tg(locale, 'gaps.assigned', { title: a.path.title, date: showDay(locale, a.dueOn) })}${assignmentStatus(a, onDate) === 'overdue' ? html` <strong>${tg(locale, 'a-status.overdue')}</strong>` : ''}</p>`)}
${completed.map((p) => html`<p class="app-muted">${tg(locale, 'gaps.path-completed', { title: p.title })}</p>`)}
${gap.paths.length === 0 ? html`<p data-no-paths>${tg(locale, 'gaps.no-paths')}</p>` : assignForm(locale, hidden, action, gap, open, state ?? blankForm(locale, gap, onDate))}
</li>`;
}

function assignmentsTable(locale: Locale, hidden: SafeHtml, basePath: string, assignments: readonly Assignment[], onDate: string): SafeHtml {
  return table({
    label: tg(locale, 'assignments.title'),
    rowHeader: true,
    columns: [{ label: tg(locale, 'col.path') }, { label: tg(locale, 'col.competence') }, { label: tg(locale, 'col.due') }, { label: tg(locale, 'col.status') }, { label: tg(locale, 'col.assigned-by') }, { label: '' }],
    rows: assignments.map((a) => {
      const status = assignmentStatus(a, onDate);
      const statusText = status === 'completed' ? tg(locale, 'a-status.completed', { date: formatDate(locale, a.completedAt!) }) : tg(locale, `a-status.${status}`);
      return {
        attrs: html` data-assignment="${a.id}" data-status="${status}"`,
        cells: [
          a.path.title,
          competenceName(locale, a.competence),
          showDay(locale, a.dueOn),
          status === 'overdue' ? html`<strong>${statusText}</strong>` : statusText,
          tg(locale, `by.${a.assignedBy}`),
          status === 'open' || status === 'overdue'
            ? html`<form method="post" action="${basePath}/assignments/${a.id}/withdraw" data-withdraw="${a.id}">${hidden}${button(tg(locale, 'assignments.withdraw', { title: a.path.title }), { variant: 'secondary', danger: true })}</form>`
            : '',
        ],
      };
    }),
  });
}

/**
 * The competence section of a person page (the manager's and the administrator's): requirements
 * and their status, each gap with the paths that close it and a one-click assign form, and the
 * person's assignments with a withdraw button.
 */
export function personCompetenceSection(locale: Locale, hidden: SafeHtml, basePath: string, view: PersonCompetence, notice?: AssignNotice): SafeHtml {
  const action = `${basePath}/assignments`;
  return html`<section aria-labelledby="competence-gaps-heading" data-person-competence>
<h2 id="competence-gaps-heading">${tg(locale, 'gaps.title')}</h2>
${notice ? alert('success', tg(locale, NOTICES[notice]), { live: 'status', attrs: html` data-assign-notice="${notice}"` }) : ''}
${view.requirements.length === 0 ? html`<p data-no-requirements>${tg(locale, 'gaps.none')}</p>` : html`<p>${tg(locale, 'gaps.intro')}</p>
${requirementsTable(locale, tg(locale, 'gaps.table'), view.requirements)}
<h3>${tg(locale, 'gaps.gaps')}</h3>
${view.gaps.length === 0 ? html`<p data-no-gaps>${tg(locale, 'gaps.no-gaps')}</p>` : html`<ul class="ds-list" data-gaps>${view.gaps.map((g) => gapEntry(locale, hidden, action, g, view.assignments, view.onDate))}</ul>`}`}
<h3 id="assignments-heading">${tg(locale, 'assignments.title')}</h3>
${view.assignments.length === 0 ? html`<p data-no-assignments>${tg(locale, 'assignments.none')}</p>` : assignmentsTable(locale, hidden, basePath, view.assignments, view.onDate)}
</section>`;
}

/**
 * The assign and withdraw routes of the manager's person page (people employed in their units today)
 * and the municipality administrator's (people of their municipality). Another municipality's person,
 * path, competence or assignment, and a person outside the manager's units, are not found (404).
 */
export function assignmentRouter(deps: AccessDeps & { notify?: { publicUrl: string } | undefined }): Router {
  const router = Router();
  const { db } = deps;

  /** The person the request may touch, and who assigns: refused as not found otherwise. */
  async function target(req: Request, res: Response, route: string, kind: 'manager' | 'admin'): Promise<{ ctx: PageContext; personId: string; assigner: Assigner; basePath: string }> {
    const rule = ROUTE_DECISIONS[`POST ${route}`]!;
    const ctx = await pageContext(req, res, deps, rule);
    const personId = String(req.params['personId']);
    if (!UUID.test(personId)) throw new ProblemError('not-found', 'No such person.');
    const tenantId = ctx.principal.tenantId;
    if (kind === 'manager') {
      const day = today();
      const scope = await managerScope(db, tenantId, ctx.principal.personId, day);
      const employments = (await activeEmploymentsIn(db, tenantId, [...scope.unitIds], day)).filter((e) => e.personId === personId);
      requireTouch(ctx, rule, { unitIds: employments.map((e) => e.unitId), scope });
    } else {
      const person = await db.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', personId).executeTakeFirst();
      if (!person) throw new ProblemError('not-found', 'No such person in this municipality.');
    }
    return {
      ctx,
      personId,
      assigner: { role: kind === 'manager' ? 'manager' : 'municipality-admin', personId: ctx.principal.personId },
      basePath: kind === 'manager' ? `/manage/people/${personId}` : `/admin/people/${personId}`,
    };
  }

  const assign = (route: string, kind: 'manager' | 'admin') => async (req: Request, res: Response) => {
    const { ctx, personId, assigner, basePath } = await target(req, res, route, kind);
    const tenantId = ctx.principal.tenantId;
    const competenceId = param(req, 'competence') ?? '';
    // A competence outside the municipality's catalogue, or a path it cannot use, is not found.
    const competence = UUID.test(competenceId)
      ? await db.selectFrom('competences').select('id').where('id', '=', competenceId).where('tenant_id', 'in', await catalogueTenants(db, tenantId)).executeTakeFirst()
      : undefined;
    if (!competence) throw new ProblemError('not-found', 'No such competence in this municipality’s catalogue.');
    const prefix = fieldPrefix(competenceId);
    const fields: AssignmentFields = {
      competence: competenceId,
      path: (param(req, `${prefix}path`) ?? '').slice(0, 100),
      due: (param(req, `${prefix}due`) ?? '').slice(0, 100),
      note: (param(req, `${prefix}note`) ?? '').slice(0, 2000),
    };
    if (!UUID.test(fields.path ?? '') || !(await findVisiblePath(db, tenantId, fields.path!))) throw new ProblemError('not-found', 'No such path for this municipality.');
    const onDate = today();
    try {
      const { created } = await assignPath(db, tenantId, personId, fields, assigner, onDate, { notify: deps.notify });
      res.redirect(303, ctx.href(basePath, { assignment: created ? 'assigned' : 'already' }));
    } catch (error) {
      if (!(error instanceof AssignmentRefused)) throw error;
      req.log.info({ problems: [...error.problems.values()] }, 'assignment refused');
      await refusedPage(req, res, ctx, basePath, personId, fields, error);
    }
  };

  async function refusedPage(req: Request, res: Response, ctx: PageContext, basePath: string, personId: string, fields: AssignmentFields, error: AssignmentRefused): Promise<void> {
    const { locale } = ctx;
    const view = await loadPersonCompetence(db, ctx.principal.tenantId, personId);
    const prefix = fieldPrefix(fields.competence!);
    const errors = new Map<string, string>();
    for (const [field, problem] of error.problems) errors.set(field === 'competence' ? '' : `${prefix}${field}`, tg(locale, `problem.${problem}`));
    const state: FormState = { locale, values: { [`${prefix}path`]: fields.path, [`${prefix}due`]: fields.due, [`${prefix}note`]: fields.note }, errors };
    const gap = view.gaps.find((g) => g.requirement.requirement.competence.id === fields.competence);
    const labels = { [`${prefix}path`]: tg(locale, 'assign.path'), [`${prefix}due`]: tg(locale, 'assign.due'), [`${prefix}note`]: tg(locale, 'assign.note') };
    const title = tg(locale, 'assign.refused.title');
    const body = html`<p>${link(ctx.href(basePath), tg(locale, 'assign.back'))}</p>
<h1>${title}</h1>
${errorSummary(state, labels)}
${errors.has('') ? alert('danger', errors.get('')!, { attrs: html` data-assign-problem` }) : ''}
${gap ? html`<ul class="ds-list">${gapEntry(locale, ctx.hidden, `${basePath}/assignments`, gap, view.assignments, view.onDate, state, 'h2')}</ul>` : ''}`;
    sendPage(res, 400, page({ locale, title, body, path: basePath, keep: ctx.keep, theme: ctx.theme }));
  }

  const withdraw = (route: string, kind: 'manager' | 'admin') => async (req: Request, res: Response) => {
    const { ctx, personId, assigner, basePath } = await target(req, res, route, kind);
    const assignmentId = String(req.params['assignmentId']);
    if (!UUID.test(assignmentId)) throw new ProblemError('not-found', 'No such assignment.');
    try {
      await withdrawAssignment(db, ctx.principal.tenantId, personId, assignmentId, assigner);
    } catch (error) {
      if (error instanceof AssignmentNotFound) throw new ProblemError('not-found', 'No such assignment.');
      throw error;
    }
    res.redirect(303, ctx.href(basePath, { assignment: 'withdrawn' }));
  };

  router.post(MANAGER_ASSIGN, assign(MANAGER_ASSIGN, 'manager'));
  router.post(MANAGER_WITHDRAW, withdraw(MANAGER_WITHDRAW, 'manager'));
  router.post(ADMIN_ASSIGN, assign(ADMIN_ASSIGN, 'admin'));
  router.post(ADMIN_WITHDRAW, withdraw(ADMIN_WITHDRAW, 'admin'));
  router.use(refusalHandler);
  return router;
}
