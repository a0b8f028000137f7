import { sql, type Kysely } from 'kysely';
import { GroupCommit } from '../db/group-commit.js';
import { prepared } from '../db/prepared.js';
import type { Schema } from '../db/schema.js';
import type { FlatCmi } from './tables.js';

/**
 * One commit's write: the SCO's new state and its history row, applied only if the state row still
 * has the session and sequence number the commit was built on (compare-and-set).
 */
export interface GuardedCommitWrite {
  tenantId: string;
  attemptId: string;
  scoId: string;
  session: number;
  /** The state's last_seq the new state was computed from. */
  expectedSeq: number;
  seq: number;
  terminate: boolean;
  cmi: FlatCmi;
  openSessionSeconds: number;
  completionStatus: string;
  successStatus: string;
  lessonStatus: string | null;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  scoreScaled: number | null;
  completedAt: Date | null;
  updatedAt: Date;
  /** The commit as received, for the history. */
  body: Record<string, unknown>;
}

export interface CommitWriterOptions {
  /** Most commits written by one statement. */
  maxBatch?: number;
  /** Statements in flight at once (each on its own connection). */
  maxInFlight?: number;
}

/**
 * Writes commits as a group commit (src/db/group-commit.ts): the commits that arrive while earlier
 * ones are being written go together in ONE statement, and each caller learns whether its own guard
 * matched, after that statement has committed, so batching changes nothing about durability.
 *
 * Two commits of the same SCO are never in flight together (the second waits for the next
 * statement), so this process's statements never wait on each other's row locks. Should one
 * statement fail (a deadlock with another process, a row the database refuses), its commits are
 * written one by one, so only a commit that fails on its own is refused.
 */
export class CommitWriter {
  readonly #db: Kysely<Schema>;
  readonly #groups: GroupCommit<GuardedCommitWrite, boolean>;

  constructor(db: Kysely<Schema>, options: CommitWriterOptions = {}) {
    this.#db = db;
    // One text for any number of commits (they arrive as one jsonb array): planned once per connection.
    prepared(commitStatement('[]').compile(db).sql);
    this.#groups = new GroupCommit(async (writes) => {
      const stored = await this.#statement(writes);
      return writes.map((_, i) => stored.has(i));
    }, {
      inFlight: options.maxInFlight ?? 2,
      maxWeight: options.maxBatch ?? 100,
      key: (write) => `${write.attemptId}\u0000${write.scoId}`,
    });
  }

  /** Resolves true when the commit is stored, false when its guard did not match (nothing written). */
  write(write: GuardedCommitWrite): Promise<boolean> {
    return this.#groups.submit(write);
  }

  /** Writes the commits in one statement; returns the positions of those whose guard matched. */
  async #statement(writes: readonly GuardedCommitWrite[]): Promise<Set<number>> {
    const rows = writes.map((w, idx) => ({
      idx,
      tenant_id: w.tenantId,
      attempt_id: w.attemptId,
      sco_id: w.scoId,
      session: w.session,
      expected_seq: w.expectedSeq,
      seq: w.seq,
      terminate: w.terminate,
      cmi: w.cmi,
      open_session_seconds: w.openSessionSeconds,
      completion_status: w.completionStatus,
      success_status: w.successStatus,
      lesson_status: w.lessonStatus,
      score_raw: w.scoreRaw,
      score_min: w.scoreMin,
      score_max: w.scoreMax,
      score_scaled: w.scoreScaled,
      completed_at: w.completedAt,
      updated_at: w.updatedAt,
      body: w.body,
    }));
    const result = await commitStatement(JSON.stringify(rows)).execute(this.#db);
    return new Set(result.rows.map((r) => Number(r.idx)));
  }
}

const commitStatement = (rowsJson: string) => sql<{ idx: number }>`
  with input as (
    select * from jsonb_to_recordset(${rowsJson}::jsonb) as i(
      idx integer, tenant_id uuid, attempt_id uuid, sco_id text, session integer, expected_seq bigint,
      seq bigint, terminate boolean, cmi jsonb, open_session_seconds double precision,
      completion_status text, success_status text, lesson_status text, score_raw double precision,
      score_min double precision, score_max double precision, score_scaled double precision,
      completed_at timestamptz, updated_at timestamptz, body jsonb)
  ),
  updated as (
    update scorm_sco_states s set
      cmi = i.cmi, last_seq = i.seq, open_session_seconds = i.open_session_seconds,
      terminated = i.terminate, commit_count = s.commit_count + 1,
      completion_status = i.completion_status, success_status = i.success_status, lesson_status = i.lesson_status,
      score_raw = i.score_raw, score_min = i.score_min, score_max = i.score_max, score_scaled = i.score_scaled,
      completed_at = i.completed_at, updated_at = i.updated_at
    from input i
    where s.attempt_id = i.attempt_id and s.sco_id = i.sco_id
      and s.session = i.session and s.last_seq = i.expected_seq
    returning i.idx
  ),
  history as (
    insert into scorm_commits (tenant_id, attempt_id, sco_id, session, seq, terminate, accepted, body)
    select i.tenant_id, i.attempt_id, i.sco_id, i.session, i.seq, i.terminate, true, i.body
    from input i join updated u on u.idx = i.idx
    order by i.idx
  )
  select idx from updated`;
