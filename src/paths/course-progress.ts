import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Member } from '../lti/nrps.js';
import { missingPrerequisites } from './completion.js';
import { loadPublishedVersion } from './paths.js';

/** LIS roles that make a course member its teacher or administrator (short names, as nrps.ts keeps them). */
const STAFF_ROLES = new Set(['Instructor', 'ContentDeveloper', 'Administrator', 'TeachingAssistant', 'Grader', 'Manager']);
/** LIS roles of those who take the course (LIS v2 membership Learner and its sub-roles, and Member). */
const LEARNER_ROLES = new Set(['Learner', 'Member', 'NonCreditLearner', 'GuestLearner', 'ExternalLearner']);

/** A member the path is for: a learner of the course who is not also one of its teachers. */
const isLearner = (member: Member) => member.roles.some((r) => LEARNER_ROLES.has(r)) && !member.roles.some((r) => STAFF_ROLES.has(r));

export type CourseStatus = 'not-started' | 'in-progress' | 'overdue' | 'completed';

/** One learner of the course against the path. */
export interface CourseLearner {
  /** The platform's user id (NRPS `user_id`, the launch's `sub`). */
  readonly userId: string;
  readonly name: string | null;
  /** From the roster; else the address the person's own launch sent; null when neither has one. */
  readonly email: string | null;
  /** Whether the person has ever launched the tool from this platform (in this municipality). */
  readonly launched: boolean;
  readonly status: CourseStatus;
  /** In progress: the step the learner is at (the first neither completed nor locked). */
  readonly currentStep: string | null;
  readonly stepsCompleted: number;
  readonly stepsTotal: number;
  readonly dueAt: Date | null;
  readonly completedAt: Date | null;
  readonly score: number | null;
  /** The tool's person, when known (audit). */
  readonly personId: string | null;
}

export interface CourseProgress {
  readonly learners: readonly CourseLearner[];
  /** Active members without a learner's role (teachers, administrators, mentors …), not listed. */
  readonly others: number;
  /** Members whose membership is not active (NRPS `Inactive`, `Deleted`), not listed. */
  readonly inactive: number;
}

const ORDER: Record<CourseStatus, number> = { overdue: 0, 'in-progress': 1, 'not-started': 2, completed: 3 };

/** A roster member's name as the LMS sent it: the full name, else given and family name. */
function memberName(member: Member): string | null {
  if (member.name?.trim()) return member.name.trim();
  const parts = [member.givenName, member.familyName].filter((p): p is string => Boolean(p?.trim()));
  return parts.length ? parts.join(' ') : null;
}

/**
 * The course's learners (its roster from NRPS) against a path, in one municipality: who has not
 * started (including members who never launched the tool), who is at which step, who is past their
 * due date, who completed it (score, date). Members are matched to the tool's people by the
 * platform's issuer and user id (= the launch's `sub`) within `tenantId` only; nothing of the roster
 * is written.
 */
export async function courseProgress(
  db: Kysely<Schema>,
  input: { tenantId: string; issuer: string; pathId: string; members: readonly Member[]; now?: Date },
): Promise<CourseProgress> {
  const now = input.now ?? new Date();
  const active = input.members.filter((m) => m.status === 'Active');
  const learnersOnRoster = active.filter(isLearner);
  const userIds = [...new Set(learnersOnRoster.map((m) => m.userId))];
  const accounts = userIds.length === 0 ? [] : await db
    .selectFrom('lti_users as u')
    .innerJoin('people as p', 'p.id', 'u.person_id')
    .select(['u.subject', 'u.person_id', 'p.name', 'p.email'])
    .where('u.tenant_id', '=', input.tenantId)
    .where('u.issuer', '=', input.issuer)
    .where('u.subject', 'in', userIds)
    .execute();
  const accountOf = new Map(accounts.map((a) => [a.subject, a]));
  const personIds = [...new Set(accounts.map((a) => a.person_id))];
  const enrolments = personIds.length === 0 ? [] : await db
    .selectFrom('path_enrolments as e')
    .leftJoin('path_completions as c', 'c.enrolment_id', 'e.id')
    .select(['e.id', 'e.person_id', 'e.version_id', 'e.status', 'e.due_at', 'e.completed_at', 'c.score', 'c.completed_at as completion_at'])
    .where('e.tenant_id', '=', input.tenantId)
    .where('e.path_id', '=', input.pathId)
    .where('e.person_id', 'in', personIds)
    // The current attempt: a learner taking the path again is in progress on it.
    .where('e.superseded_at', 'is', null)
    .execute();
  const enrolmentOf = new Map(enrolments.map((e) => [e.person_id, e]));
  const progressRows = enrolments.length === 0 ? [] : await db
    .selectFrom('path_step_progress')
    .select(['enrolment_id', 'step_id', 'status'])
    .where('tenant_id', '=', input.tenantId)
    .where('enrolment_id', 'in', enrolments.map((e) => e.id))
    .execute();
  const completedSteps = new Map<string, Set<string>>();
  for (const row of progressRows) {
    if (row.status !== 'completed') continue;
    const set = completedSteps.get(row.enrolment_id) ?? new Set<string>();
    set.add(row.step_id);
    completedSteps.set(row.enrolment_id, set);
  }
  const versions = new Map(await Promise.all([...new Set(enrolments.map((e) => e.version_id))].map(async (id) => [id, await loadPublishedVersion(db, id)] as const)));

  const learners = learnersOnRoster.map((member): CourseLearner => {
    const account = accountOf.get(member.userId);
    const enrolment = account ? enrolmentOf.get(account.person_id) : undefined;
    const base = {
      userId: member.userId,
      name: memberName(member) ?? account?.name ?? null,
      email: member.email ?? account?.email ?? null,
      launched: account !== undefined,
      personId: account?.person_id ?? null,
    };
    if (!enrolment) {
      return { ...base, status: 'not-started', currentStep: null, stepsCompleted: 0, stepsTotal: 0, dueAt: null, completedAt: null, score: null };
    }
    const definition = versions.get(enrolment.version_id)!.definition;
    const done = completedSteps.get(enrolment.id) ?? new Set<string>();
    const stepsCompleted = definition.steps.filter((s) => done.has(s.id)).length;
    if (enrolment.status === 'completed') {
      return { ...base, status: 'completed', currentStep: null, stepsCompleted, stepsTotal: definition.steps.length, dueAt: enrolment.due_at,
        completedAt: enrolment.completion_at ?? enrolment.completed_at, score: enrolment.score ?? null };
    }
    const current = definition.steps.find((s) => !done.has(s.id) && missingPrerequisites(definition, s.id, done).length === 0);
    const overdue = enrolment.due_at !== null && enrolment.due_at.getTime() < now.getTime();
    return { ...base, status: overdue ? 'overdue' : 'in-progress', currentStep: current?.title ?? null, stepsCompleted, stepsTotal: definition.steps.length,
      dueAt: enrolment.due_at, completedAt: null, score: null };
  });
  learners.sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff', 'nb', { numeric: true }) || a.userId.localeCompare(b.userId));
  return { learners, others: active.length - learnersOnRoster.length, inactive: input.members.length - active.length };
}

/** The learners who have not completed the path: who a reminder goes to. */
export function notDone(progress: CourseProgress): CourseLearner[] {
  return progress.learners.filter((l) => l.status !== 'completed');
}
