import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPerson } from '../../src/people/people.js';
import { publishPath } from '../learner/support.js';
import { webStep } from '../paths/fixtures.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { lrsClient, postStatements, startInstance, statement, until, type LrsClient } from '../xapi/forwarding-support.js';

/**
 * A municipality administrator, launched from the development LMS, at a phone's 360 px, sets up
 * forwarding to a second instance of the tool's LRS: a wrong secret pauses it with the receiver's
 * reason, the right one sends the waiting statements; every state of the page is axe-clean (nb, nn).
 */
describe.skipIf(!hasChromium)(`the admin's forwarding page in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let dbA: TestDatabase;
  let dbB: TestDatabase;
  let server: RunningServer;
  let target: RunningServer;
  let url: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let to: LrsClient;
  let lines: () => Record<string, unknown>[];

  beforeAll(async () => {
    dbA = await createTestDatabase();
    dbB = await createTestDatabase();
    target = (await startInstance(dbB.database)).server;
    ({ server, url, logLines: lines } = await startToolWithDevLms(dbA.database));
    token = (await launchThroughHttp(url, `${url}/dev/lms`, 'admin')).sessionToken!;
    to = await lrsClient(dbB.database, '3303');
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await target?.close();
    await dbA?.dispose();
    await dbB?.dispose();
  }, 120_000);

  const at = (path: string, query: Record<string, string> = {}) => `${url}${path}?${new URLSearchParams({ session: token, ...query })}`;

  it('sets the target in the form, shows a pause with its reason, and sends once the secret is right', async () => {
    const page = await context.newPage();
    await page.goto(at('/admin'));
    await page.getByRole('link', { name: 'Videresending til kommunens LRS' }).click();
    await page.locator('[data-form="forwarding"]').waitFor();
    await expectAccessible(page, 'forwarding, not set up');

    // A refused form keeps what was typed, except the secret.
    await page.getByLabel('Adressen til kommunens LRS').fill(`http://${to.key}:x@127.0.0.1/xapi/`);
    await page.getByLabel('Nøkkel (brukernavn)').fill(to.key);
    await page.getByLabel('Hemmelighet (passord)').fill('wrong-secret-123');
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.locator('[data-error-summary]').waitFor();
    await expectAccessible(page, 'forwarding, refused');
    expect(await page.getByLabel('Hemmelighet (passord)').inputValue()).toBe('');

    await page.getByLabel('Adressen til kommunens LRS').fill(`${target.url}/xapi/`);
    await page.getByLabel('Hemmelighet (passord)').fill('wrong-secret-123');
    await page.getByLabel('Bare fullføringer', { exact: false }).check();
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.locator('[data-notice]').waitFor();
    await expectAccessible(page, 'forwarding, set up');

    const kongsberg = (await findMunicipality(dbA.database.db, '3303'))!;
    const from = await lrsClient(dbA.database, '3303');
    await postStatements(url, from, [statement(1), statement(2, 'experienced'), statement(3)]);
    await until('paused', async () => {
      await page.goto(at('/admin/xapi-forwarding'));
      return (await page.locator('[data-paused]').count()) > 0;
    });
    expect(await page.locator('[data-paused]').innerText()).toContain('401');
    expect(await page.locator('[data-pending]').getAttribute('data-pending')).toBe('2');
    await expectAccessible(page, 'forwarding, paused');
    await page.goto(at('/admin/xapi-forwarding', { lang: 'nn' }));
    await expectAccessible(page, 'forwarding, paused (nn)');

    // The right secret resumes it: the two completions arrive, the experienced one stays home.
    await page.goto(at('/admin/xapi-forwarding'));
    await page.getByLabel('Nøkkel (brukernavn)').fill(to.key);
    await page.getByLabel('Hemmelighet (passord)', { exact: false }).fill(to.secret);
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.locator('[data-notice]').waitFor();
    await until('sent', async () => {
      await page.goto(at('/admin/xapi-forwarding'));
      return (await page.locator('[data-delivered]').getAttribute('data-delivered')) === '2';
    });
    expect(await page.locator('[data-pending]').getAttribute('data-pending')).toBe('0');
    expect(await page.locator('[data-forwarding-status]').getAttribute('data-forwarding-status')).toBe('active');
    await expectAccessible(page, 'forwarding, sending');
    await page.goto(at('/admin/xapi-forwarding', { lang: 'nn' }));
    await expectAccessible(page, 'forwarding, sending (nn)');
    const held = await dbB.database.db.selectFrom('xapi_statements').select('verb_id').where('tenant_id', '=', to.tenantId).execute();
    expect(held.map((h) => h.verb_id)).toEqual(['http://adlnet.gov/expapi/verbs/completed', 'http://adlnet.gov/expapi/verbs/completed']);

    // A statement set aside (as after a 400) is listed with its reason, and re-driven from the page.
    const first = await dbA.database.db.selectFrom('xapi_statements').select(['seq', 'statement_id']).where('tenant_id', '=', kongsberg.id).orderBy('seq').executeTakeFirstOrThrow();
    await dbA.database.db.insertInto('xapi_forwarding_parked').values({ tenant_id: kongsberg.id, seq: first.seq, statement_id: first.statement_id, reason: `400 Bad Request: {"detail":"statement.result.extensions.https://laering.example.no/xapi/extensions/a-very-long-extension-name-without-breaks is not allowed"}` }).execute();
    await page.goto(at('/admin/xapi-forwarding'));
    await page.locator(`[data-parked-statement="${first.statement_id}"]`).waitFor();
    await expectAccessible(page, 'forwarding, parked');
    await page.goto(at('/admin/xapi-forwarding', { lang: 'nn' }));
    await expectAccessible(page, 'forwarding, parked (nn)');
    await page.getByRole('button', { name: 'Send på nytt' }).click();
    await page.locator('[data-notice]').waitFor();
    await until('re-driven', async () => {
      await page.goto(at('/admin/xapi-forwarding'));
      return (await page.locator('[data-parked-none]').count()) > 0;
    });
    expect(await dbB.database.db.selectFrom('xapi_statements').select('statement_id').where('tenant_id', '=', to.tenantId).execute()).toHaveLength(2);

    // The credentials are in no page and no log line of the tool.
    const html = await page.content();
    expect(html).not.toContain(to.secret);
    expect(html).not.toContain(to.key);
    const logged = JSON.stringify(lines());
    expect(logged).toContain(kongsberg.id);
    expect(logged).not.toContain(to.secret);
    expect(logged).not.toContain(to.key);
    expect(logged).not.toContain('wrong-secret-123');
    await page.close();
  });

  it('shows the tool\'s own statements it could not store, and stores them from the page once the cause is fixed', async () => {
    const db = dbA.database.db;
    const kongsberg = (await findMunicipality(db, '3303'))!.id;
    // A learner whose LMS was entered with an issuer that is no IRI: the running tool parks their statements.
    const learner = (await createPerson(db, kongsberg, { name: 'Elev' })).id;
    await db.insertInto('lti_users').values({ issuer: 'moodle-skole', subject: 'elev-7', tenant_id: kongsberg, person_id: learner }).execute();
    const { pathId, stepIds } = await publishPath(dbA.database, kongsberg, [webStep()]);
    const { enrolmentId } = await enrol(db, kongsberg, { personId: learner, pathId });
    await deliverOutcome(db, kongsberg, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } });
    const page = await context.newPage();
    await until('parked', async () => {
      await page.goto(at('/admin/xapi-forwarding'));
      return (await page.locator('[data-emission-parked="3"]').count()) > 0;
    });
    await expectAccessible(page, 'forwarding, tool statements parked');
    await page.goto(at('/admin/xapi-forwarding', { lang: 'nn' }));
    await expectAccessible(page, 'forwarding, tool statements parked (nn)');
    await page.goto(at('/admin/xapi-forwarding'));
    await db.updateTable('lti_users').set({ issuer: 'https://moodle.kongsberg.no' }).where('person_id', '=', learner).execute();
    await page.getByRole('button', { name: 'Prøv å lagre på nytt' }).click();
    await page.locator('[data-notice]').waitFor();
    expect(await page.locator('[data-notice]').innerText()).toContain('3 utsagn ble lagret. 0 kunne fortsatt ikke lagres.');
    expect(await page.locator('[data-emission-parked]').count()).toBe(0);
    await expectAccessible(page, 'forwarding, tool statements re-driven');
    expect(await db.selectFrom('xapi_statements').select('statement_id').where('registration', '=', enrolmentId).execute()).toHaveLength(3);
    await page.close();
  });
});
