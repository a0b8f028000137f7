import { sql, type Insertable, type Kysely, type OnConflictBuilder, type RawBuilder, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { storeAttachments, type AttachmentParts } from './attachment-store.js';
import { findXapiClientsById } from './credentials.js';
import { comparableStatement } from './durations.js';
import { XapiError } from './errors.js';
import { completeStatement, extractColumns } from './extract.js';
import { jsonEqual } from './json-equal.js';
import { XapiInvalid } from './validation/invalid.js';
import { mergeActivities, type PendingVoid, type StatementGroups, type StatementWrite } from './statement-groups.js';
import { defaultStatementVersion, type XapiVersion } from './version.js';
import { ownTenantReader, visibleSql, type Reader } from './visibility.js';

type Json = Record<string, unknown>;

/** The authority the LRS sets on every statement a client writes (§2.4.9): the client itself. */
export function clientAuthority(reader: Reader): Json {
  return {
    objectType: 'Agent',
    name: reader.client.name,
    account: { homePage: `${reader.publicUrl}/xapi/clients`, name: reader.client.key },
  };
}

/** A re-sent statement is the same when it matches the stored one apart from what the LRS set. */
function sameStatement(received: Json, stored: Json, version: XapiVersion): boolean {
  const comparable: Json = { ...stored };
  delete comparable['stored'];
  delete comparable['authority'];
  for (const key of ['id', 'timestamp', 'version']) if (!(key in received)) delete comparable[key];
  const incoming: Json = { ...received };
  delete incoming['stored'];
  delete incoming['authority'];
  if (typeof incoming['id'] === 'string') incoming['id'] = incoming['id'].toLowerCase();
  const normalised = completeStatement(incoming, { stored: '', authority: null, version: '' });
  for (const key of ['stored', 'authority']) delete normalised[key];
  for (const key of ['id', 'timestamp', 'version']) if (!(key in received)) delete normalised[key];
  return jsonEqual(comparableStatement(normalised, version), comparableStatement(comparable, version));
}

async function checkVoidingTargets(trx: Transaction<Schema>, tenantId: string, statements: Json[], targets: string[]): Promise<void> {
  if (targets.length === 0) return;
  const voiding = await trx
    .selectFrom('xapi_statements')
    .select('statement_id')
    .where('tenant_id', '=', tenantId)
    .where('statement_id', 'in', targets)
    .where('is_voiding', '=', true)
    .execute();
  const inBatch = new Set(statements.filter((s) => (s['verb'] as Json)['id'] === 'http://adlnet.gov/expapi/verbs/voided').map((s) => String(s['id'])));
  const bad = voiding.map((row) => row.statement_id).concat(targets.filter((target) => inBatch.has(target)));
  if (bad.length > 0) throw new XapiInvalid('object.id', `statement ${bad[0]} is itself a voiding statement and cannot be voided`);
}

/**
 * Stores a batch in one transaction (§2.1.2: all or nothing) in the writer's own tenant, which is
 * its own LRS: ids, conflicts and voiding are resolved among that tenant's statements only. Ids
 * already held there are accepted when the statement is the same and refused with 409 when it
 * differs. Voiding marks its target voided only when the writer can see the target; voiding an
 * unknown statement is allowed, and the statement is voided when it arrives later (see `voidPending`).
 */
export async function storeStatements(
  db: Kysely<Schema>,
  groups: StatementGroups,
  reader: Reader,
  received: Json[],
  attachments: AttachmentParts,
  version: XapiVersion = '1.0',
): Promise<string[]> {
  try {
    return await store(db, groups, reader, received, attachments, version);
  } catch (error) {
    // JSON allows "\u0000" in strings; PostgreSQL's jsonb cannot hold it.
    if ((error as { code?: unknown }).code !== UNTRANSLATABLE_CHARACTER) throw error;
    const index = received.findIndex((statement) => JSON.stringify(statement).includes('\\u0000'));
    throw new XapiInvalid(received.length > 1 ? `statements[${Math.max(index, 0)}]` : 'statement', 'holds the character U+0000 (\\u0000), which this LRS cannot store');
  }
}

async function store(
  db: Kysely<Schema>,
  groups: StatementGroups,
  reader: Reader,
  received: Json[],
  attachments: AttachmentParts,
  version: XapiVersion,
): Promise<string[]> {
  const stored = new Date().toISOString();
  const authority = clientAuthority(reader);
  const complete = received.map((statement) => completeStatement(statement, { stored, authority, version: defaultStatementVersion(version) }));
  const ids = complete.map((statement) => String(statement['id']));
  if (new Set(ids).size !== ids.length) throw new XapiInvalid('statements', 'the batch holds the same statement id twice');
  const extracted = complete.map((statement) => extractColumns(statement));
  const voidTargets = extracted.filter((e) => e.columns.is_voiding).map((e) => e.columns.object_statement_ref as string);
  const { tenantId } = reader.client;
  const writer = ownTenantReader(reader.client, reader.publicUrl);
  const write: StatementWrite = {
    rows: complete.map((statement, index) => ({
      statement_id: ids[index] as string,
      tenant_id: tenantId,
      client_id: reader.client.id,
      statement,
      stored,
      ...(extracted[index] as ReturnType<typeof extractColumns>).columns,
    })),
    activities: mergeActivities(
      extracted.flatMap((e) => e.activities.map((a) => ({ tenant_id: tenantId, activity_id: String(a['id']), definition: a['definition'] as Json }))),
    ),
  };

  // The common case in one round trip, grouped with other requests' writes: one INSERT is atomic by
  // itself. A statement id already held makes it fail as a whole; then the careful path decides.
  if (voidTargets.length === 0 && attachments.size === 0) {
    try {
      await voidPending(db, reader.publicUrl, await groups.insert(write));
      return ids;
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
  }

  const rows: StatementRow[] = write.rows.map((row) => ({ ...row, statement: JSON.stringify(row.statement), stored: new Date(stored) }) as StatementRow);
  const activities: ActivityRow[] = write.activities.map((a) => ({ ...a, definition: JSON.stringify(a.definition) }));
  await db.transaction().execute(async (trx) => {
    // Meets concurrent writes of the targets (migration 0302): whichever commits second sees the other.
    const lockKeys = voidTargets.map((target) => `${tenantId} ${target}`);
    if (voidTargets.length > 0) await sql`select xapi_lock_statement_ids(${lockKeys}::text[], true)`.execute(trx);
    await checkVoidingTargets(trx, tenantId, complete, voidTargets);
    const inserted = await trx
      .insertInto('xapi_statements')
      .values(rows)
      .onConflict((oc) => oc.columns(['tenant_id', 'statement_id']).doNothing())
      .returning('statement_id')
      .execute();
    if (inserted.length < ids.length) await checkDuplicates(trx, tenantId, received, ids, new Set(inserted.map((r) => r.statement_id)), version);
    if (voidTargets.length > 0) await voidTargetsVisibleTo(trx, writer, voidTargets);
    if (activities.length > 0) await upsertActivities(trx, activities);
    await storeAttachments(trx, tenantId, attachments);
  });
  // Once committed, voiding is settled again outside the transaction: a target committed by another
  // request on this careful path while this one ran was invisible to it, and this batch was
  // invisible to that request. Each side looking after its own commit means one of them always sees the other.
  if (voidTargets.length > 0) await voidTargetsVisibleTo(db, writer, voidTargets);
  await voidPending(db, reader.publicUrl, await pendingVoids(db, tenantId, ids));
  return ids;
}

async function pendingVoids(db: Kysely<Schema>, tenantId: string, ids: readonly string[]): Promise<PendingVoid[]> {
  const rows = await db
    .selectFrom('xapi_statements')
    .select(['client_id', 'object_statement_ref'])
    .where('tenant_id', '=', tenantId)
    .where('is_voiding', '=', true)
    .where('object_statement_ref', 'in', ids)
    .execute();
  return rows.map((row) => ({ voidingClientId: row.client_id, targetId: row.object_statement_ref as string }));
}

/**
 * Statements that arrive after a voiding statement targeting them are voided then, under the rule a
 * stored target is voided by: only in the voiding statement's own tenant and when its client can see
 * it, and never a voiding statement (Part Two §2.2.1, "voiding statements cannot be voided").
 */
export async function voidPending(db: Kysely<Schema>, publicUrl: string, pending: readonly PendingVoid[]): Promise<void> {
  if (pending.length === 0) return;
  const clients = await findXapiClientsById(db, pending.map((p) => p.voidingClientId));
  for (const { voidingClientId, targetId } of pending) {
    const client = clients.get(voidingClientId);
    if (client) await voidTargetsVisibleTo(db, ownTenantReader(client, publicUrl), [targetId]);
  }
}

async function checkDuplicates(
  trx: Transaction<Schema>,
  tenantId: string,
  received: Json[],
  ids: string[],
  inserted: Set<string>,
  version: XapiVersion,
): Promise<void> {
  const existing = await trx
    .selectFrom('xapi_statements')
    .select(['statement_id', 'statement'])
    .where('tenant_id', '=', tenantId)
    .where('statement_id', 'in', ids.filter((id) => !inserted.has(id)))
    .execute();
  for (const row of existing) {
    const index = ids.indexOf(row.statement_id);
    if (!sameStatement(received[index] as Json, row.statement as Json, version)) {
      throw new XapiError('conflict', `A different statement with id ${row.statement_id} is already stored.`);
    }
  }
}

async function voidTargetsVisibleTo(db: Kysely<Schema>, reader: Reader, targets: string[]): Promise<void> {
  await db
    .updateTable('xapi_statements as s')
    .set({ voided: true })
    .where('s.statement_id', 'in', targets)
    .where('s.is_voiding', '=', false)
    .where('s.voided', '=', false)
    .where(visibleSql('s', reader))
    .execute();
}

const UNIQUE_VIOLATION = '23505';
const UNTRANSLATABLE_CHARACTER = '22P05';

/** §2.5: the Activity holds all it was given; name and description merge language by language (migration 0302). */
function mergedDefinition(held: string, given: string): RawBuilder<string> {
  return sql<string>`xapi_merged_definition(${sql.ref(held)}, ${sql.ref(given)})`;
}

/**
 * The activities whose held definition the given one would change (or that are new). Most statements
 * repeat a definition already held; leaving those rows out means they are neither rewritten nor
 * locked, so concurrent statements about the same activity do not queue behind each other's commit.
 * Skipping on a snapshot is safe: when the held definition already holds ours, a concurrent change
 * to it ends as if ours had come first.
 */
function activitySource(activities: ActivityRow[]): RawBuilder<ActivityRow> {
  const values = sql.join(activities.map((a) => sql`(${a.tenant_id}::uuid, ${a.activity_id}::text, ${a.definition}::jsonb)`));
  return sql<ActivityRow>`select v.tenant_id, v.activity_id, v.definition
    from (values ${values}) as v (tenant_id, activity_id, definition)
    where not exists (
      select from xapi_activities a
      where a.tenant_id = v.tenant_id and a.activity_id = v.activity_id
        and a.definition = ${mergedDefinition('a.definition', 'v.definition')}
    )`;
}

const ACTIVITY_COLUMNS = ['tenant_id', 'activity_id', 'definition'] as const;

function onActivityConflict(oc: OnConflictBuilder<Schema, 'xapi_activities'>) {
  return oc
    .columns(['tenant_id', 'activity_id'])
    .doUpdateSet({ definition: mergedDefinition('xapi_activities.definition', 'excluded.definition') });
}

type StatementRow = Insertable<Schema['xapi_statements']>;
type ActivityRow = Insertable<Schema['xapi_activities']>;

async function upsertActivities(db: Kysely<Schema>, activities: ActivityRow[]): Promise<void> {
  await db
    .insertInto('xapi_activities')
    .columns(ACTIVITY_COLUMNS)
    .expression(activitySource(activities))
    .onConflict(onActivityConflict)
    .execute();
}
