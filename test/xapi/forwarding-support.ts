import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.js';
import type { Logger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { createXapiClient, type XapiScope } from '../../src/xapi/credentials.js';
import { capturingLogger, testConfig } from '../support/app.js';

export const SECRET = 'test-key-encryption-secret-0123456789-abcdef';

/** A whole instance of the tool (its LRS, its forwarder) on its own database and port. */
export async function startInstance(database: Database, logger?: Logger): Promise<{ server: RunningServer; url: string; lines: () => Record<string, unknown>[] }> {
  const captured = capturingLogger('debug');
  const server = await startServer({ config: testConfig({ KEY_ENCRYPTION_SECRET: SECRET, LOG_LEVEL: 'debug' }), logger: logger ?? captured.logger, database });
  return { server, url: server.url, lines: captured.lines };
}

export interface LrsClient {
  tenantId: string;
  key: string;
  secret: string;
}

/** A municipality of the instance's database with a client of the given scopes. */
export async function lrsClient(database: Database, kommunenummer: string, scopes: XapiScope[] = ['statements/write', 'statements/read']): Promise<LrsClient> {
  const tenant = await findMunicipality(database.db, kommunenummer);
  if (!tenant) throw new Error(`no municipality ${kommunenummer}`);
  const { client, secret } = await createXapiClient(database.db, { tenantId: tenant.id, name: `test ${randomUUID().slice(0, 6)}`, scopes });
  return { tenantId: tenant.id, key: client.key, secret };
}

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const EXPERIENCED = 'http://adlnet.gov/expapi/verbs/experienced';

export function statement(n: number, verb: 'completed' | 'experienced' = 'completed', id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    actor: { objectType: 'Agent', name: `Kari ${n}`, mbox: `mailto:kari${n}@kongsberg.kommune.no` },
    verb: { id: verb === 'completed' ? COMPLETED : EXPERIENCED, display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: `https://laering.example.no/activities/${n}` },
  };
}

/** POSTs statements to an instance's LRS as the client; throws unless stored. */
export async function postStatements(url: string, client: LrsClient, statements: readonly Record<string, unknown>[]): Promise<void> {
  const response = await fetch(`${url}/xapi/statements`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' },
    body: JSON.stringify(statements),
  });
  if (response.status !== 200) throw new Error(`POST statements: ${response.status} ${await response.text()}`);
}

export interface SeenRequest {
  method: string;
  url: string;
  ids: string[];
}

/** What the proxy does with a request: pass it on, answer it itself, or pass it on and hang up. */
export type ProxyPlan = (request: SeenRequest, n: number) => 'pass' | 'pass-then-hang-up' | { status: number; body?: string };

/** An LRS in front of another: the test decides per request (failures), everything it saw is kept. */
export async function startProxy(targetUrl: string): Promise<{ url: string; seen: SeenRequest[]; plan: ProxyPlan; setPlan(plan: ProxyPlan): void; close(): Promise<void> }> {
  const state = { plan: (() => 'pass') as ProxyPlan, seen: [] as SeenRequest[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let ids: string[] = [];
        try {
          const parsed = JSON.parse(body.toString('utf8')) as unknown;
          ids = (Array.isArray(parsed) ? parsed : [parsed]).map((s) => String((s as { id?: unknown }).id));
        } catch {
          // not JSON: no ids
        }
        const seen = { method: req.method ?? '', url: req.url ?? '', ids };
        state.seen.push(seen);
        const decision = state.plan(seen, state.seen.length);
        if (typeof decision === 'object') {
          res.writeHead(decision.status, { 'content-type': 'application/json' }).end(decision.body ?? '');
          return;
        }
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'x-experience-api-version']) if (req.headers[name]) headers[name] = String(req.headers[name]);
        const answer = await fetch(`${targetUrl}${(req.url ?? '').replace(/^\/lrs/, '/xapi')}`, { method: req.method ?? 'GET', headers, ...(body.length ? { body } : {}) });
        const text = await answer.text();
        if (decision === 'pass-then-hang-up') {
          res.socket?.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lrs/`,
    seen: state.seen,
    get plan() {
      return state.plan;
    },
    setPlan(plan) {
      state.plan = plan;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
