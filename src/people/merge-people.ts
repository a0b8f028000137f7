import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/**
 * Moving everything one person of the tool holds to another of the same tenant: used when a
 * launcher turns out to be an employee HR knows (src/people/launch-links.ts). The same care as
 * migrations/0106_lti_people_by_issuer_and_subject.sql, which merged the people made twice:
 *
 * - Where both were enrolled in one path, the enrolment kept is the completed one (the target's,
 *   when both were), else the one with the most completed steps, else the earlier. The other's step
 *   progress is taken for each step where it went further (completed, or a better score), with its
 *   SCORM attempt; its outcome receipts, session sign-ups, resource links, events and cmi5
 *   registrations move too (a step keeps one open registration: the one whose progress it took).
 * - Completion records are never merged: when both enrolments were completed, the source's stays
 *   with the source person, who is then kept (without an LTI account) instead of being removed.
 * - Everything else that names the source person names the target afterwards.
 *
 * Every foreign key that references people(id) has its step below, named 'table.column';
 * test/people/merge-people.test.ts reads the database catalogue and fails for a reference without
 * one, so a new table cannot be forgotten. Run it inside a transaction.
 */
export async function mergePeople(db: Kysely<Schema>, tenantId: string, from: string, into: string): Promise<MergeSummary> {
  if (from === into) throw new MergeRefused('a person cannot be merged into themselves');
  const people = await db.selectFrom('people').select(['id', 'tenant_id']).where('id', 'in', [from, into]).forUpdate().execute();
  if (people.length !== 2 || people.some((p) => p.tenant_id !== tenantId)) throw new MergeRefused('both people must exist in the tenant');
  // Lets the immutable records change who they name, in this transaction only (0520_launch_links.sql).
  await sql`select set_config('laeringslop.moving_person', 'on', true)`.execute(db);
  const plan = await planEnrolments(db, from, into);
  const context: MergeContext = { db, from, into, plan };
  for (const step of Object.values(MERGE_STEPS)) await step(context);
  await sql`select set_config('laeringslop.moving_person', 'off', true)`.execute(db);
  const personRemoved = plan.keptApart.length === 0;
  if (personRemoved) await db.deleteFrom('people').where('id', '=', from).execute();
  return { enrolmentsMoved: plan.moved.length, enrolmentsCombined: plan.pairs.length, enrolmentsKeptApart: plan.keptApart.length, personRemoved };
}

export interface MergeSummary {
  /** The source's enrolments in paths the target had none in. */
  enrolmentsMoved: number;
  /** Paths both were enrolled in, now one enrolment. */
  enrolmentsCombined: number;
  /** Paths both had completed: the source's stays with the source person, who is kept. */
  enrolmentsKeptApart: number;
  personRemoved: boolean;
}

export class MergeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeRefused';
  }
}

interface EnrolmentPair {
  keeper: string;
  duplicate: string;
}

interface EnrolmentPlan {
  pairs: EnrolmentPair[];
  /** The source's enrolments that stay with the source (both completed the path). */
  keptApart: string[];
  /** The source's enrolments in paths the target never started. */
  moved: string[];
}

interface MergeContext {
  db: Kysely<Schema>;
  from: string;
  into: string;
  plan: EnrolmentPlan;
}

interface EnrolmentRow {
  id: string;
  person_id: string;
  path_id: string;
  status: string;
  completed_at: Date | null;
  started_at: Date;
  steps_done: number;
}

async function planEnrolments(db: Kysely<Schema>, from: string, into: string): Promise<EnrolmentPlan> {
  const { rows } = await sql<EnrolmentRow>`
    select e.id, e.person_id, e.path_id, e.status, e.completed_at, e.started_at,
           (select count(*)::int from path_step_progress s where s.enrolment_id = e.id and s.status = 'completed') as steps_done
      from path_enrolments e
     where e.person_id in (${from}, ${into})
       -- Current attempts pair up; earlier attempts (renewed paths) move with their records.
       and e.superseded_at is null
     for update`.execute(db);
  const byPath = new Map<string, EnrolmentRow[]>();
  for (const row of rows) byPath.set(row.path_id, [...(byPath.get(row.path_id) ?? []), row]);
  const plan: EnrolmentPlan = { pairs: [], keptApart: [], moved: [] };
  for (const enrolments of byPath.values()) {
    if (enrolments.length === 1) {
      if (enrolments[0]!.person_id === from) plan.moved.push(enrolments[0]!.id);
      continue;
    }
    const [keeper, duplicate] = enrolments.sort((a, b) => rank(a, into) - rank(b, into) || compareEnrolments(a, b));
    if (keeper!.status === 'completed' && duplicate!.status === 'completed') plan.keptApart.push(duplicate!.id);
    else plan.pairs.push({ keeper: keeper!.id, duplicate: duplicate!.id });
  }
  return plan;
}

/** Completed first, the target's completed before the source's. */
const rank = (e: EnrolmentRow, into: string) => (e.status === 'completed' ? (e.person_id === into ? 0 : 1) : 2);

function compareEnrolments(a: EnrolmentRow, b: EnrolmentRow): number {
  const completed = (a.completed_at?.getTime() ?? Infinity) - (b.completed_at?.getTime() ?? Infinity);
  if (completed) return completed;
  if (a.steps_done !== b.steps_done) return b.steps_done - a.steps_done;
  return a.started_at.getTime() - b.started_at.getTime() || a.id.localeCompare(b.id);
}

/** One enrolment pair: the duplicate's better steps and everything hanging on it go to the keeper. */
async function combineEnrolments(db: Kysely<Schema>, { keeper, duplicate }: EnrolmentPair): Promise<void> {
  const { rows: better } = await sql<{ step_id: string }>`
    select d.step_id
      from path_step_progress d
      left join path_step_progress k on k.enrolment_id = ${keeper} and k.step_id = d.step_id
     where d.enrolment_id = ${duplicate}
       and (k.enrolment_id is null
            or (d.status = 'completed' and k.status <> 'completed')
            or (d.status = k.status and coalesce(d.score, -1) > coalesce(k.score, -1)))`.execute(db);
  const steps = better.map((b) => b.step_id);
  if (steps.length > 0) {
    // The attempt goes with the progress it produced.
    await sql`delete from path_scorm_attempts k
               where k.enrolment_id = ${keeper} and k.step_id = any(${steps}::uuid[])
                 and exists (select 1 from path_scorm_attempts d where d.enrolment_id = ${duplicate} and d.step_id = k.step_id)`.execute(db);
    await sql`delete from path_step_progress where enrolment_id = ${keeper} and step_id = any(${steps}::uuid[])`.execute(db);
    await sql`update path_step_progress set enrolment_id = ${keeper} where enrolment_id = ${duplicate} and step_id = any(${steps}::uuid[])`.execute(db);
  }
  await sql`delete from path_step_progress where enrolment_id = ${duplicate}`.execute(db);
  // Where the keeper has no attempt for a step, the duplicate's is taken; the rest stay as attempts
  // of the person (scorm_attempts), no longer a step's.
  await sql`update path_scorm_attempts d set enrolment_id = ${keeper}
             where d.enrolment_id = ${duplicate}
               and not exists (select 1 from path_scorm_attempts k where k.enrolment_id = ${keeper} and k.step_id = d.step_id)`.execute(db);
  await sql`delete from path_scorm_attempts where enrolment_id = ${duplicate}`.execute(db);
  await sql`insert into path_outcome_receipts (enrolment_id, idempotency_key, tenant_id, step_id, received_at)
            select ${keeper}, idempotency_key, tenant_id, step_id, received_at from path_outcome_receipts where enrolment_id = ${duplicate}
            on conflict do nothing`.execute(db);
  await sql`delete from path_outcome_receipts where enrolment_id = ${duplicate}`.execute(db);
  await sql`insert into path_session_signups (path_id, step_id, enrolment_id, tenant_id, signed_up_at)
            select path_id, step_id, ${keeper}, tenant_id, signed_up_at from path_session_signups where enrolment_id = ${duplicate}
            on conflict do nothing`.execute(db);
  await sql`delete from path_session_signups where enrolment_id = ${duplicate}`.execute(db);
  await sql`insert into path_enrolment_links (enrolment_id, resource_link_id, tenant_id, first_launch_at, last_launch_at)
            select ${keeper}, resource_link_id, tenant_id, first_launch_at, last_launch_at from path_enrolment_links where enrolment_id = ${duplicate}
            on conflict (enrolment_id, resource_link_id) do update
              set first_launch_at = least(path_enrolment_links.first_launch_at, excluded.first_launch_at),
                  last_launch_at = greatest(path_enrolment_links.last_launch_at, excluded.last_launch_at)`.execute(db);
  await sql`delete from path_enrolment_links where enrolment_id = ${duplicate}`.execute(db);
  await sql`update path_events set enrolment_id = ${keeper} where enrolment_id = ${duplicate}`.execute(db);
  await moveCmi5Registrations(db, { keeper, duplicate }, steps);
  await sql`delete from path_enrolments where id = ${duplicate}`.execute(db);
}

/**
 * cmi5 registrations name their enrolment without a foreign key (0900), so nothing stops one from
 * naming a removed enrolment: each of the duplicate's goes to the keeper. A step has one open
 * registration per enrolment (cmi5_registrations_one_open); where both had one open, the one whose
 * progress the keeper now holds (`takenSteps`: the duplicate's went further) stays open and the
 * other closes, as a registration closes when its step names another package. A closed
 * registration keeps its statements and results; its AU sessions can no longer reach the step.
 */
async function moveCmi5Registrations(db: Kysely<Schema>, { keeper, duplicate }: EnrolmentPair, takenSteps: readonly string[]): Promise<void> {
  if (takenSteps.length > 0) {
    await sql`update cmi5_registrations k set closes_at = now()
               where k.enrolment_id = ${keeper} and k.closes_at is null and k.step_id = any(${takenSteps}::uuid[])
                 and exists (select 1 from cmi5_registrations d where d.enrolment_id = ${duplicate} and d.closes_at is null and d.step_id = k.step_id)`.execute(db);
  }
  await sql`update cmi5_registrations d set closes_at = now()
             where d.enrolment_id = ${duplicate} and d.closes_at is null
               and exists (select 1 from cmi5_registrations k where k.enrolment_id = ${keeper} and k.closes_at is null and k.step_id = d.step_id)`.execute(db);
  await sql`update cmi5_registrations set enrolment_id = ${keeper} where enrolment_id = ${duplicate}`.execute(db);
}

type MergeStep = (context: MergeContext) => Promise<void>;

/**
 * Each reference to people(id), as 'table.column', and what the merge does with it, in the order
 * it runs. A new table that references people needs its entry here (the catalogue test says so).
 */
export const MERGE_STEPS: Readonly<Record<string, MergeStep>> = {
  // An employee is HR's person: merging one away would lose who HR says they are.
  'employees.person_id': async ({ db, from }) => {
    const employee = await db.selectFrom('employees').select('id').where('person_id', '=', from).executeTakeFirst();
    if (employee) throw new MergeRefused('the person to merge away is an employee of HR');
  },
  'path_enrolments.person_id': async ({ db, from, into, plan }) => {
    for (const pair of plan.pairs) await combineEnrolments(db, pair);
    await db
      .updateTable('path_enrolments')
      .set({ person_id: into, updated_at: new Date() })
      .where('person_id', '=', from)
      .$if(plan.keptApart.length > 0, (q) => q.where('id', 'not in', plan.keptApart))
      .execute();
  },
  // The one change a completion record allows: the person it documents (see the migration).
  'path_completions.person_id': async ({ db, from, into, plan }) => {
    await db
      .updateTable('path_completions')
      .set({ person_id: into })
      .where('person_id', '=', from)
      .$if(plan.keptApart.length > 0, (q) => q.where('enrolment_id', 'not in', plan.keptApart))
      .execute();
  },
  'path_events.person_id': async ({ db, from, into }) => {
    // By enrolment (indexed): the events of every enrolment the target now holds.
    await sql`update path_events ev set person_id = ${into}
               where ev.enrolment_id in (select id from path_enrolments where person_id = ${into}) and ev.person_id = ${from}`.execute(db);
  },
  // cmi5 registrations follow the enrolments moved above (those of combined enrolments went to the
  // keeper in combineEnrolments); those of an enrolment kept apart stay with the source, as it does.
  // A designer's preview open for both people: the source's ends (one open preview per person and step).
  'cmi5_registrations.person_id': async ({ db, from, into, plan }) => {
    await sql`update cmi5_registrations s set closes_at = now()
               where s.person_id = ${from} and s.enrolment_id is null and s.closes_at is null
                 and exists (select 1 from cmi5_registrations t where t.person_id = ${into} and t.enrolment_id is null
                               and t.closes_at is null and t.step_id = s.step_id and t.package_id = s.package_id)`.execute(db);
    await db.updateTable('cmi5_registrations').set({ person_id: into }).where('person_id', '=', from)
      .$if(plan.keptApart.length > 0, (q) => q.where((eb) => eb.or([eb('enrolment_id', 'is', null), eb('enrolment_id', 'not in', plan.keptApart)])))
      .execute();
  },
  'path_declared_competences.person_id': async ({ db, from, into }) => {
    await db.updateTable('path_declared_competences').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  // Who answered an evaluation (never what): answered by either counts once.
  'path_evaluation_respondents.person_id': async ({ db, from, into }) => {
    await sql`insert into path_evaluation_respondents (path_id, step_id, person_id, tenant_id)
              select path_id, step_id, ${into}, tenant_id from path_evaluation_respondents where person_id = ${from}
              on conflict do nothing`.execute(db);
    await db.deleteFrom('path_evaluation_respondents').where('person_id', '=', from).execute();
  },
  'paths.created_by': async ({ db, from, into }) => {
    await db.updateTable('paths').set({ created_by: into }).where('created_by', '=', from).execute();
  },
  'path_versions.published_by': async ({ db, from, into }) => {
    await db.updateTable('path_versions').set({ published_by: into }).where('published_by', '=', from).execute();
  },
  // Holdings are append-only; the database lets only their person move (the same human being).
  'competence_holdings.person_id': async ({ db, from, into }) => {
    await db.updateTable('competence_holdings').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  // The status summary's rows are computed from holdings and employments: the holdings moved above
  // mark both people dirty (a trigger), and the person merged away is no employee, so has no rows.
  'competence_status_dirty.person_id': async ({ db, from, into }) => {
    await sql`insert into competence_status_dirty (tenant_id, person_id) select tenant_id, ${into} from competence_status_dirty where person_id = ${from} on conflict do nothing`.execute(db);
    await db.deleteFrom('competence_status_dirty').where('person_id', '=', from).execute();
  },
  'competence_status_rows.person_id': async ({ db, from }) => {
    await db.deleteFrom('competence_status_rows').where('person_id', '=', from).execute();
  },
  // Certificates follow the holdings and completions they attest (the same human being).
  'certificates.person_id': async ({ db, from, into }) => {
    await db.updateTable('certificates').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  // Offers to add a certificate to a wallet follow the certificates.
  'certificate_wallet_offers.person_id': async ({ db, from, into }) => {
    await db.updateTable('certificate_wallet_offers').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  // A manager's assignment follows the person (completion is read by person and path).
  'competence_assignments.person_id': async ({ db, from, into }) => {
    await db.updateTable('competence_assignments').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  'manager_grants.person_id': async ({ db, from, into }) => {
    await db.updateTable('manager_grants').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  'manager_grants.granted_by': async ({ db, from, into }) => {
    await db.updateTable('manager_grants').set({ granted_by: into }).where('granted_by', '=', from).execute();
  },
  'manager_grants.revoked_by': async ({ db, from, into }) => {
    await db.updateTable('manager_grants').set({ revoked_by: into }).where('revoked_by', '=', from).execute();
  },
  'privacy_kept_proofs.person_id': async ({ db, from, into }) => {
    await db.updateTable('privacy_kept_proofs').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  'scorm_attempts.person_id': async ({ db, from, into }) => {
    await db.updateTable('scorm_attempts').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  // Mail queued to the source goes out to the address it was written for; it is the target's now.
  'mail_outbox.person_id': async ({ db, from, into }) => {
    await db.updateTable('mail_outbox').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  'lti_ags_outbox.person_id': async ({ db, from, into }) => {
    await db.updateTable('lti_ags_outbox').set({ person_id: into }).where('person_id', '=', from).execute();
  },
  'tenant_themes.updated_by': async ({ db, from, into }) => {
    await db.updateTable('tenant_themes').set({ updated_by: into }).where('updated_by', '=', from).execute();
  },
  // Linked now: whatever kept the source from linking is settled.
  'person_link_conflicts.person_id': async ({ db, from }) => {
    await db.deleteFrom('person_link_conflicts').where('person_id', '=', from).execute();
  },
  // Last: the source's platform accounts now lead to the target.
  'lti_users.person_id': async ({ db, from, into }) => {
    await db.updateTable('lti_users').set({ person_id: into }).where('person_id', '=', from).execute();
  },
};
