import type { Kysely } from 'kysely';
import type { ManifestItem, ScormStandard } from '../content/manifest-model.js';
import type { Schema } from '../db/schema.js';
import type { AttemptClaims } from './attempt-token.js';
import type { CommitWriter } from './commit-writer.js';
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
 * Stores one commit: the new state and its history row in ONE statement (the writer's), guarded by
 * the session and the sequence number read just before (compare-and-set). No explicit transaction,
 * and still all-or-nothing: when the statement returns, both rows are committed, so the
 * acknowledgement may go out. With `memory`, the next commit of the same SCO in the same session
 * builds on the state written here and needs no read; its guard still decides.
 */
export async function storeCommit(db: Kysely<Schema>, writer: CommitWriter, c: CommitInput, memory?: ScoStateMemory): Promise<StoreResult> {
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
    const stored = await writer.write({
      tenantId: c.claims.tenantId,
      attemptId: c.claims.attemptId,
      scoId: c.scoId,
      session: c.session,
      expectedSeq: state.last_seq,
      seq: c.seq,
      terminate: c.terminate,
      cmi,
      openSessionSeconds: openSeconds,
      completionStatus: o.completionStatus,
      successStatus: o.successStatus,
      lessonStatus: o.lessonStatus,
      scoreRaw: o.scoreRaw,
      scoreMin: o.scoreMin,
      scoreMax: o.scoreMax,
      scoreScaled: o.scoreScaled,
      completedAt,
      updatedAt: now,
      body: c.body,
    });
    if (stored) {
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
