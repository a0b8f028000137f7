import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { currentAttempt } from '../paths/attempts.js';
import { assignmentCompletedAt } from './assignments.js';
import { addDays } from './calendar.js';

/**
 * When a person may take a completed path again (recertification, as Moodle Workplace's
 * recertification window): a documented holding the path granted expires within the window or has
 * expired, and no newer holding of the competence (from any source but a declaration) lasts longer;
 * or a manager has assigned the path again after the completion.
 */

/** Days before a holding expires from which the path may be taken again; the gap report's "expiring" window. */
export const RENEWAL_WINDOW_DAYS = 90;

export interface RenewalOffer {
  readonly reason: 'expiring' | 'expired' | 'assigned';
  /** The first day the holding no longer counts (for 'expiring' and 'expired'). */
  readonly expiresOn: string | null;
  /** The assignment's due date (for 'assigned'). */
  readonly dueOn: string | null;
}

/**
 * Whether the person's current attempt at the path is completed and may be followed by a new one
 * on `onDate` (Europe/Oslo), and why; undefined when not (never completed, a new attempt under
 * way, the holdings still valid beyond the window, or the path grants nothing that expires).
 */
export async function renewalOffer(db: Kysely<Schema>, tenantId: string, personId: string, pathId: string, onDate: string): Promise<RenewalOffer | undefined> {
  const attempt = await currentAttempt(db, tenantId, personId, pathId);
  if (!attempt || attempt.status !== 'completed') return undefined;
  const completion = await db.selectFrom('path_completions').select('id').where('enrolment_id', '=', attempt.enrolmentId).executeTakeFirst();
  if (!completion) return undefined;
  const assigned = await db
    .selectFrom('competence_assignments as a')
    .select('a.due_on')
    .where('a.tenant_id', '=', tenantId)
    .where('a.person_id', '=', personId)
    .where('a.path_id', '=', pathId)
    .where('a.withdrawn_at', 'is', null)
    .where('a.renews_completion_id', 'is not', null)
    .where(assignmentCompletedAt('a'), 'is', null)
    .orderBy('a.due_on')
    .limit(1)
    .executeTakeFirst();
  if (assigned) return { reason: 'assigned', expiresOn: null, dueOn: assigned.due_on };
  // Per competence the completion documented: how long the person's best documented holding of it lasts.
  const { rows } = await sql<{ never: boolean; until: string | null }>`
    select bool_or(other.expires_on is null) as never, max(other.expires_on) as until
      from competence_holdings granted
      join competence_holdings other on other.person_id = granted.person_id and other.competence_id = granted.competence_id
           and other.source <> 'declared'
      left join competence_holding_revocations revoked on revoked.holding_id = other.id
     where granted.path_completion_id = ${completion.id} and revoked.holding_id is null
     group by granted.competence_id`.execute(db);
  const ends = rows.filter((r) => !r.never && r.until !== null).map((r) => String(r.until)).sort();
  const first = ends[0];
  if (first === undefined || first > addDays(onDate, RENEWAL_WINDOW_DAYS)) return undefined;
  return { reason: first <= onDate ? 'expired' : 'expiring', expiresOn: first, dueOn: null };
}
