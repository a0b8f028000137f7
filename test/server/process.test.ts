import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND } from '../support/database.js';
import { OFFICIAL_MUNICIPALITIES_FILE } from '../../src/tenants/official-municipalities.js';
import { runToCompletion, startToolProcess, type ToolProcess } from '../support/process.js';

// The tool as a newcomer runs it: a real process on the embedded database in a data folder.
const running: ToolProcess[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop('SIGKILL');
});

function dataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'laeringslop-data-'));
}

async function tenantCount(url: string): Promise<number> {
  const page = await (await fetch(url + '/?lang=en')).text();
  return Number(/Municipalities and regions registered<\/dt><dd>(\d+)</.exec(page)?.[1]);
}

// It is about the embedded database, so the server-PostgreSQL run of the suite leaves it out.
// Each test starts processes that create a PGlite cluster (initdb): allow for a loaded machine.
describe.skipIf(BACKEND === 'postgres')('the tool as a process on the embedded database', { timeout: 180_000 }, () => {
  it('keeps what was written across a stop and a start on the same DATA_DIR, and stops cleanly on SIGTERM', async () => {
    const DATA_DIR = dataDir();
    const imported = await runToCompletion('cli.ts', ['tenant', 'import-municipalities', OFFICIAL_MUNICIPALITIES_FILE], { DATA_DIR });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('357 municipalities in the file: 357 created');
    expect(imported.code).toBe(0);

    const first = await startToolProcess({ DATA_DIR });
    running.push(first);
    expect((await fetch(first.url + '/healthz')).status).toBe(200);
    expect(await (await fetch(first.url + '/readyz')).json()).toMatchObject({ status: 'ready', database: 'pglite' });
    expect(await tenantCount(first.url)).toBe(357);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.logLines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);

    const second = await startToolProcess({ DATA_DIR });
    running.push(second);
    expect(await tenantCount(second.url)).toBe(357);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('knows every municipality of the shipped official list from its first start', async () => {
    const DATA_DIR = dataDir();
    const tool = await startToolProcess({ DATA_DIR });
    running.push(tool);
    expect(await tenantCount(tool.url)).toBe(357);
    expect(tool.logLines.some((line) => line.includes('"count":357') && line.includes('municipalities created from the official list'))).toBe(true);
    expect(await tool.stop('SIGTERM')).toBe(0);
    // About 78 KB of JSON through a pipe, more than it takes at once: the CLI exits only once it is written.
    const list = await runToCompletion('cli.ts', ['tenant', 'list', '--kind', 'municipality', '--json'], { DATA_DIR });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(357);
  });

  it('refuses a second tool on the same DATA_DIR instead of corrupting it', async () => {
    const DATA_DIR = dataDir();
    const first = await startToolProcess({ DATA_DIR });
    running.push(first);
    const second = await runToCompletion('main.ts', [], { DATA_DIR });
    expect(second.code).not.toBe(0);
    expect(second.stdout).toMatch(new RegExp(`in use by process ${first.child.pid}`));
    expect((await fetch(first.url + '/readyz')).status).toBe(200);
  });

  it('takes over a DATA_DIR whose process was killed', async () => {
    const DATA_DIR = dataDir();
    const killed = await startToolProcess({ DATA_DIR });
    await killed.stop('SIGKILL');
    const next = await startToolProcess({ DATA_DIR });
    running.push(next);
    expect((await fetch(next.url + '/readyz')).status).toBe(200);
  });

  it('CLI: a bad CSV is refused with line numbers and changes nothing', async () => {
    const DATA_DIR = dataDir();
    const file = path.join(DATA_DIR, 'bad.csv');
    fs.writeFileSync(file, 'kommunenummer,kommunenavn,fylkesnummer\n3303,Kongsberg,33\n33X3,Feil,33\n');
    const result = await runToCompletion('cli.ts', ['tenant', 'import-municipalities', file], { DATA_DIR });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The file was not imported; nothing was changed');
    expect(result.stderr).toContain('line 3: kommunenummer "33X3" is not four digits');
    const list = await runToCompletion('cli.ts', ['tenant', 'list'], { DATA_DIR });
    expect(list.code).toBe(0);
    expect(list.stdout.trim()).toBe('');
  });

  it('CLI: an unknown command is one line that points to the usage, and exits 64', async () => {
    const result = await runToCompletion('cli.ts', ['tenant', 'frobnicate'], { DATA_DIR: dataDir() });
    expect(result.code).toBe(64);
    expect(result.stderr.trim().split('\n')).toEqual(['unknown command: tenant frobnicate (npm run cli -- --help lists the commands and their options)']);
  });
});
