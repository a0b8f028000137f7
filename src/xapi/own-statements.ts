import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { XapiClient, XapiScope } from './credentials.js';
import { completeStatement, extractColumns } from './extract.js';
import { mergeActivities, StatementGroups, type StatementWrite } from './statement-groups.js';
import { clientAuthority, voidPending } from './statement-store.js';

type Json = Record<string, unknown>;

/**
 * The statements the tool itself makes about its learners (src/xapi/emission) are stored in the
 * tenant's own LRS under one client per tenant, the emitter (key `emitter:<tenant id>`), which is
 * their authority. Like the content-launch client its key has a ':' and its secret hash matches no
 * secret, so nobody can sign in as it: the municipality reads the statements with its own clients.
 */
export function emitterClientKey(tenantId: string): string {
  return `emitter:${tenantId}`;
}

const UNIQUE_VIOLATION = '23505';
const EMITTER_SCOPES: readonly XapiScope[] = ['statements/write'];

export class OwnStatements {
  readonly #clients = new Map<string, Promise<XapiClient>>();

  readonly #groups: StatementGroups;

  /** `groups`: the LRS's group commit (src/xapi/statement-groups.ts), so that the statements of
   *  events handled at once, and the LRS's own writes, go to the database together. */
  constructor(private readonly db: Kysely<Schema>, private readonly publicUrl: string, groups?: StatementGroups) {
    this.#groups = groups ?? new StatementGroups(db);
  }

  /** The tenant's emitter client, created the first time it is needed (the unique key makes two at once one). */
  client(tenantId: string): Promise<XapiClient> {
    let client = this.#clients.get(tenantId);
    if (!client) {
      client = emitterClient(this.db, tenantId);
      client.catch(() => this.#clients.delete(tenantId));
      this.#clients.set(tenantId, client);
    }
    return client;
  }

  /**
   * Stores the tool's statements in the tenant's LRS; returns the ids stored now. A statement whose
   * id the tenant holds already is left as it is, whatever it says: the ids are derived from the
   * event that made them, so a replay of the event stores nothing, also when the statement would
   * now read differently (the person was erased in between, a title changed).
   */
  async store(tenantId: string, statements: readonly Json[]): Promise<string[]> {
    if (statements.length === 0) return [];
    const client = await this.client(tenantId);
    // The common case (none held yet) in one round trip: the insert fails as a whole on an id held
    // (a replay), and then only the statements not held are written.
    try {
      return await this.#insert(client, statements);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    const ids = statements.map((s) => String(s['id']).toLowerCase());
    const held = new Set((await this.db.selectFrom('xapi_statements').select('statement_id')
      .where('tenant_id', '=', tenantId).where('statement_id', 'in', ids).execute()).map((r) => r.statement_id));
    const fresh = statements.filter((_, index) => !held.has(ids[index]!));
    if (fresh.length === 0) return [];
    return this.#insert(client, fresh);
  }

  async #insert(client: XapiClient, fresh: readonly Json[]): Promise<string[]> {
    const tenantId = client.tenantId;
    const stored = new Date().toISOString();
    const authority = clientAuthority({ client, publicUrl: this.publicUrl, tenantIds: [tenantId] });
    const complete = fresh.map((statement) => completeStatement(statement, { stored, authority, version: '1.0.0' }));
    const extracted = complete.map((statement) => extractColumns(statement));
    const write: StatementWrite = {
      rows: complete.map((statement, index) => ({
        statement_id: String(statement['id']),
        tenant_id: tenantId,
        client_id: client.id,
        statement,
        stored,
        ...extracted[index]!.columns,
      })),
      activities: mergeActivities(extracted.flatMap((e) => e.activities.map((a) => ({ tenant_id: tenantId, activity_id: String(a['id']), definition: a['definition'] as Json })))),
    };
    // A municipality's client may have voided one of these ids before it arrived (§2.2.1 allows voiding the unknown).
    await voidPending(this.db, this.publicUrl, await this.#groups.insert(write));
    return write.rows.map((row) => row.statement_id);
  }
}

async function emitterClient(db: Kysely<Schema>, tenantId: string): Promise<XapiClient> {
  const find = () => db
    .selectFrom('xapi_clients')
    .select(['id', 'tenant_id', 'name', 'key', 'created_at'])
    .where('key', '=', emitterClientKey(tenantId))
    .executeTakeFirst();
  let row = await find();
  if (!row) {
    await db
      .insertInto('xapi_clients')
      // '!' is no scrypt hash, so no secret ever verifies; the ':' in the key keeps it out of Basic anyway.
      .values({ tenant_id: tenantId, name: 'Læringsløp', key: emitterClientKey(tenantId), secret_hash: '!', scopes: [...EMITTER_SCOPES] })
      .onConflict((oc) => oc.doNothing())
      .execute();
    row = await find();
  }
  if (!row) throw new Error(`no emitter client for tenant ${tenantId}`);
  return { id: row.id, tenantId: row.tenant_id, name: row.name, key: row.key, scopes: EMITTER_SCOPES, createdAt: row.created_at, revokedAt: null, readsMemberStatements: false };
}
