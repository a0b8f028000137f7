import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { ScormStep } from '../../paths/definition.js';
import { deliverOutcome } from '../../paths/engine.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath, loadPublishedVersion } from '../../paths/paths.js';
import type { ScoOutcome as PathScoOutcome } from '../../paths/ports.js';
import { attemptOutcome } from '../../scorm/outcomes.js';
import type { AttemptOutcome } from '../../scorm/ports.js';
import { AttemptNotFoundError, type ScormRuntime } from '../../scorm/runtime.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The step's package cannot be opened (removed, not a package id, or the path no longer visible). */
export class ScormStepUnavailable extends Error {}

export interface StepAttemptRef {
  readonly tenantId: string;
  readonly personId: string;
  readonly enrolmentId: string;
  readonly pathId: string;
  readonly ownerTenantId: string;
}

/**
 * Joins the SCORM runtime to the paths engine. Each SCORM step of an enrolment has its own attempt
 * (kept in path_scorm_attempts), reopened on resume. What the attempt's stored commits add up to
 * (the roll-up of src/scorm/outcomes.ts) is delivered to the engine keyed by that state, so the
 * same state never counts twice and a delivery lost in a crash is made again from the database.
 */
export class ScormStepBridge {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly runtime: ScormRuntime,
    private readonly logger: Logger,
    private readonly contentBase: string,
  ) {}

  /** Opens (or reopens) the attempt of this enrolment's step and returns the player's URL. */
  async open(ref: StepAttemptRef, step: ScormStep, locale: string): Promise<string> {
    const packageId = step.config.packageId;
    // A learner opens only packages of steps of paths their tenant may see; the package is the
    // path owner's, whatever tenant the learner is in.
    if (!UUID.test(packageId) || !(await findVisiblePath(this.db, ref.tenantId, ref.pathId))) {
      throw new ScormStepUnavailable(`package ${packageId} of path ${ref.pathId} is not available to tenant ${ref.tenantId}`);
    }
    try {
      let opened = await this.#reopen(ref, step.id, packageId);
      if (!opened) {
        const fresh = await this.runtime.openAttempt(ref.tenantId, ref.personId, packageId, { fresh: true, packageTenantId: ref.ownerTenantId });
        const mapped = await this.db
          .insertInto('path_scorm_attempts')
          .values({ enrolment_id: ref.enrolmentId, step_id: step.id, tenant_id: ref.tenantId, attempt_id: fresh.attemptId, package_id: packageId, package_tenant_id: ref.ownerTenantId })
          .onConflict((oc) => oc.columns(['enrolment_id', 'step_id']).doNothing())
          .returning('attempt_id')
          .executeTakeFirst();
        // Two first clicks at once: the attempt that was mapped first is the step's.
        opened = mapped ? fresh : await this.#reopen(ref, step.id, packageId);
      }
      if (!opened) throw new ScormStepUnavailable('the step attempt vanished');
      return `${this.contentBase}/content/${opened.token}/player?lang=${encodeURIComponent(locale)}`;
    } catch (error) {
      if (error instanceof AttemptNotFoundError) throw new ScormStepUnavailable(error.message);
      throw error;
    }
  }

  async #reopen(ref: StepAttemptRef, stepId: string, packageId: string): Promise<{ attemptId: string; token: string } | undefined> {
    const row = await this.db
      .selectFrom('path_scorm_attempts')
      .select(['attempt_id', 'package_id', 'package_tenant_id'])
      .where('tenant_id', '=', ref.tenantId)
      .where('enrolment_id', '=', ref.enrolmentId)
      .where('step_id', '=', stepId)
      .executeTakeFirst();
    if (!row || row.package_id !== packageId) return undefined;
    return this.runtime.openAttempt(ref.tenantId, ref.personId, packageId, { attemptId: row.attempt_id, packageTenantId: row.package_tenant_id });
  }

  /** Delivers what an attempt's stored commits add up to, if the attempt is a path step's. */
  async deliverStored(tenantId: string, attemptId: string): Promise<void> {
    const row = await this.db
      .selectFrom('path_scorm_attempts as a')
      .innerJoin('path_enrolments as e', 'e.id', 'a.enrolment_id')
      .select(['a.enrolment_id', 'a.step_id', 'a.package_id', 'a.package_tenant_id', 'e.version_id'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.attempt_id', '=', attemptId)
      .executeTakeFirst();
    if (!row) return;
    const version = await loadPublishedVersion(this.db, row.version_id);
    const step = version.definition.steps.find((s) => s.id === row.step_id);
    if (step?.type !== 'scorm' || step.config.packageId !== row.package_id) return;
    const manifest = await this.runtime.manifest(row.package_tenant_id, row.package_id);
    const rolled = await attemptOutcome(this.db, tenantId, attemptId, manifest);
    if (!rolled) return;
    const outcome = toPathOutcome(step, rolled);
    if (outcome.completionStatus === 'not attempted' && outcome.successStatus === 'unknown' && outcome.scoreScaled === undefined) return;
    const state = `${outcome.completionStatus}|${outcome.successStatus}|${outcome.scoreScaled ?? '-'}`;
    try {
      await deliverOutcome(this.db, tenantId, { enrolmentId: row.enrolment_id, stepId: step.id, idempotencyKey: `scorm:${attemptId}:${state}`, outcome });
    } catch (error) {
      // Prerequisites not met yet: no receipt was written, so the same state is delivered again later.
      if (error instanceof PathError && error.code === 'prerequisites-not-met') {
        this.logger.info({ attemptId, step: step.id }, 'scorm outcome waits for the step prerequisites');
        return;
      }
      throw error;
    }
  }

  /**
   * Heals deliveries lost between a stored commit and the engine (a crash, a failed listener):
   * every attempt of the enrolment's SCORM steps that are not completed is delivered again.
   */
  async heal(tenantId: string, enrolmentId: string): Promise<void> {
    const rows = await this.db
      .selectFrom('path_scorm_attempts as a')
      .leftJoin('path_step_progress as p', (join) => join.onRef('p.enrolment_id', '=', 'a.enrolment_id').onRef('p.step_id', '=', 'a.step_id'))
      .select(['a.attempt_id', 'p.status'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.enrolment_id', '=', enrolmentId)
      .execute();
    for (const row of rows) {
      if (row.status === 'completed') continue;
      try {
        await this.deliverStored(tenantId, row.attempt_id);
      } catch (error) {
        this.logger.error({ err: error, attemptId: row.attempt_id }, 'scorm outcome could not be delivered; it is tried again on the next commit or page view');
      }
    }
  }
}

/**
 * The attempt as the paths engine sees a SCO outcome: the roll-up of every SCO (completed only
 * when all are), or the one SCO the step names.
 */
export function toPathOutcome(step: ScormStep, rolled: AttemptOutcome): PathScoOutcome {
  const base = { kind: 'sco', packageId: step.config.packageId } as const;
  const scoId = step.config.scoId;
  if (scoId !== undefined) {
    const sco = rolled.scos.find((s) => s.scoId === scoId);
    return {
      ...base,
      scoId,
      completionStatus: sco?.completedAt ? 'completed' : (sco?.completionStatus ?? 'not attempted'),
      successStatus: sco?.successStatus ?? 'unknown',
      ...(sco?.scoreScaled != null ? { scoreScaled: sco.scoreScaled } : {}),
    };
  }
  const started = rolled.scos.some((s) => s.completionStatus !== 'not attempted' || s.completedAt);
  return {
    ...base,
    completionStatus: rolled.completed ? 'completed' : started ? 'incomplete' : 'not attempted',
    successStatus: rolled.successStatus,
    ...(rolled.scoreScaled !== null ? { scoreScaled: rolled.scoreScaled } : {}),
  };
}
