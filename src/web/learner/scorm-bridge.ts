import type { Kysely } from 'kysely';
import { launchableItems } from '../../content/manifest-model.js';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { ScormStep } from '../../paths/definition.js';
import { deliverOutcome } from '../../paths/engine.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath, loadPublishedVersion } from '../../paths/paths.js';
import type { ScoOutcome as PathScoOutcome } from '../../paths/ports.js';
import { attemptOutcome } from '../../scorm/outcomes.js';
import type { AttemptOutcome, ScoOutcome } from '../../scorm/ports.js';
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
/** What delivering an attempt's stored outcome came to. */
export type DeliveryResult = 'not-a-step' | 'delivered' | 'nothing-to-deliver' | 'waits-for-prerequisites';

/** How many attempts and SCO states the bridge remembers (oldest forgotten first). */
const REMEMBERED = 20_000;

export class ScormStepBridge {
  /**
   * Attempts found not to be any path step's. An attempt is mapped to its step before its token is
   * handed out, and never afterwards, so an attempt once found unmapped stays unmapped.
   */
  readonly #notSteps = new Set<string>();
  /** The SCO state last delivered per attempt and SCO: an autocommit that changes nothing is not delivered again. */
  readonly #delivered = new Map<string, string>();

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

  /** The path step an attempt was opened for, if it was (the player leads back there). */
  async stepOfAttempt(tenantId: string, attemptId: string): Promise<{ enrolmentId: string; stepId: string } | undefined> {
    if (this.#notSteps.has(attemptId)) return undefined;
    const row = await this.db
      .selectFrom('path_scorm_attempts')
      .select(['enrolment_id', 'step_id'])
      .where('tenant_id', '=', tenantId)
      .where('attempt_id', '=', attemptId)
      .executeTakeFirst();
    return row ? { enrolmentId: row.enrolment_id, stepId: row.step_id } : undefined;
  }

  /**
   * The pass mark (0–100) the learner is measured against on a SCORM step: the step's own minimum
   * score, else the package's (1.2 adlcp:masteryscore, 2004 the primary objective's measure) for
   * the step's SCO, or the one every SCO shares. Null when nothing sets one.
   */
  async passMark(tenantId: string, enrolmentId: string, step: ScormStep): Promise<number | null> {
    if (step.config.completion.rule === 'score') return Math.round(step.config.completion.minimumScaled * 100);
    const row = await this.db
      .selectFrom('path_scorm_attempts')
      .select(['package_id', 'package_tenant_id'])
      .where('tenant_id', '=', tenantId)
      .where('enrolment_id', '=', enrolmentId)
      .where('step_id', '=', step.id)
      .executeTakeFirst();
    if (!row || row.package_id !== step.config.packageId) return null;
    const manifest = await this.runtime.manifest(row.package_tenant_id, row.package_id);
    const marks = launchableItems(manifest)
      .filter((i) => i.scormType === 'sco' && (step.config.scoId === undefined || i.id === step.config.scoId))
      .map((i) => i.item.masteryScore ?? (i.item.scaledPassingScore === null ? null : Math.round(i.item.scaledPassingScore * 100)));
    const first = marks[0];
    return first !== undefined && first !== null && marks.every((m) => m === first) ? first : null;
  }

  /**
   * Called after each stored commit. Commits of attempts outside paths cost nothing after the first,
   * and a commit that leaves its SCO's completion, success and score as they were is not delivered
   * again (the engine would find the same idempotency key and do nothing).
   */
  async onScoOutcome(outcome: ScoOutcome): Promise<void> {
    if (this.#notSteps.has(outcome.attemptId)) return;
    const key = `${outcome.attemptId}:${outcome.scoId}`;
    const state = `${outcome.completionStatus}|${outcome.successStatus}|${outcome.scoreScaled ?? '-'}|${outcome.completedAt ? 'done' : ''}`;
    if (this.#delivered.get(key) === state) return;
    const result = await this.deliverStored(outcome.tenantId, outcome.attemptId);
    if (result === 'not-a-step') remember(this.#notSteps, outcome.attemptId);
    else if (result !== 'waits-for-prerequisites') remember(this.#delivered, key, state);
  }

  /** Delivers what an attempt's stored commits add up to, if the attempt is a path step's. */
  async deliverStored(tenantId: string, attemptId: string): Promise<DeliveryResult> {
    const row = await this.db
      .selectFrom('path_scorm_attempts as a')
      .innerJoin('path_enrolments as e', 'e.id', 'a.enrolment_id')
      .select(['a.enrolment_id', 'a.step_id', 'a.package_id', 'a.package_tenant_id', 'e.version_id'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.attempt_id', '=', attemptId)
      .executeTakeFirst();
    if (!row) return 'not-a-step';
    const version = await loadPublishedVersion(this.db, row.version_id);
    const step = version.definition.steps.find((s) => s.id === row.step_id);
    if (step?.type !== 'scorm' || step.config.packageId !== row.package_id) return 'nothing-to-deliver';
    const manifest = await this.runtime.manifest(row.package_tenant_id, row.package_id);
    const rolled = await attemptOutcome(this.db, tenantId, attemptId, manifest);
    if (!rolled) return 'nothing-to-deliver';
    const outcome = toPathOutcome(step, rolled);
    if (outcome.completionStatus === 'not attempted' && outcome.successStatus === 'unknown' && outcome.scoreScaled === undefined) return 'nothing-to-deliver';
    const state = `${outcome.completionStatus}|${outcome.successStatus}|${outcome.scoreScaled ?? '-'}`;
    try {
      await deliverOutcome(this.db, tenantId, { enrolmentId: row.enrolment_id, stepId: step.id, idempotencyKey: `scorm:${attemptId}:${state}`, outcome });
      return 'delivered';
    } catch (error) {
      // Prerequisites not met yet: no receipt was written, so the same state is delivered again later.
      if (error instanceof PathError && error.code === 'prerequisites-not-met') {
        this.logger.info({ attemptId, step: step.id }, 'scorm outcome waits for the step prerequisites');
        return 'waits-for-prerequisites';
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

function remember(memory: Set<string>, key: string): void;
function remember(memory: Map<string, string>, key: string, value: string): void;
function remember(memory: Set<string> | Map<string, string>, key: string, value?: string): void {
  memory.delete(key);
  if (memory.size >= REMEMBERED) memory.delete(memory.keys().next().value!);
  if (memory instanceof Set) memory.add(key);
  else memory.set(key, value!);
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
