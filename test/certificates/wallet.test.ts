import { createHash, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { createApp } from '../../src/app.js';
import { issueDueCertificates, listPersonCertificates, type Certificate } from '../../src/certificates/certificates.js';
import { WalletNonces } from '../../src/certificates/wallet/nonces.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { EvidenceStore, evidenceDir } from '../../src/competence/evidence-files.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { revokeHolding } from '../../src/competence/holdings.js';
import { composeCapabilities, type Capabilities } from '../../src/compose.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { SECRET } from '../lti/support/lti-http.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { segment, verifyEs256ByHand } from './support.js';

const PUBLIC_URL = 'http://localhost:3000';
const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/**
 * The test's wallet, on node:crypto alone (not jose, which the tool signs with): a P-256 key, key
 * proofs (OID4VCI 1.0 App. F.1) signed with it, and the flow a wallet walks from an offer's URI.
 */
class TestWallet {
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    const { kty, crv, x, y } = pair.publicKey.export({ format: 'jwk' });
    this.jwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  }

  get did(): string {
    return `did:jwk:${Buffer.from(JSON.stringify({ crv: this.jwk.crv, kty: this.jwk.kty, x: this.jwk.x, y: this.jwk.y })).toString('base64url')}`;
  }

  /** A compact JWS signed with this wallet's key (ES256: r‖s, RFC 7518 §3.4), whatever the header says. */
  signed(header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const input = `${segment(header)}.${segment(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  proof(aud: string, nonce: string | undefined, options: { header?: Record<string, unknown>; iat?: number } = {}): string {
    return this.signed(
      { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: this.jwk, ...options.header },
      { aud, iat: options.iat ?? Math.floor(Date.now() / 1000), ...(nonce === undefined ? {} : { nonce }) },
    );
  }
}

describe(`adding a certificate to a wallet: OpenID4VCI 1.0 pre-authorized code (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let capabilities: Capabilities;
  let app: Express;
  let w: OrgWorld;
  let dataDir: string;
  const tokens = {} as Record<'anne' | 'bjorn', string>;
  let authorisation: Certificate;
  let fireSafety: Certificate;
  let fireSafetyHolding: string;
  const db = () => testDb.database.db;
  const url = (p: string, token: string, query = '') => `${p}?session=${encodeURIComponent(token)}${query}`;
  const issuerOf = (tenantId: string) => `${PUBLIC_URL}/certificates/issuers/${tenantId}`;
  const local = (absolute: string) => absolute.slice(PUBLIC_URL.length);

  /** The person's page makes an offer; the wallet reads the QR code's link and fetches the offer. */
  /** The transaction code shown with each offer's pre-authorized code, as the person would type it into the wallet. */
  const txCodes = new Map<string, string>();
  async function offerFor(certificate: Certificate, token = tokens.anne): Promise<{ offerUri: string; code: string; txCode: string; page: string }> {
    const res = await request(app).get(url(`/learn/certificates/${certificate.id}/wallet`, token));
    expect(res.status).toBe(200);
    const link = /data-wallet-address>([^<]+)</.exec(res.text)![1]!.replace(/&amp;/g, '&');
    const parsed = new URL(link);
    expect(parsed.protocol).toBe('openid-credential-offer:');
    const offerUri = parsed.searchParams.get('credential_offer_uri')!;
    expect(offerUri.startsWith(`${issuerOf(certificate.tenantId)}/offers/`)).toBe(true);
    const offer = await request(app).get(local(offerUri));
    expect(offer.status).toBe(200);
    expect(offer.headers['cache-control']).toBe('no-store');
    expect(offer.body).toMatchObject({ credential_issuer: issuerOf(certificate.tenantId), credential_configuration_ids: ['OpenBadgeCredential'] });
    // OID4VCI 1.0 §4.1.1: the wallet is told to ask for six digits.
    expect(offer.body.grants[PRE_AUTHORIZED].tx_code).toMatchObject({ input_mode: 'numeric', length: 6, description: expect.stringContaining('Engangskoden') });
    const txCode = /data-wallet-tx-code>(\d{6})</.exec(res.text)![1]!;
    const code = offer.body.grants[PRE_AUTHORIZED]['pre-authorized_code'] as string;
    txCodes.set(code, txCode);
    return { offerUri, code, txCode, page: res.text };
  }

  /** The wallet's token request with the transaction code of the code's offer, the one given, or none (null). */
  const tokenRequest = (tenantId: string, code: string, txCode: string | null = txCodes.get(code) ?? null) => request(app).post(`/certificates/issuers/${tenantId}/token`).type('form')
    .send({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': code, ...(txCode !== null ? { tx_code: txCode } : {}) });
  const nonce = async (tenantId: string) => {
    const res = await request(app).post(`/certificates/issuers/${tenantId}/nonce`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.body.c_nonce as string;
  };
  const credentialRequest = (tenantId: string, accessToken: string | undefined, body: unknown) => {
    const req = request(app).post(`/certificates/issuers/${tenantId}/credential`);
    if (accessToken) req.set('Authorization', `Bearer ${accessToken}`);
    return req.send(body as object);
  };
  const withProof = (proof: string) => ({ credential_configuration_id: 'OpenBadgeCredential', proofs: { jwt: [proof] } });
  async function accessTokenFor(certificate: Certificate): Promise<string> {
    const { code } = await offerFor(certificate);
    const res = await tokenRequest(certificate.tenantId, code);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { database } = testDb;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-'));
    const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir, PUBLIC_URL });
    w = await orgWorld(database.db);
    await applyCatalogueImport(database.db, w.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\nHelse;autorisasjon;Autorisasjon som sykepleier;\n', OPERATOR);
    const competences = (await listCatalogue(database.db, w.as)).flatMap((a) => a.competences);
    capabilities = await composeCapabilities({ config, database, logger: createLogger('silent') });
    app = createApp({ config, database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: capabilities.routers, apiRouters: capabilities.apiRouters });
    const sessions = new SessionTokens(SECRET);
    const issue = (personId: string) => sessions.issue({ personId, tenantId: w.as, role: 'learner', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    tokens.anne = await issue(w.people.anne);
    tokens.bjorn = await issue(w.people.bjorn);
    const registered = async (code: string, achievedOn: string) => (await database.db.insertInto('competence_holdings').values({
      tenant_id: w.as, person_id: w.people.anne, competence_id: competences.find((c) => c.code === code)!.id, level: null, source: 'registered', achieved_on: achievedOn, expires_on: null,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: 'HPR-1234567', issuer: 'Helsedirektoratet' }), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    }).returning('id').executeTakeFirstOrThrow()).id;
    const authorisationHolding = await registered('autorisasjon', '2020-06-01');
    fireSafetyHolding = await registered('brannvern', '2026-01-10');
    await issueDueCertificates(database.db, w.as, w.people.anne);
    const issued = await listPersonCertificates(database.db, w.as, w.people.anne);
    authorisation = issued.find((c) => c.holdingId === authorisationHolding)!;
    fireSafety = issued.find((c) => c.holdingId === fireSafetyHolding)!;
  });
  afterAll(async () => {
    await capabilities?.stop();
    await testDb?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the municipality as a Credential Issuer at the well-known locations, and nothing for what is not a municipality', async () => {
    const issuer = issuerOf(w.as);
    const metadata = await request(app).get(`/.well-known/openid-credential-issuer/certificates/issuers/${w.as}`);
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      credential_issuer: issuer,
      credential_endpoint: `${issuer}/credential`,
      nonce_endpoint: `${issuer}/nonce`,
      display: [{ name: 'Ås', locale: 'nb' }, { name: 'Ås', locale: 'nn' }, { name: 'Ås', locale: 'en' }],
    });
    const configuration = metadata.body.credential_configurations_supported.OpenBadgeCredential;
    expect(configuration).toMatchObject({
      format: 'jwt_vc_json',
      credential_signing_alg_values_supported: ['ES256'],
      cryptographic_binding_methods_supported: ['did:jwk', 'jwk'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
      credential_definition: { type: ['VerifiableCredential', 'OpenBadgeCredential'] },
    });
    expect(configuration.credential_metadata.display.map((d: { locale: string }) => d.locale)).toEqual(['nb', 'nn', 'en']);
    const as = await request(app).get(`/.well-known/oauth-authorization-server/certificates/issuers/${w.as}`);
    expect(as.body).toMatchObject({ issuer, token_endpoint: `${issuer}/token`, grant_types_supported: [PRE_AUTHORIZED], 'pre-authorized_grant_anonymous_access_supported': true });
    // The region is no issuer; an unknown or malformed id is not found.
    for (const id of [w.region, '00000000-0000-4000-8000-000000000000', 'not-a-tenant']) {
      const res = await request(app).get(`/.well-known/openid-credential-issuer/certificates/issuers/${id}`).set('Accept', 'application/json');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('offers the certificate on its own page (QR code, link, address, one-time and for 10 minutes) and issues it to the wallet\'s key; the credential verifies by hand and on /verify', async () => {
    const mine = await request(app).get(url('/learn/competence', tokens.anne));
    expect(mine.text).toContain(`/learn/certificates/${authorisation.id}/wallet?session=`);
    expect(mine.text).toContain('Legg i lommebok');

    const before = Date.now();
    const { offerUri, code, txCode, page } = await offerFor(authorisation);
    expect(page).toContain('<h1>Legg i lommebok</h1>');
    expect(page).toContain('Engangskode');
    expect(page).toMatch(/<img class="app-wallet-qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="QR-kode[^"]+"/);
    expect(page).toContain('href="openid-credential-offer://?credential_offer_uri=');
    expect(page).toContain('gjelder til kl.');
    const offer = await db().selectFrom('certificate_wallet_offers').selectAll().where('certificate_id', '=', authorisation.id).executeTakeFirstOrThrow();
    expect(offer.expires_at.getTime() - before).toBeGreaterThan(9 * 60_000);
    expect(offer.expires_at.getTime() - before).toBeLessThanOrEqual(10 * 60_000 + 5_000);
    // Only hashes are kept: neither the offer's secret nor the code is in the table.
    expect(JSON.stringify(offer)).not.toContain(code);
    expect(JSON.stringify(offer)).not.toContain(offerUri.split('/').at(-1));
    expect(offer.tx_code_hmac).toMatch(/^[\w-]{43}$/);
    expect(offer.tx_code_hmac).not.toContain(txCode);
    for (const lang of ['nn', 'en'] as const) {
      const translated = await request(app).get(url(`/learn/certificates/${authorisation.id}/wallet`, tokens.anne, `&lang=${lang}`));
      expect(translated.text).toContain(lang === 'nn' ? 'Opne i lommeboka på denne eininga' : 'Open in the wallet on this device');
    }

    const token = await tokenRequest(w.as, code);
    expect(token.status).toBe(200);
    expect(token.headers['cache-control']).toBe('no-store');
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const wallet = new TestWallet();
    const issued = await credentialRequest(w.as, token.body.access_token, withProof(wallet.proof(issuerOf(w.as), await nonce(w.as))));
    expect(issued.status).toBe(200);
    expect(issued.headers['content-type']).toMatch(/^application\/json/);
    const jwt = issued.body.credentials[0].credential as string;

    // The wallet checks what it got, with node:crypto against the tool's JWKS.
    const jwks = (await request(app).get('/lti/jwks')).body as { keys: (JsonWebKey & { kid?: string })[] };
    const checked = verifyEs256ByHand(jwt, jwks)!;
    expect(checked).toBeDefined();
    expect(checked.header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(checked.payload).toMatchObject({
      iss: issuerOf(w.as),
      sub: wallet.did,
      jti: `urn:uuid:${authorisation.id}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: issuerOf(w.as), type: ['Profile'], name: 'Ås' },
      credentialSubject: { id: wallet.did, type: ['AchievementSubject'], achievement: { achievementType: 'Competency', name: 'Autorisasjon som sykepleier' } },
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(authorisation.statusIndex) },
    });
    const subject = checked.payload['credentialSubject'] as { identifier: { identityHash: string; hashed: boolean }[] };
    expect(subject.identifier[0]!.hashed).toBe(true);
    // The person only by a salted hash: no name, no employee number in clear.
    const employee = await db().selectFrom('employees').select('employee_number').where('person_id', '=', w.people.anne).executeTakeFirstOrThrow();
    expect(subject.identifier[0]).not.toHaveProperty('identity');
    expect(JSON.stringify(checked.payload)).not.toContain('Anne');
    expect(JSON.stringify(checked.payload)).not.toContain(`"${employee.employee_number}"`);
    // Anyone verifies it as this certificate.
    const verified = await request(app).post('/api/verify').send({ credential: jwt });
    expect(verified.body).toMatchObject({ status: 'valid', certificate: { name: 'Anne Sykepleier' } });
    const recorded = await db().selectFrom('certificate_wallet_offers').select(['redeemed_at', 'issued_to', 'issued_at']).where('id', '=', offer.id).executeTakeFirstOrThrow();
    expect(recorded.issued_to).toBe(wallet.did);
    expect(recorded.redeemed_at).not.toBeNull();

    // The same key named as a did:jwk kid is taken as well.
    const again = await accessTokenFor(authorisation);
    const byDid = wallet.proof(issuerOf(w.as), await nonce(w.as), { header: { jwk: undefined, kid: `${wallet.did}#0` } });
    const res = await credentialRequest(w.as, again, withProof(byDid));
    expect(res.status).toBe(200);
    expect(verifyEs256ByHand(res.body.credentials[0].credential, jwks)!.payload['sub']).toBe(wallet.did);
  });

  it('a code is used once: the replayed code, the used offer and an expired code are invalid_grant', async () => {
    const { offerUri, code } = await offerFor(authorisation);
    expect((await tokenRequest(w.as, code)).status).toBe(200);
    const replayed = await tokenRequest(w.as, code);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error).toBe('invalid_grant');
    expect(replayed.headers['content-type']).toMatch(/^application\/json/);
    expect((await request(app).get(local(offerUri))).status).toBe(404);

    const late = await offerFor(authorisation);
    await db().updateTable('certificate_wallet_offers').set({ expires_at: new Date(Date.now() - 1000) }).where('redeemed_at', 'is', null).execute();
    expect((await request(app).get(local(late.offerUri))).status).toBe(404);
    expect((await tokenRequest(w.as, late.code)).body.error).toBe('invalid_grant');
    // Two wallets racing with one code get one token between them.
    const raced = await offerFor(authorisation);
    const answers = await Promise.all([tokenRequest(w.as, raced.code), tokenRequest(w.as, raced.code), tokenRequest(w.as, raced.code)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
  });

  it('a code, an offer or an access token of one municipality is nothing at another\'s issuer; another person\'s certificate has no offer', async () => {
    const { offerUri, code } = await offerFor(authorisation);
    const secret = offerUri.split('/').at(-1)!;
    expect((await request(app).get(`/certificates/issuers/${w.berg}/offers/${secret}`)).status).toBe(404);
    expect((await tokenRequest(w.berg, code)).body.error).toBe('invalid_grant');
    // Refused there, it is still good at its own issuer.
    const token = await tokenRequest(w.as, code);
    expect(token.status).toBe(200);
    const wallet = new TestWallet();
    const elsewhere = await credentialRequest(w.berg, token.body.access_token, withProof(wallet.proof(issuerOf(w.berg), await nonce(w.berg))));
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error).toBe('invalid_token');
    // A nonce of Berg's issuer in a proof for Ås's is not Ås's nonce.
    const crossed = await credentialRequest(w.as, token.body.access_token, withProof(wallet.proof(issuerOf(w.as), await nonce(w.berg))));
    expect(crossed.body.error).toBe('invalid_nonce');
    // Bjørn cannot make an offer of Anne's certificate.
    expect((await request(app).get(url(`/learn/certificates/${authorisation.id}/wallet`, tokens.bjorn))).status).toBe(404);
    expect((await request(app).get(`/learn/certificates/${authorisation.id}/wallet`)).status).toBe(401);
  });

  it('refuses key proofs that do not hold: another key than the header names, wrong aud, stale iat, wrong typ or alg, no nonce (invalid_proof)', async () => {
    const accessToken = await accessTokenFor(authorisation);
    const wallet = new TestWallet();
    const other = new TestWallet();
    const issuer = issuerOf(w.as);
    const cases: [string, () => Promise<string>][] = [
      ['signed by another key than its header claims', async () => other.signed({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: wallet.jwk }, { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce: await nonce(w.as) })],
      ['aud another issuer', async () => wallet.proof(issuerOf(w.berg), await nonce(w.as))],
      ['aud the tool, not the issuer', async () => wallet.proof(PUBLIC_URL, await nonce(w.as))],
      ['iat 10 minutes old', async () => wallet.proof(issuer, await nonce(w.as), { iat: Math.floor(Date.now() / 1000) - 600 })],
      ['iat 10 minutes ahead', async () => wallet.proof(issuer, await nonce(w.as), { iat: Math.floor(Date.now() / 1000) + 600 })],
      ['typ JWT', async () => wallet.proof(issuer, await nonce(w.as), { header: { typ: 'JWT' } })],
      ['alg none', async () => `${segment({ typ: 'openid4vci-proof+jwt', alg: 'none', jwk: wallet.jwk })}.${segment({ aud: issuer, iat: Math.floor(Date.now() / 1000), nonce: await nonce(w.as) })}.`],
      ['both jwk and kid', async () => wallet.proof(issuer, await nonce(w.as), { header: { kid: `${wallet.did}#0` } })],
      ['a private key in the header', async () => wallet.proof(issuer, await nonce(w.as), { header: { jwk: { ...wallet.jwk, d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } } })],
      ['no nonce', async () => wallet.proof(issuer, undefined)],
      ['not a JWT', async () => 'proof'],
    ];
    for (const [what, proof] of cases) {
      const res = await credentialRequest(w.as, accessToken, withProof(await proof()));
      expect({ what, status: res.status, error: res.body.error }).toEqual({ what, status: 400, error: 'invalid_proof' });
    }
    const missing = await credentialRequest(w.as, accessToken, { credential_configuration_id: 'OpenBadgeCredential' });
    expect(missing.body.error).toBe('invalid_proof');
    // None of these spent the token: a good proof still gets the credential.
    expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, await nonce(w.as))))).status).toBe(200);
  });

  it('a nonce is used once and for 5 minutes: reused, stale and forged nonces are invalid_nonce', async () => {
    const accessToken = await accessTokenFor(authorisation);
    const wallet = new TestWallet();
    const issuer = issuerOf(w.as);
    const fresh = await nonce(w.as);
    expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, fresh)))).status).toBe(200);
    const reused = await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, fresh)));
    expect(reused.body).toMatchObject({ error: 'invalid_nonce' });
    // A genuine nonce of the tool's, issued 6 minutes ago: stale.
    const stale = new WalletNonces(db(), SECRET, () => new Date(Date.now() - 6 * 60_000)).issue(w.as);
    expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, stale)))).body.error).toBe('invalid_nonce');
    // A nonce made up, or one whose expiry was moved later by hand.
    const [body, mac] = (await nonce(w.as)).split('.');
    const moved = `${body!.replace(/~[0-9a-z]+$/, `~${(Date.now() + 3600_000).toString(36)}`)}.${mac}`;
    for (const forged of ['made-up', moved, `${'A'.repeat(43)}~zzzz.${'A'.repeat(43)}`]) {
      expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, forged)))).body.error).toBe('invalid_nonce');
    }
  });

  it('access tokens: none, unknown and past their life are invalid_token (401 with WWW-Authenticate)', async () => {
    const wallet = new TestWallet();
    const issuer = issuerOf(w.as);
    const none = await credentialRequest(w.as, undefined, withProof(wallet.proof(issuer, await nonce(w.as))));
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_token');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect((await credentialRequest(w.as, 'A'.repeat(43), withProof(wallet.proof(issuer, await nonce(w.as))))).status).toBe(401);
    const accessToken = await accessTokenFor(authorisation);
    expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, await nonce(w.as))))).status).toBe(200);
    // Five minutes later (moved in the table): the same token, within its use before, is refused.
    await db().updateTable('certificate_wallet_tokens').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const late = await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuer, await nonce(w.as))));
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('invalid_token');
  });

  it('the transaction code: missing is invalid_request, wrong is invalid_grant and counted; five wrong use the offer up, also for the right code', async () => {
    const { code, txCode } = await offerFor(authorisation);
    const wrong = txCode === '000000' ? '000001' : '000000';
    expect((await tokenRequest(w.as, code, null)).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('tx_code') });
    const first = await tokenRequest(w.as, code, wrong);
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('4 tries left') });
    expect((await tokenRequest(w.as, code, 'abc')).body.error).toBe('invalid_grant');
    expect((await tokenRequest(w.as, code, 'x'.repeat(65))).body.error).toBe('invalid_request');
    // After fewer than five wrong ones the right one still works.
    expect((await tokenRequest(w.as, code)).status).toBe(200);

    // Five guesses at once cannot be more than five: each is counted in the statement that refuses it.
    const guessed = await offerFor(authorisation);
    const guesses = Array.from({ length: 8 }, (_, i) => String(i).padStart(6, '7')).filter((g) => g !== guessed.txCode).slice(0, 6);
    const answers = await Promise.all(guesses.map((g) => tokenRequest(w.as, guessed.code, g)));
    expect(answers.map((a) => a.body.error)).toEqual(guesses.map(() => 'invalid_grant'));
    const row = await db().selectFrom('certificate_wallet_offers').select(['tx_code_failures', 'redeemed_at']).where('code_hash', '=', createHash('sha256').update(guessed.code).digest('base64url')).executeTakeFirstOrThrow();
    expect(row.tx_code_failures).toBe(5);
    expect(row.redeemed_at).toBeNull();
    const usedUp = await tokenRequest(w.as, guessed.code);
    expect(usedUp.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('unknown, expired or already used') });
  });

  it('bad requests get the protocol\'s errors in JSON, never a page or a 500', async () => {
    const { code } = await offerFor(authorisation);
    const token = (form: Record<string, string>) => request(app).post(`/certificates/issuers/${w.as}/token`).type('form').send(form);
    expect((await token({ grant_type: 'authorization_code', code })).body.error).toBe('unsupported_grant_type');
    expect((await token({ grant_type: PRE_AUTHORIZED })).body.error).toBe('invalid_request');
    expect((await token({ 'pre-authorized_code': code })).body.error).toBe('invalid_request');
    expect((await token({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': code })).body.error).toBe('invalid_request');
    expect((await token({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': 'x'.repeat(5000) })).body.error).toBe('invalid_grant');
    const asJson = await request(app).post(`/certificates/issuers/${w.as}/token`).send({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': code });
    expect(asJson.status).toBe(400);
    expect(asJson.body.error).toBe('invalid_request');
    const tooLarge = await request(app).post(`/certificates/issuers/${w.as}/token`).type('form').send(`grant_type=${'x'.repeat(20_000)}`);
    expect(tooLarge.body.error).toBe('invalid_request');
    // The code was never spent by those: it still works.
    const accessToken = (await tokenRequest(w.as, code)).body.access_token as string;
    expect(accessToken).toMatch(/^[\w-]{43}$/);

    const wallet = new TestWallet();
    const proof = async () => wallet.proof(issuerOf(w.as), await nonce(w.as));
    const credential = (body: unknown) => credentialRequest(w.as, accessToken, body);
    expect((await credential({ credential_configuration_id: 'UniversityDegree', proofs: { jwt: [await proof()] } })).body.error).toBe('unknown_credential_configuration');
    expect((await credential({ credential_identifier: 'x', proofs: { jwt: [await proof()] } })).body.error).toBe('unknown_credential_identifier');
    expect((await credential({ credential_configuration_id: 'OpenBadgeCredential', proofs: { jwt: [await proof(), await proof()] } })).body.error).toBe('invalid_credential_request');
    expect((await credential({ credential_configuration_id: 'OpenBadgeCredential', proofs: { ldp_vp: [{}] } })).body.error).toBe('invalid_proof');
    expect((await credential({ credential_configuration_id: 'OpenBadgeCredential', proof: { proof_type: 'jwt', jwt: await proof() } })).body.error).toBe('invalid_proof');
    expect((await credential([1, 2])).body.error).toBe('invalid_credential_request');
    const broken = await request(app).post(`/certificates/issuers/${w.as}/credential`).set('Authorization', `Bearer ${accessToken}`).type('application/json').send('{"credential_configuration_id": ');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid_credential_request');
    const notJson = await request(app).post(`/certificates/issuers/${w.as}/credential`).set('Authorization', `Bearer ${accessToken}`).type('form').send('credential_configuration_id=OpenBadgeCredential');
    expect(notJson.body.error).toBe('invalid_credential_request');
    expect((await request(app).get(`/certificates/issuers/${w.as}/offers/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await request(app).get(`/certificates/issuers/${w.as}/offers/short`)).status).toBe(404);
  });

  it('a revoked certificate is not issued: its code (invalid_grant) and a token from before (credential_request_denied); its page offers nothing', async () => {
    const { code } = await offerFor(fireSafety);
    const before = await accessTokenFor(fireSafety);
    await revokeHolding(db(), w.as, fireSafetyHolding, OPERATOR, 'Registrert på feil person');
    expect((await tokenRequest(w.as, code)).body).toMatchObject({ error: 'invalid_grant' });
    const wallet = new TestWallet();
    const denied = await credentialRequest(w.as, before, withProof(wallet.proof(issuerOf(w.as), await nonce(w.as))));
    expect(denied.status).toBe(400);
    expect(denied.body.error).toBe('credential_request_denied');
    const page = await request(app).get(url(`/learn/certificates/${fireSafety.id}/wallet`, tokens.anne));
    expect(page.status).toBe(409);
    expect(page.text).toContain('data-wallet-refused');
    expect(page.text).not.toContain('openid-credential-offer://');
    const mine = await request(app).get(url('/learn/competence', tokens.anne));
    expect(mine.text).not.toContain(`/learn/certificates/${fireSafety.id}/wallet`);
    expect(mine.text).toContain(`/learn/certificates/${authorisation.id}/wallet`);
  });

  it('erasing the person deletes their offers, tokens and the wallet keys they went to; the certificate stays verifiable', async () => {
    const accessToken = await accessTokenFor(authorisation);
    expect((await db().selectFrom('certificate_wallet_offers').select('id').where('person_id', '=', w.people.anne).execute()).length).toBeGreaterThan(0);
    await erasePerson(db(), { tenantId: w.as, personId: w.people.anne, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: new EvidenceStore(evidenceDir(dataDir)) });
    expect(await db().selectFrom('certificate_wallet_offers').select('id').where('person_id', '=', w.people.anne).execute()).toEqual([]);
    expect(await db().selectFrom('certificate_wallet_tokens').select('token_hash').execute()).toEqual([]);
    const wallet = new TestWallet();
    expect((await credentialRequest(w.as, accessToken, withProof(wallet.proof(issuerOf(w.as), await nonce(w.as))))).status).toBe(401);
    expect((await request(app).get(`/api/verify/${authorisation.code}`)).body.status).toBe('valid');
  });
});
