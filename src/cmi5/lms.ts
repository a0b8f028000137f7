import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { findNode, type Cmi5Au, type Cmi5Manifest } from '../content/cmi5-model.js';
import { inLanguage } from '../content/tincan-model.js';
import type { Schema } from '../db/schema.js';
import { getDocument, writeDocument } from '../xapi/document-store.js';
import { personAccountKey } from '../xapi/agents.js';
import { XapiError } from '../xapi/errors.js';
import type { LaunchCredentials } from '../xapi/launch-credentials.js';
import type { OwnStatements } from '../xapi/own-statements.js';
import { lmsActivityId } from './activity-ids.js';
import { auSatisfied, satisfiedParents, type AuAchievement } from './satisfaction.js';
import { checkSessionStatements } from './statement-rules.js';
import type { LaunchMode, WaiveReason } from './tables.js';
import { CMI5, verbObject } from './vocabulary.js';

type Json = Record<string, unknown>;

/** The learner as cmi5 launches know them (§9.2: an Agent with an account, no personal data). */
export interface Cmi5Actor {
  readonly objectType: 'Agent';
  readonly account: { readonly homePage: string; readonly name: string };
}

export interface Cmi5LaunchInput {
  readonly tenantId: string;
  readonly registration: string;
  readonly actor: Cmi5Actor;
  /** agentKey() of the actor. */
  readonly actorKey: string;
  readonly packageId: string;
  readonly manifest: Cmi5Manifest;
  readonly au: Cmi5Au;
  readonly launchMode: LaunchMode;
  /** Where the AU is, with its own query but none of the cmi5 launch parameters (§9.6.3.4). */
  readonly auUrl: string;
  readonly returnUrl: string;
  /** The learner's languages, most wanted first (§11.1). */
  readonly languages: readonly string[];
}

export interface Cmi5Launch {
  readonly sessionId: string;
  readonly activityId: string;
  /** The AU's URL with the cmi5 launch parameters (§8.1). */
  readonly url: string;
}

/** What waiving an AU came to. */
export type WaiveOutcome =
  | { readonly kind: 'waived'; readonly sessionId: string; readonly personId: string }
  | { readonly kind: 'not-found' | 'already-waived' | 'already-satisfied' };

/** §8.2.3: the fetch URL's answers, always 200 with JSON. */
export type FetchAnswer = { 'auth-token': string } | { 'error-code': '1' | '2' | '3'; 'error-text': string };

/** An ISO 8601 duration in seconds with hundredths, as xAPI results carry them. */
function isoDuration(ms: number): string {
  return `PT${(Math.round(ms / 10) / 100).toString()}S`;
}

/** How long a statement request may hold its session's writer lease, should its process die holding it. */
const SESSION_LEASE_SECONDS = 30;
/** How long a request waits for the lease before it is told to send again. */
const SESSION_WAIT_MS = 10_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The LMS side of cmi5 (cmi5 §6, §8–§11) over the tool's own LRS: launches AUs in a registration
 * (the LMS.LaunchData state document, the learner preferences, the launched statement and a
 * one-time fetch URL), hands out the session's auth token once, applies the statement rules to
 * what the AU sends, works out what is satisfied (and says so in satisfied statements), and ends
 * sessions that were left without terminated (abandoned).
 */
export class Cmi5Lms {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly credentials: LaunchCredentials,
    private readonly own: OwnStatements,
    private readonly publicUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  activityId(packageId: string, kind: 'au' | 'block' | 'course', publisherId: string): string {
    return lmsActivityId(this.publicUrl, packageId, kind, publisherId);
  }

  /** §8.1, §10: everything the LMS does before the AU's URL is opened. */
  async launch(input: Cmi5LaunchInput): Promise<Cmi5Launch> {
    const { tenantId, registration, au } = input;
    // §9.3.6: a launch in a registration with an active session of the AU abandons that session.
    const open = await this.db.selectFrom('cmi5_sessions').select('id').where('tenant_id', '=', tenantId).where('registration', '=', registration)
      .where('au_id', '=', au.id).where('terminated_at', 'is', null).where('abandoned_at', 'is', null).execute();
    for (const session of open) await this.abandon(tenantId, session.id);

    const sessionId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const activityId = this.activityId(input.packageId, 'au', au.id);
    await this.db.insertInto('cmi5_sessions').values({
      id: sessionId, tenant_id: tenantId, registration, au_id: au.id, activity_id: activityId, launch_mode: input.launchMode, fetch_secret_sha256: sha256(secret), launched_at: new Date(this.now()),
    }).execute();

    const contextTemplate = {
      contextActivities: { grouping: [{ objectType: 'Activity', id: au.id }] },
      extensions: { [CMI5.extensions.sessionId]: sessionId },
    };
    const launchData: Json = {
      contextTemplate,
      launchMode: input.launchMode,
      moveOn: au.moveOn,
      returnURL: input.returnUrl,
      ...(au.launchParameters !== null ? { launchParameters: au.launchParameters } : {}),
      ...(au.masteryScore !== null ? { masteryScore: au.masteryScore } : {}),
      ...(au.entitlementKey !== null ? { entitlementKey: { courseStructure: au.entitlementKey } } : {}),
    };
    const stateScope = { tenantId, kind: 'state' as const, activityId, agentKey: input.actorKey, registration };
    await writeDocument(this.db, stateScope, {
      documentId: CMI5.launchData, contentType: 'application/json', content: Buffer.from(JSON.stringify(launchData)), preconditions: {}, requirePrecondition: false, merge: false,
    });
    const profileScope = { tenantId, kind: 'agent-profile' as const, agentKey: input.actorKey };
    if (!(await getDocument(this.db, profileScope, CMI5.learnerPreferences))) {
      const preferences = { languagePreference: input.languages.join(','), audioPreference: 'on' };
      await writeDocument(this.db, profileScope, {
        documentId: CMI5.learnerPreferences, contentType: 'application/json', content: Buffer.from(JSON.stringify(preferences)), preconditions: { ifNoneMatch: '*' }, requirePrecondition: false, merge: false,
      }).catch((error: unknown) => {
        // Two first launches at once: the other one wrote it.
        if (!(error instanceof XapiError && error.kind === 'precondition-failed')) throw error;
      });
    }
    const extensions: Json = {
      [CMI5.extensions.sessionId]: sessionId,
      [CMI5.extensions.launchMode]: input.launchMode,
      [CMI5.extensions.launchUrl]: input.auUrl,
      [CMI5.extensions.moveOn]: au.moveOn,
      ...(au.masteryScore !== null ? { [CMI5.extensions.masteryScore]: au.masteryScore } : {}),
      ...(au.launchParameters !== null ? { [CMI5.extensions.launchParameters]: au.launchParameters } : {}),
    };
    await this.own.store(tenantId, [this.#statement(input.actor, registration, CMI5.verbs.launched, this.#auObject(activityId, au), au.id, { extensions })]);

    const fetchUrl = `${this.publicUrl}/cmi5/fetch/${sessionId}?k=${secret}`;
    const params = new URLSearchParams({
      endpoint: `${this.publicUrl}/xapi/`, fetch: fetchUrl, actor: JSON.stringify(input.actor), registration, activityId,
    });
    return { sessionId, activityId, url: `${input.auUrl}${input.auUrl.includes('?') ? '&' : '?'}${params.toString()}` };
  }

  /**
   * §8.2: the first POST to a session's fetch URL gets the auth token (a launch credential for the
   * actor, the registration and this session only); any later one, a wrong key or an ended
   * session gets an error.
   */
  async fetch(sessionId: string, secret: string): Promise<FetchAnswer> {
    const session = /^[0-9a-f-]{36}$/i.test(sessionId)
      ? await this.db.selectFrom('cmi5_sessions as s').innerJoin('cmi5_registrations as r', 'r.registration', 's.registration')
        .select(['s.id', 's.tenant_id', 's.registration', 's.activity_id', 's.fetch_secret_sha256', 's.fetched_at', 's.terminated_at', 's.abandoned_at', 'r.person_id'])
        .where('s.id', '=', sessionId).executeTakeFirst()
      : undefined;
    const given = Buffer.from(sha256(secret));
    if (!session || !timingSafeEqual(given, Buffer.from(session.fetch_secret_sha256))) return { 'error-code': '2', 'error-text': 'This fetch URL is not valid.' };
    if (session.fetched_at || session.terminated_at || session.abandoned_at) return { 'error-code': '1', 'error-text': 'The authorization token has already been returned, or the session has ended.' };
    const claimed = await this.db.updateTable('cmi5_sessions').set({ fetched_at: new Date(this.now()) }).where('id', '=', sessionId).where('fetched_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { 'error-code': '1', 'error-text': 'The authorization token has already been returned.' };
    const grant = await this.credentials.issue({
      tenantId: session.tenant_id,
      actorKey: personAccountKey(this.publicUrl, session.person_id),
      registration: session.registration,
      courseActivityId: session.activity_id,
      activityIds: [session.activity_id],
      cmi5SessionId: session.id,
    });
    await this.db.updateTable('cmi5_sessions').set({ credential_id: grant.credentialId }).where('id', '=', sessionId).execute();
    return { 'auth-token': grant.auth.replace(/^Basic /, '') };
  }

  async #session(tenantId: string, sessionId: string) {
    return this.db.selectFrom('cmi5_sessions as s').innerJoin('cmi5_registrations as r', 'r.registration', 's.registration')
      .innerJoin('content_packages as p', 'p.id', 'r.package_id')
      .select(['s.id', 's.registration', 's.au_id', 's.activity_id', 's.launch_mode', 's.initialized_at', 's.terminated_at', 's.abandoned_at', 's.defined_verbs', 's.launched_at', 's.preferences_read_at',
        'r.package_id', 'r.enrolment_id', 'p.manifest'])
      .where('s.tenant_id', '=', tenantId).where('s.id', '=', sessionId).executeTakeFirst();
  }

  async #achievements(registration: string): Promise<Map<string, AuAchievement & { score: number | null; satisfied: boolean }>> {
    const rows = await this.db.selectFrom('cmi5_registration_results').selectAll().where('registration', '=', registration).execute();
    return new Map(rows.map((r) => [r.node_id, {
      completed: r.completed_at !== null, passed: r.passed_at !== null, waived: r.waived_at !== null, satisfied: r.satisfied_at !== null, score: r.score === null ? null : Number(r.score),
    }]));
  }

  /**
   * Runs one statement request of an AU session alone: the rules are checked against the session
   * as the previous request left it, so two batches sent at once cannot both pass a rule only one
   * may (a second completed, passed after failed). The session's writer lease (a row update, not a
   * held connection) serialises across processes and lapses if its holder dies; a request that
   * cannot get it within SESSION_WAIT_MS is answered 429 with Retry-After.
   */
  async serialised<T>(tenantId: string, sessionId: string, work: () => Promise<T>): Promise<T> {
    const writer = randomUUID();
    const started = this.now();
    for (let delay = 2; ; delay = Math.min(delay * 2, 40)) {
      const claimed = await this.db.updateTable('cmi5_sessions').set({ writer, writer_until: sql<Date>`now() + ${`${SESSION_LEASE_SECONDS} seconds`}::interval` })
        .where('tenant_id', '=', tenantId).where('id', '=', sessionId)
        .where((eb) => eb.or([eb('writer', 'is', null), eb('writer_until', '<', sql<Date>`now()`)]))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) break;
      const known = await this.db.selectFrom('cmi5_sessions').select('id').where('tenant_id', '=', tenantId).where('id', '=', sessionId).executeTakeFirst();
      if (!known) return work();
      if (this.now() - started > SESSION_WAIT_MS) throw new XapiError('too-many-requests', 'Another statement request of this cmi5 session is still being handled; send again.', 1);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    try {
      return await work();
    } finally {
      await this.db.updateTable('cmi5_sessions').set({ writer: null, writer_until: null }).where('id', '=', sessionId).where('writer', '=', writer).execute();
    }
  }

  /** §11: the session's AU has read the learner preferences (it may send initialized now). */
  async preferencesRead(tenantId: string, sessionId: string): Promise<void> {
    await this.db.updateTable('cmi5_sessions').set({ preferences_read_at: new Date(this.now()) })
      .where('tenant_id', '=', tenantId).where('id', '=', sessionId).where('preferences_read_at', 'is', null).execute();
  }

  /** The cmi5 rules (statement-rules.ts) over what a session's AU is about to store. */
  async checkStatements(tenantId: string, sessionId: string, statements: readonly unknown[]): Promise<void> {
    const session = await this.#session(tenantId, sessionId);
    if (!session || session.manifest.standard !== 'cmi5') throw new XapiError('forbidden', 'This cmi5 session is not known.');
    const au = findNode(session.manifest, session.au_id);
    const achieved = (await this.#achievements(session.registration)).get(session.au_id);
    checkSessionStatements({
      sessionId: session.id,
      activityId: session.activity_id,
      publisherId: session.au_id,
      launchMode: session.launch_mode,
      masteryScore: au?.kind === 'au' ? au.masteryScore : null,
      initialized: session.initialized_at !== null,
      preferencesRead: session.preferences_read_at !== null,
      ended: session.terminated_at !== null || session.abandoned_at !== null,
      definedVerbs: session.defined_verbs,
      registration: { completed: achieved?.completed ?? false, passed: achieved?.passed ?? false },
    }, statements);
  }

  /**
   * After the AU's statements are stored: the session and the registration's results move on, and
   * the blocks and the course that became satisfied get their satisfied statement (with this
   * session's id, §9.3.9). Returns the registration.
   */
  async recordStatements(tenantId: string, sessionId: string, statements: readonly unknown[]): Promise<string | undefined> {
    const session = await this.#session(tenantId, sessionId);
    if (!session || session.manifest.standard !== 'cmi5') return undefined;
    const achieved = (await this.#achievements(session.registration)).get(session.au_id);
    const au = findNode(session.manifest, session.au_id);
    // The statements passed the rules before they were stored: read again, they give the change.
    const change = checkSessionStatements({
      sessionId: session.id, activityId: session.activity_id, publisherId: session.au_id, launchMode: session.launch_mode,
      masteryScore: au?.kind === 'au' ? au.masteryScore : null, initialized: session.initialized_at !== null, preferencesRead: true, ended: false,
      definedVerbs: session.defined_verbs, registration: { completed: achieved?.completed ?? false, passed: achieved?.passed ?? false },
    }, statements);
    const at = new Date(this.now());
    await this.db.updateTable('cmi5_sessions').set({
      defined_verbs: change.definedVerbs,
      last_statement_at: at,
      ...(change.initialized && session.initialized_at === null ? { initialized_at: at } : {}),
      ...(change.terminated ? { terminated_at: at } : {}),
    }).where('id', '=', sessionId).execute();
    if (change.completed || change.passed || change.failed) {
      const score = change.passed?.score ?? change.failed?.score ?? null;
      await this.db.insertInto('cmi5_registration_results').values({
        tenant_id: tenantId, registration: session.registration, node_id: session.au_id,
        completed_at: change.completed ? at : null, passed_at: change.passed ? at : null, failed_at: change.failed ? at : null, score,
      }).onConflict((oc) => oc.columns(['registration', 'node_id']).doUpdateSet({
        completed_at: sql`coalesce(cmi5_registration_results.completed_at, excluded.completed_at)`,
        passed_at: sql`coalesce(cmi5_registration_results.passed_at, excluded.passed_at)`,
        failed_at: sql`coalesce(excluded.failed_at, cmi5_registration_results.failed_at)`,
        score: sql`coalesce(excluded.score, cmi5_registration_results.score)`,
      })).execute();
    }
    await this.satisfy(tenantId, session.registration, sessionId);
    return session.registration;
  }

  /**
   * States what the registration has satisfied and not yet said (§9.3.9): blocks inner first, then
   * the course, each once. `sessionId` is the AU session that caused it, or a new id when the LMS
   * decided by itself (§9.6.1: NotApplicable AUs at registration).
   */
  async satisfy(tenantId: string, registration: string, sessionId: string = randomUUID()): Promise<void> {
    const row = await this.db.selectFrom('cmi5_registrations as r').innerJoin('content_packages as p', 'p.id', 'r.package_id').select(['r.package_id', 'p.manifest', 'r.person_id']).where('r.tenant_id', '=', tenantId).where('r.registration', '=', registration).executeTakeFirst();
    if (!row || row.manifest.standard !== 'cmi5') return;
    const manifest = row.manifest;
    const achievements = await this.#achievements(registration);
    const actor: Cmi5Actor = { objectType: 'Agent', account: { homePage: this.publicUrl, name: row.person_id } };
    for (const parent of satisfiedParents(manifest, achievements)) {
      if (achievements.get(parent.id)?.satisfied) continue;
      const claimed = await this.db.insertInto('cmi5_registration_results')
        .values({ tenant_id: tenantId, registration, node_id: parent.id, satisfied_at: new Date(this.now()) })
        .onConflict((oc) => oc.columns(['registration', 'node_id']).doUpdateSet({ satisfied_at: sql`excluded.satisfied_at` }).where('cmi5_registration_results.satisfied_at', 'is', null))
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) continue;
      const node = parent.kind === 'course' ? manifest.course : findNode(manifest, parent.id)!;
      const object = {
        objectType: 'Activity', id: this.activityId(row.package_id, parent.kind, parent.id),
        definition: { type: parent.kind === 'course' ? CMI5.activityTypes.course : CMI5.activityTypes.block, name: node.title, description: node.description },
      };
      await this.own.store(tenantId, [this.#statement(actor, registration, CMI5.verbs.satisfied, object, parent.id, { extensions: { [CMI5.extensions.sessionId]: sessionId } })]);
    }
  }

  /**
   * §9.3.7: the LMS waives an AU of a registration for a reason (§9.5.5.2). The waived statement
   * has a session id of its own, result success and completion true and the moveOn category; the
   * blocks and the course it satisfies follow with that session id (§9.3.9). At most once per AU
   * and registration, and never for an AU whose moveOn is already met.
   */
  async waive(tenantId: string, registration: string, auId: string, reason: WaiveReason): Promise<WaiveOutcome> {
    const row = await this.db.selectFrom('cmi5_registrations as r').innerJoin('content_packages as p', 'p.id', 'r.package_id').select(['r.package_id', 'p.manifest', 'r.person_id']).where('r.tenant_id', '=', tenantId).where('r.registration', '=', registration).executeTakeFirst();
    if (!row || row.manifest.standard !== 'cmi5') return { kind: 'not-found' };
    const au = findNode(row.manifest, auId);
    if (au?.kind !== 'au') return { kind: 'not-found' };
    const achieved = (await this.#achievements(registration)).get(au.id);
    if (achieved?.waived) return { kind: 'already-waived' };
    if (auSatisfied(au, new Map(achieved ? [[au.id, achieved]] : []))) return { kind: 'already-satisfied' };
    const at = new Date(this.now());
    const claimed = await this.db.insertInto('cmi5_registration_results')
      .values({ tenant_id: tenantId, registration, node_id: au.id, waived_at: at, waived_reason: reason })
      .onConflict((oc) => oc.columns(['registration', 'node_id']).doUpdateSet({ waived_at: sql`excluded.waived_at`, waived_reason: sql`excluded.waived_reason` }).where('cmi5_registration_results.waived_at', 'is', null))
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return { kind: 'already-waived' };
    const sessionId = randomUUID();
    const actor: Cmi5Actor = { objectType: 'Agent', account: { homePage: this.publicUrl, name: row.person_id } };
    const statement = this.#statement(actor, registration, CMI5.verbs.waived, this.#auObject(this.activityId(row.package_id, 'au', au.id), au), au.id, {
      extensions: { [CMI5.extensions.sessionId]: sessionId },
      result: { success: true, completion: true, extensions: { [CMI5.extensions.reason]: reason } },
      moveOn: true,
    });
    await this.own.store(tenantId, [statement]);
    await this.satisfy(tenantId, registration, sessionId);
    return { kind: 'waived', sessionId, personId: row.person_id };
  }

  /** §9.3.6: ends a session left without terminated; the AU's credential stops at once. */
  async abandon(tenantId: string, sessionId: string): Promise<boolean> {
    const at = new Date(this.now());
    const ended = await this.db.updateTable('cmi5_sessions').set({ abandoned_at: at })
      .where('tenant_id', '=', tenantId).where('id', '=', sessionId).where('terminated_at', 'is', null).where('abandoned_at', 'is', null)
      .returning(['registration', 'au_id', 'activity_id', 'launched_at', 'last_statement_at', 'credential_id']).executeTakeFirst();
    if (!ended) return false;
    if (ended.credential_id) await this.db.updateTable('xapi_launch_credentials').set({ closes_at: at }).where('id', '=', ended.credential_id).execute();
    const row = await this.db.selectFrom('cmi5_registrations as r').innerJoin('content_packages as p', 'p.id', 'r.package_id')
      .select(['r.person_id', 'p.manifest']).where('r.registration', '=', ended.registration).executeTakeFirst();
    if (!row || row.manifest.standard !== 'cmi5') return true;
    const au = findNode(row.manifest, ended.au_id);
    const actor: Cmi5Actor = { objectType: 'Agent', account: { homePage: this.publicUrl, name: row.person_id } };
    // §9.5.4.2: from launched to the AU's last statement.
    const until = ended.last_statement_at ?? ended.launched_at;
    const duration = isoDuration(Math.max(0, until.getTime() - ended.launched_at.getTime()));
    await this.own.store(tenantId, [this.#statement(actor, ended.registration, CMI5.verbs.abandoned, this.#auObject(ended.activity_id, au?.kind === 'au' ? au : undefined), ended.au_id, {
      extensions: { [CMI5.extensions.sessionId]: sessionId }, result: { duration },
    })]);
    return true;
  }

  /** Abandons every session launched more than `idleMs` ago whose AU has been silent as long. */
  async abandonStale(idleMs: number): Promise<number> {
    const before = new Date(this.now() - idleMs);
    const stale = await this.db.selectFrom('cmi5_sessions').select(['id', 'tenant_id'])
      .where('terminated_at', 'is', null).where('abandoned_at', 'is', null).where('launched_at', '<', before)
      .where((eb) => eb.or([eb('last_statement_at', 'is', null), eb('last_statement_at', '<', before)]))
      .limit(500).execute();
    let count = 0;
    for (const session of stale) if (await this.abandon(session.tenant_id, session.id)) count += 1;
    return count;
  }

  #auObject(activityId: string, au: Cmi5Au | undefined): Json {
    return {
      objectType: 'Activity', id: activityId,
      ...(au ? { definition: { name: au.title, description: au.description, ...(au.activityType ? { type: au.activityType } : {}) } } : {}),
    };
  }

  /** A statement the LMS makes (§9): the cmi5 category and the publisher id in the grouping. */
  #statement(actor: Cmi5Actor, registration: string, verb: string, object: Json, publisherId: string, extra: { extensions: Json; result?: Json; moveOn?: boolean }): Json {
    return {
      id: randomUUID(),
      timestamp: new Date(this.now()).toISOString(),
      actor,
      verb: verbObject(verb),
      object,
      ...(extra.result ? { result: extra.result } : {}),
      context: {
        registration,
        contextActivities: {
          grouping: [{ objectType: 'Activity', id: publisherId }],
          category: [{ objectType: 'Activity', id: CMI5.categories.cmi5 }, ...(extra.moveOn ? [{ objectType: 'Activity', id: CMI5.categories.moveOn }] : [])],
        },
        extensions: extra.extensions,
      },
    };
  }
}

/** The course title in the learner's language. */
export function courseTitle(manifest: Cmi5Manifest, locale: string): string {
  return inLanguage(manifest.course.title, locale) ?? manifest.title;
}
