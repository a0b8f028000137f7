import type { Kysely } from 'kysely';
import { managerScope } from '../access/manager-scope.js';
import { ausInScope, type Cmi5Manifest, type MoveOn } from '../content/cmi5-model.js';
import { inLanguage } from '../content/tincan-model.js';
import type { Schema } from '../db/schema.js';
import { auSatisfied } from './satisfaction.js';
import type { WaiveReason } from './tables.js';

/**
 * Who may waive a learner's AU or end their hanging AU session: the teacher of a course whose
 * link the learner's enrolment was launched from (Instructor, ContentDeveloper or Administrator of
 * that LMS course), or a manager whose units the learner is employed in.
 */
export type Overseer =
  | { readonly kind: 'teacher'; readonly tenantId: string; readonly personId: string; readonly contextId: string }
  | { readonly kind: 'manager'; readonly tenantId: string; readonly personId: string };

/** What an overseer acts on: an enrolment of a learner in the overseer's tenant. */
export interface Overseen {
  readonly enrolmentId: string;
  readonly personId: string;
}

/** Whether `overseer` may act for the learner of `enrolment` (both in the overseer's tenant) on `day` (Europe/Oslo). */
export async function mayOversee(db: Kysely<Schema>, overseer: Overseer, enrolment: Overseen, day: string): Promise<boolean> {
  if (overseer.kind === 'teacher') {
    const linked = await db.selectFrom('path_enrolment_links as l').innerJoin('lti_resource_links as r', 'r.id', 'l.resource_link_id')
      .select('l.enrolment_id')
      .where('l.tenant_id', '=', overseer.tenantId).where('l.enrolment_id', '=', enrolment.enrolmentId)
      .where('r.tenant_id', '=', overseer.tenantId).where('r.context_id', '=', overseer.contextId)
      .executeTakeFirst();
    return linked !== undefined;
  }
  const scope = await managerScope(db, overseer.tenantId, overseer.personId, day);
  if (scope.unitIds.size === 0) return false;
  const employed = await db.selectFrom('employees as p').innerJoin('employments as e', 'e.employee_id', 'p.id')
    .select('e.org_unit_id')
    .where('p.tenant_id', '=', overseer.tenantId).where('p.person_id', '=', enrolment.personId)
    .where('e.start_date', '<=', day).where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', day)]))
    .execute();
  return employed.some((e) => scope.unitIds.has(e.org_unit_id));
}

/** A cmi5 registration of the tenant, with the enrolment and learner it belongs to. */
export async function findRegistration(db: Kysely<Schema>, tenantId: string, registration: string): Promise<(Overseen & { registration: string }) | undefined> {
  return db.selectFrom('cmi5_registrations as r').innerJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
    .select(['r.registration', 'e.id as enrolmentId', 'e.person_id as personId'])
    .where('r.tenant_id', '=', tenantId).where('e.tenant_id', '=', tenantId).where('r.registration', '=', registration)
    .executeTakeFirst();
}

/** An AU session of the tenant, with its registration's enrolment and learner. */
export async function findSession(db: Kysely<Schema>, tenantId: string, sessionId: string): Promise<(Overseen & { sessionId: string; registration: string; ended: boolean }) | undefined> {
  const row = await db.selectFrom('cmi5_sessions as s').innerJoin('cmi5_registrations as r', 'r.registration', 's.registration').innerJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
    .select(['s.id', 's.registration', 's.terminated_at', 's.abandoned_at', 'e.id as enrolment_id', 'e.person_id'])
    .where('s.tenant_id', '=', tenantId).where('r.tenant_id', '=', tenantId).where('s.id', '=', sessionId)
    .executeTakeFirst();
  return row && { sessionId: row.id, registration: row.registration, enrolmentId: row.enrolment_id, personId: row.person_id, ended: row.terminated_at !== null || row.abandoned_at !== null };
}

/** One AU of a learner's registration as the overseer's page shows it. */
export interface OverseenAu {
  readonly id: string;
  readonly title: string;
  readonly moveOn: MoveOn;
  readonly satisfied: boolean;
  readonly waived: { readonly at: Date; readonly reason: WaiveReason | null } | null;
  /** Sessions launched and not ended (neither terminated nor abandoned). */
  readonly openSessions: readonly { readonly id: string; readonly launchedAt: Date; readonly lastStatementAt: Date | null }[];
}

export interface OverseenRegistration {
  readonly registration: string;
  readonly enrolmentId: string;
  readonly stepId: string;
  readonly courseTitle: string;
  readonly aus: readonly OverseenAu[];
}

/** A learner's open cmi5 registrations in the given enrolments, AU by AU. */
export async function learnerRegistrations(db: Kysely<Schema>, tenantId: string, enrolmentIds: readonly string[], locale: string): Promise<OverseenRegistration[]> {
  if (enrolmentIds.length === 0) return [];
  const registrations = await db.selectFrom('cmi5_registrations as r').innerJoin('content_packages as p', 'p.id', 'r.package_id').innerJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
    .select(['r.registration', 'e.id as enrolment_id', 'r.step_id', 'p.manifest'])
    .where('r.tenant_id', '=', tenantId).where('r.enrolment_id', 'in', enrolmentIds).where('r.closes_at', 'is', null)
    .orderBy('r.created_at').execute();
  if (registrations.length === 0) return [];
  const ids = registrations.map((r) => r.registration);
  const [results, sessions] = await Promise.all([
    db.selectFrom('cmi5_registration_results').selectAll().where('tenant_id', '=', tenantId).where('registration', 'in', ids).execute(),
    db.selectFrom('cmi5_sessions').select(['id', 'registration', 'au_id', 'launched_at', 'last_statement_at'])
      .where('tenant_id', '=', tenantId).where('registration', 'in', ids).where('terminated_at', 'is', null).where('abandoned_at', 'is', null)
      .orderBy('launched_at').execute(),
  ]);
  return registrations.flatMap((r) => {
    const manifest = r.manifest;
    if (manifest.standard !== 'cmi5') return [];
    const own = results.filter((x) => x.registration === r.registration);
    const achieved = new Map(own.map((x) => [x.node_id, { completed: x.completed_at !== null, passed: x.passed_at !== null, waived: x.waived_at !== null }]));
    return [{
      registration: r.registration,
      enrolmentId: r.enrolment_id,
      stepId: r.step_id,
      courseTitle: inLanguage(manifest.course.title, locale) ?? manifest.title,
      aus: ausOf(manifest).map((au) => {
        const result = own.find((x) => x.node_id === au.id);
        return {
          id: au.id,
          title: inLanguage(au.title, locale) ?? au.id,
          moveOn: au.moveOn,
          satisfied: auSatisfied(au, achieved),
          waived: result?.waived_at ? { at: result.waived_at, reason: result.waived_reason } : null,
          openSessions: sessions.filter((s) => s.registration === r.registration && s.au_id === au.id).map((s) => ({ id: s.id, launchedAt: s.launched_at, lastStatementAt: s.last_statement_at })),
        };
      }),
    }];
  });
}

function ausOf(manifest: Cmi5Manifest) {
  return ausInScope(manifest, undefined);
}
