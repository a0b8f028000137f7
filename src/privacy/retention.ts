import { sql, type Kysely } from 'kysely';
import { recordAudit, SYSTEM } from '../audit/audit-log.js';
import type { EvidenceStore } from '../competence/evidence-files.js';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { PollingLoop } from '../background/polling-loop.js';
import { erasePerson } from './erase.js';
import { removeQueuedEvidence } from './evidence-removal.js';

export const DEFAULT_RETENTION_MONTHS = 36;
/** How often a running tool looks for people to erase. */
const RETENTION_CHECK_MS = 24 * 60 * 60 * 1000;
/** The first look comes this long after start, not while the tool is still warming up. */
const FIRST_CHECK_MS = 60 * 1000;

export interface RetentionCandidate {
  readonly tenantId: string;
  readonly personId: string;
  readonly lastActivity: Date;
}

export interface RetentionReport {
  readonly cutoff: Date;
  readonly candidates: readonly RetentionCandidate[];
  /** How many were erased (0 on a dry run). */
  readonly erased: number;
  /** Kept proofs whose keep-until date has passed, removed (0 on a dry run). */
  readonly proofsRemoved: number;
  readonly proofsDue: number;
  /** Erased people's evidence files removed from disk by this run (0 on a dry run). */
  readonly evidenceFilesRemoved: number;
  /** Queued evidence files the disk refused to remove: tried again at the next run. */
  readonly evidenceFilesLeft: number;
}

/**
 * People with no active employment and nothing done for `months`: their last activity is the latest
 * of when they arrived or their details changed, their enrolments, completions, launches of a path,
 * SCORM data, paths they wrote or published, audit events they caused, and the end of their last
 * employment. An employment without an end date, or ending after today, is active.
 */
export async function retentionCandidates(db: Kysely<Schema>, months: number, now = new Date()): Promise<{ cutoff: Date; candidates: RetentionCandidate[] }> {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  const today = now.toISOString().slice(0, 10);
  // Set-based: each source is read once and grouped by person (a national installation holds
  // hundreds of thousands of people; a lookup per person and table would not finish).
  const { rows } = await sql<{ tenant_id: string; person_id: string; last_activity: Date }>`
    with sources (person_id, at) as (
      select person_id, max(updated_at) from path_enrolments group by person_id
      union all select person_id, max(completed_at) from path_completions group by person_id
      union all select e.person_id, max(l.last_launch_at) from path_enrolment_links l join path_enrolments e on e.id = l.enrolment_id group by e.person_id
      union all select a.person_id, max(s.updated_at) from scorm_sco_states s join scorm_attempts a on a.id = s.attempt_id group by a.person_id
      union all select created_by, max(updated_at) from paths group by created_by
      union all select published_by, max(published_at) from path_versions where published_by is not null group by published_by
      union all select actor_id::uuid, max(at) from audit_events where actor_kind = 'person' and actor_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' group by actor_id
      union all select em.person_id, max(m.end_date)::timestamptz from employments m join employees em on em.id = m.employee_id group by em.person_id
    ), latest as (
      select person_id, max(at) as at from sources group by person_id
    )
    select p.tenant_id, p.id as person_id, greatest(p.created_at, p.updated_at, l.at) as last_activity
      from people p
      left join latest l on l.person_id = p.id
     where p.erased_at is null
       -- An anti-join: NOT IN over hundreds of thousands of ids would be compared row by row.
       and not exists (
         select 1 from employments m join employees em on em.id = m.employee_id
          where em.person_id = p.id and (m.end_date is null or m.end_date >= ${today}::date))
       and greatest(p.created_at, p.updated_at, l.at) < ${cutoff}::timestamptz
     order by last_activity, p.id`.execute(db);
  return { cutoff, candidates: rows.map((r) => ({ tenantId: r.tenant_id, personId: r.person_id, lastActivity: new Date(r.last_activity) })) };
}

export interface RetentionOptions {
  readonly months: number;
  readonly publicUrl: string;
  readonly evidence: EvidenceStore;
  readonly dryRun?: boolean;
  readonly now?: Date;
}

/**
 * The retention job: erases every candidate (each in its own transaction, audited `person.erased`
 * with reason 'retention' by the system), removes kept proofs past their keep-until date, and
 * removes from disk every erased person's evidence file still queued (one a crash left behind when
 * an erasure had committed but its files were not yet gone).
 */
export async function runRetention(db: Kysely<Schema>, options: RetentionOptions): Promise<RetentionReport> {
  const now = options.now ?? new Date();
  const { cutoff, candidates } = await retentionCandidates(db, options.months, now);
  const today = now.toISOString().slice(0, 10);
  const due = await db.selectFrom('privacy_kept_proofs').select(['id', 'tenant_id', 'person_id']).where('keep_until', '<', today).execute();
  if (options.dryRun) return { cutoff, candidates, erased: 0, proofsRemoved: 0, proofsDue: due.length, evidenceFilesRemoved: 0, evidenceFilesLeft: 0 };
  let erased = 0;
  for (const candidate of candidates) {
    const result = await erasePerson(db, { tenantId: candidate.tenantId, personId: candidate.personId, actor: SYSTEM, reason: 'retention', publicUrl: options.publicUrl, evidence: options.evidence, now });
    if (result?.erased) erased += 1;
  }
  let proofsRemoved = 0;
  for (const proof of due) {
    await db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('privacy_kept_proofs').where('id', '=', proof.id).where('keep_until', '<', today).executeTakeFirst();
      if (removed.numDeletedRows === 0n) return;
      proofsRemoved += 1;
      await recordAudit(trx, { tenantId: proof.tenant_id, actor: SYSTEM, action: 'privacy.proof-removed', subjectPersonId: proof.person_id, object: { kind: 'kept-proof', id: proof.id } });
    });
  }
  const files = await removeQueuedEvidence(db, options.evidence);
  return { cutoff, candidates, erased, proofsRemoved, proofsDue: due.length, evidenceFilesRemoved: files.removed, evidenceFilesLeft: files.left };
}

/** Runs the retention job once a day while the tool runs (compose.ts starts and stops it). */
export class RetentionJob {
  readonly #loop: PollingLoop<void>;

  constructor(private readonly db: Kysely<Schema>, private readonly options: { months: number; publicUrl: string; evidence: EvidenceStore; logger?: Logger; firstCheckMs?: number; checkIntervalMs?: number }) {
    this.#loop = new PollingLoop({
      pass: () => this.#runAndLog(),
      firstDelayMs: options.firstCheckMs ?? FIRST_CHECK_MS,
      intervalMs: options.checkIntervalMs ?? RETENTION_CHECK_MS,
      // A daily job: its timer alone is no reason to keep the process running.
      unref: true,
      failure: { logger: options.logger, message: 'retention job failed; it runs again at the next check' },
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async #runAndLog(): Promise<void> {
    const report = await runRetention(this.db, { months: this.options.months, publicUrl: this.options.publicUrl, evidence: this.options.evidence });
    // Counts only: a log line never names a person.
    if (report.erased > 0 || report.proofsRemoved > 0 || report.evidenceFilesRemoved > 0) {
      this.options.logger?.info({ erased: report.erased, proofsRemoved: report.proofsRemoved, evidenceFilesRemoved: report.evidenceFilesRemoved, months: this.options.months }, 'retention: inactive people erased');
    }
    if (report.evidenceFilesLeft > 0) this.options.logger?.error({ evidenceFilesLeft: report.evidenceFilesLeft }, 'retention: erased people\'s evidence files could not be removed from disk; tried again at the next run');
  }
}
