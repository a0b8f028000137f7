import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { DEMO_CATALOGUE_FILE } from '../../src/competence/demo-catalogue.js';
import { parseHoldingsCsv } from '../../src/competence/holdings-import.js';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { addEmployee } from '../../src/organisation/employments.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { createServerDatabase, SERVER_URL } from '../support/database.js';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdings-cli-'));
const SAMPLE = path.join(PROJECT_ROOT, 'docs', 'samples', 'kompetanse-import-eksempel.csv');
let env: Record<string, string>;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  env = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const database = SERVER_URL ? await (async () => {
    const server = await createServerDatabase(SERVER_URL);
    drop = server.drop;
    env['DATABASE_URL'] = server.url;
    const { openPostgres } = await import('../../src/db/postgres.js');
    return openPostgres({ connectionString: server.url, poolMax: 1 });
  })() : await openPglite({ dataDir });
  await migrate(database);
  const tenant = (await database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
  await applyCatalogueImport(database.db, tenant, fs.readFileSync(DEMO_CATALOGUE_FILE, 'utf8'), OPERATOR);
  await addEmployee(database.db, tenant, OPERATOR, { employeeNumber: '10234', givenName: 'Ingrid', familyName: 'Sykepleier' });
  await addEmployee(database.db, tenant, OPERATOR, { employeeNumber: '10251', givenName: 'Per', familyName: 'Fagarbeider' });
  await addEmployee(database.db, tenant, OPERATOR, { employeeNumber: '10300', givenName: 'Kari', familyName: 'Nordmann', email: 'kari.nordmann@kongsberg.kommune.no' });
  await database.close();
});
afterAll(async () => {
  await drop?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PROJECT_ROOT, env });

describe('npm run cli -- competence holdings-import', () => {
  it('the documented sample is a complete file', () => {
    const parsed = parseHoldingsCsv(fs.readFileSync(SAMPLE, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.ignoredColumns).toEqual([]);
    expect(parsed.rows).toHaveLength(4);
  });

  it('refuses a bad file naming its lines, previews with --dry-run, imports once, and the same file again adds nothing', { timeout: 120_000 }, async () => {
    const bad = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(bad, 'ansattnummer;kompetansekode;dato\n10234;brannvern;01.02.2026\n99999;brannvern;01.02.2026\n');
    const refused = await cli('competence', 'holdings-import', '--tenant', '3303', bad).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in refused && refused.code).toBe(64);
    expect(refused.stdout).toMatch(/line 3: No employee has the employee number "99999"\./);
    expect(refused.stderr).toMatch(/1 problem\(s\): nothing was imported/);

    const dry = await cli('competence', 'holdings-import', '--tenant', '3303', SAMPLE, '--dry-run');
    expect(dry.stdout).toMatch(/^4 holding\(s\) to add for 3 person\(s\), 0 of them renewals; 0 already recorded/);
    expect(dry.stdout).toMatch(/dry run: nothing was written/);
    expect((await cli('competence', 'holdings-import', '--tenant', '3303', SAMPLE)).stdout).toMatch(/^4 holding\(s\) to add .*\nimported/);
    expect((await cli('competence', 'holdings-import', '--tenant', '3303', SAMPLE)).stdout).toMatch(/^0 holding\(s\) to add for 3 person\(s\), 0 of them renewals; 4 already recorded/);
  });
});
