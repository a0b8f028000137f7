import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { listPersonHoldings } from '../../src/competence/holdings.js';
import { createApp } from '../../src/app.js';
import { composeCapabilities, type Capabilities } from '../../src/compose.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { orgWorld, addPerson, type OrgWorld } from '../access/support.js';
import { SECRET } from '../lti/support/lti-http.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/admin/audit")</script></body></html>');

describe(`a person's competence: registering, revoking, files, imports (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let capabilities: Capabilities;
  let app: Express;
  let w: OrgWorld;
  let dataDir: string;
  let admin: string;
  let manager: string;
  let bergAdmin: string;
  let fire: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { database } = testDb;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdings-pages-'));
    const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir });
    w = await orgWorld(database.db);
    await applyCatalogueImport(database.db, w.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\nHelse;autorisasjon;Autorisasjon som sykepleier;\n', OPERATOR);
    fire = (await listCatalogue(database.db, w.as)).flatMap((a) => a.competences).find((c) => c.code === 'brannvern')!.id;
    capabilities = await composeCapabilities({ config, database, logger: createLogger('silent') });
    app = createApp({ config, database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: capabilities.routers, apiRouters: capabilities.apiRouters, startPageLinks: capabilities.startPageLinks });
    const sessions = new SessionTokens(SECRET);
    const issue = (personId: string, tenantId: string, role: 'admin' | 'manager') => sessions.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    admin = await issue(w.asAdmin, w.as, 'admin');
    manager = await issue(w.people.ingrid, w.as, 'manager');
    bergAdmin = await issue(await addPerson(database.db, w.berg, 'Berit Admin'), w.berg, 'admin');
  });
  afterAll(async () => {
    await capabilities?.stop();
    await testDb?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const url = (p: string, token: string, query = '') => `${p}?session=${encodeURIComponent(token)}${query}`;
  const register = (base: string, token: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string; type: string }) => {
    let req = request(app).post(url(base, token));
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    if (file) req = req.attach('file', file.bytes, { filename: file.name, contentType: file.type });
    return req;
  };
  const fields = (over: Record<string, string> = {}) => ({ competence: fire, level: '', 'achieved-on': '01.03.2026', 'expires-on': '', number: 'BV-17', issuer: 'Kongsberg brannvesen', ...over });
  const evidenceFiles = () => fs.existsSync(path.join(dataDir, 'competence', 'evidence')) ? fs.readdirSync(path.join(dataDir, 'competence', 'evidence')) : [];

  it('an administrator registers a holding with a PDF, sees it, downloads the file as an attachment, and every read is audited', async () => {
    const base = `/admin/people/${w.people.anne}/competence`;
    const person = await request(app).get(url(`/admin/people/${w.people.anne}`, admin));
    expect(person.text).toContain(`${base}?session=`);
    const empty = await request(app).get(url(base, admin));
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Kompetanse: Anne Sykepleier');
    expect(empty.text).toContain('data-holdings-empty');

    const saved = await register(base, admin, fields(), { bytes: PDF, name: 'kompetansebevis.pdf', type: 'application/pdf' });
    expect(saved.status).toBe(303);
    expect(saved.headers['location']).toContain('notice=registered');
    const [holding] = await listPersonHoldings(db(), w.as, w.people.anne);
    expect([holding!.source, holding!.achievedOn, holding!.expiresOn, holding!.evidence['number']]).toEqual(['registered', '2026-03-01', '2027-03-01', 'BV-17']);
    const shown = await request(app).get(url(base, admin, '&notice=registered'));
    expect(shown.text).toContain('Kompetansen er registrert.');
    expect(shown.text).toContain('Nummer BV-17, utstedt av Kongsberg brannvesen');
    const fileId = /data-evidence-file="([0-9a-f-]{36})"/.exec(shown.text)![1]!;
    expect(evidenceFiles()).toEqual([fileId]);

    const download = await request(app).get(url(`${base}/files/${fileId}`, admin)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe('attachment; filename="brannvern-2026-03-01.pdf"');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toContain('sandbox');
    expect(Buffer.compare(download.body as Buffer, PDF)).toBe(0);

    const audits = await db().selectFrom('audit_events').select(['action', 'actor_id', 'subject_person_id']).where('subject_person_id', '=', w.people.anne).where('action', 'like', 'competence.%').orderBy('id').execute();
    expect(audits.map((a) => [a.action, a.actor_id])).toEqual([
      ['competence.holdings.viewed', w.asAdmin],
      ['competence.holding.registered', w.asAdmin],
      ['competence.holdings.viewed', w.asAdmin],
      ['competence.holding.file.downloaded', w.asAdmin],
    ]);

    // Renewing: registered anew, the old record stays and the page says so.
    const renewed = await register(base, admin, fields({ 'achieved-on': '2026-11-01' }));
    expect(renewed.headers['location']).toContain('notice=renewed');
    const after = await listPersonHoldings(db(), w.as, w.people.anne);
    expect(after.map((h) => [h.achievedOn, h.renewsId])).toEqual([['2026-11-01', holding!.id], ['2026-03-01', null]]);
  });

  it('refuses a file with a PDF name but HTML bytes, and one over 10 MB, keeping what was typed and storing nothing', async () => {
    const base = `/admin/people/${w.people.cecilie}/competence`;
    const before = evidenceFiles();
    const html = await register(base, admin, fields({ issuer: 'Helsedirektoratet' }), { bytes: HTML, name: 'autorisasjon.pdf', type: 'application/pdf' });
    expect(html.status).toBe(415);
    expect(html.text).toContain('Filen må være en PDF, PNG eller JPEG');
    expect(html.text).toContain('value="Helsedirektoratet"');
    expect(html.text).toContain('aria-invalid="true" aria-describedby="file-hint file-error"');
    const big = await register(base, admin, fields({ issuer: 'Helsedirektoratet' }), { bytes: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), name: 'stor.pdf', type: 'application/pdf' });
    expect(big.status).toBe(413);
    expect(big.text).toContain('Filen er større enn 10 MB.');
    expect(big.text).toContain('value="Helsedirektoratet"');
    const bad = await register(base, admin, fields({ 'achieved-on': '30.02.2026', issuer: '' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('data-error-summary');
    expect(await listPersonHoldings(db(), w.as, w.people.cecilie)).toEqual([]);
    expect(evidenceFiles()).toEqual(before);
  });

  it('another municipality’s administrator gets 404 for the person, their writes, revocations and files, alike', async () => {
    const base = `/admin/people/${w.people.anne}/competence`;
    const [holding] = await listPersonHoldings(db(), w.as, w.people.anne);
    const fileId = (await db().selectFrom('competence_holding_files').select('id').executeTakeFirstOrThrow()).id;
    expect((await request(app).get(url(base, bergAdmin))).status).toBe(404);
    expect((await register(base, bergAdmin, fields())).status).toBe(404);
    expect((await request(app).post(url(`${base}/${holding!.id}/revoke`, bergAdmin)).type('form').send({ reason: 'x' })).status).toBe(404);
    expect((await request(app).get(url(`${base}/files/${fileId}`, bergAdmin))).status).toBe(404);
    // The Ås administrator asking for a Berg person: the same 404.
    expect((await request(app).get(url(`/admin/people/${w.people.bergWorker}/competence`, admin))).status).toBe(404);
    // A file asked for through another person of the same municipality: 404.
    expect((await request(app).get(url(`/admin/people/${w.people.cecilie}/competence/files/${fileId}`, admin))).status).toBe(404);
    expect((await listPersonHoldings(db(), w.as, w.people.anne)).every((h) => !h.revocation)).toBe(true);
  });

  it('a manager registers and revokes for people in their units only; outside them reads, writes and files are not found', async () => {
    // Ingrid leads Sykehjem: Bjørn (Avdeling 1) is hers, Cecilie (Hjemmetjeneste) is not.
    const own = `/manage/people/${w.people.bjorn}/competence`;
    const outside = `/manage/people/${w.people.cecilie}/competence`;
    const page = await request(app).get(url(own, manager));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kompetanse: Bjørn Fagarbeider');
    expect((await request(app).get(url(`/manage/people/${w.people.bjorn}`, manager))).text).toContain(`${own}?session=`);
    const saved = await register(own, manager, fields(), { bytes: PDF, name: 'bevis.pdf', type: 'application/pdf' });
    expect(saved.status).toBe(303);
    const [holding] = await listPersonHoldings(db(), w.as, w.people.bjorn);
    expect(holding!.source).toBe('registered');

    // Cecilie: the administrator registered something with a file for her; the manager can reach none of it.
    await register(`/admin/people/${w.people.cecilie}/competence`, admin, fields(), { bytes: PDF, name: 'c.pdf', type: 'application/pdf' });
    const [theirs] = await listPersonHoldings(db(), w.as, w.people.cecilie);
    const theirFile = (await db().selectFrom('competence_holding_files').select('id').where('holding_id', '=', theirs!.id).executeTakeFirstOrThrow()).id;
    expect((await request(app).get(url(outside, manager))).status).toBe(404);
    expect((await register(outside, manager, fields())).status).toBe(404);
    expect((await request(app).post(url(`${outside}/${theirs!.id}/revoke`, manager)).type('form').send({ reason: 'feil' })).status).toBe(404);
    expect((await request(app).get(url(`${outside}/files/${theirFile}`, manager))).status).toBe(404);
    // Nor through her own person's path.
    expect((await request(app).post(url(`${own}/${theirs!.id}/revoke`, manager)).type('form').send({ reason: 'feil' })).status).toBe(404);
    expect((await request(app).get(url(`${own}/files/${theirFile}`, manager))).status).toBe(404);
    expect(await listPersonHoldings(db(), w.as, w.people.cecilie)).toHaveLength(1);
    expect((await listPersonHoldings(db(), w.as, w.people.cecilie))[0]!.revocation).toBeNull();
    // A manager in another municipality's person: 404.
    expect((await request(app).get(url(`/manage/people/${w.people.bergWorker}/competence`, manager))).status).toBe(404);

    // Revoking needs a reason; then it is recorded and audited.
    const noReason = await request(app).post(url(`${own}/${holding!.id}/revoke`, manager)).type('form').send({ reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Skriv en grunn.');
    const revoked = await request(app).post(url(`${own}/${holding!.id}/revoke`, manager)).type('form').send({ reason: 'Feil person' });
    expect(revoked.status).toBe(303);
    const after = await listPersonHoldings(db(), w.as, w.people.bjorn);
    expect(after[0]!.revocation?.reason).toBe('Feil person');
    const audits = await db().selectFrom('audit_events').select(['action']).where('subject_person_id', '=', w.people.bjorn).where('actor_id', '=', w.people.ingrid).where('action', 'like', 'competence.%').orderBy('id').execute();
    expect(audits.map((a) => a.action)).toEqual(['competence.holdings.viewed', 'competence.holding.registered', 'competence.holding.revoked']);
  });

  it('imports holdings from CSV: a bad file shows its lines and loses nothing; a good one once; the same file again changes nothing', async () => {
    const page = '/admin/competence/holdings/import';
    expect((await request(app).get(url('/admin/competence', admin))).text).toContain(`${page}?session=`);
    expect((await request(app).get(url(page, admin))).status).toBe(200);
    const upload = (csv: string) => request(app).post(url(page, admin)).attach('file', Buffer.from(csv, 'utf8'), { filename: 'kompetanse.csv', contentType: 'text/csv' });
    const before = await db().selectFrom('competence_holdings').select('id').execute();
    const bad = await upload('ansattnummer;kompetansekode;dato\n1002;brannvern;01.02.2026\n7777;brannvern;01.02.2026\n1003;sveising;01.02.2026\n');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('data-problem-line="3"');
    expect(bad.text).toContain('Ingen ansatt har ansattnummer «7777».');
    expect(bad.text).toContain('data-problem-line="4"');
    expect(bad.text).not.toContain('data-import-apply');
    expect(await db().selectFrom('competence_holdings').select('id').execute()).toEqual(before);

    const good = '\uFEFFansattnummer;kompetansekode;dato;nummer;utsteder\n1002;autorisasjon;15.06.2010;HPR 1;Helsedirektoratet\n1003;brannvern;01.02.2026;;Brannvesenet\n';
    const preview = await upload(good);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Nye registreringer: 2 (for 2 personer)');
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(preview.text)?.[1] ?? '';
    const applied = await request(app).post(url(`${page}/apply`, admin)).type('form').send({ file: field('file'), sha256: field('sha256'), name: field('name') });
    expect(applied.status).toBe(303);
    expect((await listPersonHoldings(db(), w.as, w.people.anne)).some((h) => h.source === 'imported' && h.evidence['number'] === 'HPR 1')).toBe(true);
    // A tampered confirmation is refused.
    expect((await request(app).post(url(`${page}/apply`, admin)).type('form').send({ file: field('file'), sha256: 'a'.repeat(64), name: 'x' })).status).toBe(400);
    const again = await upload(good);
    expect(again.text).toContain('Filen endrer ingenting.');
    expect(again.text).toContain('Finnes fra før (endres ikke): 2');
    // Another municipality's import does not find Ås's employees.
    const elsewhere = await request(app).post(url(page, bergAdmin)).attach('file', Buffer.from(good, 'utf8'), { filename: 'k.csv', contentType: 'text/csv' });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.text).toContain('Ingen ansatt har ansattnummer «1002».');
  });

  // Last: Anne is erased here.
  it('erasing the person on the privacy page removes their evidence files from disk; a registration for them afterwards is refused (409) and keeps no file', async () => {
    const base = `/admin/people/${w.people.anne}/competence`;
    const hers = (await db().selectFrom('competence_holding_files as f').innerJoin('competence_holdings as h', 'h.id', 'f.holding_id').select('f.id').where('h.person_id', '=', w.people.anne).execute()).map((f) => f.id);
    expect(hers.length).toBeGreaterThan(0);
    const others = evidenceFiles().filter((f) => !hers.includes(f));
    expect(others.length).toBeGreaterThan(0);
    for (const id of hers) expect(evidenceFiles()).toContain(id);

    const erased = await request(app).post(url(`/admin/privacy/people/${w.people.anne}/erase`, admin)).type('form').send({ confirm: 'yes' });
    expect(erased.status).toBe(303);
    expect(evidenceFiles().sort()).toEqual([...others].sort());
    const audit = await db().selectFrom('audit_events').select('details').where('action', '=', 'person.erased').where('subject_person_id', '=', w.people.anne).executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ reason: 'request', evidenceFiles: hers.length });
    // The page lists her holdings, with no file and no number.
    const page = await request(app).get(url(base, admin));
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-evidence-file=');
    expect(page.text).not.toContain('BV-17');

    const refused = await register(base, admin, fields({ issuer: 'Helsedirektoratet' }), { bytes: PDF, name: 'autorisasjon.pdf', type: 'application/pdf' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Personen er slettet: det kan ikke registreres ny kompetanse for personen.');
    expect(refused.text).toContain('value="Helsedirektoratet"');
    expect(evidenceFiles().sort()).toEqual([...others].sort());
  });
});
