import type { BenchContext } from './harness.js';
import { openPostgres } from '../src/db/postgres.js';
import { issueDueCertificates } from '../src/certificates/certificates.js';
import { createPath } from '../src/paths/paths.js';
import { addStep, publish, updateDraftSettings, type NewStep } from '../src/paths/drafts.js';
import { writeCatalogue, writeCompletions, writePeople } from './scenarios/completions-pull.js';

export const CERTIFICATE_PEOPLE = 200;

/**
 * 200 learners of Kongsberg with a completed path each and its certificate (4 steps, 2 competences).
 * Written once per bench database: a second scenario in the same run finds them.
 */
export async function seedCertificates(context: BenchContext): Promise<{ tenantId: string; certificates: { id: string; person_id: string; code: string }[] }> {
  const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-certificates' });
  const db = database.db;
  const tenant = await db.selectFrom('tenants').select('id').where('kommunenummer', '=', '3303').executeTakeFirstOrThrow();
  const existing = await db.selectFrom('certificates').select(['id', 'person_id', 'code']).where('tenant_id', '=', tenant.id).execute();
  if (existing.length === CERTIFICATE_PEOPLE) {
    await database.close();
    return { tenantId: tenant.id, certificates: existing };
  }
  await writeCatalogue(db, tenant.id);
  const people = await writePeople(db, tenant.id, '3303', 'kongsberg.kommune.no', CERTIFICATE_PEOPLE);
  const author = people[0]!;
  const created = await createPath(db, tenant.id, { title: 'Brannvern og førstehjelp på arbeidsplassen', description: 'For alle ansatte.', language: 'nb', sharing: 'tenant', createdBy: author });
  const step = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep);
  for (const title of ['Hva kan du fra før?', 'E-læring: Brannvern på arbeidsplassen', 'Les: Førstehjelp – slik redder du liv', 'Hva synes du om læringsløpet?']) await addStep(db, tenant.id, created.id, step(title));
  const grants = [{ competence: 'brannvern', validMonths: 12 }, { competence: 'forstehjelp', validMonths: 24 }];
  await updateDraftSettings(db, tenant.id, created.id, { grants });
  await publish(db, tenant.id, created.id, author);
  const version = await db.selectFrom('path_versions').select('id').where('path_id', '=', created.id).where('number', '=', 1).executeTakeFirstOrThrow();
  await writeCompletions(db, tenant.id, people, [{ pathId: created.id, versionId: version.id, grants }]);
  for (const person of people) await issueDueCertificates(db, tenant.id, person);
  const certificates = await db.selectFrom('certificates').select(['id', 'person_id', 'code']).where('tenant_id', '=', tenant.id).execute();
  if (certificates.length !== CERTIFICATE_PEOPLE) throw new Error(`${certificates.length} certificates issued, not ${CERTIFICATE_PEOPLE}`);
  await database.close();
  return { tenantId: tenant.id, certificates };
}
