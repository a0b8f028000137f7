import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchableItems, type PackageManifest } from '../../src/content/manifest-model.js';
import { attemptOutcome, commitHistory, scoOutcomes } from '../../src/scorm/outcomes.js';
import { ensurePlayerBuilt } from './support/build-player.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { zipFixture, type FixturePackage } from '../content/support/package-zip.js';
import { seedTenantAndPerson } from './support/seed.js';
import { openAttempt, startScormServer, uploadPackage } from './support/server.js';
import { waitFor } from './support/wait.js';

let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ensurePlayerBuilt();
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database);
  base = running.server.url;
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await running?.stop();
  await testDb?.dispose();
}, 120_000);

async function prepare(fixture: FixturePackage) {
  const ids = await seedTenantAndPerson(testDb.database.db);
  const response = await uploadPackage(base, ids.tenantId, await zipFixture(fixture));
  expect(response.status).toBe(201);
  const { id: packageId } = (await response.json()) as { id: string };
  const attempt = await openAttempt(base, { ...ids, packageId });
  const row = await testDb.database.db.selectFrom('content_packages').select('manifest').where('id', '=', packageId).executeTakeFirstOrThrow();
  return { ...ids, packageId, attempt, manifest: row.manifest as PackageManifest };
}

async function openPlayer(url: string): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
  const page = await context.newPage();
  await page.goto(`${base}${url}`);
  return page;
}

const sco = (page: Page) => page.frameLocator('#sco-frame');
/** The machine is shared: give the browser time. */
const SLOW = { timeout: 15_000 };

/**
 * The outcome once the given SCOs' Finish/Terminate commits are stored. Autocommit may store an
 * earlier state (for example the status computed from a previous session's score) before the
 * terminating commit arrives, so waiting for "completed" alone can read a state in between.
 */
async function finishedOutcome(tenantId: string, attemptId: string, manifest: PackageManifest, scoIds: string[]) {
  await waitFor(`terminating commits of ${scoIds.join(', ')}`, async () => {
    const history = await commitHistory(testDb.database.db, tenantId, attemptId);
    return scoIds.every((id) => history.some((h) => h.scoId === id && h.terminate && h.accepted));
  });
  const outcome = await attemptOutcome(testDb.database.db, tenantId, attemptId, manifest);
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

const scoIdsOf = (manifest: PackageManifest) => launchableItems(manifest).filter((i) => i.scormType === 'sco').map((i) => i.id);

/** Closes the page as a learner closes the window; the context (and with it any beacon still in
 *  flight) stays until `arrived` says the page's last state is stored. */
async function closeWithoutFinish(page: Page, arrived?: () => Promise<boolean | undefined>): Promise<void> {
  await page.close({ runBeforeUnload: true });
  if (arrived) await waitFor('the state sent when the page closed', arrived);
  await page.context().close();
}

describe.skipIf(!hasChromium)('the player in Chromium', { timeout: 120_000 }, () => {
  it('SCORM 1.2 single SCO: runs, sets status, score and oversize suspend data, closes without Finish, resumes, completes', async () => {
    const { tenantId, personId, attempt, manifest } = await prepare('scorm12-single');
    let page = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('ab-initio');
    expect(await sco(page).locator('#launch-data').textContent()).toBe('modus=kort');
    expect(await sco(page).locator('#learner').textContent()).toBe(personId);
    expect(await axeViolations(page)).toEqual([]);
    await sco(page).locator('#progress').click();
    await expect.poll(() => sco(page).locator('#status').textContent(), SLOW).toContain('commit=true');
    expect(await sco(page).locator('#status').textContent()).not.toMatch(/=false/);
    await closeWithoutFinish(page);

    page = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('resume');
    expect(await sco(page).locator('#location').textContent()).toBe('side-2');
    // 8,400 characters: more than SCORM 1.2's 4,096, as Storyline writes.
    expect(await sco(page).locator('#suspend').textContent()).toBe('brann-x'.repeat(1200));
    await sco(page).locator('#complete').click();
    await expect.poll(() => sco(page).locator('#status').textContent(), SLOW).toContain('finish=true');
    // Opened outside a path: the one-SCO course says it is finished, with no part to choose and no way back to lead.
    await expect.poll(() => page.locator('#player-status').textContent(), SLOW).toBe('Kurset er avsluttet, og framdriften er lagret. Du kan lukke vinduet.');
    expect(await page.locator('#player-back').count()).toBe(0);

    const outcome = await finishedOutcome(tenantId, attempt.attemptId, manifest, scoIdsOf(manifest));
    // Raw 90 against the manifest's masteryscore 80: passed.
    expect(outcome).toMatchObject({ completed: true, successStatus: 'passed', personId });
    expect(outcome.scos[0]).toMatchObject({ lessonStatus: 'passed', scoreRaw: 90 });
    expect(outcome.totalTimeSeconds).toBeGreaterThanOrEqual(210);
    await page.context().close();
  });

  it('SCORM 1.2 multi-SCO: table of contents, next part with its parameters, both parts complete', async () => {
    const { tenantId, attempt, manifest } = await prepare('scorm12-multi');
    const page = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Del 1: Introduksjon');
    await expect.poll(() => page.locator('#player-status').textContent(), SLOW).toMatch(/lagres automatisk/);
    // Del 2 has adlcp:prerequisites "del1": locked until del1 is completed.
    expect(await page.locator('nav.player-toc li', { hasText: 'Del 2' }).textContent()).toContain('(låst)');
    expect(await page.locator('#player-next').count()).toBe(0);
    const lockedPage = await openPlayer(attempt.playerUrl.replace(/\/player$/, '/play/del2'));
    expect(await lockedPage.locator('.locked-notice').textContent()).toMatch(/Denne delen er låst/);
    expect(await lockedPage.locator('#sco-frame').count()).toBe(0);
    expect(await axeViolations(lockedPage)).toEqual([]);
    await lockedPage.context().close();
    await sco(page).locator('#complete').click();
    await expect.poll(() => page.locator('#player-status').textContent(), SLOW).toMatch(/avsluttet/);
    await waitFor('del1 stored as completed', async () => (await scoOutcomes(testDb.database.db, tenantId, attempt.attemptId)).some((o) => o.scoId === 'del1' && o.completedAt));
    await page.locator('#player-next').click();
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Del 2: Øvelse');
    expect(page.frames().some((f) => f.url().includes('del2/index.html?side=1'))).toBe(true);
    expect(await page.locator('nav.player-toc a[aria-current="page"]').textContent()).toBe('Del 2: Øvelse');
    await sco(page).locator('#complete').click();
    const outcome = await finishedOutcome(tenantId, attempt.attemptId, manifest, scoIdsOf(manifest));
    expect(outcome.scos.map((s) => s.scoId).sort()).toEqual(['del1', 'del2']);
    await page.context().close();
  });

  it('SCORM 2004 4th edition: resume after closing, then adl.nav.request continue and exit move through the package', async () => {
    const { tenantId, attempt, manifest } = await prepare('scorm2004-4th');
    let page = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('ab-initio');
    expect(await sco(page).locator('#version').textContent()).toBe('2004');
    expect(await sco(page).locator('#launch-data').textContent()).toBe('del=1');
    await sco(page).locator('#progress').click();
    await expect.poll(() => sco(page).locator('#status').textContent(), SLOW).toContain('commit=true');
    expect(await sco(page).locator('#status').textContent()).not.toMatch(/=false/);
    await closeWithoutFinish(page);

    page = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('resume');
    expect(await sco(page).locator('#suspend').textContent()).toBe('pv1');
    expect(await sco(page).locator('#location').textContent()).toBe('side-2');
    await sco(page).locator('#complete').click();
    // The SCO asked for "continue": the player moves on to the second SCO.
    await page.waitForURL(/\/play\/pv-sco2/);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Personvern del 2');
    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/exit/);
    expect(await page.locator('h2').textContent()).toBe('Du har avsluttet kurset');
    expect(await axeViolations(page)).toEqual([]);
    const outcome = await finishedOutcome(tenantId, attempt.attemptId, manifest, scoIdsOf(manifest));
    expect(outcome).toMatchObject({ completed: true, successStatus: 'passed' });
    expect(outcome.scoreScaled).toBeCloseTo(0.9);
    await page.context().close();
  });

  it('SCORM 2004 sequencing: the contents list, next/previous and adl.nav.request_valid follow the rules through the course', async () => {
    const { tenantId, attempt } = await prepare('scorm2004-sequencing');
    const page = await openPlayer(attempt.playerUrl);
    const toc = page.locator('nav.player-toc');
    const navValid = (element: string) =>
      page.frames().find((f) => f.url().includes('/files/'))!.evaluate((e) => (window.parent as unknown as { API_1484_11: { GetValue(k: string): string } }).API_1484_11.GetValue(e), element);
    const terminated = (scoId: string) =>
      waitFor(`the terminating commit of ${scoId}`, async () => (await commitHistory(testDb.database.db, tenantId, attempt.attemptId)).some((h) => h.scoId === scoId && h.terminate && h.accepted));

    // Start: flow delivers the introduction first.
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Innledning');
    await expect.poll(() => page.locator('#player-status').textContent(), SLOW).toMatch(/lagres automatisk/);
    expect(await toc.textContent()).not.toContain('Ekstrastoff'); // hiddenFromChoice
    expect(await toc.locator('li', { hasText: 'Gammel versjon' }).textContent()).toContain('(låst)'); // disabled
    expect(await toc.locator('a', { hasText: 'Læringsdel' }).count()).toBe(1);
    expect(await toc.locator('a', { hasText: 'Prøven' }).count()).toBe(0); // past the learning part's stopForwardTraversal
    // The SCO's page shows before its Initialize has run: until then GetValue answers ''.
    await expect.poll(() => navValid('adl.nav.request_valid.continue'), SLOW).toBe('true');
    expect(await navValid('adl.nav.request_valid.previous')).toBe('false');
    expect(await navValid('adl.nav.request_valid.choice.{target=sq-laering}')).toBe('true');
    expect(await navValid('adl.nav.request_valid.choice.{target=sq-prove}')).toBe('false');
    expect(await navValid('adl.nav.request_valid.choice.{target=sq-arkiv}')).toBe('false');
    expect(await page.locator('#player-next').count()).toBe(1);
    expect(await page.locator('#player-previous').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // The SCO completes and asks for continue.
    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/play\/sq-laering/);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Læringsdel');
    // The introduction is completed, so skipped: there is nothing to go back to by flow.
    expect(await navValid('adl.nav.request_valid.previous')).toBe('false');
    expect(await page.locator('#player-previous').count()).toBe(0);
    expect(await toc.locator('a', { hasText: 'Innledning' }).count()).toBe(1);

    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/play\/sq-prove/);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Prøven');
    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/play\/sq-oppsummering/);
    await terminated('sq-prove');
    await page.reload();
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Oppsummering');
    // The test's one attempt is used; the module is forward only.
    expect(await toc.locator('li', { hasText: 'Prøven' }).textContent()).toContain('(ingen forsøk igjen)');
    expect(await navValid('adl.nav.request_valid.choice.{target=sq-prove}')).toBe('false');
    expect(await navValid('adl.nav.request_valid.previous')).toBe('false');
    expect(await page.locator('#player-previous').count()).toBe(0);

    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/play\/sq-ekstra/);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Ekstrastoff');
    // Reached by flow; after it comes only the disabled old version, so continue is not valid.
    expect(await toc.locator('a[aria-current="page"]').textContent()).toBe('Ekstrastoff');
    expect(await navValid('adl.nav.request_valid.continue')).toBe('false');
    expect(await page.locator('#player-next').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await sco(page).locator('#complete').click();
    await page.waitForURL(/\/exit/);
    await page.context().close();
  });

  it('æøå: titles and file names play, and state set without any commit leaves with the page (pagehide beacon, UTF-8)', async () => {
    const { tenantId, attempt, manifest } = await prepare('scorm12-norsk');
    const [item] = launchableItems(manifest);
    let page = await openPlayer(`${attempt.playerUrl}?lang=nn`);
    await expect.poll(() => sco(page).locator('h1').textContent(), SLOW).toBe('Førstehjelp – æøå');
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    expect(await page.locator('nav.player-toc').getAttribute('aria-label')).toBe('Innhald i kurset');
    expect(await axeViolations(page)).toEqual([]);
    const frame = page.frames().find((f) => f.url().includes('/files/'))!;
    await frame.evaluate(() => {
      const api = (window.parent as unknown as { API: { LMSSetValue(k: string, v: string): string } }).API;
      api.LMSSetValue('cmi.suspend_data', 'blåbærsyltetøy-ÆØÅ;');
      api.LMSSetValue('cmi.core.lesson_location', 'hjerte–lunge');
      api.LMSSetValue('cmi.core.exit', 'suspend');
    });
    await closeWithoutFinish(page, async () => {
      const [state] = await scoOutcomes(testDb.database.db, tenantId, attempt.attemptId);
      const history = await commitHistory(testDb.database.db, tenantId, attempt.attemptId);
      return state && history.some((h) => h.body['cmi.suspend_data'] === 'blåbærsyltetøy-ÆØÅ;');
    });
    page = await openPlayer(`${attempt.playerUrl}?lang=en`);
    await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('resume');
    expect(await sco(page).locator('#suspend').textContent()).toBe('blåbærsyltetøy-ÆØÅ;');
    expect(await sco(page).locator('#location').textContent()).toBe('hjerte–lunge');
    expect(await page.locator('nav.player-toc a[aria-current="page"]').textContent()).toBe(item!.title);
    await page.context().close();
  });

  describe('content that commits and terminates while its window closes, as authoring tools do', () => {
    // The content registers its handler as it starts; capturing, it runs before anything the player adds to the content's window.
    const cases = [
      ['scorm12-single', 'beforeunload', false], ['scorm12-single', 'pagehide', false], ['scorm12-single', 'unload', false],
      ['scorm2004-4th', 'beforeunload', false], ['scorm2004-4th', 'pagehide', false], ['scorm2004-4th', 'unload', false],
      ['scorm12-single', 'beforeunload', true], ['scorm12-single', 'pagehide', true], ['scorm12-single', 'unload', true],
      ['scorm2004-4th', 'beforeunload', true], ['scorm2004-4th', 'pagehide', true], ['scorm2004-4th', 'unload', true],
    ] as const;
    it.each(cases)('%s, Commit and Terminate from %s (capturing: %s): the content is told its data is saved, and the final state is stored', async (fixture, eventName, capture) => {
      const { tenantId, attempt } = await prepare(fixture);
      const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
      await context.addInitScript((setting) => localStorage.setItem('sco-close-on', setting), `${eventName} ${capture}`);
      const page = await context.newPage();
      await page.goto(`${base}${attempt.playerUrl}`);
      await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('ab-initio');
      const state = () => testDb.database.db.selectFrom('scorm_sco_states').select(['cmi', 'terminated']).where('attempt_id', '=', attempt.attemptId).executeTakeFirstOrThrow();
      await page.close({ runBeforeUnload: true });
      await waitFor('the state sent while the window closed', async () => (await state()).terminated);
      // What the content's Commit and Terminate answered it, as it noted them in the closing window.
      const reader = await page.context().newPage();
      await reader.goto(`${base}/content/_player/player.css`);
      expect(await reader.evaluate(() => localStorage.getItem('sco-close'))).toBe(`${eventName} true 0 true 0`);
      await page.context().close();
      // Stored: the state set before Commit, and what was set after it (kept by Terminate).
      const location = fixture === 'scorm12-single' ? 'cmi.core.lesson_location' : 'cmi.location';
      const { cmi } = await state();
      expect({ suspend: cmi['cmi.suspend_data'], location: cmi[location] }).toEqual({ suspend: 'commit=true:0', location: `closed-${eventName}` });
      const commits = (await commitHistory(testDb.database.db, tenantId, attempt.attemptId)).filter((h) => h.body[location] === `closed-${eventName}`);
      expect(commits.filter((c) => c.terminate && c.accepted)).toHaveLength(1);
    });
  });

  describe('free text longer than SCORM\'s smallest permitted maximums, as real content writes it', () => {
    // iSpring's knowledge check: a multi-line question of ~300 characters.
    const question = [
      'Spørsmål 3 av 5: Du oppdager at en kollega har lagt igjen en utskrift med personopplysninger om en bruker av hjemmetjenesten på skriveren i fellesarealet.',
      'Hva gjør du først?',
      '(Velg det beste svaret. Tenk på hva personvernforordningen og kommunens internkontroll sier om avvik.)',
    ].join('\n');
    const answer = 'Jeg tar utskriften, leverer den til nærmeste leder og melder avvik i kvalitetssystemet samme dag.\n'.repeat(8);
    const comment = 'Kommentar fra deltakeren: æøå – '.repeat(160) + '\nSiste linje.';
    const api = (frame: Frame) => frame.evaluate(() => {
      const w = window.parent as unknown as { API_1484_11?: Record<string, (...a: string[]) => string>; API?: Record<string, (...a: string[]) => string> };
      return w.API_1484_11 ? 'API_1484_11' : 'API';
    });
    /** Sets each element in the content's frame; returns what SetValue, GetLastError and GetValue answered. */
    async function setAll(frame: Frame, values: [string, string][]) {
      const name = await api(frame);
      return frame.evaluate(([apiName, pairs]) => {
        const a = (window.parent as unknown as Record<string, Record<string, (...args: string[]) => string>>)[apiName]!;
        const v2004 = apiName === 'API_1484_11';
        return pairs.map(([element, value]) => {
          const set = v2004 ? a['SetValue']!(element, value) : a['LMSSetValue']!(element, value);
          const error = v2004 ? a['GetLastError']!() : a['LMSGetLastError']!();
          return { element, set, error };
        });
      }, [name, values] as const);
    }
    const commit = (frame: Frame) => frame.evaluate(() => {
      const w = window.parent as unknown as { API_1484_11?: { Commit(s: string): string }; API?: { LMSCommit(s: string): string } };
      return w.API_1484_11 ? w.API_1484_11.Commit('') : w.API!.LMSCommit('');
    });
    const scoFrame = (page: Page) => page.frames().find((f) => f.url().includes('/files/'))!;
    const storedCmi = async (attemptId: string) =>
      (await testDb.database.db.selectFrom('scorm_sco_states').select('cmi').where('attempt_id', '=', attemptId).executeTakeFirstOrThrow()).cmi as Record<string, string>;

    it('SCORM 2004: multi-line descriptions, fill-in responses and comments are kept in the browser, stored and resumed', async () => {
      const { attempt } = await prepare('scorm2004-4th');
      let page = await openPlayer(attempt.playerUrl);
      await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('ab-initio');
      // The manifest's objectives come first.
      const objectives = await scoFrame(page).evaluate(() => (window.parent as unknown as { API_1484_11: { GetValue(e: string): string } }).API_1484_11.GetValue('cmi.objectives._count'));
      const long: [string, string][] = [
        ['cmi.interactions.0.id', 'urn:ispring:q3'],
        ['cmi.interactions.0.type', 'fill-in'],
        ['cmi.interactions.0.description', question],
        ['cmi.interactions.0.learner_response', answer],
        ['cmi.interactions.0.correct_responses.0.pattern', answer],
        [`cmi.objectives.${objectives}.id`, 'personvern-avvik'],
        [`cmi.objectives.${objectives}.description`, question],
        ['cmi.comments_from_learner.0.comment', comment],
        ['cmi.exit', 'suspend'],
      ];
      expect(question.length).toBeGreaterThan(250);
      expect(await setAll(scoFrame(page), long)).toEqual(long.map(([element]) => ({ element, set: 'true', error: '0' })));
      // Read back as written.
      expect(await scoFrame(page).evaluate(() => {
        const a = (window.parent as unknown as { API_1484_11: { GetValue(e: string): string } }).API_1484_11;
        return ['cmi.interactions.0.description', 'cmi.interactions.0.learner_response', 'cmi.comments_from_learner.0.comment'].map((e) => a.GetValue(e));
      })).toEqual([question, answer, comment]);
      // Still refused: past the server's limit, and a structured response in the wrong format.
      expect(await setAll(scoFrame(page), [
        ['cmi.interactions.0.description', 'x'.repeat(64_001)],
        ['cmi.interactions.1.id', 'q4'], ['cmi.interactions.1.type', 'true-false'], ['cmi.interactions.1.learner_response', 'kanskje'],
      ])).toMatchObject([{ set: 'false', error: '406' }, { set: 'true' }, { set: 'true' }, { set: 'false', error: '406' }]);
      expect(await commit(scoFrame(page))).toBe('true');
      const cmi = await storedCmi(attempt.attemptId);
      expect(cmi).toMatchObject({
        'cmi.interactions.0.description': question, 'cmi.interactions.0.learner_response': answer, [`cmi.objectives.${objectives}.description`]: question,
        'cmi.comments_from_learner.0.comment': comment, 'cmi.interactions.0.correct_responses.0.pattern': answer,
      });
      await closeWithoutFinish(page);

      // Resume: the stored texts load into scorm-again again.
      page = await openPlayer(attempt.playerUrl);
      await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('resume');
      expect(await scoFrame(page).evaluate(() => {
        const a = (window.parent as unknown as { API_1484_11: { GetValue(e: string): string } }).API_1484_11;
        return [a.GetValue('cmi.interactions.0.description'), a.GetValue('cmi.comments_from_learner.0.comment')];
      })).toEqual([question, comment]);
      await page.context().close();
    });

    it('SCORM 1.2: multi-line and long comments and student responses are kept in the browser and stored', async () => {
      const { attempt } = await prepare('scorm12-single');
      const page = await openPlayer(attempt.playerUrl);
      await expect.poll(() => sco(page).locator('#entry').textContent(), SLOW).toBe('ab-initio');
      const long: [string, string][] = [
        ['cmi.comments', comment.repeat(2)],
        ['cmi.interactions.0.id', 'q3'],
        ['cmi.interactions.0.type', 'fill-in'],
        ['cmi.interactions.0.student_response', answer],
        ['cmi.interactions.0.correct_responses.0.pattern', answer],
      ];
      expect(comment.repeat(2).length).toBeGreaterThan(4096);
      expect(await setAll(scoFrame(page), long)).toEqual(long.map(([element]) => ({ element, set: 'true', error: '0' })));
      expect(await scoFrame(page).evaluate(() => (window.parent as unknown as { API: { LMSGetValue(e: string): string } }).API.LMSGetValue('cmi.comments'))).toBe(comment.repeat(2));
      expect(await setAll(scoFrame(page), [['cmi.comments', 'x'.repeat(64_001)]])).toMatchObject([{ set: 'false', error: '405' }]);
      expect(await commit(scoFrame(page))).toBe('true');
      expect(await storedCmi(attempt.attemptId)).toMatchObject({
        'cmi.comments': comment.repeat(2), 'cmi.interactions.0.student_response': answer, 'cmi.interactions.0.correct_responses.0.pattern': answer,
      });
      await page.context().close();
    });
  });

  it('two windows on one attempt: the newer one owns it, the older one is told and cannot overwrite', async () => {
    const { tenantId, attempt } = await prepare('scorm12-single');
    const older = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(older).locator('#entry').textContent(), SLOW).toBe('ab-initio');
    const newer = await openPlayer(attempt.playerUrl);
    await expect.poll(() => sco(newer).locator('#learner').textContent(), SLOW).not.toBe('');
    await sco(newer).locator('#progress').click();
    await expect.poll(() => sco(newer).locator('#status').textContent(), SLOW).toContain('commit=true');
    // The older window's commit is refused (the SCO sees commit=false) and the player says why.
    await sco(older).locator('#progress').click();
    await expect.poll(() => older.locator('#player-status').textContent(), SLOW).toMatch(/åpnet i et annet vindu/);
    expect(await sco(older).locator('#status').textContent()).toContain('commit=false');
    // Its Finish (a beacon) cannot overwrite the newer window's state either.
    await sco(older).locator('#complete').click();
    await waitFor('the refused beacon', async () => (await commitHistory(testDb.database.db, tenantId, attempt.attemptId)).filter((h) => !h.accepted).length >= 2);
    const [state] = await scoOutcomes(testDb.database.db, tenantId, attempt.attemptId);
    // 50 against masteryscore 80 is failed; the older window's 90 (passed) never landed.
    expect(state).toMatchObject({ lessonStatus: 'failed', scoreRaw: 50 });
    await older.context().close();
    await newer.context().close();
  });
});
