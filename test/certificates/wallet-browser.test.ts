import { generateKeyPairSync, sign } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoCatalogue } from '../../src/competence/demo-catalogue.js';
import { launch, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { segment } from './support.js';

const SLOW = { timeout: 60_000 };

/**
 * "Legg i lommebok" in Chromium: a learner launched from the development LMS opens "Min kompetanse",
 * follows the wallet link of her certificate and gets the offer (QR code, link, address) in nb, nn
 * and en, axe-clean at 360 px; a wallet (node:crypto) takes the address the page shows and gets the
 * credential.
 */
describe.skipIf(!hasChromium)(`wallet offer page in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let context: BrowserContext;
  /** With the page's own Content-Security-Policy in force (axe needs it bypassed in `context`). */
  let strict: BrowserContext;
  let session: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    session = (await launch(world.url, 'learner')).sessionToken!;
    const learner = await sessionInfo(world.url, session);
    await ensureDemoCatalogue(db, learner.tenantId);
    const competence = await db.selectFrom('competences').select('id').where('tenant_id', '=', learner.tenantId).orderBy('code').limit(1).executeTakeFirstOrThrow();
    await db.insertInto('competence_holdings').values({
      tenant_id: learner.tenantId, person_id: learner.personId, competence_id: competence.id, level: null, source: 'registered', achieved_on: '2026-03-01', expires_on: null,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: 'K-42', issuer: 'Norsk Førstehjelpsråd' }), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    }).execute();
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
    strict = await browser.newContext({ locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await strict?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 60_000);

  it('shows the offer accessibly in three languages, and the address it shows gets a wallet the credential', async () => {
    // The QR code is drawn under the page's own Content-Security-Policy.
    const underCsp = await strict.newPage();
    await underCsp.goto(`${world.url}/learn/competence?session=${encodeURIComponent(session)}`);
    await underCsp.locator('[data-certificate-wallet]').first().click();
    await underCsp.locator('[data-wallet-qr]').waitFor(SLOW);
    expect(await underCsp.locator('[data-wallet-qr]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    const page = await context.newPage();
    await page.goto(`${world.url}/learn/competence?session=${encodeURIComponent(session)}`);
    await expectAccessible(page, 'my competence with the wallet link');
    await page.locator('[data-certificate-wallet]').first().click();
    await page.locator('[data-wallet-offer]').waitFor(SLOW);
    expect(await page.locator('h1').textContent()).toBe('Legg i lommebok');
    expect(await page.getByRole('img', { name: /QR-kode med tilbudet/ }).count()).toBe(1);
    const link = await page.getByRole('link', { name: 'Åpne i lommeboka på denne enheten' }).getAttribute('href');
    expect(await page.locator('[data-wallet-address]').textContent()).toBe(link);
    await expectAccessible(page, 'wallet offer (nb)');
    for (const [lang, open] of [['nn', 'Opne i lommeboka på denne eininga'], ['en', 'Open in the wallet on this device']] as const) {
      await page.getByRole('link', { name: lang === 'nn' ? 'Nynorsk' : 'English' }).click();
      await page.getByRole('link', { name: open }).waitFor(SLOW);
      await expectAccessible(page, `wallet offer (${lang})`);
    }
    // Each view is a new offer: the last one shown is the one the wallet takes.
    const shown = await page.locator('[data-wallet-address]').textContent();
    const offerUri = new URL(shown!).searchParams.get('credential_offer_uri')!;
    // The one-time code the person reads under its heading and types into the wallet.
    await page.getByRole('heading', { name: 'One-time code' }).waitFor(SLOW);
    const txCode = (await page.locator('[data-wallet-tx-code]').textContent())!;
    expect(txCode).toMatch(/^\d{6}$/);

    // The wallet: offer, token, nonce, credential.
    const offer = (await (await fetch(offerUri)).json()) as { credential_issuer: string; grants: Record<string, { 'pre-authorized_code': string }> };
    const metadata = (await (await fetch(offer.credential_issuer.replace(world.url, `${world.url}/.well-known/openid-credential-issuer`))).json()) as { credential_endpoint: string; nonce_endpoint: string };
    const server = (await (await fetch(offer.credential_issuer.replace(world.url, `${world.url}/.well-known/oauth-authorization-server`))).json()) as { token_endpoint: string };
    const token = (await (await fetch(server.token_endpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code'], tx_code: txCode }) })).json()) as { access_token: string };
    const { c_nonce } = (await (await fetch(metadata.nonce_endpoint, { method: 'POST' })).json()) as { c_nonce: string };
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const input = `${segment({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${segment({ aud: offer.credential_issuer, iat: Math.floor(Date.now() / 1000), nonce: c_nonce })}`;
    const proof = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    const issued = await fetch(metadata.credential_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ credential_configuration_id: 'OpenBadgeCredential', proofs: { jwt: [proof] } }),
    });
    expect(issued.status).toBe(200);
    const { credentials } = (await issued.json()) as { credentials: { credential: string }[] };
    // /verify in the browser confirms it.
    await page.goto(`${world.url}/verify`);
    await page.locator('#input').fill(credentials[0]!.credential);
    await page.locator('form[data-form="verify"] button').click();
    await page.locator('[data-verification]').waitFor(SLOW);
    expect(await page.locator('[data-verification]').getAttribute('data-verification')).toBe('valid');
  });
});
