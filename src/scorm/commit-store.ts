import { sql, type Kysely } from 'kysely';
import type { ManifestItem, ScormStandard } from '../content/manifest-model.js';
import type { Schema } from '../db/schema.js';
import type { AttemptClaims } from './attempt-token.js';
import { computeOutcome } from './outcome.js';
import type { ScoOutcome } from './ports.js';
import { parseDuration } from './scorm-time.js';
import type { FlatCmi } from './tables.js';

export interface CommitInput {
  claims: AttemptClaims;
  scoId: string;
  standard: ScormStandard;
  item: ManifestItem | undefined;
  session: number;
  seq: number;
  terminate: boolean;
  /** The writable elements of the commit, already validated. */
  written: FlatCmi;
  /** The commit as received, for the history. */
  body: Record<string, unknown>;
}

export type StoreResult = { kind: 'stored'; outcome: ScoOutcome } | { kind: 'repeat' } | { kind: 'superseded' };

/** How many times a commit is retried when another request for the same SCO changed it first. */
const MAX_RACES = 8;

/** The part of a SCO's stored state a commit builds on. */
interface ScoState {
  cmi: FlatCmi;
  session: number;
  last_seq: number;
  closed_sessions_seconds: number;
  open_session_seconds: number;
  completed_at: Date | null;
}

/**
 * The states this process last wrote, so the next commit of a SCO can skip reading its row. A
 * remembered state is only a guess: the write is guarded by its session and sequence number, and
 * every change to a SCO's row changes one of them (a commit sets last_seq to a higher number, a
 * launch raises the session), so a write built on a stale guess matches no row and the commit
 * reads the row and decides again, exactly as without this memory.
 */
export class ScoStateMemory {
  readonly #states = new Map<string, ScoState>();
  constructor(private readonly max = 2_000) {}

  static key(c: Pick<CommitInput, 'claims' | 'scoId'>): string {
    return `${c.claims.tenantId}:${c.claims.attemptId}:${c.scoId}`;
  }

  get(key: string): ScoState | undefined {
    return this.#states.get(key);
  }

  set(key: string, state: ScoState): void {
    this.#states.delete(key);
    if (this.#states.size >= this.max) {
      const oldest = this.#states.keys().next();
      if (!oldest.done) this.#states.delete(oldest.value);
    }
    this.#states.set(key, state);
  }

  forget(key: string): void {
    this.#states.delete(key);
  }
}

/**
 * Stores one commit: the new state and its history row in ONE statement (an update and an insert
 * joined by a CTE), guarded by the session and the sequence number read just before
 * (compare-and-set). Two round trips, no explicit transaction, and still all-or-nothing: when the
 * statement returns, both rows are committed, so the acknowledgement may go out. With `memory`,
 * the next commit of the same SCO in the same session builds on the state written here and
 * needs one round trip; its guard still decides.
 */
export async function storeCommit(db: Kysely<Schema>, c: CommitInput, memory?: ScoStateMemory): Promise<StoreResult> {
  const key = ScoStateMemory.key(c);
  let remembered = memory?.get(key);
  for (let race = 0; race < MAX_RACES; race += 1) {
    let state: ScoState | undefined;
    if (remembered && remembered.session === c.session && c.seq > remembered.last_seq) {
      state = remembered;
    } else {
      state = await db
        .selectFrom('scorm_sco_states')
        .select(['cmi', 'session', 'last_seq', 'closed_sessions_seconds', 'open_session_seconds', 'completed_at'])
        .where('attempt_id', '=', c.claims.attemptId)
        .where('sco_id', '=', c.scoId)
        .executeTakeFirst();
    }
    remembered = undefined;
    if (!state || c.session !== state.session) {
      memory?.forget(key);
      return { kind: 'superseded' };
    }
    // A beacon repeating a commit already stored (same or lower sequence) is acknowledged again.
    if (c.seq <= state.last_seq) return { kind: 'repeat' };

    const cmi: FlatCmi = { ...state.cmi, ...c.written };
    const sessionTime = c.written['cmi.core.session_time'] ?? c.written['cmi.session_time'];
    const openSeconds = sessionTime !== undefined ? (parseDuration(sessionTime) ?? state.open_session_seconds) : state.open_session_seconds;
    const o = computeOutcome(c.standard, cmi, c.item);
    const now = new Date();
    const completedAt = state.completed_at ?? (o.completionStatus === 'completed' ? now : null);
    const stored = await sql<{ id: number }>`
      with updated as (
        update scorm_sco_states set
          cmi = ${JSON.stringify(cmi)}::jsonb, last_seq = ${c.seq}, open_session_seconds = ${openSeconds},
          terminated = ${c.terminate}, commit_count = commit_count + 1,
          completion_status = ${o.completionStatus}, success_status = ${o.successStatus}, lesson_status = ${o.lessonStatus},
          score_raw = ${o.scoreRaw}, score_min = ${o.scoreMin}, score_max = ${o.scoreMax}, score_scaled = ${o.scoreScaled},
          completed_at = ${completedAt}, updated_at = ${now}
        where attempt_id = ${c.claims.attemptId} and sco_id = ${c.scoId}
          and session = ${c.session} and last_seq = ${state.last_seq}
        returning attempt_id
      )
      insert into scorm_commits (tenant_id, attempt_id, sco_id, session, seq, terminate, accepted, body)
      select ${c.claims.tenantId}, attempt_id, ${c.scoId}, ${c.session}, ${c.seq}, ${c.terminate}, true, ${JSON.stringify(c.body)}::jsonb
      from updated
      returning id`.execute(db);
    if (stored.rows.length === 1) {
      memory?.set(key, { cmi, session: c.session, last_seq: c.seq, closed_sessions_seconds: state.closed_sessions_seconds, open_session_seconds: openSeconds, completed_at: completedAt });
      return {
        kind: 'stored',
        outcome: {
          tenantId: c.claims.tenantId,
          personId: c.claims.personId,
          packageId: c.claims.packageId,
          attemptId: c.claims.attemptId,
          scoId: c.scoId,
          ...o,
          totalTimeSeconds: state.closed_sessions_seconds + openSeconds,
          completedAt,
        },
      };
    }
    // Another commit or a new launch got there first (or the remembered state was stale): read
    // again and decide again.
    memory?.forget(key);
  }
  throw new Error(`commit for ${c.claims.attemptId}/${c.scoId} lost ${MAX_RACES} races in a row`);
}

/** A commit refused because a newer window owns the SCO: kept in the history for support. */
export async function recordRefusedCommit(db: Kysely<Schema>, c: CommitInput, errorCode: number): Promise<void> {
  await db
    .insertInto('scorm_commits')
    .values({
      tenant_id: c.claims.tenantId,
      attempt_id: c.claims.attemptId,
      sco_id: c.scoId,
      session: c.session,
      seq: c.seq,
      terminate: c.terminate,
      accepted: false,
      error_code: errorCode,
      body: JSON.stringify(c.body),
    })
    .execute();
}
