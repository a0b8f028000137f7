import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_MUNICIPALITIES_FILE } from '../../src/tenants/official-municipalities.js';
import { cliHarness } from '../support/cli.js';
import { BACKEND } from '../support/database.js';
import { SAMPLE_PATH, windows1252Variant } from './hr-csv.js';

/** `npm run cli -- org import`, run as the operator runs it, against a database of its own. */
describe(`org import on the command line (${BACKEND})`, { timeout: 180_000 }, () => {
  const { dataDir, run, failure } = cliHarness({ name: 'org-cli' });
  beforeAll(() => run('tenant', 'import-municipalities', OFFICIAL_MUNICIPALITIES_FILE));

  it('previews with --dry-run, applies, and finds nothing to change the second time', async () => {
    const dry = await run('org', 'import', '--kommune', '3303', SAMPLE_PATH, '--dry-run');
    expect(dry).toContain('Kongsberg (3303)');
    expect(dry).toContain('units:       7 added, 0 changed, 0 ended');
    expect(dry).toContain('employments: 9 added, 0 changed, 0 ended');
    expect(dry).toContain('--dry-run: nothing was changed.');
    const applied = await run('org', 'import', '--kommune', '3303', SAMPLE_PATH);
    expect(applied).toContain('units:       7 added');
    expect(applied).toMatch(/applied \(import [0-9a-f-]{36}\)\./);
    const again = await run('org', 'import', '--kommune', '3303', SAMPLE_PATH);
    expect(again).toContain('units:       0 added, 0 changed, 0 ended');
    expect(again).toContain('employments: 0 added, 0 changed, 0 ended');
    const file = path.join(dataDir, 'lonn-1252.csv');
    fs.writeFileSync(file, windows1252Variant(','));
    const variant = await run('org', 'import', '--kommune', '3303', file, '--dry-run');
    expect(variant).toContain('(windows-1252, separator ",")');
    expect(variant).toContain('employments: 0 added, 0 changed, 0 ended');
  });

  it('lists every bad row with its line, changes nothing and exits with 1', async () => {
    const file = path.join(dataDir, 'bad.csv');
    const lines = fs.readFileSync(SAMPLE_PATH, 'utf8').trim().split('\n');
    lines[9] = lines[9]!.replace(';100;', ';0;');
    lines.push('99;Eva;Ek;;NOPE;Ukjent;FINNES-IKKE;Assistent;;20;01.01.2026;;nei;');
    fs.writeFileSync(file, lines.join('\n'));
    const refused = await failure('org', 'import', '--kommune', '3303', file);
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toBe('The file was not imported; nothing was changed: 2 bad row(s), listed above.');
    expect(refused.out).toContain('line 10: The employment percentage “0” is not a number above 0');
    expect(refused.out).toContain('line 18: The parent unit FINNES-IKKE of unit NOPE is not in the file.');
    const after = await run('org', 'import', '--kommune', '3303', SAMPLE_PATH, '--dry-run');
    expect(after).toContain('employments: 0 added, 0 changed, 0 ended');
  });

  it('refuses a missing municipality, option or file as usage errors (exit code 64)', async () => {
    expect(await failure('org', 'import', SAMPLE_PATH)).toMatchObject({ exitCode: 64, text: expect.stringContaining('--kommune') });
    expect(await failure('org', 'import', '--kommune', '9999', SAMPLE_PATH)).toMatchObject({ exitCode: 64, text: expect.stringContaining('no municipality has kommunenummer 9999') });
    expect(await failure('org', 'import', '--kommune', '3303')).toMatchObject({ exitCode: 64, text: expect.stringContaining('name the CSV file') });
    expect(await failure('org', 'import', '--kommune', '3303', path.join(dataDir, 'missing.csv'))).toMatchObject({ exitCode: 1, text: expect.stringContaining('ENOENT') });
  });
});
