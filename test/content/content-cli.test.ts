import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliProcessHarness } from '../support/cli.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { hostilePackages, zipFixture } from './support/package-zip.js';

let tenantId: string;
const { dataDir, cli } = cliProcessHarness({
  name: 'content-cli',
  seed: async ({ db }) => {
    ({ tenantId } = await seedTenantAndPerson(db));
  },
});

describe('npm run cli -- content', () => {
  it('imports a package into DATA_DIR and lists it', { timeout: 120_000 }, async () => {
    const { stdout } = await cli('content', 'import', tenantId, await zipFixture('scorm2004-4th'));
    expect(stdout).toMatch(/imported [0-9a-f-]{36}: Personvern i kommunen \(2004 4th Edition, 4 files\)/);
    expect(fs.existsSync(path.join(dataDir, 'content', 'blobs'))).toBe(true);
    const list = await cli('content', 'list', tenantId);
    expect(list.stdout).toContain('Personvern i kommunen');
  });

  it('refuses a hostile package with the message in bokmål and English and exit code 1', { timeout: 120_000 }, async () => {
    const subfolder = hostilePackages().find((h) => h.name === 'manifest-in-subfolder')!;
    const error = (await cli('content', 'import', tenantId, subfolder.file).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("imsmanifest.xml ligger i mappen 'kurs'");
    expect(error.stderr).toContain("imsmanifest.xml is in the folder 'kurs'");
  });
});
