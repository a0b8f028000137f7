import { sql, type Kysely } from 'kysely';
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

interface Queued {
  readonly write: StatementWrite;
  readonly resolve: (pending: PendingVoid[]) => void;
  readonly reject: (error: unknown) => void;
}

export interface StatementGroupLimits {
  /** Groups being written at once; further writes queue and go together in the next group. */
  readonly inFlight: number;
  /** Statements in one group (a larger request still goes, alone). */
  readonly statements: number;
}

export interface StatementGroupStats {
  groups: number;
  writes: number;
  /** Writes of a failed group that were then stored one by one. */
  retriedAlone: number;
}

/**
 * Group commit: writes that arrive while others are being written go to PostgreSQL together, as one
 * INSERT in one transaction, so a burst of single-statement POSTs costs one round trip and one
 * commit instead of one each. Each write still gets its own answer only after the group committed.
 * When a group fails (a statement id already held, anything else), each of its writes is tried
 * again alone, so one request's conflict or bad statement never fails another request.
 */
export class StatementGroups {
  readonly stats: StatementGroupStats = { groups: 0, writes: 0, retriedAlone: 0 };
  readonly #queue: Queued[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly limits: StatementGroupLimits = { inFlight: 2, statements: 1000 },
  ) {}

  /** Resolves once the write is committed, with the voiding statements that name its statements. */
  insert(write: StatementWrite): Promise<PendingVoid[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight >= this.limits.inFlight) return;
    this.#scheduled = true;
    // After the current I/O callbacks, so that requests read in the same turn go in one group.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#queue.length > 0 && this.#inFlight < this.limits.inFlight) {
        const group = this.#take();
        this.#inFlight += 1;
        void this.#write(group).finally(() => {
          this.#inFlight -= 1;
          this.#schedule();
        });
      }
    });
  }

  #take(): Queued[] {
    const group = [this.#queue.shift() as Queued];
    let statements = (group[0] as Queued).write.rows.length;
    while (this.#queue.length > 0 && statements + (this.#queue[0] as Queued).write.rows.length <= this.limits.statements) {
      const next = this.#queue.shift() as Queued;
      statements += next.write.rows.length;
      group.push(next);
    }
    return group;
  }

  async #write(group: Queued[]): Promise<void> {
    this.stats.groups += 1;
    this.stats.writes += group.length;
    let pending: PendingVoid[];
    try {
      pending = await insertStatements(this.db, group.map((queued) => queued.write));
    } catch (error) {
      if (group.length === 1) {
        (group[0] as Queued).reject(error);
        return;
      }
      this.stats.retriedAlone += group.length;
      await Promise.all(group.map((queued) => insertStatements(this.db, [queued.write]).then(queued.resolve, queued.reject)));
      return;
    }
    for (const queued of group) {
      const ids = new Set(queued.write.rows.map((row) => row.statement_id));
      queued.resolve(pending.filter((p) => ids.has(p.targetId)));
    }
  }
}
