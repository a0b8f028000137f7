import { sql, type Kysely } from 'kysely';
import { GroupCommit, type GroupCommitStats } from '../db/group-commit.js';
import type { Schema } from '../db/schema.js';
import { isPlainObject } from './validation/primitives.js';

type Json = Record<string, unknown>;

/** One xapi_statements row as the xapi_insert_statements function takes it (migration 0302). */
export interface StatementRowJson {
  readonly statement_id: string;
  readonly tenant_id: string;
  readonly client_id: string;
  readonly statement: Json;
  /** ISO 8601. */
  readonly stored: string;
  readonly [column: string]: unknown;
}

export interface ActivityInput {
  readonly tenant_id: string;
  readonly activity_id: string;
  readonly definition: Json;
}

/** What one request stores: its statements, all or none, and the activity definitions they carry. */
export interface StatementWrite {
  readonly rows: readonly StatementRowJson[];
  readonly activities: readonly ActivityInput[];
}

/** A voiding statement already stored that names one of the new statements. */
export interface PendingVoid {
  readonly voidingClientId: string;
  readonly targetId: string;
}

/** §2.5: a later definition adds to an earlier one; name and description merge language by language. */
export function mergeDefinitions(before: Json, definition: Json): Json {
  const merged: Json = { ...before, ...definition };
  for (const key of ['name', 'description']) {
    if (isPlainObject(before[key]) && isPlainObject(definition[key])) merged[key] = { ...before[key], ...definition[key] };
  }
  return merged;
}

/** One row per (tenant, activity), the definitions merged in the order given. */
export function mergeActivities(activities: readonly ActivityInput[]): ActivityInput[] {
  const latest = new Map<string, ActivityInput>();
  for (const activity of activities) {
    const key = `${activity.tenant_id} ${activity.activity_id}`;
    const before = latest.get(key);
    latest.set(key, before ? { ...activity, definition: mergeDefinitions(before.definition, activity.definition) } : activity);
  }
  return [...latest.values()];
}

/**
 * Stores writes in one statement and one round trip (atomic by itself), and answers the voiding
 * statements that arrived before them. A statement id already held fails the call as a whole
 * (unique violation, SQLSTATE 23505).
 */
export async function insertStatements(db: Kysely<Schema>, writes: readonly StatementWrite[]): Promise<PendingVoid[]> {
  const rows = writes.length === 1 ? (writes[0] as StatementWrite).rows : writes.flatMap((w) => w.rows);
  const activities = mergeActivities(writes.flatMap((w) => w.activities));
  const result = await sql<{ voiding_client_id: string; target_id: string }>`
    select voiding_client_id, target_id
    from xapi_insert_statements(${JSON.stringify(rows)}::jsonb, ${JSON.stringify(activities)}::jsonb)`.execute(db);
  return result.rows.map((row) => ({ voidingClientId: row.voiding_client_id, targetId: row.target_id }));
}

export interface StatementGroupLimits {
  /** Groups being written at once; further writes queue and go together in the next group. */
  readonly inFlight: number;
  /** Statements in one group (a larger request still goes, alone). */
  readonly statements: number;
}

/**
 * Group commit of statement writes (src/db/group-commit.ts): writes that arrive while others are
 * being written go to PostgreSQL together, as one INSERT in one transaction, so a burst of
 * single-statement POSTs costs one round trip and one commit instead of one each. Each write still
 * gets its own answer only after the group committed. When a group fails (a statement id already
 * held, anything else), each of its writes is tried again alone, so one request's conflict or bad
 * statement never fails another request.
 */
export class StatementGroups {
  readonly #groups: GroupCommit<StatementWrite, PendingVoid[]>;

  constructor(db: Kysely<Schema>, limits: StatementGroupLimits = { inFlight: 2, statements: 1000 }) {
    this.#groups = new GroupCommit(
      async (writes) => {
        const pending = await insertStatements(db, writes);
        return writes.map((write) => {
          const ids = new Set(write.rows.map((row) => row.statement_id));
          return pending.filter((p) => ids.has(p.targetId));
        });
      },
      { inFlight: limits.inFlight, maxWeight: limits.statements, weight: (write) => write.rows.length },
    );
  }

  get stats(): GroupCommitStats {
    return this.#groups.stats;
  }

  /** Resolves once the write is committed, with the voiding statements that name its statements. */
  insert(write: StatementWrite): Promise<PendingVoid[]> {
    return this.#groups.submit(write);
  }
}
