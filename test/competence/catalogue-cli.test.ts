import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE_FILE } from '../../src/competence/demo-catalogue.js';
import { cliProcessHarness } from '../support/cli.js';

const { dataDir, cli } = cliProcessHarness({
  name: 'competence-cli',
  seed: async ({ db }) => {
    await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).execute();
  },
});

describe('npm run cli -- competence', () => {
  it('previews with --dry-run, imports, exports what it imported, and refuses a bad file naming its lines', { timeout: 120_000 }, async () => {
    const dry = await cli('competence', 'import', '--tenant', '3303', DEMO_CATALOGUE_FILE, '--dry-run');
    expect(dry.stdout).toMatch(/^10 competence\(s\) to add, 0 to change, 0 unchanged; 2 new area\(s\)/);
    expect(dry.stdout).toMatch(/dry run: nothing was written/);
    expect((await cli('competence', 'list', '--tenant', '3303')).stdout).toBe('');

    expect((await cli('competence', 'import', '--tenant', '3303', DEMO_CATALOGUE_FILE)).stdout).toMatch(/imported/);
    expect((await cli('competence', 'list', '--tenant', '3303')).stdout).toMatch(/brannvern\tBrannvern\tcourse\t24 months/);
    const exported = path.join(dataDir, 'export.csv');
    await cli('competence', 'export', '--tenant', '3303', '--out', exported);
    const again = await cli('competence', 'import', '--tenant', '3303', exported, '--dry-run');
    expect(again.stdout).toMatch(/^0 competence\(s\) to add, 0 to change, 10 unchanged/);

    const bad = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(bad, 'område;kompetanse;gyldighet_måneder\nFelles;Brannvern;24\nFelles;Førstehjelp;aldri\n');
    const refused = await cli('competence', 'import', '--tenant', '3303', bad).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in refused && refused.code).toBe(64);
    expect(refused.stdout).toMatch(/line 3: Validity "aldri" is not a number of months/);
    expect(refused.stderr).toMatch(/1 problem\(s\): nothing was imported/);

    const unknown = await cli('competence', 'list', '--tenant', '9999').catch((e: { code: number; stderr: string }) => e);
    expect('code' in unknown && unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no municipality has kommunenummer 9999/);
  });
});
