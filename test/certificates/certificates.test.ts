import { execFileSync } from 'node:child_process';
import type { JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { CompactSign, generateKeyPair } from 'jose';
import request from 'supertest';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { createApp } from '../../src/app.js';
import { CertificateKeys, certificateKeyBox } from '../../src/certificates/certificate-keys.js';
import { issueDueCertificates, listPersonCertificates } from '../../src/certificates/certificates.js';
import { CODE_BITS, groupedCode, newVerificationCode, normaliseCode } from '../../src/certificates/codes.js';
import { Certificates } from '../../src/certificates/service.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { EvidenceStore, evidenceDir } from '../../src/competence/evidence-files.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { grantFromCompletion } from '../../src/competence/holdings.js';
import { composeCapabilities, type Capabilities } from '../../src/compose.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { setLogo } from '../../src/tenants/themes.js';
import { verifyRouter } from '../../src/web/certificates/verify-router.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { publishPath } from '../learner/support.js';
import { SECRET } from '../lti/support/lti-http.js';
import { testApp, testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { segment, sha256Hex, statusBit, verifyEs256ByHand } from './support.js';

const PUBLIC_URL = 'http://localhost:3000';
const web = { type: 'web', title: 'Se filmen om rømning', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
const hasPoppler = fs.existsSync('/usr/bin/pdftotext') && fs.existsSync('/usr/bin/pdfinfo');
const binary = (req: request.Test) => req.buffer(true).parse((res, done) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
});

/**
 * Certificates end to end on the composed service: issued for a path completion and a registered
 * holding, downloaded by the learner (PDF, credential), checked by an outside verifier with
 * node:crypto, verified by code and by credential, tampered with every way the issue names,
 * revoked by the manager, and the manager's and others' downloads.
 */
describe(`certificates (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let capabilities: Capabilities;
  let app: Express;
  /** The verification routes alone, with a brake loose enough for the tampering cases. */
  let verifyApp: Express;
  let w: OrgWorld;
  let dataDir: string;
  const tokens = {} as Record<'anne' | 'bjorn' | 'ingrid' | 'bergLeader', string>;
  let completionId: string;
  let registeredHoldingId: string;
  const db = () => testDb.database.db;
  const url = (p: string, token: string, query = '') => `${p}?session=${encodeURIComponent(token)}${query}`;
  const jwks = async () => (await request(app).get('/lti/jwks')).body as { keys: (JsonWebKey & { kid?: string; alg?: string })[] };
  const anneCertificates = () => listPersonCertificates(db(), w.as, w.people.anne);
  const credentialOf = async (certificateId: string) => {
    const res = await request(app).get(url(`/learn/certificates/${certificateId}/credential.json`, tokens.anne));
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as string;
  };
  const verifyJwt = (credential: string) => request(verifyApp).post('/api/verify').send({ credential });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { database } = testDb;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certificates-'));
    const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir, PUBLIC_URL });
    w = await orgWorld(database.db);
    await applyCatalogueImport(database.db, w.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\nHelse;autorisasjon;Autorisasjon som sykepleier;\n', OPERATOR);
    const authorisation = (await listCatalogue(database.db, w.as)).flatMap((a) => a.competences).find((c) => c.code === 'autorisasjon')!.id;
    capabilities = await composeCapabilities({ config, database, logger: createLogger('silent') });
    app = createApp({ config, database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: capabilities.routers, apiRouters: capabilities.apiRouters });
    const certificates = new Certificates(database.db, new CertificateKeys(database.db, certificateKeyBox(SECRET)), PUBLIC_URL);
    verifyApp = testApp(database, { config, routers: [verifyRouter({ db: database.db, certificates, policy: { burst: 1000, refillMs: 1 } })] });
    const sessions = new SessionTokens(SECRET);
    const issue = (personId: string, tenantId: string, role: 'learner' | 'manager') => sessions.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    tokens.anne = await issue(w.people.anne, w.as, 'learner');
    tokens.bjorn = await issue(w.people.bjorn, w.as, 'learner');
    tokens.ingrid = await issue(w.people.ingrid, w.as, 'manager');
    tokens.bergLeader = await issue(w.people.bergLeader, w.berg, 'manager');

    const path1 = await publishPath(database, w.as, [web, { ...web, title: 'Øv på slukking' } as NewStep], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });
    const { enrolmentId } = await enrol(database.db, w.as, { personId: w.people.anne, pathId: path1.pathId });
    for (const stepId of path1.stepIds) completionId = (await deliverOutcome(database.db, w.as, { enrolmentId, stepId, idempotencyKey: stepId, outcome: { kind: 'web', event: 'done' } })).completionId ?? completionId;
    await grantFromCompletion(database.db, completionId);
    registeredHoldingId = (await database.db.insertInto('competence_holdings').values({
      tenant_id: w.as, person_id: w.people.anne, competence_id: authorisation, level: null, source: 'registered', achieved_on: '2020-06-01', expires_on: null,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: 'HPR-1234567', issuer: 'Helsedirektoratet' }), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await capabilities?.stop();
    await testDb?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues one certificate per completion and per registered holding, with codes of at least 80 random bits, listed on "Min kompetanse"', async () => {
    const page = await request(app).get(url('/learn/competence', tokens.anne));
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-certificates');
    const issued = await anneCertificates();
    expect(issued.map((c) => c.kind).sort()).toEqual(['holding', 'path-completion']);
    expect(issued.find((c) => c.kind === 'holding')!.holdingId).toBe(registeredHoldingId);
    expect(issued.find((c) => c.kind === 'path-completion')!.completionId).toBe(completionId);
    for (const c of issued) {
      expect(c.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/);
      expect(page.text).toContain(`data-certificate="${c.id}"`);
      expect(page.text).toContain(groupedCode(c.code));
    }
    expect(await issueDueCertificates(db(), w.as, w.people.anne)).toBe(0);
    expect(await anneCertificates()).toHaveLength(2);
    expect(CODE_BITS).toBeGreaterThanOrEqual(80);
    const many = new Set(Array.from({ length: 2000 }, () => newVerificationCode()));
    expect(many.size).toBe(2000);
    // Every character position takes every symbol: the codes are not drawn from a small subset.
    const first = new Set([...many].map((c) => c[0]));
    expect(first.size).toBe(32);
    expect(normaliseCode(groupedCode(issued[0]!.code).toLowerCase())).toBe(issued[0]!.code);
    expect(normaliseCode('x'.repeat(10_000))).toBeUndefined();
    // The completion page links its certificate.
    const enrolment = await db().selectFrom('path_enrolments').select('id').where('person_id', '=', w.people.anne).executeTakeFirstOrThrow();
    const pathPage = await request(app).get(url(`/learn/enrolments/${enrolment.id}`, tokens.anne));
    expect(pathPage.text).toContain('data-completion-certificate');
    expect(pathPage.text).toContain(`/learn/certificates/${issued.find((c) => c.kind === 'path-completion')!.id}/kursbevis.pdf`);
  });

  it('the credential is an Open Badges 3.0 OpenBadgeCredential as a VC-JWT that node:crypto verifies with the key published in /lti/jwks', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const jwt = await credentialOf(certificate.id);
    const keys = await jwks();
    const checked = verifyEs256ByHand(jwt, keys);
    expect(checked).toBeDefined();
    const { header, payload } = checked!;
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const published = keys.keys.find((k) => k.kid === header['kid'])!;
    expect(published).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published).not.toHaveProperty('d');
    // Its own kid: the LTI key is published beside it, under another.
    expect(keys.keys.filter((k) => k.kty === 'RSA').length).toBeGreaterThanOrEqual(1);

    // VC Data Model 2.0 and Open Badges 3.0 (§B.1 AchievementCredential, Profile, AchievementSubject, Achievement, IdentityObject).
    expect(payload['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(payload['type']).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(payload['id']).toBe(`urn:uuid:${certificate.id}`);
    expect(typeof payload['name']).toBe('string');
    const issuer = payload['issuer'] as Record<string, unknown>;
    expect(issuer).toEqual({ id: `${PUBLIC_URL}/certificates/issuers/${w.as}`, type: ['Profile'], name: 'Ås', url: PUBLIC_URL });
    expect(payload['validFrom']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(payload['validUntil']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // §8.2.4.1: the JWT claims mirror the credential.
    expect(payload['iss']).toBe(issuer['id']);
    expect(payload['jti']).toBe(payload['id']);
    expect(payload['nbf']).toBe(Date.parse(payload['validFrom'] as string) / 1000);
    expect(payload['exp']).toBe(Date.parse(payload['validUntil'] as string) / 1000);
    const subject = payload['credentialSubject'] as Record<string, unknown>;
    expect(subject['type']).toEqual(['AchievementSubject']);
    expect(subject).not.toHaveProperty('id');
    const [identity] = subject['identifier'] as Record<string, unknown>[];
    expect(identity).toMatchObject({ type: 'IdentityObject', identityType: 'identifier', hashed: true });
    expect(identity!['identityHash']).toBe(`sha256$${sha256Hex(`1002${identity!['salt'] as string}`)}`);
    const achievement = subject['achievement'] as Record<string, unknown>;
    expect(achievement).toMatchObject({ type: ['Achievement'], achievementType: 'Certificate', name: 'Brannvern for alle' });
    expect(achievement['id']).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(typeof achievement['description']).toBe('string');
    expect((achievement['criteria'] as { narrative: string }).narrative).toContain('Øv på slukking');
    expect(achievement['alignment']).toEqual([expect.objectContaining({ type: ['Alignment'], targetName: 'Brannvern', targetCode: 'brannvern', targetType: 'ceasn:Competency' })]);
    const status = payload['credentialStatus'] as Record<string, unknown>;
    expect(status).toEqual({
      id: `${PUBLIC_URL}/certificates/status/${w.as}#${certificate.statusIndex}`,
      type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(certificate.statusIndex), statusListCredential: `${PUBLIC_URL}/certificates/status/${w.as}`,
    });
    // The employee number and the name are not in it in clear, nor the person's id.
    const text = Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8');
    for (const secret of ['1002', 'Anne', 'Sykepleier', w.people.anne]) expect(text).not.toContain(secret);

    // The status list an outside verifier reads: signed by the same key, the bit not set.
    const list = await request(app).get(`/certificates/status/${w.as}`);
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toContain('application/vc+jwt');
    const listChecked = verifyEs256ByHand(list.text, keys)!;
    expect(listChecked.payload['type']).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    const listSubject = listChecked.payload['credentialSubject'] as { type: string; statusPurpose: string; encodedList: string };
    expect(listSubject).toMatchObject({ type: 'BitstringStatusList', statusPurpose: 'revocation' });
    expect(statusBit(listSubject.encodedList, certificate.statusIndex)).toEqual({ bit: false, bits: 131_072 });
    const profile = await request(app).get(`/certificates/issuers/${w.as}`);
    expect(profile.body).toMatchObject({ id: issuer['id'], type: ['Profile'], name: 'Ås' });
    expect((await request(app).get('/certificates/status/not-a-tenant')).status).toBe(404);
  });

  it('the kursbevis is a tagged PDF: structure tree, language, title, alternative text, extractable text (pdftotext), in bokmål, nynorsk and English', async (context) => {
    if (!hasPoppler) context.skip();
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const artefacts = path.join(process.cwd(), '.scratch', 'test-artefacts');
    fs.mkdirSync(artefacts, { recursive: true });
    for (const [lang, expected] of [['nb', 'har fullført læringsløpet «Brannvern for alle»'], ['nn', 'Innhald i læringsløpet'], ['en', 'completed the learning path “Brannvern for alle”']] as const) {
      const res = await binary(request(app).get(url(`/learn/certificates/${certificate.id}/kursbevis.pdf`, tokens.anne, `&lang=${lang}`)));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="kursbevis-${certificate.code}.pdf"`);
      const file = path.join(dataDir, `kursbevis-${lang}.pdf`);
      fs.writeFileSync(file, res.body as Buffer);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Tagged:\s+yes/);
      expect(info).toMatch(/Title:\s+.*Brannvern for alle – Anne Sykepleier/);
      const struct = execFileSync('pdfinfo', ['-struct', file], { encoding: 'utf8' });
      for (const tag of ['Document', 'H1', 'H2', 'P', 'L', 'LI', 'Figure']) expect(struct).toContain(tag);
      const raw = (res.body as Buffer).toString('latin1');
      expect(raw).toContain(`/Lang (${lang === 'en' ? 'en-GB' : `${lang}-NO`})`);
      expect(raw).toMatch(/\/DisplayDocTitle true/);
      expect(raw).toMatch(/\/Alt \(/);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('Anne Sykepleier');
      expect(text.replace(/\s+/g, ' ')).toContain(expected);
      expect(text).toContain(groupedCode(certificate.code));
      expect(text.replace(/\s+/g, '')).toContain(`${PUBLIC_URL}/verify/${groupedCode(certificate.code)}`);
      expect(text).toContain('Ås');
      if (fs.existsSync('/usr/bin/pdftoppm')) execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', file, path.join(artefacts, `kursbevis-${lang}`)]);
    }
    // The registered holding's certificate names its documentation.
    const holding = (await anneCertificates()).find((c) => c.kind === 'holding')!;
    const res = await binary(request(app).get(url(`/learn/certificates/${holding.id}/kursbevis.pdf`, tokens.anne)));
    const file = path.join(dataDir, 'holding.pdf');
    fs.writeFileSync(file, res.body as Buffer);
    expect(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })).toContain('nummer HPR-1234567, utstedt av Helsedirektoratet');
  });

  it('the municipality sets the signatory title on /admin/theme; its logo and the title appear on the kursbevis', async (context) => {
    if (!hasPoppler) context.skip();
    const admin = await new SessionTokens(SECRET).issue({ personId: w.asAdmin, tenantId: w.as, role: 'admin', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    const theme = await request(app).get(url('/admin/theme', admin));
    expect(theme.text).toContain('data-theme-certificate');
    const saved = await request(app).post('/admin/theme/certificate').type('form').send({ session: admin, signatory: '  Kommunedirektør  ' });
    expect(saved.status).toBe(303);
    expect((await request(app).get(url('/admin/theme', admin, '&notice=certificate'))).text).toContain('Tittelen på kursbevisene er lagret.');
    // Someone else's session may not set it.
    expect((await request(app).post('/admin/theme/certificate').type('form').send({ session: tokens.anne, signatory: 'Sjef' })).status).toBe(403);
    await setLogo(db(), w.as, await QRCode.toBuffer('logo', { type: 'png' }), w.asAdmin);
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const res = await binary(request(app).get(url(`/learn/certificates/${certificate.id}/kursbevis.pdf`, tokens.anne)));
    const file = path.join(dataDir, 'themed.pdf');
    fs.writeFileSync(file, res.body as Buffer);
    expect(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })).toContain('For kommunen: Kommunedirektør');
    expect(execFileSync('pdfinfo', ['-struct', file], { encoding: 'utf8' }).match(/Figure/g)).toHaveLength(2);
    // Both figures (the logo and the QR code) carry alternative text (UTF-16 here, for the Å of Ås).
    expect((res.body as Buffer).toString('latin1').match(/\/S \/Figure\n\/Alt \(/g)).toHaveLength(2);
    const artefacts = path.join(process.cwd(), '.scratch', 'test-artefacts');
    if (fs.existsSync('/usr/bin/pdftoppm')) execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', file, path.join(artefacts, 'kursbevis-logo')]);
  });

  it('verifies by code on the page and in the API, disclosing the printed name and what is attested only; malformed and unknown codes get clear answers', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const api = await request(verifyApp).get(`/api/verify/${groupedCode(certificate.code).toLowerCase()}`);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ status: 'valid', certificate: { name: 'Anne Sykepleier', code: groupedCode(certificate.code), path: { title: 'Brannvern for alle', versionNumber: 1 }, issuer: { name: 'Ås', region: 'Follo og Berg' } } });
    expect(api.body.certificate.competences).toEqual([expect.objectContaining({ code: 'brannvern', expiresOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);
    const disclosed = JSON.stringify(api.body);
    for (const secret of ['1002', w.people.anne, certificate.id, 'salt', 'email']) expect(disclosed).not.toContain(secret);

    const pageRes = await request(verifyApp).get(`/verify/${groupedCode(certificate.code)}`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain('data-verification="valid"');
    expect(pageRes.text).toContain('Anne Sykepleier');
    const posted = await request(verifyApp).post('/verify?lang=en').type('form').send({ input: ` ${certificate.code.toLowerCase()} ` });
    expect(posted.text).toContain('data-verification="valid"');
    expect(posted.text).toContain('Valid: the certificate was issued here');

    expect((await request(verifyApp).get('/api/verify/ABC')).body).toEqual({ status: 'malformed', reason: 'not-a-code-or-credential' });
    expect((await request(verifyApp).get(`/api/verify/${newVerificationCode()}`)).body).toEqual({ status: 'not-issued-here', reason: 'unknown-code' });
    expect((await request(verifyApp).get(`/verify/${newVerificationCode()}`)).status).toBe(404);
    expect((await request(verifyApp).get('/api/verify/%3Cscript%3E')).body.status).toBe('malformed');
    const long = await request(verifyApp).post('/api/verify').send({ code: 'A'.repeat(200_000) });
    expect(long.status).toBe(200);
    expect(long.body).toEqual({ status: 'malformed', reason: 'too-long' });
    const longJwt = await verifyJwt(`${'a'.repeat(100_000)}.b.c`);
    expect(longJwt.body).toEqual({ status: 'malformed', reason: 'too-long' });
    const huge = await request(verifyApp).post('/verify').type('form').send({ input: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(413);
    for (const body of [{}, { code: 1 }, { code: 'A', credential: 'B' }, [], { credential: null }]) {
      const bad = await request(verifyApp).post('/api/verify').send(body as object);
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    const notJson = await request(verifyApp).post('/api/verify').set('content-type', 'application/json').send('{"code":');
    expect(notJson.status).toBe(400);
    const empty = await request(verifyApp).post('/verify').type('form').send({ input: '' });
    expect(empty.status).toBe(400);
  });

  it('verifies an uploaded kursbevis PDF by the code in it; a file that is not a PDF, one without a code and one over 5 MB get readable refusals and nothing is kept', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const pdf = await binary(request(app).get(url(`/learn/certificates/${certificate.id}/kursbevis.pdf`, tokens.anne, '&lang=nb')));
    expect(pdf.status).toBe(200);
    const upload = (bytes: Buffer, filename = 'kursbevis.pdf', input = '') => request(verifyApp).post('/verify?lang=nb').field('input', input).attach('pdf', bytes, { filename, contentType: 'application/pdf' });
    const verified = await upload(pdf.body as Buffer);
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('data-verification="valid"');
    expect(verified.text).toContain('Anne Sykepleier');
    expect(verified.text).toContain(groupedCode(certificate.code));

    const notPdf = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'kursbevis.pdf');
    expect(notPdf.status).toBe(415);
    expect(notPdf.text).toContain('Filen er ikke en PDF.');
    expect(notPdf.text).toContain('aria-invalid="true"');
    expect(notPdf.text).not.toContain('data-verification=');
    // A PDF of another making, or one whose properties were stripped: no code in it.
    const stripped = Buffer.from((pdf.body as Buffer).toString('latin1').replace(/\(https?:\/\/[^()\s]*\/verify\/[0-9A-Za-z-]+\)/, '(no code)'), 'latin1');
    const noCode = await upload(stripped);
    expect(noCode.status).toBe(422);
    expect(noCode.text).toContain('Fant ingen kontrollkode i PDF-en.');
    // The typed code still counts when the PDF has none.
    expect((await upload(stripped, 'kursbevis.pdf', certificate.code)).text).toContain('data-verification="valid"');
    const tooLarge = await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(6 * 1024 * 1024, 32)]));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.text).toContain('Filen er større enn 5 MB.');
    // A tampered code in the properties is only a code: it verifies as what it is.
    const forged = Buffer.from((pdf.body as Buffer).toString('latin1').replace(/(\(https?:\/\/[^()\s]*\/verify\/)[0-9A-Za-z-]+/, `$1${groupedCode(newVerificationCode())}`), 'latin1');
    const forgedRes = await upload(forged);
    expect(forgedRes.status).toBe(200);
    expect(forgedRes.text).toContain('data-verification="not-issued-here"');
    expect(forgedRes.text).not.toContain('Anne Sykepleier');
  });

  it('a credential tampered with in any way the issue names is refused with a clear status, never a 500', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const jwt = await credentialOf(certificate.id);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect((await verifyJwt(jwt)).body.status).toBe('valid');
    // The downloaded file's content (the JWT as a JSON string) verifies as it is.
    expect((await verifyJwt(JSON.stringify(jwt))).body.status).toBe('valid');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;

    const changed = segment({ ...payload, validUntil: '2099-01-01T00:00:00Z', exp: 4070908800 });
    expect((await verifyJwt(`${h}.${changed}.${s}`)).body).toEqual({ status: 'tampered', reason: 'signature-invalid' });
    expect((await verifyJwt(`${h}.${p}.`)).body).toEqual({ status: 'tampered', reason: 'signature-missing' });
    expect((await verifyJwt(`${h}.${p}`)).body).toEqual({ status: 'tampered', reason: 'signature-missing' });
    expect((await verifyJwt(`${segment({ alg: 'none', typ: 'JWT' })}.${p}.`)).body).toEqual({ status: 'tampered', reason: 'signature-missing' });
    expect((await verifyJwt(`${segment({ alg: 'none', typ: 'JWT', kid: header['kid'] })}.${p}.${s}`)).body).toEqual({ status: 'tampered', reason: 'algorithm-refused' });
    // HS256 keyed with the public key (the classic confusion): refused by its algorithm.
    expect((await verifyJwt(`${segment({ ...header, alg: 'HS256' })}.${p}.${s}`)).body).toEqual({ status: 'tampered', reason: 'algorithm-refused' });

    // Another key: claiming the tool's kid, or a kid of its own.
    const other = await generateKeyPair('ES256');
    const forged = (kid: unknown) => new CompactSign(Buffer.from(JSON.stringify({ ...payload, exp: 4070908800 }))).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: kid as string }).sign(other.privateKey);
    expect((await verifyJwt(await forged(header['kid']))).body).toEqual({ status: 'tampered', reason: 'signature-invalid' });
    expect((await verifyJwt(await forged('someone-else'))).body).toEqual({ status: 'not-issued-here', reason: 'unknown-key' });
    expect((await verifyJwt(await forged(undefined))).body).toEqual({ status: 'not-issued-here', reason: 'unknown-key' });
    // Signed by the tool's key but naming a certificate it did not issue, or another issuer.
    const keys = new CertificateKeys(db(), certificateKeyBox(SECRET));
    const { key, kid } = await keys.signingKey();
    const signed = (body: Record<string, unknown>) => new CompactSign(Buffer.from(JSON.stringify(body))).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).sign(key);
    expect((await verifyJwt(await signed({ ...payload, jti: 'urn:uuid:00000000-0000-4000-8000-000000000000' }))).body).toEqual({ status: 'not-issued-here', reason: 'unknown-credential' });
    expect((await verifyJwt(await signed({ ...payload, iss: 'https://evil.example/' }))).body).toEqual({ status: 'tampered', reason: 'claims-disagree' });
    // Garbage of every shape: malformed, never a 500.
    for (const junk of ['a.b.c', '....', `${h}.%%%.${s}`, `${segment('x')}.${p}.${s}`, '.'.repeat(5000), `${h}.${segment([1, 2])}.${s}`, 'eyJ.eyJ.eyJ']) {
      const res = await verifyJwt(junk);
      expect(res.status, junk.slice(0, 40)).toBe(200);
      expect(['malformed', 'tampered', 'not-issued-here'], junk.slice(0, 40)).toContain(res.body.status);
    }
    // An expired credential (past its validUntil) signed by the tool: expired, with the reason.
    const past = await signed({ ...payload, exp: 1_000_000_000 });
    expect((await verifyJwt(past)).body).toMatchObject({ status: 'expired', reason: 'credential-expired' });
  });

  it('after the manager revokes the holding, its certificate verifies as revoked by code, credential and status list at once; only people in scope download it (audited)', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'path-completion')!;
    const jwt = await credentialOf(certificate.id);
    const holding = await db().selectFrom('competence_holdings').select('id').where('path_completion_id', '=', completionId).executeTakeFirstOrThrow();
    const base = `/manage/people/${w.people.anne}/competence`;
    const page = await request(app).get(url(base, tokens.ingrid));
    expect(page.text).toContain(`${base}/certificates/${certificate.id}/kursbevis.pdf`);
    const pdf = await binary(request(app).get(url(`${base}/certificates/${certificate.id}/kursbevis.pdf`, tokens.ingrid)));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const audit = await db().selectFrom('audit_events').select(['actor_id', 'object_id']).where('action', '=', 'certificate.downloaded').execute();
    expect(audit).toEqual([{ actor_id: w.people.ingrid, object_id: certificate.id }]);
    // Outside scope or someone else's: not found, alike.
    expect((await request(app).get(url(`/manage/people/${w.people.anne}/competence/certificates/${certificate.id}/kursbevis.pdf`, tokens.bergLeader))).status).toBe(404);
    expect((await request(app).get(url(`/learn/certificates/${certificate.id}/kursbevis.pdf`, tokens.bjorn))).status).toBe(404);
    expect((await request(app).get(url(`/learn/certificates/${certificate.id}/credential.json`, tokens.bjorn))).status).toBe(404);
    expect((await request(app).get(url('/learn/certificates/not-an-id/credential.json', tokens.anne))).status).toBe(404);
    expect((await request(app).get(`/learn/certificates/${certificate.id}/kursbevis.pdf`)).status).toBe(401);

    const revoke = await request(app).post(url(`${base}/${holding.id}/revoke`, tokens.ingrid)).type('form').send({ reason: 'Kurset ble gjennomført av en annen person' });
    expect(revoke.status).toBe(303);
    const byCode = await request(verifyApp).get(`/api/verify/${certificate.code}`);
    expect(byCode.body).toMatchObject({ status: 'revoked', certificate: { name: 'Anne Sykepleier' } });
    expect(byCode.body.certificate.revokedAt).toMatch(/^\d{4}-/);
    // The reason is the manager's words about the person: not for verifiers.
    expect(JSON.stringify(byCode.body)).not.toContain('annen person');
    expect((await verifyJwt(jwt)).body.status).toBe('revoked');
    const list = await request(app).get(`/certificates/status/${w.as}`).set('Accept', 'application/json');
    expect(list.headers['content-type']).toContain('application/json');
    expect(statusBit(list.body.credentialSubject.encodedList as string, certificate.statusIndex).bit).toBe(true);
    const other = (await anneCertificates()).find((c) => c.kind === 'holding')!;
    expect(statusBit(list.body.credentialSubject.encodedList as string, other.statusIndex).bit).toBe(false);
    const mine = await request(app).get(url('/learn/competence', tokens.anne));
    expect(mine.text).toContain(`data-certificate="${certificate.id}" data-certificate-status="revoked"`);
  });

  it('guessing codes is braked per address with 429 problem+json and Retry-After, and it refills', async () => {
    let now = 0;
    const certificates = new Certificates(db(), new CertificateKeys(db(), certificateKeyBox(SECRET)), PUBLIC_URL);
    const braked = testApp(testDb.database, { routers: [verifyRouter({ db: db(), certificates, now: () => now })] });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await request(braked).get(`/api/verify/${newVerificationCode()}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const refused = await request(braked).get(`/api/verify/${newVerificationCode()}`);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.type).toBe('/problems/verification-too-many-requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const pageRefused = await request(braked).get(`/verify/${newVerificationCode()}`);
    expect(pageRefused.status).toBe(429);
    expect(pageRefused.text).toContain('data-verification="too-many"');
    now += 3_000;
    expect((await request(braked).get(`/api/verify/${newVerificationCode()}`)).status).toBe(200);
  });

  it('a credential signed with a key whose publication ended verifies as expired (signing key), and the new key signs from then on', async () => {
    const certificate = (await anneCertificates()).find((c) => c.kind === 'holding')!;
    const jwt = await credentialOf(certificate.id);
    expect((await verifyJwt(jwt)).body.status).toBe('valid');
    const keys = new CertificateKeys(db(), certificateKeyBox(SECRET));
    const { kid: oldKid } = await keys.signingKey();
    const rotated = await keys.rotate(0);
    expect(rotated.retired).toEqual([oldKid]);
    expect((await verifyJwt(jwt)).body).toEqual({ status: 'expired', reason: 'signing-key-expired' });
    const published = (await jwks()).keys.map((k) => k.kid);
    expect(published).toContain(rotated.kid);
    expect(published).not.toContain(oldKid);
    const fresh = await new Certificates(db(), keys, PUBLIC_URL).credentialJwt(certificate);
    expect(verifyEs256ByHand(fresh, await jwks())).toBeDefined();
    expect((await verifyJwt(fresh)).body.status).toBe('valid');
  });

  // Last: Anne is erased here.
  it('once the person is erased, verification says the certificate was issued to a person who has been erased (no name, no pseudonym); the PDF prints no name or number; nothing new is issued', async () => {
    const before = await anneCertificates();
    const holdingCertificate = before.find((c) => c.kind === 'holding')!;
    const completionCertificate = before.find((c) => c.kind === 'path-completion')!;
    // Signed by the key the previous test rotated to (the composed service's instance keeps the one it read).
    const jwt = await new Certificates(db(), new CertificateKeys(db(), certificateKeyBox(SECRET)), PUBLIC_URL).credentialJwt(holdingCertificate);
    const erased = await erasePerson(db(), { tenantId: w.as, personId: w.people.anne, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: new EvidenceStore(evidenceDir(dataDir)) });
    const pseudonym = erased!.pseudonym;

    // What it attests still stands as it did (revoked stays revoked, valid stays valid), to no one named.
    const byCode = await request(verifyApp).get(`/api/verify/${holdingCertificate.code}`);
    expect(byCode.body).toMatchObject({ status: 'valid', certificate: { name: null, holderErased: true, kind: 'holding' } });
    expect((await request(verifyApp).get(`/api/verify/${completionCertificate.code}`)).body).toMatchObject({ status: 'revoked', certificate: { name: null, holderErased: true } });
    expect((await verifyJwt(jwt)).body).toMatchObject({ status: 'valid', certificate: { name: null, holderErased: true } });
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const page = await request(verifyApp).get(`/verify/${groupedCode(holdingCertificate.code)}?lang=${lang}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain({ nb: 'Utstedt til en person som er slettet', nn: 'Utferda til ein person som er sletta', en: 'Issued to a person who has been erased' }[lang]);
      for (const trace of ['Anne', 'Sykepleier', pseudonym, 'HPR-1234567']) expect(page.text).not.toContain(trace);
    }
    for (const trace of ['Anne', pseudonym, 'HPR-1234567']) expect(JSON.stringify(byCode.body)).not.toContain(trace);
    // The certificate keeps what it attests but the authorisation number, which finds her in a public register.
    const attests = await db().selectFrom('certificates').select('attests').where('id', '=', holdingCertificate.id).executeTakeFirstOrThrow();
    expect((attests.attests as { documented: unknown }).documented).toEqual({ number: null, issuer: 'Helsedirektoratet' });

    const pdf = await binary(request(app).get(url(`/manage/people/${w.people.anne}/competence/certificates/${holdingCertificate.id}/kursbevis.pdf`, tokens.ingrid, '&lang=nn')));
    expect(pdf.status).toBe(200);
    if (hasPoppler) {
      const file = path.join(dataDir, 'erased.pdf');
      fs.writeFileSync(file, pdf.body as Buffer);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      expect(text).toContain(`Sletta person ${pseudonym}`);
      expect(text).toContain('utferda av Helsedirektoratet');
      for (const trace of ['Anne', 'HPR-1234567']) expect(text).not.toContain(trace);
      expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).not.toContain('Anne');
    }

    // A holding registered for her id after the erasure gets no certificate.
    const authorisation = await db().selectFrom('competences').select('id').where('tenant_id', '=', w.as).where('code', '=', 'autorisasjon').executeTakeFirstOrThrow();
    await db().insertInto('competence_holdings').values({
      tenant_id: w.as, person_id: w.people.anne, competence_id: authorisation.id, level: null, source: 'registered', achieved_on: '2024-01-01', expires_on: null,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: null, issuer: 'Helsedirektoratet' }), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    }).execute();
    expect(await issueDueCertificates(db(), w.as, w.people.anne)).toBe(0);
    expect((await anneCertificates()).map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
  });
});
