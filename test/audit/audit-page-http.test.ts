import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, personActor, recordAudits, SYSTEM, type AuditEvent } from '../../src/audit/audit-log.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import type { LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import { erasePerson } from '../../src/privacy/erase.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { osloTime } from '../../src/web/audit/dates.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';
import { DesignerClient } from '../designer/support/designer-http.js';

const rowIds = (body: string) => [...body.matchAll(/data-audit-row="(\d+)"/g)].map((m) => m[1]!);

describe(`the audit log page and CSV (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let adminSession: LtiSession;
  let kongsberg: string;
  let oslo: string;
  let anne: string;
  let per: string;
  let osloPerson: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    admin = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'admin')).sessionToken!);
    adminSession = (await (await fetch(`${url}/lti/session?session=${admin.token}`)).json()) as LtiSession;
    kongsberg = (await findMunicipality(db(), '3303'))!.id;
    oslo = (await findMunicipality(db(), '0301'))!.id;
    anne = (await createPerson(db(), kongsberg, { name: 'Anne Leder' })).id;
    per = (await createPerson(db(), kongsberg, { name: '=Per Ansatt; "P"' })).id;
    await db().insertInto('employees').values({ tenant_id: kongsberg, person_id: per, employee_number: 'K-4711' }).execute();
    osloPerson = (await createPerson(db(), oslo, { name: 'Anne Oslo' })).id;
    const events: AuditEvent[] = [];
    for (let i = 0; i < 120; i += 1) events.push({ tenantId: kongsberg, actor: personActor(anne), action: 'person.viewed', subjectPersonId: per, details: { i } });
    events.push({ tenantId: kongsberg, actor: OPERATOR, action: 'org.import.applied', object: { kind: 'org-import', id: 'imp-1' }, details: { added: 3 } });
    events.push({ tenantId: kongsberg, actor: SYSTEM, action: 'privacy.proof-removed', details: {} });
    // Oslo's rows, with the same actions and people named alike: never shown in Kongsberg.
    for (let i = 0; i < 5; i += 1) events.push({ tenantId: oslo, actor: personActor(osloPerson), action: 'person.viewed', subjectPersonId: osloPerson, details: { oslo: true } });
    events.push({ tenantId: oslo, actor: personActor(osloPerson), action: 'oslo.only', details: {} });
    await recordAudits(db(), events);
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('pages newest first by (at, id), 50 at a time, with names joined in; no row twice, none left out', async () => {
    const seen: string[] = [];
    let page = await admin.get('/admin/audit');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Revisjonslogg</h1>');
    expect(page.body).toContain('Anne Leder');
    expect(page.body).toContain('=Per Ansatt; &quot;P&quot;');
    for (;;) {
      const ids = rowIds(page.body);
      expect(ids.length).toBeLessThanOrEqual(50);
      seen.push(...ids);
      const more = /href="([^"]+)" rel="next" data-audit-more/.exec(page.body)?.[1];
      if (!more) break;
      const next = new URL(more.replace(/&amp;/g, '&'), url);
      page = await admin.get(next.pathname, Object.fromEntries([...next.searchParams].filter(([k]) => k !== 'session')));
    }
    const all = await db().selectFrom('audit_events').select('id').where('tenant_id', '=', kongsberg).orderBy('at', 'desc').orderBy('id', 'desc').execute();
    expect(seen).toEqual(all.map((r) => String(r.id)));
    expect(seen.length).toBeGreaterThanOrEqual(122);
    // The action list holds only this municipality's actions.
    expect(page.body).not.toContain('oslo.only');
  });

  it('filters by action, by actor and subject (name or employee number, resolved now), and by period', async () => {
    const imports = await admin.get('/admin/audit', { action: 'org.import.applied' });
    expect(rowIds(imports.body)).toHaveLength(1);
    expect(imports.body).toContain('Driftsansvarlig (kommandolinjen)');
    const byActor = await admin.get('/admin/audit', { actor: 'anne', action: 'person.viewed' });
    expect(byActor.body).toContain('data-audit-more');
    expect(rowIds(byActor.body)).toHaveLength(50);
    const bySubject = await admin.get('/admin/audit', { subject: 'K-4711' });
    expect(rowIds(bySubject.body)).toHaveLength(50);
    // "Anne Oslo" is a person of Oslo: in Kongsberg nobody has that name.
    const foreign = await admin.get('/admin/audit', { actor: 'Anne Oslo' });
    expect(foreign.body).toContain('data-audit-nobody');
    expect(rowIds(foreign.body)).toEqual([]);
    // The days are Norway's: just after midnight in Oslo, UTC still has yesterday.
    const today = osloTime(new Date()).slice(0, 10);
    expect(rowIds((await admin.get('/admin/audit', { from: today, to: today })).body).length).toBe(50);
    expect(rowIds((await admin.get('/admin/audit', { to: '01.01.2020' })).body)).toEqual([]);
  });

  it('refuses bad filters with a clear message and keeps what was typed', async () => {
    const bad = await admin.get('/admin/audit', { from: '31.02.2026', to: 'i går', action: 'no.such', actor: 'Anne' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('data-error-summary');
    expect(bad.body).toContain('Skriv datoen som 31.12.2026 eller 2026-12-31.');
    expect(bad.body).toContain('Velg en handling fra listen.');
    expect(bad.body).toContain('value="31.02.2026"');
    expect(bad.body).toContain('value="i går"');
    expect(bad.body).toContain('value="Anne"');
    const order = await admin.get('/admin/audit', { from: '2026-12-31', to: '2026-01-01' });
    expect(order.status).toBe(400);
    expect(order.body).toContain('Fra-datoen må være før til-datoen.');
    const cursor = await admin.get('/admin/audit', { after: 'bm9uc2Vuc2U' });
    expect(cursor.status).toBe(200);
    expect(cursor.body).toContain('Lenken til neste side er ugyldig.');
  });

  it('exports CSV (UTF-8 with BOM, ; between cells, formulas defused) and records the export by ids only', async () => {
    const response = await fetch(admin.href('/admin/audit.csv', { subject: 'K-4711' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="revisjonslogg-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('Tidspunkt;Handling;Utført av;actor_id;Gjelder;subject_person_id;object_kind;object_id;Detaljer');
    expect(lines).toHaveLength(121);
    expect(lines[1]).toContain(`;person.viewed;Anne Leder;${anne};"'=Per Ansatt; ""P""";${per};;;`);
    expect(bytes.toString('utf8')).not.toContain('Oslo');

    const exported = await db().selectFrom('audit_events').select(['actor_kind', 'actor_id', 'details']).where('action', '=', 'audit.exported').where('tenant_id', '=', kongsberg).execute();
    expect(exported).toEqual([{ actor_kind: 'person', actor_id: adminSession.personId, details: { rows: 120, subjectPersonIds: [per] } }]);
    expect(JSON.stringify(exported)).not.toContain('K-4711');
    // The export is itself on the page now.
    expect((await admin.get('/admin/audit', { action: 'audit.exported' })).body).toContain('audit.exported');
  });

  it('an erased person shows as their pseudonym, and can be searched by it', async () => {
    const result = await erasePerson(db(), { tenantId: kongsberg, personId: per, actor: OPERATOR, reason: 'request', publicUrl: url, evidence: new EvidenceStore(fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'))) });
    const page = await admin.get('/admin/audit', { action: 'person.erased' });
    expect(page.body).toContain(`Slettet person ${result!.pseudonym}`);
    expect(page.body).not.toContain('Per Ansatt');
    expect(rowIds((await admin.get('/admin/audit', { subject: `Slettet person ${result!.pseudonym}` })).body)).toHaveLength(50);
    const nn = await admin.get('/admin/audit', { action: 'person.erased', lang: 'nn' });
    expect(nn.body).toContain(`Sletta person ${result!.pseudonym}`);
  });
});
