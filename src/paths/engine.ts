import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { isPathComplete, missingPrerequisites, pathScore, type StepState } from './completion.js';
import { PathError } from './errors.js';
import type { EnrolmentRef } from './events.js';
import { loadPublishedVersion, type PublishedVersion } from './paths.js';
import { systemClock, type AnswerSeal, type AttendanceOutcome, type Clock, type OutcomeDelivery } from './ports.js';
import { applyOutcome, type OutcomeWrite, type StepRow } from './step-outcomes.js';

export interface DeliveryResult {
  /** The idempotency key was seen before: nothing changed. */
  readonly duplicate: boolean;
  readonly stepStatus: 'in_progress' | 'completed';
  readonly stepCompleted: boolean;
  readonly pathCompleted: boolean;
  /** Set when this delivery completed the path. */
  readonly completionId: string | null;
}

type LockedEnrolment = EnrolmentRef & { status: 'in_progress' | 'completed' };
type ProgressRow = StepRow & { step_id: string; completed_at: Date | null };

/** Who may act on an enrolment: its learner's tenant, and for some acts the path's owner. */
export interface EnrolmentScope {
  readonly learnerTenantId: string;
  readonly ownerTenantId?: string;
}

/** Locks the enrolment row: every change to one enrolment's progress queues behind this lock,
 *  so concurrent deliveries never overwrite each other's progress. The tenant scope is part of
 *  the query, so another tenant's enrolment is neither read nor locked. */
export async function lockEnrolment(trx: Kysely<Schema>, enrolmentId: string, scope: EnrolmentScope): Promise<LockedEnrolment> {
  const row = await trx
    .selectFrom('path_enrolments as e')
    .innerJoin('paths as p', 'p.id', 'e.path_id')
    .select(['e.id', 'e.tenant_id', 'e.person_id', 'e.path_id', 'e.version_id', 'e.status'])
    .where('e.id', '=', enrolmentId)
    .where((eb) => eb.or([
      eb('e.tenant_id', '=', scope.learnerTenantId),
      ...(scope.ownerTenantId ? [eb('p.tenant_id', '=', scope.ownerTenantId)] : []),
    ]))
    .forUpdate('e')
    .executeTakeFirst();
  if (!row) throw new PathError('enrolment-not-found', 'no such enrolment for this tenant');
  return row;
}

/**
 * Takes the idempotency receipt and reads the enrolment's progress in one statement. It runs after
 * the enrolment lock is held, so its snapshot includes everything earlier holders committed (a
 * read in the same statement as the lock would not: its snapshot predates the wait).
 */
async function receiptAndProgress(trx: Kysely<Schema>, enrolment: LockedEnrolment, stepId: string, idempotencyKey: string, now: Date): Promise<{ fresh: boolean; rows: ProgressRow[] }> {
  const { rows } = await sql<ProgressRow & { fresh: boolean; step_id: string | null }>`
    with receipt as (
      insert into path_outcome_receipts (enrolment_id, idempotency_key, tenant_id, step_id, received_at)
      values (${enrolment.id}, ${idempotencyKey}, ${enrolment.tenant_id}, ${stepId}, ${now})
      on conflict (enrolment_id, idempotency_key) do nothing
      returning enrolment_id
    )
    select exists (select 1 from receipt) as fresh, p.step_id, p.status, p.score, p.data, p.completed_at
    from (select 1) as one
    left join path_step_progress as p on p.enrolment_id = ${enrolment.id}`.execute(trx);
  return {
    fresh: rows[0]!.fresh,
    rows: rows.filter((r): r is typeof r & { step_id: string } => r.step_id !== null).map(({ step_id, status, score, data, completed_at }) => ({ step_id, status, score, data, completed_at })),
  };
}

interface CompletionRecord {
  readonly score: number | null;
  readonly evidence: Record<string, unknown>;
}

/** The completion record due when the version's rule is met and the enrolment is not completed yet. */
function completionDue(enrolment: LockedEnrolment, version: PublishedVersion, rows: readonly ProgressRow[], now: Date): CompletionRecord | null {
  if (enrolment.status === 'completed') return null;
  const states = new Map<string, StepState>(rows.map((r) => [r.step_id, { completed: r.status === 'completed', score: r.score }]));
  const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.step_id));
  if (!isPathComplete(version.definition, completed)) return null;
  const score = pathScore(version.definition, states);
  const evidence = {
    versionNumber: version.number,
    completionRule: version.definition.completion,
    scoreRule: version.definition.score,
    steps: version.definition.steps
      .filter((step) => completed.has(step.id))
      .map((step) => {
        const row = rows.find((r) => r.step_id === step.id)!;
        return { stepId: step.id, type: step.type, title: step.title, completedAt: row.completed_at ?? now, score: row.score };
      }),
    grants: version.definition.grants,
  };
  return { score, evidence };
}

/**
 * Common table expressions writing the completion record, marking the enrolment completed and
 * selecting the path-completed event's row (for the caller's event insert). The unique enrolment_id
 * of the record is the last guard against a second completion: when the record exists already,
 * nothing else is written.
 */
function completionWrites(enrolment: EnrolmentRef, record: CompletionRecord, now: Date): { ctes: RawBuilder<unknown>; event: RawBuilder<unknown> } {
  const payload = JSON.stringify({ score: record.score, completedAt: now.toISOString() });
  return {
    ctes: sql`
      completion as (
        insert into path_completions (tenant_id, enrolment_id, person_id, path_id, version_id, completed_at, score, evidence)
        values (${enrolment.tenant_id}, ${enrolment.id}, ${enrolment.person_id}, ${enrolment.path_id}, ${enrolment.version_id}, ${now},
          ${record.score}, ${JSON.stringify(record.evidence)}::jsonb)
        on conflict (enrolment_id) do nothing
        returning id
      ),
      completed_enrolment as (
        update path_enrolments set status = 'completed', completed_at = ${now}, updated_at = ${now}
        where id = ${enrolment.id} and exists (select 1 from completion)
      )`,
    event: sql`
      select ${enrolment.tenant_id}::uuid, 'path-completed', ${enrolment.id}::uuid, ${enrolment.person_id}::uuid, ${enrolment.path_id}::uuid,
        ${enrolment.version_id}::uuid, null::uuid, ${payload}::jsonb || jsonb_build_object('completionId', completion.id)
      from completion`,
  };
}

/** What a step-completed event says: the score, and the SCORM/xAPI statuses at the moment the step
 *  completed (the emitted xAPI statements say passed or failed from these). Never anything an
 *  evaluation's answers hold. */
function stepEventPayload(next: StepRow): Record<string, unknown> {
  const status = (key: string) => (typeof next.data[key] === 'string' ? { [key]: next.data[key] } : {});
  return { score: next.score, ...status('completionStatus'), ...status('successStatus') };
}

const EVENT_INSERT = sql`insert into path_events (tenant_id, type, enrolment_id, person_id, path_id, version_id, step_id, payload)`;

/**
 * Writes the completion record and the path-completed event (one statement) when the version's
 * rule is met and the enrolment is not completed yet.
 */
export async function completeIfDone(trx: Kysely<Schema>, enrolment: LockedEnrolment, version: PublishedVersion, rows: readonly ProgressRow[], now: Date): Promise<string | null> {
  const record = completionDue(enrolment, version, rows, now);
  if (!record) return null;
  const writes = completionWrites(enrolment, record, now);
  const { rows: result } = await sql<{ completion_id: string | null }>`
    with ${writes.ctes},
    completion_event as (${EVENT_INSERT} ${writes.event})
    select (select id from completion) as completion_id`.execute(trx);
  return result[0]?.completion_id ?? null;
}

/**
 * The delivery's writes in one statement: the outcome's own writes, the step's progress, the step-completed event when the
 * step became completed, and when that completes the path, the completion record, the enrolment's
 * status and the path-completed event. Both events go in through one insert so that their ids keep
 * the order step-completed, path-completed.
 */
async function writeProgress(
  trx: Kysely<Schema>,
  enrolment: LockedEnrolment,
  stepId: string,
  next: StepRow,
  outcomeWrites: readonly OutcomeWrite[],
  completedAt: Date | null,
  stepCompleted: boolean,
  record: CompletionRecord | null,
  now: Date,
): Promise<string | null> {
  const data = JSON.stringify(next.data);
  const completion = record ? completionWrites(enrolment, record, now) : null;
  const stepEvent = sql`
    select ${enrolment.tenant_id}::uuid, 'step-completed', ${enrolment.id}::uuid, ${enrolment.person_id}::uuid, ${enrolment.path_id}::uuid,
      ${enrolment.version_id}::uuid, ${stepId}::uuid, ${JSON.stringify(stepEventPayload(next))}::jsonb`;
  const events = [...(stepCompleted ? [stepEvent] : []), ...(completion ? [completion.event] : [])];
  const checks = outcomeWrites.flatMap((w) => (w.accepted ? [w.accepted] : []));
  const { rows } = await sql<{ completion_id: string | null; accepted: boolean[] }>`
    with ${outcomeWrites.length > 0 ? sql`${sql.join(outcomeWrites.map((w) => w.ctes))},` : sql``}
    progress as (
      insert into path_step_progress (enrolment_id, step_id, tenant_id, status, score, data, started_at, completed_at, updated_at)
      values (${enrolment.id}, ${stepId}, ${enrolment.tenant_id}, ${next.status}, ${next.score}, ${data}::jsonb, ${now}, ${completedAt}, ${now})
      on conflict (enrolment_id, step_id) do update set
        status = excluded.status, score = excluded.score, data = excluded.data, completed_at = excluded.completed_at, updated_at = excluded.updated_at
    )${completion ? sql`, ${completion.ctes}` : sql``}${events.length > 0 ? sql`,
    events as (${EVENT_INSERT} ${sql.join(events, sql` union all `)})` : sql``}
    select ${completion ? sql`(select id from completion)` : sql`null::uuid`} as completion_id,
      array[${sql.join([sql`true`, ...checks.map((c) => c.expression)])}]::boolean[] as accepted`.execute(trx);
  // A refused outcome write throws, and the transaction rolls back everything this statement wrote.
  const refused = checks.find((_, i) => rows[0]?.accepted[i + 1] !== true);
  if (refused) throw refused.refusal;
  return rows[0]?.completion_id ?? null;
}

async function deliver(
  db: Kysely<Schema>,
  delivery: OutcomeDelivery,
  scope: EnrolmentScope,
  clock: Clock,
  seal?: AnswerSeal,
): Promise<DeliveryResult> {
  if (!delivery.idempotencyKey || delivery.idempotencyKey.length > 200) throw new PathError('invalid-outcome', 'an idempotency key of 1–200 characters is required');
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const enrolment = await lockEnrolment(trx, delivery.enrolmentId, scope);
    const version = await loadPublishedVersion(trx, enrolment.version_id);
    const step = version.definition.steps.find((s) => s.id === delivery.stepId);
    if (!step) throw new PathError('step-not-found', 'the step is not in the version this learner follows');
    const { fresh, rows } = await receiptAndProgress(trx, enrolment, step.id, delivery.idempotencyKey, now);
    const current = rows.find((r) => r.step_id === step.id);
    if (!fresh) {
      return { duplicate: true, stepStatus: current?.status ?? 'in_progress', stepCompleted: false, pathCompleted: false, completionId: null };
    }
    const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.step_id));
    const missing = missingPrerequisites(version.definition, step.id, completed);
    if (missing.length > 0) throw new PathError('prerequisites-not-met', `complete these steps first: ${missing.join(', ')}`);

    const writes: OutcomeWrite[] = [];
    const next = applyOutcome(step, delivery.outcome, current, {
      writes, now, personId: enrolment.person_id, personTenantId: enrolment.tenant_id, pathId: enrolment.path_id,
      versionId: enrolment.version_id, ownerTenantId: version.ownerTenantId, seal,
    });
    const newlyCompleted = next.status === 'completed' && current?.status !== 'completed';
    const completedAt = newlyCompleted ? now : (current?.completed_at ?? null);
    const after = [...rows.filter((r) => r.step_id !== step.id), { ...next, step_id: step.id, completed_at: completedAt }];
    const record = newlyCompleted ? completionDue(enrolment, version, after, now) : null;
    const completionId = await writeProgress(trx, enrolment, step.id, next, writes, completedAt, newlyCompleted, record, now);
    return { duplicate: false, stepStatus: next.status, stepCompleted: newlyCompleted, pathCompleted: completionId !== null, completionId };
  });
}

/**
 * Takes one outcome from the learner's side (a SCO commit, "mark as done", a self-assessment, an
 * evaluation) for an enrolment of `tenantId`, and updates step and path progress in one
 * transaction. Attendance is not taken here: see registerAttendance. Evaluation answers need the
 * pending pool's seal: they are taken through EvaluationPool.answer.
 */
export async function deliverOutcome(db: Kysely<Schema>, tenantId: string, delivery: OutcomeDelivery, clock: Clock = systemClock, seal?: AnswerSeal): Promise<DeliveryResult> {
  if (delivery.outcome.kind === 'attendance') throw new PathError('invalid-outcome', 'attendance is registered by a designer or manager');
  return deliver(db, delivery, { learnerTenantId: tenantId }, clock, seal);
}

/**
 * Attendance at a physical session, registered by a designer of the owning tenant or a manager
 * of the learner's tenant.
 */
export async function registerAttendance(
  db: Kysely<Schema>,
  actorTenantId: string,
  input: { enrolmentId: string; stepId: string; attended: boolean; idempotencyKey: string },
  clock: Clock = systemClock,
): Promise<DeliveryResult> {
  const outcome: AttendanceOutcome = { kind: 'attendance', attended: input.attended };
  return deliver(db, { enrolmentId: input.enrolmentId, stepId: input.stepId, idempotencyKey: input.idempotencyKey, outcome },
    { learnerTenantId: actorTenantId, ownerTenantId: actorTenantId }, clock);
}
