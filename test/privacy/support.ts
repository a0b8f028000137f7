import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { personActor, recordAudit } from '../../src/audit/audit-log.js';
import type { Schema } from '../../src/db/schema.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPerson } from '../../src/people/people.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { createWorld, publishedPath, webStep, type World } from '../paths/fixtures.js';

export type { World };

export const PUBLIC_URL = 'https://laering.example.no';

export interface Seeded {
  world: World;
  person: string;
  other: string;
  kept: { pathId: string };
  plain: { pathId: string };
  issuer: string;
  subject: string;
  email: string;
  employeeNumber: string;
}

let n = 0;

/** A person who has done a bit of everything the tool records, and a colleague for the counts. */
export async function seedPerson(db: Kysely<Schema>, given?: World, options: { name?: string } = {}): Promise<Seeded> {
  n += 1;
  const world = given ?? await createWorld(db);
  const tenantId = world.inRegion;
  const email = `kari.${n}.${randomUUID().slice(0, 6)}@kongsberg.kommune.no`;
  const person = (await createPerson(db, tenantId, { name: options.name ?? 'Kari Nordmann', givenName: 'Kari', familyName: 'Nordmann', email, locale: 'nn' })).id;
  const other = (await createPerson(db, tenantId, { name: 'Ola Hansen' })).id;

  const issuer = `https://moodle-${randomUUID()}.example.no`;
  const platform = await db.insertInto('lti_platforms').values({
    tenant_id: tenantId, name: 'Moodle', issuer, client_id: 'c1', auth_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_url: `${issuer}/jwks`,
  } as never).returning('id').executeTakeFirstOrThrow();
  const subject = `moodle-user-${n}`;
  await db.insertInto('lti_users').values({ tenant_id: tenantId, issuer, subject, person_id: person } as never).execute();
  const context = await db.insertInto('lti_contexts').values({ tenant_id: tenantId, platform_id: platform.id, context_id: `course-${n}` } as never).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('lti_nrps_cache').values({
    context_id: context.id, tenant_id: tenantId, fetched_at: new Date(),
    members: JSON.stringify([{ userId: subject, name: 'Kari Nordmann', email, status: 'Active', roles: ['Learner'] }, { userId: 'someone-else', status: 'Active', roles: ['Learner'] }]),
  } as never).execute();

  const unit = await db.insertInto('org_units').values({ tenant_id: tenantId, parent_id: null, code: `U${n}`, name: 'Sykehjemmet', path: [] }).returning('id').executeTakeFirstOrThrow();
  await db.updateTable('org_units').set({ path: [unit.id] }).where('id', '=', unit.id).execute();
  const employeeNumber = `E-${n}-${randomUUID().slice(0, 4)}`;
  const employee = await db.insertInto('employees').values({ tenant_id: tenantId, person_id: person, employee_number: employeeNumber, sourced_id: `hr-${n}` }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('employments').values([
    { tenant_id: tenantId, employee_id: employee.id, org_unit_id: unit.id, job_title: 'Helsefagarbeider', percentage: '40', start_date: '2019-01-01', end_date: '2022-06-30' },
    { tenant_id: tenantId, employee_id: employee.id, org_unit_id: unit.id, job_title: 'Sykepleier', percentage: '50.5', start_date: '2022-07-01', end_date: null },
  ]).execute();

  const kept = await publishedPath(db, world, [webStep()]);
  const plain = await publishedPath(db, world, [webStep()]);
  for (const path of [kept, plain]) {
    for (const who of [person, other]) {
      const { enrolmentId } = await enrol(db, tenantId, { personId: who, pathId: path.pathId });
      await deliverOutcome(db, tenantId, { enrolmentId, stepId: path.stepIds[0]!, idempotencyKey: `k-${who}`, outcome: { kind: 'web', event: 'done' } });
    }
  }
  await db.insertInto('privacy_kept_paths').values({ tenant_id: tenantId, path_id: kept.pathId, keep_years: 10 }).execute();

  const pkg = await db.insertInto('content_packages').values({ tenant_id: tenantId, title: 'Brannvern', standard: 'scorm12', edition: '1.2', manifest: '{}', zip_sha256: 'a'.repeat(64), zip_size: 1 } as never).returning('id').executeTakeFirstOrThrow();
  const attempt = await db.insertInto('scorm_attempts').values({ tenant_id: tenantId, person_id: person, package_id: pkg.id } as never).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('scorm_sco_states').values({
    attempt_id: attempt.id, sco_id: 'sco-1', tenant_id: tenantId,
    cmi: JSON.stringify({ 'cmi.core.lesson_status': 'passed', 'cmi.core.student_name': 'Nordmann, Kari', 'cmi.comments': 'Kari likte kurset', 'cmi.suspend_data': 'page=4' }),
  } as never).execute();
  await db.insertInto('scorm_commits').values({ tenant_id: tenantId, attempt_id: attempt.id, sco_id: 'sco-1', session: 1, seq: 1, terminate: false, accepted: true, body: JSON.stringify({ cmi: { core: { student_name: 'Nordmann, Kari' } } }) } as never).execute();

  const { client } = await createXapiClient(db, { tenantId, name: 'Innhold', scopes: ['all'] });
  for (const [i, actor] of [{ objectType: 'Agent', name: 'Kari Nordmann', mbox: `mailto:${email}` }, { objectType: 'Agent', account: { homePage: PUBLIC_URL, name: person } }].entries()) {
    const key = actor.mbox ? `mbox:mailto:${email.toLowerCase()}` : `account:${PUBLIC_URL} ${person}`;
    await sql`insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id, object_activity_id, related_agent_keys, related_activity_ids)
      values (${randomUUID()}::uuid, ${tenantId}::uuid, ${client.id}::uuid, ${JSON.stringify({ actor, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: `https://kurs.example.no/${i}` } })}::jsonb,
              now(), ${key}, 'http://adlnet.gov/expapi/verbs/completed', ${`https://kurs.example.no/${i}`}, ${[key]}::text[], ${[`https://kurs.example.no/${i}`]}::text[])`.execute(db);
  }
  await db.insertInto('xapi_documents').values({ tenant_id: tenantId, kind: 'state', activity_id: 'https://kurs.example.no/0', agent_key: `mbox:mailto:${email.toLowerCase()}`, document_id: 'bookmark', content_type: 'application/json', content: Buffer.from('{"page":4}'), sha1: 'x', updated: new Date() } as never).execute();

  const version = await db.selectFrom('path_versions').select('id').where('path_id', '=', plain.pathId).executeTakeFirstOrThrow();
  await db.insertInto('path_declared_competences').values({ tenant_id: tenantId, person_id: person, competence: 'Brannvern', level: 3, path_id: plain.pathId, version_id: version.id, step_id: plain.stepIds[0]! } as never).execute();
  await db.insertInto('path_evaluation_respondents').values({ path_id: plain.pathId, step_id: plain.stepIds[0]!, person_id: person, tenant_id: tenantId }).execute();
  await recordAudit(db, { tenantId, actor: personActor(other), action: 'person.viewed', subjectPersonId: person });
  return { world, person, other, kept, plain, issuer, subject, email, employeeNumber };
}

/** Completions per path of the tenant, and the units' employment counts: what erasure must keep. */
export async function figures(db: Kysely<Schema>, tenantId: string) {
  const completions = await db.selectFrom('path_completions').select(['path_id', (eb) => eb.fn.countAll<string>().as('n')]).where('tenant_id', '=', tenantId).groupBy('path_id').orderBy('path_id').execute();
  const employments = await db.selectFrom('employments').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const enrolments = await db.selectFrom('path_enrolments').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const declared = await db.selectFrom('path_declared_competences').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const statements = await db.selectFrom('xapi_statements').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return {
    completions: completions.map((c) => [c.path_id, Number(c.n)]),
    employments: Number(employments.n), enrolments: Number(enrolments.n), declared: Number(declared.n), statements: Number(statements.n),
  };
}
