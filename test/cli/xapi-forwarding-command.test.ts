import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runXapiForwardingCommand } from '../../src/cli/xapi-forwarding-command.js';
import { XapiClientUsageError } from '../../src/cli/xapi-client-command.js';
import { createMissingMunicipalities } from '../../src/tenants/official-municipalities.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { forwardingBox, openCredentials } from '../../src/xapi/forwarding/targets.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const SECRET = 'test-key-encryption-secret-0123456789-abcdef';
const LRS_SECRET = 'cli-lrs-secret-5f4e3d2c';

describe(`npm run cli -- xapi-forwarding (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    await createMissingMunicipalities(testDb.database.db);
  });
  afterAll(async () => testDb?.dispose());

  async function run(sub: string, options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const lines: string[] = [];
    await runXapiForwardingCommand(testDb.database, SECRET, sub, { history: false, json: false, ...options }, (line) => lines.push(line), env);
    return lines;
  }

  it('sets a target with the secret from the environment, shows the queue without credentials, re-drives and removes', async () => {
    await expect(run('set', { tenant: '3303', endpoint: 'https://lrs.kongsberg.no/xapi/', key: 'kongsberg' })).rejects.toThrow(/LRS_FORWARDING_SECRET/);
    await expect(run('set', { tenant: '3303', endpoint: `https://kongsberg:${LRS_SECRET}@lrs.kongsberg.no/xapi/`, key: 'kongsberg' }, { LRS_FORWARDING_SECRET: LRS_SECRET })).rejects.toThrow(XapiClientUsageError);
    await expect(run('set', { tenant: '3303', endpoint: 'https://lrs.kongsberg.no/xapi/', key: 'kongsberg', filter: 'some' }, { LRS_FORWARDING_SECRET: LRS_SECRET })).rejects.toThrow(/--filter/);
    await expect(run('set', { tenant: '9999', endpoint: 'https://lrs.kongsberg.no/xapi/', key: 'kongsberg' }, { LRS_FORWARDING_SECRET: LRS_SECRET })).rejects.toThrow(/no municipality/);

    expect(await run('set', { tenant: '3303', endpoint: 'https://lrs.kongsberg.no/xapi', key: 'kongsberg', filter: 'completions' }, { LRS_FORWARDING_SECRET: LRS_SECRET })).toEqual([expect.stringMatching(/^forwarding created for tenant .* \(completions\)$/)]);
    const kongsberg = (await findMunicipality(testDb.database.db, '3303'))!.id;
    const row = await testDb.database.db.selectFrom('xapi_forwarding_targets').selectAll().where('tenant_id', '=', kongsberg).executeTakeFirstOrThrow();
    expect(openCredentials(forwardingBox(SECRET), row.credentials_sealed)).toEqual({ key: 'kongsberg', secret: LRS_SECRET });

    const status = (await run('status', { tenant: '3303' })).join('\n');
    expect(status).toContain('endpoint:  https://lrs.kongsberg.no/xapi/');
    expect(status).toContain('waiting:   0');
    expect(status).toContain('state:     sending');
    const json = (await run('status', { tenant: '3303', json: true })).join('\n');
    expect(JSON.parse(json)).toMatchObject({ endpoint: 'https://lrs.kongsberg.no/xapi/', filter: 'completions', pending: 0, parkedCount: 0 });
    for (const text of [status, json]) {
      expect(text).not.toContain(LRS_SECRET);
      expect(text).not.toContain('kongsberg"');
    }
    // Another municipality forwards nothing and its commands touch nothing of Kongsberg's.
    expect(await run('status', { tenant: '0301' })).toEqual([expect.stringMatching(/forwards nothing$/)]);
    expect(await run('remove', { tenant: '0301' })).toEqual([expect.stringMatching(/forwards nothing$/)]);

    await testDb.database.db.updateTable('xapi_forwarding_targets').set({ paused_reason: '403 Forbidden', paused_at: new Date() }).where('tenant_id', '=', kongsberg).execute();
    expect((await run('status', { tenant: '3303' })).join('\n')).toContain('paused since');
    expect(await run('redrive', { tenant: '3303' })).toEqual(['0 parked statement(s) to be sent again; forwarding resumed']);
    // A change without the secret keeps the stored one.
    expect(await run('set', { tenant: kongsberg, endpoint: 'https://lrs2.kongsberg.no/xapi/', key: 'kongsberg' })).toEqual([expect.stringMatching(/^forwarding updated/)]);
    expect(await run('remove', { tenant: '3303' })).toEqual([`forwarding removed for tenant ${kongsberg}`]);
  });
});
