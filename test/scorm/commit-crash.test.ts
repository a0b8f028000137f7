import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEY_ENCRYPTION_SECRET } from '../../src/config.js';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { createLogger } from '../../src/logger.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import { ScormRuntime } from '../../src/scorm/runtime.js';
import { zipFixture } from '../content/support/package-zip.js';
import { createServerDatabase, SERVER_URL } from '../support/database.js';
import { seedTenantAndPerson } from './support/seed.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorm-crash-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The tool as operators run it: a separate process, on the same database and DATA_DIR. */
function startTool(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the tool did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, url: match[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the tool exited with ${code}:\n${output}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function openDb(url: string | undefined): Promise<Database> {
  return url ? openPostgres({ connectionString: url, poolMax: 2 }) : openPglite({ dataDir });
}

describe('commits survive a crash', () => {
  it('SIGKILL mid-stream: after restart every acknowledged commit is stored, none half-written', { timeout: 300_000 }, async () => {
    let url: string | undefined;
    if (SERVER_URL) {
      const server = await createServerDatabase(SERVER_URL);
      cleanups.push(() => server.drop());
      url = server.url;
    }
    const env: Record<string, string> = url ? { DATABASE_URL: url } : {};

    // Prepare the learners, the package and the attempts, then let go of the database.
    let database = await openDb(url);
    await migrate(database);
    const streams: { token: string; attemptId: string; tenantId: string }[] = [];
    {
      const { tenantId, personId } = await seedTenantAndPerson(database.db);
      const imported = await importPackage({ db: database.db, store: new DiskContentStore(path.join(dataDir, 'content')), limits: DEFAULT_ZIP_LIMITS }, tenantId, await zipFixture('scorm12-single'));
      const runtime = new ScormRuntime({ db: database.db, tokens: attemptTokens(DEVELOPMENT_KEY_ENCRYPTION_SECRET), logger: createLogger('silent') });
      for (let i = 0; i < 4; i += 1) {
        const { token, attemptId } = await runtime.openAttempt(tenantId, personId, imported.id, { fresh: true });
        streams.push({ token, attemptId, tenantId });
      }
    }
    await database.close();

    let tool = await startTool(env);
    const acknowledged = new Map<string, number[]>();
    const sessions = new Map<string, number>();
    for (const s of streams) {
      const launch = (await (await fetch(`${tool.url}/content/${s.token}/runtime/item-brannvern/launch`, { method: 'POST' })).json()) as { session: number };
      sessions.set(s.attemptId, launch.session);
      acknowledged.set(s.attemptId, []);
    }
    let total = 0;
    let killed = false;
    const stream = async (s: (typeof streams)[number]) => {
      for (let seq = 1; !killed; seq += 1) {
        try {
          const response = await fetch(`${tool.url}/content/${s.token}/runtime/item-brannvern/commit`, {
            method: 'POST',
            headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
            body: JSON.stringify({ session: sessions.get(s.attemptId), seq, cmi: { 'cmi.suspend_data': `commit ${seq} æøå `.repeat(50), 'cmi.core.lesson_location': String(seq), 'cmi.core.score.raw': String(seq % 100) } }),
          });
          const answer = (await response.json()) as { result: boolean };
          if (answer.result === true) {
            acknowledged.get(s.attemptId)!.push(seq);
            total += 1;
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const running = Promise.all(streams.map(stream));
    while (total < 120) await new Promise((r) => setTimeout(r, 20));
    tool.child.kill('SIGKILL');
    killed = true;
    await running;
    await exited(tool.child);

    // Restart: the same process command on the same data.
    tool = await startTool(env);
    const first = streams[0]!;
    const resumed = (await (await fetch(`${tool.url}/content/${first.token}/runtime/item-brannvern/launch`, { method: 'POST' })).json()) as { cmi: Record<string, string> };
    const lastAcked = Math.max(...acknowledged.get(first.attemptId)!);
    expect(Number(resumed.cmi['cmi.core.lesson_location'])).toBeGreaterThanOrEqual(lastAcked);
    tool.child.kill('SIGTERM');
    await exited(tool.child);

    database = await openDb(url);
    try {
      for (const s of streams) {
        const acked = acknowledged.get(s.attemptId)!;
        expect(acked.length).toBeGreaterThan(5);
        const commits = await database.db.selectFrom('scorm_commits').select(['seq', 'body']).where('attempt_id', '=', s.attemptId).where('accepted', '=', true).execute();
        const stored = new Set(commits.map((c) => c.seq));
        expect(acked.filter((seq) => !stored.has(seq))).toEqual([]);
        // The state is the whole of the last stored commit, never a mix of two.
        const state = await database.db.selectFrom('scorm_sco_states').select(['cmi']).where('attempt_id', '=', s.attemptId).executeTakeFirstOrThrow();
        const newest = commits.reduce((a, b) => (b.seq > a.seq ? b : a));
        expect(newest.seq).toBeGreaterThanOrEqual(Math.max(...acked));
        expect(state.cmi['cmi.core.lesson_location']).toBe(String(newest.seq));
        expect(state.cmi['cmi.suspend_data']).toBe(newest.body['cmi.suspend_data']);
      }
    } finally {
      await database.close();
    }
  });
});
