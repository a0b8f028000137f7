import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addDays, addMonths, osloDate } from '../../src/competence/calendar.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { competenceHoldingsBatchSubscriber, competenceHoldingsSubscriber, currentHoldings, holdingStatus, listPersonHoldings, revokeHolding } from '../../src/competence/holdings.js';
import { capturingLogger } from '../support/app.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPerson } from '../../src/people/people.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { publishPath } from '../learner/support.js';

const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
const at = (iso: string) => ({ now: () => new Date(iso) });

describe('calendar days in Europe/Oslo', () => {
  it('adds months to the same day, or the last day of a shorter month', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-12-15', 24)).toBe('2028-12-15');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(() => addMonths('31.12.2026', 1)).toThrow(RangeError);
  });

  it('counts the day in Norway, also at midnight and across the changes of daylight saving time', () => {
    expect(osloDate(new Date('2026-12-04T23:30:00Z'))).toBe('2026-12-05');
    expect(osloDate(new Date('2026-12-04T22:59:59Z'))).toBe('2026-12-04');
    // Summer time: UTC+2. 2026-03-29 is the day clocks go forward, 2026-10-25 back.
    expect(osloDate(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
    expect(osloDate(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(osloDate(new Date('2026-10-24T21:59:00Z'))).toBe('2026-10-24');
    expect(osloDate(new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-25');
    expect(osloDate(new Date('2026-10-25T22:30:00Z'))).toBe('2026-10-25');
  });
});

describe(`holdings from path completions (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tenantId: string;
  let dispatcher: PathEventDispatcher;
  const db = () => testDb.database.db;
  const log = capturingLogger('info');

  beforeAll(async () => {
    testDb = await createTestDatabase();
    tenantId = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    await applyCatalogueImport(db(), tenantId, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;\n', OPERATOR);
    dispatcher = new PathEventDispatcher({ db: db(), logger: log.logger });
    dispatcher.subscribeBatch('competence-holdings', competenceHoldingsBatchSubscriber(db(), log.logger));
  });
  afterAll(async () => testDb.dispose());

  /** Delivers every event written so far (on a shared server, transactions of other databases can hold delivery back a moment). */
  async function deliverAll(): Promise<void> {
    const last = await db().selectFrom('path_events').select(db().fn.max('id').as('id')).executeTakeFirst();
    for (let i = 0; i < 300; i++) {
      await dispatcher.runOnce();
      const cursor = await db().selectFrom('path_event_cursors').select('last_id').where('subscriber', '=', 'competence-holdings').executeTakeFirst();
      if (Number(cursor?.last_id ?? 0) >= Number(last?.id ?? 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('path events were not delivered');
  }

  async function complete(personId: string, pathId: string, stepId: string, when: string): Promise<void> {
    const { enrolmentId } = await enrol(db(), tenantId, { personId, pathId }, at(when));
    await deliverOutcome(db(), tenantId, { enrolmentId, stepId, idempotencyKey: `done:${enrolmentId}`, outcome: { kind: 'web', event: 'done' } }, at(when));
  }

  it('documents each granted competence once, expiring after the grant’s validity counted in Oslo days', async () => {
    const kari = (await createPerson(db(), tenantId, { name: 'Kari Nordmann' })).id;
    const { pathId, stepIds } = await publishPath(testDb.database, tenantId, [web('Se filmen')], {
      title: 'Brannvern for alle',
      settings: { grants: [{ competence: 'Brannvern', validMonths: 12 }, { competence: 'forstehjelp', validMonths: null }, { competence: 'Hjertestarter', validMonths: 6 }] },
    });
    // 23:30 UTC on 28 February 2027 is 00:30 on 1 March in Norway.
    await complete(kari, pathId, stepIds[0]!, '2027-02-28T23:30:00Z');
    await deliverAll();
    // Delivered again (a crash before the cursor moved): nothing more is written.
    await competenceHoldingsSubscriber(db(), log.logger)({ id: 0, type: 'path-completed', payload: { completionId: (await db().selectFrom('path_completions').select('id').executeTakeFirstOrThrow()).id } });

    const holdings = await listPersonHoldings(db(), tenantId, kari);
    const rows = holdings.map((h) => [h.competence.code, h.source, h.achievedOn, h.expiresOn, h.path?.title, h.path?.versionNumber]);
    expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['brannvern', 'path-completion', '2027-03-01', '2028-03-01', 'Brannvern for alle', 1],
      ['forstehjelp', 'path-completion', '2027-03-01', null, 'Brannvern for alle', 1],
    ]);
    expect(log.lines().some((l) => l['msg'] === 'path grants competences that are not in the catalogue' && JSON.stringify(l['competences']) === '["Hjertestarter"]')).toBe(true);

    const fire = holdings.find((h) => h.competence.code === 'brannvern')!;
    expect(holdingStatus(fire, '2028-02-29')).toBe('valid');
    expect(holdingStatus(fire, '2028-03-01')).toBe('expired');
    expect(holdingStatus(holdings.find((h) => h.competence.code === 'forstehjelp')!, '2099-12-31')).toBe('valid');
  });

  it('a renewal points to the holding it renews and keeps it; revocation is recorded beside the holding', async () => {
    const ola = (await createPerson(db(), tenantId, { name: 'Ola Nordmann' })).id;
    const { pathId, stepIds } = await publishPath(testDb.database, tenantId, [web('Øvelse')], { title: 'Brannøvelse', settings: { grants: [{ competence: 'brannvern', validMonths: null }] } });
    await complete(ola, pathId, stepIds[0]!, '2026-01-10T10:00:00Z');
    await deliverAll();
    // A new version, completed again two years later (a new enrolment after the first was completed).
    const second = await publishPath(testDb.database, tenantId, [web('Øvelse 2028')], { title: 'Brannøvelse 2028', settings: { grants: [{ competence: 'brannvern', validMonths: null }] } });
    await complete(ola, second.pathId, second.stepIds[0]!, '2028-01-12T10:00:00Z');
    await deliverAll();

    const [renewal, first] = await listPersonHoldings(db(), tenantId, ola);
    // No validity in the grant: the competence's default (24 months) applies.
    expect([first!.achievedOn, first!.expiresOn, renewal!.achievedOn, renewal!.expiresOn]).toEqual(['2026-01-10', '2028-01-10', '2028-01-12', '2030-01-12']);
    expect(renewal!.renewsId).toBe(first!.id);
    expect(currentHoldings(await listPersonHoldings(db(), tenantId, ola), '2028-06-01').map((h) => h.id)).toEqual([renewal!.id]);

    await revokeHolding(db(), tenantId, renewal!.id, OPERATOR, 'Feilregistrert: øvelsen ble avlyst');
    await revokeHolding(db(), tenantId, renewal!.id, OPERATOR, 'igjen');
    const after = await listPersonHoldings(db(), tenantId, ola);
    expect(holdingStatus(after[0]!, '2028-06-01')).toBe('revoked');
    expect(after[0]!.revocation?.reason).toBe('Feilregistrert: øvelsen ble avlyst');
    // The earlier holding counts again, but has expired by then.
    expect(currentHoldings(after, '2028-06-01').map((h) => [h.id, holdingStatus(h, '2028-06-01')])).toEqual([[first!.id, 'expired']]);
    const audits = await db().selectFrom('audit_events').select(['action', 'subject_person_id']).where('action', '=', 'competence.holding.revoked').execute();
    expect(audits).toEqual([{ action: 'competence.holding.revoked', subject_person_id: ola }]);

    // Another municipality cannot revoke it, and no one can change or remove a holding.
    const other = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '0301', name: 'Oslo' }).returning('id').executeTakeFirstOrThrow()).id;
    await expect(revokeHolding(db(), other, first!.id, OPERATOR, 'x')).rejects.toThrow(/no such holding/);
    await expect(sql`update competence_holdings set expires_on = '2099-01-01' where id = ${first!.id}`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`delete from competence_holdings where id = ${first!.id}`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`delete from competence_holding_revocations`.execute(db())).rejects.toThrow(/append-only/);
    // Moving a holding to the same human being's other person row (a merge) is allowed.
    const merged = (await createPerson(db(), tenantId, { name: 'Ola Nordmann (HR)' })).id;
    await sql`update competence_holdings set person_id = ${merged} where id = ${first!.id}`.execute(db());
    expect((await listPersonHoldings(db(), tenantId, merged)).map((h) => h.id)).toEqual([first!.id]);
  });
});
