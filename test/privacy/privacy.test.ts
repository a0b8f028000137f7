import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, SYSTEM } from '../../src/audit/audit-log.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { collectPersonData, exportPerson } from '../../src/privacy/export.js';
import { retentionCandidates, runRetention } from '../../src/privacy/retention.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { figures, PUBLIC_URL, seedPerson } from './support.js';

describe(`personal-data rights (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  const db = () => testDb.database.db;
  // The people seeded here registered no evidence files (test/privacy/evidence-erasure.test.ts has them).
  const evidence = new EvidenceStore(fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-')));
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.dispose();
    fs.rmSync(evidence.dir, { recursive: true, force: true });
  });

  it('the export holds everything about the person and is audited; another tenant gets nothing', async () => {
    const s = await seedPerson(db());
    const data = await exportPerson(db(), { tenantId: s.world.inRegion, personId: s.person, publicUrl: PUBLIC_URL, actor: OPERATOR, format: 'json' });
    expect(data!.person).toMatchObject({ id: s.person, name: 'Kari Nordmann', email: s.email, erasedAt: null });
    const x = data!.sections;
    expect(x['ltiIdentities']).toEqual([expect.objectContaining({ issuer: s.issuer, subject: s.subject })]);
    expect(x['employee']).toEqual([expect.objectContaining({ employee_number: s.employeeNumber })]);
    expect(x['employments']!.map((e) => e['job_title'])).toEqual(['Helsefagarbeider', 'Sykepleier']);
    expect(x['enrolments']).toHaveLength(2);
    expect(x['completions']!.map((c) => c['path_id']).sort()).toEqual([s.kept.pathId, s.plain.pathId].sort());
    expect(x['stepProgress']).toHaveLength(2);
    expect(x['scormAttempts']).toHaveLength(1);
    expect(x['scormData']![0]!['cmi']).toMatchObject({ 'cmi.core.student_name': 'Nordmann, Kari' });
    expect(x['scormCommits']).toHaveLength(1);
    expect(x['xapiStatements']).toHaveLength(2);
    expect(x['xapiDocuments']).toEqual([expect.objectContaining({ document_id: 'bookmark', bytes: 10 })]);
    expect(x['courseMembers']).toEqual([expect.objectContaining({ member: expect.objectContaining({ userId: s.subject }) })]);
    expect(x['declaredCompetences']).toHaveLength(1);
    // That they answered an evaluation, never what.
    expect(x['evaluationsAnswered']).toEqual([expect.objectContaining({ path_id: s.plain.pathId })]);
    expect(JSON.stringify(data)).not.toContain('path_evaluation_answers');
    expect(x['auditEvents']!.map((e) => e['action'])).toEqual(['person.viewed']);
    // The export itself is in the log, with ids only.
    const audit = await db().selectFrom('audit_events').selectAll().where('subject_person_id', '=', s.person).where('action', '=', 'person.exported').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_kind: 'operator', details: { format: 'json' } });
    expect(JSON.stringify(audit)).not.toContain('Kari');

    expect(await collectPersonData(db(), s.world.outside, s.person, PUBLIC_URL)).toBeUndefined();
    expect(await collectPersonData(db(), s.world.inRegion, 'not-a-uuid', PUBLIC_URL)).toBeUndefined();
    expect(await exportPerson(db(), { tenantId: s.world.outside, personId: s.person, publicUrl: PUBLIC_URL, actor: OPERATOR, format: 'json' })).toBeUndefined();
  });

  it('erasure removes the personal fields, keeps the counts, keeps proof of kept paths, and is audited', async () => {
    const s = await seedPerson(db());
    const tenantId = s.world.inRegion;
    const before = await figures(db(), tenantId);
    expect(before.completions.map(([, n]) => n)).toEqual([2, 2]);

    const result = await erasePerson(db(), { tenantId, personId: s.person, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence });
    expect(result).toMatchObject({ erased: true, keptProofs: 1, ltiAccounts: 1, xapiStatements: 2 });
    expect(result!.pseudonym).toMatch(/^[2-9A-HJ-NP-Z]{4}$/);
    expect(await figures(db(), tenantId)).toEqual(before);

    const person = await db().selectFrom('people').selectAll().where('id', '=', s.person).executeTakeFirstOrThrow();
    expect(person).toMatchObject({ name: null, given_name: null, family_name: null, email: null, locale: null, pseudonym: result!.pseudonym });
    expect(person.erased_at).toBeInstanceOf(Date);
    expect(await db().selectFrom('lti_users').select('subject').where('person_id', '=', s.person).execute()).toEqual([]);
    const employee = await db().selectFrom('employees').selectAll().where('person_id', '=', s.person).executeTakeFirstOrThrow();
    expect(employee).toMatchObject({ employee_number: `slettet-${result!.pseudonym}`, sourced_id: null });
    expect(await db().selectFrom('lti_nrps_cache').select('context_id').where('tenant_id', '=', tenantId).execute()).toEqual([]);
    expect(await db().selectFrom('scorm_commits').select('id').where('tenant_id', '=', tenantId).execute()).toEqual([]);
    const state = await db().selectFrom('scorm_sco_states').select('cmi').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(state.cmi).toEqual({ 'cmi.core.lesson_status': 'passed', 'cmi.suspend_data': 'page=4' });
    expect(await db().selectFrom('xapi_documents').select('id').where('tenant_id', '=', tenantId).execute()).toEqual([]);
    const statements = await db().selectFrom('xapi_statements').select(['statement', 'actor_key', 'related_agent_keys']).where('tenant_id', '=', tenantId).execute();
    for (const st of statements) {
      expect((st.statement as { actor: unknown }).actor).toEqual({ objectType: 'Agent', account: { homePage: PUBLIC_URL, name: s.person } });
      expect(st.actor_key).toBe(`account:${PUBLIC_URL} ${s.person}`);
      expect(st.related_agent_keys).toEqual([`account:${PUBLIC_URL} ${s.person}`]);
    }
    // Nothing the erasure touched still names her, anywhere in the tenant's rows but the kept proof.
    const export_ = JSON.stringify(await collectPersonData(db(), tenantId, s.person, PUBLIC_URL));
    for (const trace of ['Kari', 'Nordmann', s.email, s.subject, s.employeeNumber]) {
      expect(export_.replace(/"keptProofs":\[[^\]]*\]/, '')).not.toContain(trace);
    }
    const proofs = await db().selectFrom('privacy_kept_proofs').selectAll().where('person_id', '=', s.person).execute();
    expect(proofs).toEqual([expect.objectContaining({ path_id: s.kept.pathId, name: 'Kari Nordmann', employee_number: s.employeeNumber, path_title: 'Informasjonssikkerhet' })]);
    // The colleague is untouched.
    expect(await db().selectFrom('people').select(['name', 'erased_at']).where('id', '=', s.other).executeTakeFirstOrThrow()).toEqual({ name: 'Ola Hansen', erased_at: null });

    const audit = await db().selectFrom('audit_events').selectAll().where('subject_person_id', '=', s.person).where('action', '=', 'person.erased').execute();
    expect(audit).toEqual([expect.objectContaining({ actor_kind: 'operator', details: { reason: 'request', keptProofs: 1, ltiAccounts: 1, xapiStatements: 2, evidenceFiles: 0 } })]);
    // The audit rows about her stay (ids only).
    expect((await db().selectFrom('audit_events').select('id').where('subject_person_id', '=', s.person).execute()).length).toBe(2);

    // Again: nothing changes; another tenant: not found.
    expect(await erasePerson(db(), { tenantId, personId: s.person, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence })).toMatchObject({ erased: false, pseudonym: result!.pseudonym });
    const other = await seedPerson(db());
    expect(await erasePerson(db(), { tenantId: other.world.outside, personId: other.person, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence })).toBeUndefined();
    expect((await db().selectFrom('people').select('name').where('id', '=', other.person).executeTakeFirstOrThrow()).name).toBe('Kari Nordmann');
  });

  it('the database still refuses any other change to a statement, erasing or not', async () => {
    const s = await seedPerson(db());
    await expect(sql`update xapi_statements set statement = statement || '{"verb":{"id":"x"}}' where tenant_id = ${s.world.inRegion}::uuid`.execute(db())).rejects.toThrow(/immutable/);
    await expect(db().transaction().execute(async (trx) => {
      await sql`select set_config('laeringslop.erasing', 'on', true)`.execute(trx);
      await sql`update xapi_statements set statement = statement || '{"verb":{"id":"x"}}' where tenant_id = ${s.world.inRegion}::uuid`.execute(trx);
    })).rejects.toThrow(/immutable/);
  });

  it('retention erases people with no active employment and no activity for N months, with the counts kept', async () => {
    const s = await seedPerson(db());
    const tenantId = s.world.inRegion;
    const months = 36;
    // Today both are recent: nobody is a candidate.
    const now = new Date();
    const candidates = (await retentionCandidates(db(), months, now)).candidates.map((c) => c.personId);
    expect(candidates).not.toContain(s.person);
    expect(candidates).not.toContain(s.other);

    // Four years on: the colleague (never employed) is a candidate; Kari's open employment keeps her.
    const later = new Date(now.getTime() + 4 * 365 * 86_400_000);
    let found = (await retentionCandidates(db(), months, later)).candidates.map((c) => c.personId);
    expect(found).toContain(s.other);
    expect(found).not.toContain(s.person);
    // Her employment ends: 4 years after that, she is a candidate; 2 years after, not yet.
    const endDate = now.toISOString().slice(0, 10);
    await db().updateTable('employments').set({ end_date: endDate }).where('end_date', 'is', null).where('employee_id', 'in', db().selectFrom('employees').select('id').where('person_id', '=', s.person)).execute();
    found = (await retentionCandidates(db(), months, new Date(now.getTime() + 2 * 365 * 86_400_000))).candidates.map((c) => c.personId);
    expect(found).not.toContain(s.person);
    found = (await retentionCandidates(db(), months, later)).candidates.map((c) => c.personId);
    expect(found).toContain(s.person);

    const before = await figures(db(), tenantId);
    const dry = await runRetention(db(), { months, publicUrl: PUBLIC_URL, evidence, dryRun: true, now: later });
    expect(dry.erased).toBe(0);
    expect(dry.candidates.map((c) => c.personId)).toEqual(expect.arrayContaining([s.person, s.other]));
    expect((await db().selectFrom('people').select('name').where('id', '=', s.person).executeTakeFirstOrThrow()).name).toBe('Kari Nordmann');

    const report = await runRetention(db(), { months, publicUrl: PUBLIC_URL, evidence, now: later });
    expect(report.erased).toBe(dry.candidates.length);
    expect(await figures(db(), tenantId)).toEqual(before);
    const rows = await db().selectFrom('people').select(['id', 'name', 'pseudonym']).where('id', 'in', [s.person, s.other]).execute();
    for (const row of rows) {
      expect(row.name).toBeNull();
      expect(row.pseudonym).toMatch(/^[0-9A-Z]{4}$/);
    }
    const audit = await db().selectFrom('audit_events').select(['actor_kind', 'details']).where('action', '=', 'person.erased').where('subject_person_id', 'in', [s.person, s.other]).execute();
    expect(audit).toHaveLength(2);
    for (const a of audit) expect(a).toMatchObject({ actor_kind: SYSTEM.kind, details: { reason: 'retention' } });

    // The kept proof (kept-path completion, 10 years) outlives retention until its keep-until date.
    expect(await db().selectFrom('privacy_kept_proofs').select('id').where('person_id', '=', s.person).execute()).toHaveLength(1);
    const muchLater = new Date(now.getTime() + 11 * 365 * 86_400_000);
    const final = await runRetention(db(), { months, publicUrl: PUBLIC_URL, evidence, now: muchLater });
    expect(final.proofsRemoved).toBeGreaterThanOrEqual(1);
    expect(await db().selectFrom('privacy_kept_proofs').select('id').where('person_id', '=', s.person).execute()).toEqual([]);
    expect(await db().selectFrom('audit_events').select('action').where('subject_person_id', '=', s.person).where('action', '=', 'privacy.proof-removed').execute()).toHaveLength(1);
  });
});
