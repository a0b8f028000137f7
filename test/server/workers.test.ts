import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.js';
import { runToCompletion, startToolProcess } from '../support/process.js';
import { SERVER_URL, createServerDatabase, type ServerDatabase } from '../support/database.js';

/** The "running" lines of the workers so far, each with its worker number. */
const runningWorkers = (lines: readonly string[]) =>
  lines.map((line) => JSON.parse(line) as { msg?: string; worker?: number; pid?: number }).filter((l) => l.msg?.includes('is running'));

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!SERVER_URL)('several worker processes on one port (WORKERS)', () => {
  let database: ServerDatabase;
  beforeAll(async () => {
    database = await createServerDatabase(SERVER_URL!);
  });
  afterAll(() => database.drop());

  it('serves from every worker, replaces a worker that dies, and stops them all on SIGTERM', async () => {
    const tool = await startToolProcess({ DATABASE_URL: database.url, WORKERS: '2' });
    await until(() => runningWorkers(tool.logLines).length === 2, 'two workers');
    expect(new Set(runningWorkers(tool.logLines).map((l) => l.worker))).toEqual(new Set([1, 2]));
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${tool.url}/readyz`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
    }

    const started = tool.logLines.map((line) => JSON.parse(line) as { msg?: string; worker?: number; pid?: number }).filter((l) => l.msg === 'worker started');
    process.kill(started[0]!.pid!, 'SIGKILL');
    await until(() => runningWorkers(tool.logLines).some((l) => l.worker === 3), 'a replacement worker');
    expect(tool.logLines.some((line) => line.includes('worker exited: starting another'))).toBe(true);
    expect((await fetch(`${tool.url}/readyz`, { headers: { connection: 'close' } })).status).toBe(200);

    expect(await tool.stop('SIGTERM')).toBe(0);
    const workers = tool.logLines.map((line) => JSON.parse(line) as { msg?: string; pid?: number }).filter((l) => l.msg === 'worker started');
    expect(workers).toHaveLength(3);
    for (const worker of workers) expect(() => process.kill(worker.pid!, 0), `worker ${worker.pid} is gone`).toThrow();
    await expect(fetch(`${tool.url}/healthz`)).rejects.toThrow();
  }, 120_000);

  it('workers starting together in development register the development LMS and create the demo path once', async () => {
    const fresh = await createServerDatabase(SERVER_URL!);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-'));
    try {
      const tool = await startToolProcess({ DATABASE_URL: fresh.url, WORKERS: '2', NODE_ENV: 'development', DATA_DIR: dataDir });
      await until(() => runningWorkers(tool.logLines).length === 2, 'two workers');
      expect(tool.logLines.some((line) => line.includes('worker exited'))).toBe(false);
      expect(await tool.stop('SIGTERM')).toBe(0);
      const counts = await countRows(fresh.url, ['paths', 'content_packages', 'lti_platforms', 'dev_lms_links']);
      expect(counts).toEqual({ paths: 1, content_packages: 1, lti_platforms: 1, dev_lms_links: 1 });
    } finally {
      await fresh.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

async function countRows(url: string, tables: readonly string[]): Promise<Record<string, number>> {
  const database = openPostgres({ connectionString: url, poolMax: 1 });
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const rows = await database.session((s) => s.query<{ n: string }>(`select count(*) as n from ${table}`));
      counts[table] = Number(rows[0]!.n);
    }
    return counts;
  } finally {
    await database.close();
  }
}

describe('WORKERS and the embedded database', () => {
  it('refuses WORKERS above 1 on the embedded database', async () => {
    const result = await runToCompletion('main.ts', [], { WORKERS: '2' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('WORKERS');
    expect(result.stderr).toContain('DATABASE_URL');
  });
});
