import type { Kysely } from 'kysely';
import { z } from 'zod';
import { launchableItems, type LaunchableItem, type PackageManifest } from '../content/manifest-model.js';
import { findPackage } from '../content/packages.js';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { findPerson } from '../people/people.js';
import { packageTenantOf, type AttemptClaims, type AttemptTokens } from './attempt-token.js';
import { checkElement, SCORM12_ERRORS, SCORM2004_ERRORS } from './cmi-model.js';
import { launchCmi, SESSION_ONLY } from './launch-data.js';
import { recordRefusedCommit, ScoStateMemory, storeCommit, type CommitInput } from './commit-store.js';
import { CommitWriter } from './commit-writer.js';
import type { OutcomeListener, ScoOutcome } from './ports.js';
import { prerequisitesMet } from './prerequisites.js';
import type { FlatCmi } from './tables.js';

export interface CommitResult {
  result: boolean;
  errorCode: number;
  errorMessage?: string;
  /** HTTP status for the answer: 200 stored or refused by the data model, 409 superseded, 404 unknown SCO. */
  status: number;
}

export interface LaunchState {
  session: number;
  standard: PackageManifest['standard'];
  cmi: FlatCmi;
}

const commitBody = z.object({
  session: z.number().int().min(1),
  seq: z.number().int().min(1),
  terminate: z.boolean().default(false),
  cmi: z.record(z.string(), z.unknown()),
});

export class AttemptNotFoundError extends Error {}

export interface RuntimeDependencies {
  db: Kysely<Schema>;
  tokens: AttemptTokens;
  logger: Logger;
  listeners?: OutcomeListener[];
}

/** The server side of the SCORM runtime: attempts, launches, commits, and the outcome they make. */
export class ScormRuntime {
  readonly #db: Kysely<Schema>;
  readonly #tokens: AttemptTokens;
  readonly #logger: Logger;
  readonly #listeners: OutcomeListener[];
  /** Packages never change after import, so their manifests are cached by id. */
  readonly #manifests = new Map<string, PackageManifest>();
  /** The launchable items of each cached manifest by id: every commit looks its SCO up. */
  readonly #scos = new WeakMap<PackageManifest, Map<string, LaunchableItem>>();
  /** The SCO states this process last wrote: a commit builds on them without reading the row first. */
  readonly #states = new ScoStateMemory();
  /** Commits arriving together are written by one statement. */
  readonly #writer: CommitWriter;

  constructor(deps: RuntimeDependencies) {
    this.#db = deps.db;
    this.#writer = new CommitWriter(deps.db);
    this.#tokens = deps.tokens;
    this.#logger = deps.logger;
    this.#listeners = [...(deps.listeners ?? [])];
  }

  onOutcome(listener: OutcomeListener): void {
    this.#listeners.push(listener);
  }

  verifyToken(token: string): Promise<AttemptClaims | undefined> {
    return this.#tokens.verify(token);
  }

  async manifest(tenantId: string, packageId: string): Promise<PackageManifest> {
    // Keyed by tenant too: a cached manifest must not let another tenant's lookup succeed.
    const key = `${tenantId}:${packageId}`;
    const cached = this.#manifests.get(key);
    if (cached) return cached;
    const found = await findPackage(this.#db, tenantId, packageId);
    if (!found) throw new AttemptNotFoundError(`package ${packageId} not found`);
    if (this.#manifests.size > 1000) this.#manifests.clear();
    this.#manifests.set(key, found.manifest);
    return found.manifest;
  }

  /** The manifest of the package an attempt token is for (looked up in the package owner's tenant). */
  manifestOf(claims: AttemptClaims): Promise<PackageManifest> {
    return this.manifest(packageTenantOf(claims), claims.packageId);
  }

  async #sco(claims: AttemptClaims, scoId: string): Promise<{ manifest: PackageManifest; sco: LaunchableItem } | undefined> {
    const manifest = await this.manifestOf(claims);
    let scos = this.#scos.get(manifest);
    if (!scos) {
      scos = new Map();
      for (const item of launchableItems(manifest)) if (!scos.has(item.id)) scos.set(item.id, item);
      this.#scos.set(manifest, scos);
    }
    const sco = scos.get(scoId);
    return sco && { manifest, sco };
  }

  /**
   * Opens (or reopens) the person's attempt on a package and returns a token that lets the content
   * read and write that attempt only. LTI launches call this; so does the development route.
   * `attemptId` reopens that attempt (it must be this person's on this package); `packageTenantId`
   * names the package's owner when it is another tenant than the learner's: the caller (a path
   * shared with the learner's tenant) has checked that the learner may use it.
   */
  async openAttempt(
    tenantId: string,
    personId: string,
    packageId: string,
    options: { fresh?: boolean; attemptId?: string; packageTenantId?: string } = {},
  ): Promise<{ attemptId: string; token: string }> {
    if (!(await findPerson(this.#db, tenantId, personId))) throw new AttemptNotFoundError('person not found in this tenant');
    const packageTenantId = options.packageTenantId ?? tenantId;
    await this.manifest(packageTenantId, packageId);
    let attemptId: string | undefined;
    if (options.attemptId) {
      const own = await this.#db
        .selectFrom('scorm_attempts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('person_id', '=', personId)
        .where('package_id', '=', packageId)
        .where('id', '=', options.attemptId)
        .executeTakeFirst();
      if (!own) throw new AttemptNotFoundError('no such attempt of this person on this package');
      attemptId = own.id;
    } else if (!options.fresh) {
      const existing = await this.#db
        .selectFrom('scorm_attempts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('person_id', '=', personId)
        .where('package_id', '=', packageId)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      attemptId = existing?.id;
    }
    attemptId ??= (
      await this.#db.insertInto('scorm_attempts').values({ tenant_id: tenantId, person_id: personId, package_id: packageId }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const token = await this.#tokens.sign({ attemptId, tenantId, personId, packageId, ...(packageTenantId !== tenantId ? { packageTenantId } : {}) });
    return { attemptId, token };
  }

  /**
   * SCOs the learner may not start yet: SCORM 1.2 items whose adlcp:prerequisites are not met by
   * the lesson status of the items they name. (2004 sequencing rules are not enforced.)
   */
  async lockedScos(claims: AttemptClaims): Promise<Set<string>> {
    const manifest = await this.manifestOf(claims);
    const guarded = launchableItems(manifest).filter((i) => i.item.prerequisites);
    if (manifest.standard !== 'scorm12' || guarded.length === 0) return new Set();
    const rows = await this.#db.selectFrom('scorm_sco_states').select(['sco_id', 'lesson_status']).where('attempt_id', '=', claims.attemptId).execute();
    const status = new Map(rows.map((r) => [r.sco_id, r.lesson_status ?? 'not attempted']));
    return new Set(guarded.filter((i) => !prerequisitesMet(i.item.prerequisites, (id) => status.get(id) ?? 'not attempted')).map((i) => i.id));
  }

  /**
   * Starts a session of one SCO: the previous session's time is closed, `entry` is decided, and the
   * session number goes up, so a window opened earlier can no longer write (the two-window rule).
   */
  async launch(claims: AttemptClaims, scoId: string): Promise<LaunchState | 'locked' | undefined> {
    const found = await this.#sco(claims, scoId);
    if (!found) return undefined;
    if ((await this.lockedScos(claims)).has(scoId)) return 'locked';
    const { manifest, sco } = found;
    this.#states.forget(ScoStateMemory.key({ claims, scoId }));
    const person = await findPerson(this.#db, claims.tenantId, claims.personId);
    return this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('scorm_sco_states')
        .values({ attempt_id: claims.attemptId, sco_id: scoId, tenant_id: claims.tenantId, cmi: '{}' })
        .onConflict((oc) => oc.columns(['attempt_id', 'sco_id']).doNothing())
        .execute();
      const state = await trx
        .selectFrom('scorm_sco_states')
        .selectAll()
        .where('attempt_id', '=', claims.attemptId)
        .where('sco_id', '=', scoId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const exit = state.cmi['cmi.core.exit'] ?? state.cmi['cmi.exit'] ?? '';
      let stored = state.cmi;
      let entry: 'ab-initio' | 'resume' | '' = state.launches === 0 ? 'ab-initio' : exit === 'suspend' ? 'resume' : '';
      // SCORM 2004 RTE 4.2.8: a session that ended with Terminate and an exit other than suspend
      // ends the attempt; the next launch starts a new one with fresh data.
      if (manifest.standard === 'scorm2004' && state.terminated && exit !== 'suspend') {
        stored = {};
        entry = 'ab-initio';
      }
      const closed = state.closed_sessions_seconds + state.open_session_seconds;
      const session = state.session + 1;
      const kept: FlatCmi = Object.fromEntries(Object.entries(stored).filter(([k]) => !SESSION_ONLY.includes(k)));
      await trx
        .updateTable('scorm_sco_states')
        .set({
          session,
          last_seq: 0,
          closed_sessions_seconds: closed,
          open_session_seconds: 0,
          terminated: false,
          launches: state.launches + 1,
          // exit and session_time belong to the session that wrote them (RTE 3.4.4 / 4.2.8).
          cmi: JSON.stringify(kept),
          updated_at: new Date(),
        })
        .where('attempt_id', '=', claims.attemptId)
        .where('sco_id', '=', scoId)
        .execute();
      const cmi = launchCmi({ standard: manifest.standard, item: sco.item, person, personId: claims.personId, entry, totalSeconds: closed, stored: kept });
      return { session, standard: manifest.standard, cmi };
    });
  }

  /**
   * Stores one commit from the player. The answer is given only after the statement writing the
   * new state and the commit's history row has committed: an acknowledged commit survives a crash.
   */
  async commit(claims: AttemptClaims, scoId: string, rawBody: unknown): Promise<CommitResult> {
    const found = await this.#sco(claims, scoId);
    if (!found) return { result: false, errorCode: SCORM12_ERRORS.general, errorMessage: `no SCO ${scoId} in this package`, status: 404 };
    const { manifest, sco } = found;
    const parsed = commitBody.safeParse(rawBody);
    if (!parsed.success) return { result: false, errorCode: SCORM12_ERRORS.general, errorMessage: 'the commit body is not {session, seq, cmi}', status: 400 };
    const body = parsed.data;
    const written: FlatCmi = {};
    for (const [element, rawValue] of Object.entries(body.cmi)) {
      // scorm-again's flattened export writes {} for an empty collection.
      if (typeof rawValue === 'object' && rawValue !== null && Object.keys(rawValue).length === 0) continue;
      if (typeof rawValue !== 'string' && typeof rawValue !== 'number' && typeof rawValue !== 'boolean') {
        return this.#refused(manifest, `${element} has no scalar value`);
      }
      const value = String(rawValue);
      const check = checkElement(manifest.standard, element, value);
      if (check.kind === 'error') return { result: false, errorCode: check.errorCode, errorMessage: check.message, status: 200 };
      if (check.kind === 'writable' && value !== '') written[element] = value;
    }
    const input: CommitInput = {
      claims,
      scoId,
      standard: manifest.standard,
      item: sco.item,
      session: body.session,
      seq: body.seq,
      terminate: body.terminate,
      written,
      body: body.cmi,
    };
    const stored = await storeCommit(this.#db, this.#writer, input, this.#states);
    if (stored.kind === 'superseded') {
      const errorCode = manifest.standard === 'scorm12' ? SCORM12_ERRORS.general : SCORM2004_ERRORS.commitFailed;
      await recordRefusedCommit(this.#db, input, errorCode);
      return { result: false, errorCode, errorMessage: 'this SCO was opened again in another window; that window now owns the attempt', status: 409 };
    }
    if (stored.kind === 'stored') this.#notify(stored.outcome);
    return { result: true, errorCode: 0, status: 200 };
  }

  #refused(manifest: PackageManifest, message: string): CommitResult {
    const errorCode = manifest.standard === 'scorm12' ? SCORM12_ERRORS.incorrectType : SCORM2004_ERRORS.typeMismatch;
    return { result: false, errorCode, errorMessage: message, status: 200 };
  }

  #notify(outcome: ScoOutcome): void {
    for (const listener of this.#listeners) {
      Promise.resolve()
        .then(() => listener(outcome))
        .catch((error: unknown) => this.#logger.error({ err: error, attemptId: outcome.attemptId }, 'outcome listener failed'));
    }
  }
}
