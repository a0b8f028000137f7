import { sql, type Kysely } from 'kysely';
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
import { buildActivityTree, type ActivityTree, type ScoTracking } from './sequencing/activity-tree.js';
import { deliveryRefusal, entryActivity, flowTarget, navigationView, type NavigationView } from './sequencing/navigation.js';
import type { Refusal } from './sequencing/rules.js';
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

/** A launch the rules forbid: SCORM 1.2 prerequisites or SCORM 2004 sequencing (docs/content.md). */
export interface LaunchRefused {
  refused: Refusal;
}

/** What the player shows for one SCO: whether it may be delivered, and the navigation around it. */
export interface PlayerNavigation {
  /** Why the SCO may not be launched now (relative to the SCO the attempt last worked on). */
  refusal: Refusal | null;
  /** Relative to the SCO when it may be launched, else to the one the attempt last worked on. */
  view: NavigationView;
  /** SCORM 2004 sequencing applies: the player answers adl.nav.request_valid from the view. */
  sequenced: boolean;
}

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
    // xAPI and cmi5 packages are launched by their own conventions (src/web/learner/), never as SCORM.
    if (!found || found.manifest.standard === 'xapi' || found.manifest.standard === 'cmi5') throw new AttemptNotFoundError(`SCORM package ${packageId} not found`);
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
   * the lesson status of the items they name.
   */
  async lockedScos(claims: AttemptClaims): Promise<Set<string>> {
    const manifest = await this.manifestOf(claims);
    const guarded = launchableItems(manifest).filter((i) => i.item.prerequisites);
    if (manifest.standard !== 'scorm12' || guarded.length === 0) return new Set();
    const rows = await this.#db.selectFrom('scorm_sco_states').select(['sco_id', 'lesson_status']).where('attempt_id', '=', claims.attemptId).execute();
    const status = new Map(rows.map((r) => [r.sco_id, r.lesson_status ?? 'not attempted']));
    return new Set(guarded.filter((i) => !prerequisitesMet(i.item.prerequisites, (id) => status.get(id) ?? 'not attempted')).map((i) => i.id));
  }

  /** The SCORM 2004 activity tree of the attempt with the SN tracking status of each SCO, and the SCO delivered last. */
  async #activityTree(claims: AttemptClaims, manifest: PackageManifest): Promise<{ tree: ActivityTree; lastId: string | null }> {
    const rows = await this.#db
      .selectFrom('scorm_sco_states')
      .select(['sco_id', 'attempt_count', 'terminated', 'completion_status', 'success_status', 'score_scaled', 'launched_at'])
      .select(sql<string | null>`cmi->>'cmi.exit'`.as('exit'))
      .where('attempt_id', '=', claims.attemptId)
      .where('tenant_id', '=', claims.tenantId)
      .execute();
    const tracking = new Map<string, ScoTracking>(
      rows.map((r) => [
        r.sco_id,
        {
          attemptCount: r.attempt_count,
          // RTE 4.2.8: Terminate with an exit other than suspend ends the attempt.
          attemptOpen: r.attempt_count > 0 && (!r.terminated || r.exit === 'suspend'),
          completionStatus: r.completion_status,
          successStatus: r.success_status,
          scoreScaled: r.score_scaled,
        },
      ]),
    );
    const launchable = new Set(launchableItems(manifest).map((i) => i.id));
    // SN: the current activity is the one delivered last; a late beacon of an earlier SCO does not change it.
    const last = rows.reduce<(typeof rows)[number] | undefined>((a, r) => (r.launched_at && (!a?.launched_at || r.launched_at > a.launched_at) ? r : a), undefined);
    return { tree: buildActivityTree(manifest, launchable, tracking), lastId: last?.launched_at ? last.sco_id : null };
  }

  /** Why the SCO may not be launched now, or null. SCORM 1.2: prerequisites; 2004: sequencing. */
  async launchRefusal(claims: AttemptClaims, scoId: string): Promise<Refusal | null> {
    const manifest = await this.manifestOf(claims);
    if (manifest.standard === 'scorm12') return (await this.lockedScos(claims)).has(scoId) ? 'prerequisites' : null;
    const { tree, lastId } = await this.#activityTree(claims, manifest);
    const target = tree.byId.get(scoId);
    if (!target) return null;
    return deliveryRefusal(tree, (lastId && tree.byId.get(lastId)) || null, target);
  }

  /** The navigation the player shows with one SCO (or, with none, on the exit page). */
  async playerNavigation(claims: AttemptClaims, scoId: string | null): Promise<PlayerNavigation> {
    const manifest = await this.manifestOf(claims);
    const items = launchableItems(manifest);
    if (manifest.standard === 'scorm12') {
      const locked = await this.lockedScos(claims);
      const index = items.findIndex((i) => i.id === scoId);
      return {
        refusal: scoId && locked.has(scoId) ? 'prerequisites' : null,
        view: {
          continueTarget: index >= 0 ? (items[index + 1]?.id ?? null) : null,
          previousTarget: index > 0 ? (items[index - 1]?.id ?? null) : null,
          choiceRefusals: new Map([...locked].map((id) => [id, 'prerequisites' as const])),
          hidden: new Set(),
        },
        sequenced: false,
      };
    }
    const { tree, lastId } = await this.#activityTree(claims, manifest);
    const last = (lastId && tree.byId.get(lastId)) || null;
    const target = scoId ? tree.byId.get(scoId) : undefined;
    const refusal = target ? deliveryRefusal(tree, last, target) : null;
    return { refusal, view: navigationView(tree, target && !refusal ? target : last), sequenced: true };
  }

  /** The SCO the player opens first: SCORM 2004 resumes an open attempt or starts by flow. */
  async entryScoId(claims: AttemptClaims): Promise<string | null> {
    const manifest = await this.manifestOf(claims);
    const first = launchableItems(manifest)[0]?.id ?? null;
    if (manifest.standard === 'scorm12') return first;
    const { tree, lastId } = await this.#activityTree(claims, manifest);
    return entryActivity(tree, (lastId && tree.byId.get(lastId)) || null)?.id ?? first;
  }

  /** SN continue / previous from a SCO: the SCO it leads to, or null (the end of the course, or not allowed). */
  async flowFrom(claims: AttemptClaims, scoId: string, request: 'continue' | 'previous'): Promise<string | null> {
    const manifest = await this.manifestOf(claims);
    if (manifest.standard === 'scorm12') {
      const items = launchableItems(manifest);
      const index = items.findIndex((i) => i.id === scoId);
      return index < 0 ? null : (items[request === 'continue' ? index + 1 : index - 1]?.id ?? null);
    }
    const { tree } = await this.#activityTree(claims, manifest);
    const from = tree.byId.get(scoId);
    return (from && flowTarget(from, request === 'continue' ? 'forward' : 'backward')?.id) ?? null;
  }

  /**
   * Starts a session of one SCO: the previous session's time is closed, `entry` is decided, and the
   * session number goes up, so a window opened earlier can no longer write (the two-window rule).
   */
  async launch(claims: AttemptClaims, scoId: string): Promise<LaunchState | LaunchRefused | undefined> {
    const found = await this.#sco(claims, scoId);
    if (!found) return undefined;
    const refused = await this.launchRefusal(claims, scoId);
    if (refused) return { refused };
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
          // SN activity attempt count: a launch that starts afresh begins a new attempt.
          attempt_count: state.attempt_count + (entry === 'ab-initio' ? 1 : 0),
          launched_at: new Date(),
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
