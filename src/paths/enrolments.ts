import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { missingPrerequisites } from './completion.js';
import type { StepType } from './definition.js';
import { completeIfDone, lockEnrolment } from './engine.js';
import { PathError } from './errors.js';
import { emitPathEvent } from './events.js';
import { findPublishedVersion, findVisiblePath, loadPublishedVersion } from './paths.js';
import { systemClock, type Clock } from './ports.js';

export interface StepProgress {
  readonly stepId: string;
  readonly type: StepType;
  readonly title: string;
  readonly required: boolean;
  readonly status: 'locked' | 'not-started' | 'in-progress' | 'completed';
  /** Scaled 0..1. */
  readonly score: number | null;
  /** A self-assessment recommended this step. */
  readonly recommended: boolean;
}

export interface EnrolmentProgress {
  readonly enrolmentId: string;
  readonly personId: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly versionNumber: number;
  readonly status: 'in_progress' | 'completed';
  readonly startedAt: Date;
  readonly dueAt: Date | null;
  readonly completedAt: Date | null;
  /** 1 for the first attempt at the path, 2 for the first renewal … */
  readonly attempt: number;
  /** When a newer attempt took over; null on the person's current attempt. */
  readonly supersededAt: Date | null;
  readonly steps: readonly StepProgress[];
  /** The first step that is neither completed nor locked: where "continue" leads. */
  readonly nextStepId: string | null;
}

/**
 * Enrols a person of `tenantId` in a path the tenant may see, on its newest published version (or
 * the version given). Enrolling again returns the person's current attempt: a learner stays on the
 * version they started (a new attempt is started by startNewAttempt, attempts.ts).
 */
export async function enrol(
  db: Kysely<Schema>,
  tenantId: string,
  input: { personId: string; pathId: string; versionId?: string },
  clock: Clock = systemClock,
): Promise<{ enrolmentId: string; created: boolean }> {
  const path = await findVisiblePath(db, tenantId, input.pathId);
  if (!path) throw new PathError('path-not-found', 'no such path visible to this tenant');
  const versionId = input.versionId ?? path.latestVersion?.id;
  const version = versionId ? await findPublishedVersion(db, tenantId, versionId) : undefined;
  if (!version || version.pathId !== path.id) throw new PathError('version-not-found', 'the path has no such published version');
  return db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.personId).executeTakeFirst();
    if (!person) throw new PathError('person-not-found', 'no such person in this tenant');
    const now = clock.now();
    const days = version.definition.dueAfterDays;
    const dueAt = days === null ? null : new Date(now.getTime() + days * 86_400_000);
    const row = await trx
      .insertInto('path_enrolments')
      .values({ tenant_id: tenantId, path_id: path.id, version_id: version.id, person_id: person.id, started_at: now, due_at: dueAt, completed_at: null, updated_at: now })
      .onConflict((oc) => oc.columns(['path_id', 'person_id']).where('superseded_at', 'is', null).doNothing())
      .returning(['id', 'tenant_id', 'person_id', 'path_id', 'version_id'])
      .executeTakeFirst();
    if (row) {
      await emitPathEvent(trx, 'path-started', row, null, { dueAt: dueAt?.toISOString() ?? null });
      return { enrolmentId: row.id, created: true };
    }
    const existing = await trx
      .selectFrom('path_enrolments')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('path_id', '=', path.id)
      .where('person_id', '=', person.id)
      .where('superseded_at', 'is', null)
      .executeTakeFirstOrThrow();
    return { enrolmentId: existing.id, created: false };
  });
}

/** The learner's view of an enrolment of `tenantId`. */
export async function getProgress(db: Kysely<Schema>, tenantId: string, enrolmentId: string): Promise<EnrolmentProgress> {
  const enrolment = await db
    .selectFrom('path_enrolments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', enrolmentId)
    .executeTakeFirst();
  if (!enrolment) throw new PathError('enrolment-not-found', 'no such enrolment for this tenant');
  const version = await loadPublishedVersion(db, enrolment.version_id);
  const earlier = await db
    .selectFrom('path_enrolments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('path_id', '=', enrolment.path_id)
    .where('person_id', '=', enrolment.person_id)
    .where('started_at', '<', enrolment.started_at)
    .executeTakeFirstOrThrow();
  const rows = await db.selectFrom('path_step_progress').select(['step_id', 'status', 'score', 'data']).where('enrolment_id', '=', enrolmentId).execute();
  const byStep = new Map(rows.map((r) => [r.step_id, r]));
  const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.step_id));
  const recommended = new Set(rows.flatMap((r) => {
    const ids = (r.data as { recommendedStepIds?: unknown }).recommendedStepIds;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }));
  const steps = version.definition.steps.map((step): StepProgress => {
    const row = byStep.get(step.id);
    const status = row?.status === 'completed' ? 'completed'
      : missingPrerequisites(version.definition, step.id, completed).length > 0 ? 'locked'
        : row ? 'in-progress' : 'not-started';
    return { stepId: step.id, type: step.type, title: step.title, required: step.required, status, score: row?.score ?? null, recommended: recommended.has(step.id) };
  });
  return {
    enrolmentId: enrolment.id,
    personId: enrolment.person_id,
    pathId: enrolment.path_id,
    versionId: enrolment.version_id,
    versionNumber: version.number,
    status: enrolment.status,
    startedAt: enrolment.started_at,
    dueAt: enrolment.due_at,
    completedAt: enrolment.completed_at,
    attempt: Number(earlier.n) + 1,
    supersededAt: enrolment.superseded_at,
    steps,
    nextStepId: steps.find((s) => s.status === 'not-started' || s.status === 'in-progress')?.stepId ?? null,
  };
}

export interface Completion {
  readonly id: string;
  readonly enrolmentId: string;
  readonly personId: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly completedAt: Date;
  readonly score: number | null;
  readonly evidence: unknown;
}

/** Completion records of a tenant's people, optionally for one person. */
export async function listCompletions(db: Kysely<Schema>, tenantId: string, filter: { personId?: string; pathId?: string } = {}): Promise<Completion[]> {
  let query = db.selectFrom('path_completions').selectAll().where('tenant_id', '=', tenantId);
  if (filter.personId) query = query.where('person_id', '=', filter.personId);
  if (filter.pathId) query = query.where('path_id', '=', filter.pathId);
  const rows = await query.orderBy('completed_at').execute();
  return rows.map((r) => ({ id: r.id, enrolmentId: r.enrolment_id, personId: r.person_id, pathId: r.path_id, versionId: r.version_id,
    completedAt: r.completed_at, score: r.score, evidence: r.evidence }));
}

/** Who is on which version of a path the tenant owns: counts per version and status. */
export async function versionOverview(db: Kysely<Schema>, ownerTenantId: string, pathId: string): Promise<{ versionNumber: number; status: string; learners: number }[]> {
  const rows = await db
    .selectFrom('path_enrolments as e')
    .innerJoin('paths as p', 'p.id', 'e.path_id')
    .innerJoin('path_versions as v', 'v.id', 'e.version_id')
    .select(['v.number', 'e.status', (eb) => eb.fn.countAll<number>().as('learners')])
    .where('p.tenant_id', '=', ownerTenantId)
    .where('p.id', '=', pathId)
    .where('e.superseded_at', 'is', null)
    .groupBy(['v.number', 'e.status'])
    .orderBy('v.number')
    .orderBy('e.status')
    .execute();
  return rows.map((r) => ({ versionNumber: r.number!, status: r.status, learners: Number(r.learners) }));
}

/**
 * Moves every in-progress learner on an older version of the owner's path to `toVersionId`.
 * Completed steps that still exist in the new version count there (step ids are stable); progress
 * on removed steps is kept but no longer counts. A learner whose completed steps already meet the
 * new version's rule is completed on it.
 */
export async function moveLearnersToVersion(
  db: Kysely<Schema>,
  ownerTenantId: string,
  pathId: string,
  toVersionId: string,
  clock: Clock = systemClock,
): Promise<{ moved: number; completed: number }> {
  const target = await db
    .selectFrom('path_versions')
    .select(['id', 'number'])
    .where('tenant_id', '=', ownerTenantId)
    .where('path_id', '=', pathId)
    .where('id', '=', toVersionId)
    .where('status', '=', 'published')
    .executeTakeFirst();
  if (!target) throw new PathError('version-not-found', 'no such published version of a path of this tenant');
  const version = await loadPublishedVersion(db, target.id);
  return db.transaction().execute(async (trx) => {
    const candidates = await trx
      .selectFrom('path_enrolments as e')
      .innerJoin('path_versions as v', 'v.id', 'e.version_id')
      .select('e.id')
      .where('e.path_id', '=', pathId)
      .where('e.status', '=', 'in_progress')
      .where('v.number', '<', target.number)
      .orderBy('e.id')
      .execute();
    let moved = 0;
    let completed = 0;
    const now = clock.now();
    for (const { id } of candidates) {
      const enrolment = await lockEnrolment(trx, id, { learnerTenantId: ownerTenantId, ownerTenantId });
      if (enrolment.status !== 'in_progress') continue;
      await trx.updateTable('path_enrolments').set({ version_id: target.id, updated_at: now }).where('id', '=', id).execute();
      moved += 1;
      const rows = await trx.selectFrom('path_step_progress').select(['step_id', 'status', 'score', 'data', 'completed_at']).where('enrolment_id', '=', id).execute();
      const onNew = rows.filter((r) => version.definition.steps.some((s) => s.id === r.step_id)) as Parameters<typeof completeIfDone>[3];
      if (await completeIfDone(trx, { ...enrolment, version_id: target.id }, version, onNew, now)) completed += 1;
    }
    return { moved, completed };
  });
}
