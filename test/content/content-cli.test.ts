import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.js';
import { migrate } from '../../src/db/migrations.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { createServerDatabase, SERVER_URL } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { hostilePackages, zipFixture } from './support/package-zip.js';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-cli-'));
let env: Record<string, string>;
let tenantId: string;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  env = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  if (SERVER_URL) {
    const server = await createServerDatabase(SERVER_URL);
    drop = server.drop;
    env['DATABASE_URL'] = server.url;
    const { openPostgres } = await import('../../src/db/postgres.js');
    const database = openPostgres({ connectionString: server.url, poolMax: 1 });
    await migrate(database);
    ({ tenantId } = await seedTenantAndPerson(database.db));
    await database.close();
  } else {
    const database = await openPglite({ dataDir });
    await migrate(database);
    ({ tenantId } = await seedTenantAndPerson(database.db));
    await database.close();
  }
});
afterAll(async () => {
  await drop?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PROJECT_ROOT, env });

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
