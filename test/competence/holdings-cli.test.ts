import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { DEMO_CATALOGUE_FILE } from '../../src/competence/demo-catalogue.js';
import { parseHoldingsCsv } from '../../src/competence/holdings-import.js';
import { addEmployee } from '../../src/organisation/employments.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { cliProcessHarness } from '../support/cli.js';

const SAMPLE = path.join(PROJECT_ROOT, 'docs', 'samples', 'kompetanse-import-eksempel.csv');
const { dataDir, cli } = cliProcessHarness({
  name: 'holdings-cli',
  seed: async ({ db }) => {
    const tenant = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    await applyCatalogueImport(db, tenant, fs.readFileSync(DEMO_CATALOGUE_FILE, 'utf8'), OPERATOR);
    await addEmployee(db, tenant, OPERATOR, { employeeNumber: '10234', givenName: 'Ingrid', familyName: 'Sykepleier' });
    await addEmployee(db, tenant, OPERATOR, { employeeNumber: '10251', givenName: 'Per', familyName: 'Fagarbeider' });
    await addEmployee(db, tenant, OPERATOR, { employeeNumber: '10300', givenName: 'Kari', familyName: 'Nordmann', email: 'kari.nordmann@kongsberg.kommune.no' });
  },
});

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
