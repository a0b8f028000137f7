import { sql, type Kysely } from 'kysely';
import { recordAudit, personActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { loadPublishedVersion, publishedPathsGranting } from '../paths/paths.js';
import { queueMail } from '../mail/outbox.js';
import { assignmentMail } from './assignment-mail.js';
import { addDays, addMonths } from './calendar.js';
import type { Texts } from './catalogue.js';
import { personRequirements, type PersonRequirement } from './gaps.js';
import type { AssignerRole } from './tables.js';

/**
 * Assignments: a manager (for the people employed in their units) or a municipality's administrator
 * gives a person a published path that grants a competence they lack, with a due date. The
 * assignment is completed when the person completes the path (read from path_completions, not
 * stored), overdue from the day after its due date (Europe/Oslo) while not completed, and can be
 * withdrawn. Assigning and withdrawing are audited. A path the person completed before is assigned
 * again only to renew an expiring or expired holding: the assignment then names the completion it
 * renews, and only a later completion (a new attempt at the path) completes it.
 */

/** The completion that completes an assignment (by its table alias): the person's first completion
 *  of the path, after the completion the assignment renews when it renews one. */
export function assignmentCompletedAt(alias: string) {
  return sql<Date | null>`(select min(pc.completed_at) from path_completions pc
    left join path_completions renewed on renewed.id = ${sql.ref(`${alias}.renews_completion_id`)}
    where pc.person_id = ${sql.ref(`${alias}.person_id`)} and pc.path_id = ${sql.ref(`${alias}.path_id`)}
      and (renewed.id is null or pc.completed_at > renewed.completed_at))`;
}

/** Requirement statuses a path the person completed may be taken again for. */
const RENEWABLE: ReadonlySet<string> = new Set(['expiring', 'expired']);

/** open: not completed, due today or later; overdue: past its due date; completed; withdrawn. */
export type AssignmentStatus = 'open' | 'overdue' | 'completed' | 'withdrawn';

export interface Assignment {
  readonly id: string;
  readonly personId: string;
  readonly path: { readonly id: string; readonly title: string };
  readonly competence: { readonly id: string; readonly code: string; readonly name: Texts };
  readonly dueOn: string;
  readonly note: string | null;
  readonly assignedBy: AssignerRole;
  readonly assignedAt: Date;
  readonly withdrawnAt: Date | null;
  /** The person's completion of the path, when there is one. */
  readonly completedAt: Date | null;
  /** The person's current attempt at the path (they launched it), when there is one. */
  readonly enrolmentId: string | null;
}

export function assignmentStatus(assignment: Pick<Assignment, 'dueOn' | 'withdrawnAt' | 'completedAt'>, onDate: string): AssignmentStatus {
  if (assignment.withdrawnAt) return 'withdrawn';
  if (assignment.completedAt) return 'completed';
  return assignment.dueOn < onDate ? 'overdue' : 'open';
}

/** Who assigns: a manager (the caller has checked the person is in their scope) or a municipality's administrator. */
export interface Assigner {
  readonly role: AssignerRole;
  readonly personId: string;
}

export interface AssignmentFields {
  competence?: string | undefined;
  path?: string | undefined;
  due?: string | undefined;
  note?: string | undefined;
}

export type AssignmentProblem =
  | 'competence-not-lacking'
  | 'path-not-granting'
  | 'path-completed'
  | 'due-missing'
  | 'due-invalid'
  | 'due-past'
  | 'due-too-late'
  | 'note-too-long';

export class AssignmentRefused extends Error {
  constructor(readonly problems: ReadonlyMap<keyof AssignmentFields, AssignmentProblem>) {
    super(`assignment refused: ${[...problems.values()].join(', ')}`);
    this.name = 'AssignmentRefused';
  }
}

export class AssignmentNotFound extends Error {}

/** The latest due date one may set: two years ahead. */
export const LATEST_DUE_MONTHS = 24;
/** The due date the assign forms suggest: four weeks ahead. */
export const SUGGESTED_DUE_DAYS = 28;

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const NORWEGIAN_DAY = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** A day as typed ('2027-03-01' or '1.3.2027'), or undefined when it is no calendar day. */
export function parseDay(typed: string): string | undefined {
  const text = typed.trim();
  const iso = ISO_DAY.exec(text);
  const nor = NORWEGIAN_DAY.exec(text);
  const [y, m, d] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : nor ? [Number(nor[3]), Number(nor[2]), Number(nor[1])] : [0, 0, 0];
  if (!y) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A gap: a requirement that applies to the person and is not met (expiring counts: it is renewed in time). */
export function isGap(requirement: PersonRequirement): boolean {
  return requirement.status !== 'met';
}

export interface GapWithPaths {
  readonly requirement: PersonRequirement;
  /** Published paths the municipality may use that grant the competence; `completed` when the person has completed it already and
   *  the gap is not one a new attempt renews (the holding expiring or expired): such a path is not offered again. */
  readonly paths: readonly { readonly id: string; readonly title: string; readonly completed: boolean }[];
}

/** The person's gaps on the day, each with the published paths that close it. */
export async function gapsWithPaths(db: Kysely<Schema>, tenantId: string, personId: string, requirements: readonly PersonRequirement[]): Promise<GapWithPaths[]> {
  const gaps = requirements.filter(isGap);
  if (gaps.length === 0) return [];
  const completed = new Set((await db.selectFrom('path_completions').select('path_id').where('tenant_id', '=', tenantId).where('person_id', '=', personId).execute()).map((r) => r.path_id));
  // One pass over the published paths for every gap: a path names a competence by code or bokmål name.
  const names = (c: PersonRequirement['requirement']['competence']) => [c.code.toLowerCase(), c.name.nb.toLowerCase()];
  const granting = await publishedPathsGranting(db, tenantId, gaps.flatMap((g) => names(g.requirement.competence)));
  const result: GapWithPaths[] = [];
  for (const gap of gaps) {
    const wanted = names(gap.requirement.competence);
    const renewing = RENEWABLE.has(gap.status);
    const paths = granting.filter((p) => p.grants.some((g) => wanted.includes(g))).map((p) => ({ id: p.id, title: p.title, completed: completed.has(p.id) && !renewing }));
    result.push({ requirement: gap, paths });
  }
  return result;
}

/**
 * Assigns `personId` (of `tenantId`) a path for a competence they lack on `onDate`. The path must be
 * published, usable by the municipality and grant the competence; a path the person completed already
 * is assigned only when the gap is an expiring or expired holding (the person takes it again to
 * renew). Assigning a path that is already assigned and not completed or withdrawn returns that
 * assignment (`created: false`). The caller has decided the assigner may
 * touch the person (a manager's scope, an administrator's municipality).
 * With `notify` (the tool sends e-mail: SMTP is configured) a new assignment's notice is queued in
 * the mail outbox in the same transaction, when the person has an e-mail address.
 */
export async function assignPath(
  db: Kysely<Schema>,
  tenantId: string,
  personId: string,
  fields: AssignmentFields,
  assigner: Assigner,
  onDate: string,
  options: { notify?: { publicUrl: string } | undefined } = {},
): Promise<{ id: string; created: boolean }> {
  const problems = new Map<keyof AssignmentFields, AssignmentProblem>();
  let pathTitle = '';
  const requirements = await personRequirements(db, tenantId, personId, onDate);
  const gap = requirements.find((r) => r.requirement.competence.id === fields.competence && isGap(r));
  if (!gap) problems.set('competence', 'competence-not-lacking');
  const dueText = (fields.due ?? '').trim();
  const due = parseDay(dueText);
  if (!dueText) problems.set('due', 'due-missing');
  else if (!due) problems.set('due', 'due-invalid');
  else if (due < onDate) problems.set('due', 'due-past');
  else if (due > addMonths(onDate, LATEST_DUE_MONTHS)) problems.set('due', 'due-too-late');
  const note = (fields.note ?? '').trim();
  if (note.length > 1000) problems.set('note', 'note-too-long');
  if (gap) {
    const competence = gap.requirement.competence;
    const granting = await publishedPathsGranting(db, tenantId, [competence.code, competence.name.nb]);
    pathTitle = granting.find((p) => p.id === fields.path)?.title ?? '';
    if (!granting.some((p) => p.id === fields.path)) problems.set('path', 'path-not-granting');
  }
  if (problems.size > 0) throw new AssignmentRefused(problems);
  const pathId = fields.path!;
  const competenceId = gap!.requirement.competence.id;
  return db.transaction().execute(async (trx) => {
    // One assigner at a time per person: a double click gives one assignment.
    await trx.selectFrom('people').select('id').where('id', '=', personId).where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    const done = await trx
      .selectFrom('path_completions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('path_id', '=', pathId)
      .orderBy('completed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (done && !RENEWABLE.has(gap!.status)) throw new AssignmentRefused(new Map([['path', 'path-completed']]));
    const existing = await trx
      .selectFrom('competence_assignments as a')
      .select('a.id')
      .where('a.tenant_id', '=', tenantId)
      .where('a.person_id', '=', personId)
      .where('a.path_id', '=', pathId)
      .where('a.withdrawn_at', 'is', null)
      .where(assignmentCompletedAt('a'), 'is', null)
      .executeTakeFirst();
    if (existing) return { id: existing.id, created: false };
    const row = await trx
      .insertInto('competence_assignments')
      .values({
        tenant_id: tenantId,
        person_id: personId,
        path_id: pathId,
        competence_id: competenceId,
        due_on: due!,
        note: note || null,
        assigned_by_role: assigner.role,
        assigned_by_id: assigner.personId,
        renews_completion_id: done?.id ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      tenantId,
      actor: personActor(assigner.personId),
      action: 'competence.assignment.added',
      subjectPersonId: personId,
      object: { kind: 'competence-assignment', id: row.id },
      details: { pathId, competenceId, dueOn: due, role: assigner.role, ...(done ? { renewsCompletionId: done.id } : {}) },
    });
    if (options.notify) {
      const mail = await assignmentMail(trx, {
        assignmentId: row.id, tenantId, personId, pathId, pathTitle, competenceName: gap!.requirement.competence.name,
        dueOn: due!, note: note || null, assignedBy: assigner.role, publicUrl: options.notify.publicUrl,
      });
      if (mail) await queueMail(trx, mail);
    }
    return { id: row.id, created: true };
  });
}

/** Withdraws an assignment of the person (not one that is completed); withdrawing twice changes nothing. */
export async function withdrawAssignment(db: Kysely<Schema>, tenantId: string, personId: string, assignmentId: string, by: Assigner): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('competence_assignments')
      .select(['id', 'path_id', 'withdrawn_at'])
      .where('id', '=', assignmentId)
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new AssignmentNotFound('no such assignment of this person');
    if (row.withdrawn_at) return;
    const updated = await trx
      .updateTable('competence_assignments')
      .set({ withdrawn_at: sql<Date>`now()`, withdrawn_by_id: by.personId })
      .where('id', '=', assignmentId)
      .where('withdrawn_at', 'is', null)
      .where(assignmentCompletedAt('competence_assignments'), 'is', null)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return;
    await recordAudit(trx, {
      tenantId,
      actor: personActor(by.personId),
      action: 'competence.assignment.withdrawn',
      subjectPersonId: personId,
      object: { kind: 'competence-assignment', id: assignmentId },
      details: { pathId: row.path_id, role: by.role },
    });
  });
}

/**
 * The person's assignments, newest first, with the path's title (its newest published version),
 * the competence, and the completion and enrolment read from the paths.
 */
export async function listAssignments(db: Kysely<Schema>, tenantId: string, personId: string, options: { includeWithdrawn?: boolean } = {}): Promise<Assignment[]> {
  const rows = await db
    .selectFrom('competence_assignments as a')
    .innerJoin('competences as c', 'c.id', 'a.competence_id')
    .leftJoin('path_enrolments as e', (join) => join.onRef('e.person_id', '=', 'a.person_id').onRef('e.path_id', '=', 'a.path_id').on('e.superseded_at', 'is', null))
    .select([
      'a.id', 'a.person_id', 'a.path_id', 'a.competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'a.due_on', 'a.note',
      'a.assigned_by_role', 'a.assigned_at', 'a.withdrawn_at', assignmentCompletedAt('a').as('completed_at'), 'e.id as enrolment_id',
    ])
    .where('a.tenant_id', '=', tenantId)
    .where('a.person_id', '=', personId)
    .$if(!options.includeWithdrawn, (q) => q.where('a.withdrawn_at', 'is', null))
    .orderBy('a.assigned_at', 'desc')
    .orderBy('a.id')
    .execute();
  const titles = new Map<string, string>();
  for (const pathId of new Set(rows.map((r) => r.path_id))) {
    const latest = await db
      .selectFrom('path_versions')
      .select('id')
      .where('path_id', '=', pathId)
      .where('status', '=', 'published')
      .orderBy('number', 'desc')
      .limit(1)
      .executeTakeFirst();
    titles.set(pathId, latest ? (await loadPublishedVersion(db, latest.id)).definition.title : '');
  }
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    path: { id: r.path_id, title: titles.get(r.path_id) ?? '' },
    competence: { id: r.competence_id, code: r.code, name: { nb: r.name_nb, nn: r.name_nn, en: r.name_en } },
    dueOn: r.due_on,
    note: r.note,
    assignedBy: r.assigned_by_role,
    assignedAt: r.assigned_at,
    withdrawnAt: r.withdrawn_at,
    completedAt: r.completed_at,
    enrolmentId: r.enrolment_id,
  }));
}

/**
 * Where a learner finds a path in their learning platform: the course links of their municipality
 * that open it and have been launched (the tool knows a link once someone launched it).
 */
export async function whereToFind(db: Kysely<Schema>, tenantId: string, pathIds: readonly string[]): Promise<Map<string, { course: string | null; link: string | null }[]>> {
  const found = new Map<string, { course: string | null; link: string | null }[]>();
  if (pathIds.length === 0) return found;
  const rows = await db
    .selectFrom('lti_resource_links as rl')
    .leftJoin('lti_contexts as cx', 'cx.id', 'rl.context_id')
    .select(['rl.title', 'cx.title as course', sql<string>`rl.custom->>'laeringslop_path'`.as('path_id')])
    .where('rl.tenant_id', '=', tenantId)
    .where(sql<string>`rl.custom->>'laeringslop_path'`, 'in', [...pathIds])
    .orderBy('cx.title')
    .orderBy('rl.title')
    .execute();
  for (const row of rows) {
    const list = found.get(row.path_id) ?? [];
    if (list.length < 3) list.push({ course: row.course, link: row.title });
    found.set(row.path_id, list);
  }
  return found;
}

/** The due date the assign forms suggest. */
export function suggestedDue(onDate: string): string {
  return addDays(onDate, SUGGESTED_DUE_DAYS);
}
