import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { PollingLoop } from '../background/polling-loop.js';
import { deliverOutcome, type DeliveryResult } from './engine.js';
import type { SealedAnswer } from './step-outcomes.js';
import { systemClock, type AnswerSeal, type Clock, type OutcomeDelivery } from './ports.js';

/** A release carries at least this many answers: fewer could be matched to the completions the
 *  LMS gradebook shows between two releases. */
export const RELEASE_MINIMUM = 5;
/** And comes at most once in this interval, so the report changes no more often than daily. */
export const RELEASE_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** How often a running tool looks for steps whose release is due. */
const RELEASE_CHECK_MS = 5 * 60 * 1000;

export interface EvaluationPoolOptions {
  readonly db: Kysely<Schema>;
  readonly seal: AnswerSeal;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly checkIntervalMs?: number;
}

export interface ReleaseResult {
  readonly pathId: string;
  readonly stepId: string;
  readonly answers: number;
}

/** Fisher–Yates with a cryptographic source: the order on disk says nothing about the order given. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Anonymous evaluation answers, from the learner's submission to the designer's report. A
 * submission leaves the answers sealed in a pending pool (in the transaction that marks the step
 * completed); a release opens a step's pending answers once there are at least RELEASE_MINIMUM and
 * the previous release is RELEASE_INTERVAL_MS old, writes them in random order in one transaction
 * of their own with only the release's date, and deletes them from the pool. What this promises,
 * and what it does not, is in docs/paths.md.
 */
export class EvaluationPool {
  readonly #db: Kysely<Schema>;
  readonly #seal: AnswerSeal;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  readonly #loop: PollingLoop<void>;

  constructor(options: EvaluationPoolOptions) {
    this.#db = options.db;
    this.#seal = options.seal;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#loop = new PollingLoop({
      pass: () => this.#releaseAndLog(),
      intervalMs: options.checkIntervalMs ?? RELEASE_CHECK_MS,
      failure: { logger: this.#logger, message: 'evaluation release failed; pending answers stay pending' },
    });
  }

  /** A learner's answers to an evaluation step of an enrolment of `tenantId` (validated, answered once). */
  answer(tenantId: string, delivery: Omit<OutcomeDelivery, 'outcome'> & { answers: Readonly<Record<string, number | string>> }): Promise<DeliveryResult> {
    const { answers, ...target } = delivery;
    return deliverOutcome(this.#db, tenantId, { ...target, outcome: { kind: 'evaluation', answers } }, this.#clock, this.#seal);
  }

  /** Releases every step whose release is due; returns what was released. */
  async releaseDue(): Promise<ReleaseResult[]> {
    const candidates = await this.#db
      .selectFrom('path_evaluation_pending')
      .select(['path_id', 'step_id'])
      .groupBy(['path_id', 'step_id'])
      .having((eb) => eb.fn.countAll(), '>=', RELEASE_MINIMUM)
      .execute();
    const released: ReleaseResult[] = [];
    for (const { path_id, step_id } of candidates) {
      const answers = await this.releaseStep(path_id, step_id);
      if (answers > 0) released.push({ pathId: path_id, stepId: step_id, answers });
    }
    return released;
  }

  /** Releases one step's pending answers when its release is due; returns how many. */
  async releaseStep(pathId: string, stepId: string): Promise<number> {
    const now = this.#clock.now();
    return this.#db.transaction().execute(async (trx) => {
      // One release of a step at a time, whichever instance runs it.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`evaluation-release:${pathId}:${stepId}`}, 0))`.execute(trx);
      const last = await trx
        .selectFrom('path_evaluation_releases')
        .select((eb) => eb.fn.max('released_at').as('last'))
        .where('path_id', '=', pathId)
        .where('step_id', '=', stepId)
        .executeTakeFirst();
      if (last?.last && now.getTime() - new Date(last.last).getTime() < RELEASE_INTERVAL_MS) return 0;
      const pending = await trx
        .selectFrom('path_evaluation_pending')
        .select(['id', 'tenant_id', 'sealed'])
        .where('path_id', '=', pathId)
        .where('step_id', '=', stepId)
        .execute();
      if (pending.length < RELEASE_MINIMUM) return 0;
      const ownerTenantId = pending[0]!.tenant_id;
      const releasedOn = now.toISOString().slice(0, 10);
      const rows = shuffled(pending.map((row) => this.#open(row.sealed, pathId, stepId))).map((answers) => ({
        tenant_id: ownerTenantId, path_id: pathId, step_id: stepId, answers: JSON.stringify(answers), released_on: releasedOn,
      }));
      await trx.insertInto('path_evaluation_answers').values(rows).execute();
      await trx.insertInto('path_evaluation_releases').values({ tenant_id: ownerTenantId, path_id: pathId, step_id: stepId, released_at: now, answers: rows.length }).execute();
      await trx.deleteFrom('path_evaluation_pending').where('id', 'in', pending.map((row) => row.id)).execute();
      return rows.length;
    });
  }

  #open(sealed: string, pathId: string, stepId: string): SealedAnswer['answers'] {
    const opened = JSON.parse(this.#seal.open(sealed)) as SealedAnswer;
    // A row copied to another step in the database is refused, not counted there.
    if (opened.pathId !== pathId || opened.stepId !== stepId) throw new Error('a pending evaluation answer is sealed for another step');
    return opened.answers;
  }

  /** Looks for due releases now and then every check interval until stopped. */
  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async #releaseAndLog(): Promise<void> {
    // Counts only: a log line never names an answer.
    for (const r of await this.releaseDue()) this.#logger?.info({ path: r.pathId, step: r.stepId, answers: r.answers }, 'evaluation answers released');
  }
}
