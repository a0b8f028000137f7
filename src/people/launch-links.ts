import { sql, type Kysely } from 'kysely';
import { recordAudit, SYSTEM } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { mergePeople } from './merge-people.js';
import type { LinkConflictReason, LinkMethod } from './tables.js';

export type { LinkConflictReason, LinkMethod } from './tables.js';

/**
 * Linking a launcher to the employee HR knows (docs/lms-setup.md, "Linking launches to employees").
 *
 * What a launch says about who the launcher is in HR terms, in the order it is trusted: the custom
 * parameter `ansattnummer`, the LIS person_sourcedid, the e-mail address. The launch reads the
 * employees these name in the same statement that reads its person (src/lti/identity.ts); this file
 * decides from them and makes the link.
 */
export interface LaunchIdentifiers {
  employeeNumber?: string | undefined;
  sourcedId?: string | undefined;
  email?: string | undefined;
}

/** An employee the launch named, and whether another platform account already leads to them. */
export interface LinkCandidate {
  employee_id: string;
  person_id: string;
  by: LinkMethod;
  taken: boolean;
}

export type LinkDecision =
  | { kind: 'none' }
  | { kind: 'link'; method: LinkMethod; employeeId: string; personId: string }
  | { kind: 'conflict'; method: LinkMethod; reason: LinkConflictReason; employeeIds: string[] };

/**
 * A value the platform should have substituted but did not (Moodle `$User.idnumber`, Canvas
 * `$Canvas.user.sisSourceId`, left as written when the user has none) is no value.
 */
export function identifierValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.startsWith('$') || trimmed.length > 200) return undefined;
  return trimmed;
}

/**
 * Which employee a launch is, or why that cannot be said. `ansattnummer` counts only when the
 * platform is trusted to substitute it (an operator marks the issuer), and even then only when the
 * sourcedid and the e-mail address, when the launch carries them, name that same employee: a
 * course's teacher writes custom parameters, and they reach everyone who launches the link. Two employees
 * for one value, or an employee another account already leads to, are conflicts, never guesses.
 */
export function decideLink(ids: LaunchIdentifiers, candidates: readonly LinkCandidate[], employeeNumberTrusted: boolean): LinkDecision {
  const named = (by: LinkMethod) => {
    const seen = new Map<string, LinkCandidate>();
    for (const c of candidates) if (c.by === by && !seen.has(c.employee_id)) seen.set(c.employee_id, c);
    return [...seen.values()];
  };
  const conflict = (method: LinkMethod, reason: LinkConflictReason, found: readonly LinkCandidate[]): LinkDecision =>
    ({ kind: 'conflict', method, reason, employeeIds: [...new Set(found.map((c) => c.employee_id))] });
  const pick = (method: LinkMethod, c: LinkCandidate): LinkDecision =>
    c.taken ? conflict(method, 'employee-linked-elsewhere', [c]) : { kind: 'link', method, employeeId: c.employee_id, personId: c.person_id };

  const sourced = ids.sourcedId ? named('sourcedid') : [];
  const mailed = ids.email ? named('email') : [];
  if (ids.employeeNumber && employeeNumberTrusted) {
    const numbered = named('employee-number');
    if (numbered.length === 0) return conflict('employee-number', 'employee-number-unknown', []);
    const chosen = numbered[0]!;
    // Each other identifier the launch carries must name this employee too.
    const disagreeing = [ids.sourcedId ? sourced : undefined, ids.email ? mailed : undefined].filter((found) => found && !found.some((c) => c.employee_id === chosen.employee_id));
    if (disagreeing.length > 0) return conflict('employee-number', 'employee-number-disagrees', [chosen, ...sourced, ...mailed]);
    return pick('employee-number', chosen);
  }
  if (sourced.length > 1) return conflict('sourcedid', 'sourcedid-ambiguous', sourced);
  if (sourced.length === 1) return pick('sourcedid', sourced[0]!);
  if (mailed.length > 1) return conflict('email', 'email-ambiguous', mailed);
  if (mailed.length === 1) return pick('email', mailed[0]!);
  return { kind: 'none' };
}

export interface AccountRef {
  tenantId: string;
  issuer: string;
  subject: string;
}

type Link = Extract<LinkDecision, { kind: 'link' }>;

/**
 * The employee row locked, and whether a platform account other than this one leads to them: two
 * launchers linking to one employee at once are decided one after the other.
 */
async function employeeTaken(db: Kysely<Schema>, account: AccountRef, employeeId: string): Promise<boolean | undefined> {
  const { rows } = await sql<{ taken: boolean }>`
    select exists (select 1 from lti_users u where u.person_id = e.person_id and not (u.issuer = ${account.issuer} and u.subject = ${account.subject} and u.tenant_id = ${account.tenantId})) as taken
      from employees e where e.id = ${employeeId} and e.tenant_id = ${account.tenantId}
       for update`.execute(db);
  return rows[0]?.taken;
}

async function auditLink(db: Kysely<Schema>, account: AccountRef, link: Link, mergedPersonId: string | null, merged?: Record<string, unknown>): Promise<void> {
  await recordAudit(db, {
    tenantId: account.tenantId,
    actor: SYSTEM,
    action: 'person.linked',
    subjectPersonId: link.personId,
    object: { kind: 'employee', id: link.employeeId },
    details: { method: link.method, issuer: account.issuer, ...(mergedPersonId ? { mergedPersonId, ...merged } : {}) },
  });
}

/**
 * A first launch of an employee: the new platform account leads straight to the employee's person.
 * Undefined when it cannot (the employee is taken, or another launch of this account made it a
 * moment ago); the launch then goes on as an ordinary one, and linkLauncher decides.
 */
export async function linkFirstLaunch(db: Kysely<Schema>, account: AccountRef, link: Link): Promise<string | undefined> {
  if ((await employeeTaken(db, account, link.employeeId)) !== false) return undefined;
  const { rows } = await sql<{ person_id: string }>`
    insert into lti_users (issuer, subject, tenant_id, person_id) values (${account.issuer}, ${account.subject}, ${account.tenantId}, ${link.personId})
    on conflict (tenant_id, issuer, subject) do nothing
    returning person_id`.execute(db);
  if (!rows[0]) return undefined;
  await auditLink(db, account, link, null);
  return link.personId;
}

/**
 * A launcher who already has a person of their own: everything it holds moves to the employee's
 * person (mergePeople), and the account leads there. Returns the person the launch is now; when
 * the employee turned out to be taken, the launcher's own, with the conflict recorded.
 */
export async function linkLauncher(db: Kysely<Schema>, account: AccountRef, launcherPersonId: string, link: Link): Promise<string> {
  const taken = await employeeTaken(db, account, link.employeeId);
  if (taken === undefined) return launcherPersonId;
  if (taken) {
    await recordLinkConflict(db, account, launcherPersonId, { kind: 'conflict', method: link.method, reason: 'employee-linked-elsewhere', employeeIds: [link.employeeId] });
    return launcherPersonId;
  }
  const summary = await mergePeople(db, account.tenantId, launcherPersonId, link.personId);
  await auditLink(db, account, link, launcherPersonId, { ...summary });
  return link.personId;
}

/** The latest reason an account could not be linked, for the administrator's list. */
export async function recordLinkConflict(db: Kysely<Schema>, account: AccountRef, personId: string, conflict: Extract<LinkDecision, { kind: 'conflict' }>): Promise<void> {
  await db
    .insertInto('person_link_conflicts')
    .values({ tenant_id: account.tenantId, issuer: account.issuer, subject: account.subject, person_id: personId, reason: conflict.reason, method: conflict.method, employee_ids: conflict.employeeIds })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'issuer', 'subject']).doUpdateSet((eb) => ({
        person_id: eb.ref('excluded.person_id'),
        reason: eb.ref('excluded.reason'),
        method: eb.ref('excluded.method'),
        employee_ids: eb.ref('excluded.employee_ids'),
        last_seen_at: new Date(),
        launches: sql<number>`person_link_conflicts.launches + 1`,
      })),
    )
    .execute();
}
