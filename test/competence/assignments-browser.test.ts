import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addDays } from '../../src/competence/calendar.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { today } from '../../src/competence/holdings.js';
import { addRequirement } from '../../src/competence/requirements.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { addEmployee, addUnit } from '../access/support.js';

const SLOW = { timeout: 60_000 };
const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });

/**
 * A manager launched from the development LMS opens a person in the unit they lead, sees the
 * fire-safety gap and assigns the path that closes it with one click; the learner then finds it on
 * "Mine læringsløp" and "Min kompetanse" with its due date (an older one overdue), and what their
 * job requires. Bokmål and nynorsk at 360 px, checked by axe-core.
 */
describe.skipIf(!hasChromium)(`assigning a path from a gap in Chromium (${BACKEND})`, { timeout: 300_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let context: BrowserContext;
  let firePath: string;
  let refresherPath: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    const ingrid = await sessionInfo(world.url, (await launch(world.url, 'manager')).sessionToken!);
    const kari = await sessionInfo(world.url, (await launch(world.url, 'learner')).sessionToken!);
    const tenantId = ingrid.tenantId;
    const root = await addUnit(db, tenantId, null, 'K', 'Kommunen');
    const sh = await addUnit(db, tenantId, root, 'SH', 'Sykehjem');
    await addEmployee(db, tenantId, '5001', ingrid.personId, [{ unit: sh, jobTitle: 'Enhetsleder', percentage: 100, leads: true }]);
    await addEmployee(db, tenantId, '5002', kari.personId, [{ unit: sh, jobTitle: 'Helsefagarbeider', percentage: 80 }]);
    await applyCatalogueImport(db, tenantId, 'område;kode;kompetanse;navn_nn;gyldighet_måneder\nFelles;brannvern;Brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;Førstehjelp;24\n', OPERATOR);
    const fire = (await findCompetence(db, tenantId, 'brannvern'))!.id;
    const aid = (await findCompetence(db, tenantId, 'forstehjelp'))!.id;
    await addRequirement(db, tenantId, { competence: fire, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory' }, OPERATOR);
    await addRequirement(db, tenantId, { competence: aid, unitCode: 'SH', mandatory: 'recommended' }, OPERATOR);
    ({ pathId: firePath } = await publishPath(testDb.database, tenantId, [web('Se filmen om rømning')], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'Brannvern', validMonths: 12 }] } }));
    ({ pathId: refresherPath } = await publishPath(testDb.database, tenantId, [web('Repetisjon')], { title: 'Førstehjelp repetisjon', settings: { grants: [{ competence: 'forstehjelp', validMonths: 24 }] } }));
    // The fire-safety path is linked in the course; someone else launched it, so the tool knows the link.
    const link = await world.lms.addLink({ title: 'Brannvern for alle', custom: { laeringslop_path: firePath } });
    await launch(world.url, 'learner', link.id, true);
    // An earlier assignment (by the administrator) whose due date has passed.
    await db.insertInto('competence_assignments').values({
      tenant_id: tenantId, person_id: kari.personId, path_id: refresherPath, competence_id: aid, due_on: addDays(today(), -3), note: null, assigned_by_role: 'municipality-admin', assigned_by_id: ingrid.personId,
    }).execute();
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);

  it('a manager assigns the path from the gap; the learner sees it with its due date', async () => {
    const page = await context.newPage();
    await page.goto(`${world.url}/dev/lms/launch?role=manager`);
    await page.frameLocator('#tool-frame').locator('h1[data-role="manager"]').waitFor(SLOW);
    await page.goto(page.frames().find((f) => /\/manage\?/.test(f.url()))!.url());
    await page.locator('[data-employee="5002"] a').click();
    await page.locator('h1[data-person]').waitFor(SLOW);
    expect(await page.locator('[data-requirement="brannvern"]').getAttribute('data-status')).toBe('missing');
    expect(await page.locator('[data-requirement="brannvern"] td').last().textContent()).toBe('Mangler');
    await expectAccessible(page, 'a person with gaps (nb)');

    const due = addDays(today(), 28);
    expect(await page.locator('[data-assign-form="brannvern"] input[name$="-due"]').inputValue()).toBe(`${due.slice(8, 10)}.${due.slice(5, 7)}.${due.slice(0, 4)}`);
    await page.locator('[data-assign-form="brannvern"]').getByLabel('Melding til den ansatte').fill('Før sommerferien, takk.');
    await page.getByRole('button', { name: 'Tildel «Brannvern for alle»' }).click();
    await page.locator('[data-assign-notice="assigned"]').waitFor(SLOW);
    expect(await page.locator(`[data-gap-assigned="${firePath}"]`).count()).toBe(1);
    expect(await page.locator(`[data-gap-assigned="${refresherPath}"] strong`).textContent()).toBe('Forfalt');
    expect(await page.locator('[data-assignment][data-status="open"]').count()).toBe(1);
    expect(await page.locator('[data-assignment][data-status="overdue"] td').nth(2).textContent()).toBe('Forfalt');
    await expectAccessible(page, 'a person with an assignment (nb)');
    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await page.locator('#competence-gaps-heading').textContent()).toBe('Kompetansekrav');
    await expectAccessible(page, 'a person with an assignment (nn)');
    await page.close();

    const learner = await context.newPage();
    await learner.goto(`${world.url}/dev/lms/launch?role=learner`);
    await learner.frameLocator('#tool-frame').locator('[data-my-paths]').waitFor(SLOW);
    await learner.goto(learner.frames().find((f) => /\/learn\?/.test(f.url()))!.url());
    const assigned = learner.locator(`[data-assigned="${firePath}"]`);
    await assigned.waitFor(SLOW);
    expect(await learner.locator('#mine-assigned').textContent()).toBe('Tildelt av lederen din (2)');
    const dueText = new Intl.DateTimeFormat('nb-NO', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${due}T12:00:00Z`));
    expect(await assigned.locator('[data-due]').textContent()).toBe(`Frist: ${dueText}`);
    expect(await assigned.textContent()).toContain('Melding: Før sommerferien, takk.');
    // Not launched yet: where the link is in the course.
    expect(await assigned.locator(`[data-find-path="${firePath}"]`).count()).toBe(1);
    expect(await assigned.textContent()).toContain('lenken «Brannvern for alle»');
    expect(await learner.locator(`[data-assigned="${refresherPath}"] [data-overdue]`).textContent()).toBe('Forfalt');
    await expectAccessible(learner, 'Mine læringsløp with assignments (nb)');

    await learner.locator('[data-my-competence-link]').click();
    await learner.locator('[data-my-competence]').waitFor(SLOW);
    expect(await learner.locator(`[data-my-competence] [data-assigned="${firePath}"]`).count()).toBe(1);
    expect(await learner.locator('[data-my-requirements] [data-requirement="brannvern"] td').last().textContent()).toBe('Mangler');
    expect(await learner.locator('[data-my-requirements] [data-requirement="forstehjelp"] td').nth(1).textContent()).toBe('Anbefalt');
    expect(await learner.locator(`[data-my-gaps] [data-gap="brannvern"] [data-gap-path="${firePath}"]`).count()).toBe(1);
    await expectAccessible(learner, 'Min kompetanse with requirements and gaps (nb)');
    await learner.getByRole('link', { name: 'Nynorsk' }).click();
    await learner.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await learner.locator('#assigned-heading').textContent()).toBe('Tildelt av leiaren din (2)');
    expect(await learner.locator('[data-my-requirements] [data-requirement="brannvern"] td').last().textContent()).toBe('Manglar');
    await expectAccessible(learner, 'Min kompetanse with requirements and gaps (nn)');
    await learner.goto(learner.url().replace('/learn/competence', '/learn'));
    await learner.locator('[data-my-paths]').waitFor(SLOW);
    await expectAccessible(learner, 'Mine læringsløp with assignments (nn)');
    await learner.close();
  });
});
