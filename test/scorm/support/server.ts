import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { testConfig } from '../../support/app.js';

/** A real HTTP server on a free port with its own data directory (content store). */
export async function startScormServer(database: Database, env: Record<string, string> = {}): Promise<{ server: RunningServer; dataDir: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorm-data-'));
  const server = await startServer({ config: testConfig({ DATA_DIR: dataDir, ...env }), logger: createLogger('silent'), database });
  return {
    server,
    dataDir,
    async stop() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function uploadPackage(baseUrl: string, tenantId: string, zipFile: string): Promise<Response> {
  return fetch(`${baseUrl}/api/content/packages?tenant=${tenantId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/zip' },
    body: fs.readFileSync(zipFile),
  });
}

export async function openAttempt(baseUrl: string, ids: { tenantId: string; personId: string; packageId: string }): Promise<{ attemptId: string; token: string; playerUrl: string }> {
  const response = await fetch(`${baseUrl}/api/dev/scorm/attempts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ids) });
  if (response.status !== 201) throw new Error(`open attempt: ${response.status} ${await response.text()}`);
  return (await response.json()) as { attemptId: string; token: string; playerUrl: string };
}
