import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { BACKEND, SERVER_URL, createServerDatabase, type ServerDatabase } from '../support/database.js';

/**
 * Acknowledged writes survive a crash: statements are POSTed in a stream (batches and singles), the
 * server process is killed with SIGKILL mid-stream and started again. Every statement answered with
 * 200 must be there, and every batch is there whole or not at all.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

let dataDir: string;
let serverDb: ServerDatabase | undefined;
let env: Record<string, string>;
let auth: string;

async function openDirect(): Promise<Database> {
  return serverDb ? openPostgres({ connectionString: serverDb.url, poolMax: 2 }) : openPglite({ dataDir });
}

function startTool(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`the tool exited: ${stderr}`));
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.ok) return resolve(child);
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) return reject(new Error(`the tool did not become ready: ${stderr}`));
      setTimeout(() => void poll(), 200);
    };
    void poll();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-crash-'));
  if (SERVER_URL) serverDb = await createServerDatabase(SERVER_URL);
  env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'http://127.0.0.1',
    ...(serverDb ? { DATABASE_URL: serverDb.url } : { DATA_DIR: dataDir }),
  };
  const database = await openDirect();
  try {
    await migrate(database);
    const tenant = await database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '0301', name: 'Oslo' }).returning('id').executeTakeFirstOrThrow();
    const { client, secret } = await createXapiClient(database.db, { tenantId: tenant.id, name: 'crash', scopes: ['all'] });
    auth = `Basic ${Buffer.from(`${client.key}:${secret}`).toString('base64')}`;
  } finally {
    await database.close();
  }
});

afterAll(async () => {
  await serverDb?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function statement(): Record<string, unknown> {
  return {
    id: randomUUID(),
    actor: { mbox: 'mailto:kari@oslo.kommune.no' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
    object: { id: 'https://laering.example.no/activities/crash' },
  };
}

describe(`crash safety (${BACKEND})`, () => {
  it('keeps every acknowledged statement and never half a batch across SIGKILL', async () => {
    const port = await freePort();
    const first = await startTool(port);
    const acknowledged: string[] = [];
    const batches: string[][] = [];
    let stop = false;
    const writer = async (size: number) => {
      while (!stop) {
        const list = Array.from({ length: size }, statement);
        batches.push(list.map((s) => s['id'] as string));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/xapi/statements`, {
            method: 'POST',
            headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
            body: JSON.stringify(size === 1 ? list[0] : list),
          });
          if (res.status === 200) acknowledged.push(...list.map((s) => s['id'] as string));
        } catch {
          return; // the server is gone
        }
      }
    };
    const writers = [writer(20), writer(20), writer(1), writer(1)];
    // Kill once a good number of writes have been acknowledged, while writes are in flight.
    while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    first.kill('SIGKILL');
    await exited(first);
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    const second = await startTool(port);
    try {
      for (let i = 0; i < acknowledged.length; i += 50) {
        const ids = acknowledged.slice(i, i + 50);
        const found = await Promise.all(
          ids.map((id) =>
            fetch(`http://127.0.0.1:${port}/xapi/statements?statementId=${id}`, {
              headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3' },
            }).then((res) => res.status),
          ),
        );
        expect(found.every((status) => status === 200)).toBe(true);
      }
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }

    const database = await openDirect();
    try {
      const stored = new Set((await database.db.selectFrom('xapi_statements').select('statement_id').execute()).map((r) => r.statement_id));
      for (const batch of batches) {
        const present = batch.filter((id) => stored.has(id)).length;
        expect([0, batch.length]).toContain(present);
      }
    } finally {
      await database.close();
    }
  }, 180_000);
});
