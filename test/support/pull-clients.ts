import type { Express } from 'express';
import { sql, type Kysely } from 'kysely';
import request from 'supertest';
import { expect, vi } from 'vitest';
import type { Schema } from '../../src/db/schema.js';
import { createXapiClient, type XapiClient, type XapiScope } from '../../src/xapi/credentials.js';

/** A municipality's API clients as an HR system uses them against the pull APIs, by name. */
export interface PullClients {
  /** Makes a client of the tenant with the scopes; later requests name it by `name`. */
  add(name: string, tenantId: string, scopes: XapiScope[]): Promise<XapiClient>;
  /** The named client's Authorization header (HTTP Basic), for requests made some other way. */
  authorization(as?: string): string;
  /** A GET as the named client (HTTP Basic); a `next` link of the tool (PUBLIC_URL) may be given whole. */
  get(url: string, as?: string): request.Test;
  /** Every page from `first`, following `next` to the end: the rows and the last page's cursor. */
  pullAll<T>(first: string, as?: string): Promise<{ rows: T[]; cursor: string; pages: number }>;
}

export function pullClients(db: () => Kysely<Schema>, app: () => Express, publicUrl = ''): PullClients {
  const basic = new Map<string, string>();
  const get = (url: string, as = 'hr') => request(app()).get(publicUrl ? url.replace(publicUrl, '') : url).set('Authorization', basic.get(as) ?? '');
  return {
    async add(name, tenantId, scopes) {
      const { client, secret } = await createXapiClient(db(), { tenantId, name, scopes });
      basic.set(name, `Basic ${Buffer.from(`${client.key}:${secret}`).toString('base64')}`);
      return client;
    },
    authorization: (as = 'hr') => basic.get(as) ?? '',
    get,
    async pullAll<T>(first: string, as = 'hr') {
      const rows: T[] = [];
      let url: string | null = first;
      let cursor = '';
      let pages = 0;
      while (url) {
        const res = await get(url, as);
        expect(`${url} ${res.status}`).toBe(`${url} 200`);
        rows.push(...(res.body.data as T[]));
        cursor = res.body.cursor as string;
        url = res.body.next as string | null;
        pages += 1;
      }
      return { rows, cursor, pages };
    },
  };
}

/**
 * Until every row of `table` written so far is below the commit-order horizon, so a pull sees it.
 * A row is pulled once every transaction older than its own has ended, in any database of the
 * cluster (the machine is shared): immediate on PGlite, normally a moment on a server.
 */
export async function waitUntilPullable(db: Kysely<Schema>, table: 'path_completions' | 'competence_holding_events'): Promise<void> {
  await vi.waitFor(async () => {
    const { rows } = await sql<{ ok: boolean }>`select coalesce(max(xid), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint as ok from ${sql.table(table)}`.execute(db);
    if (!rows[0]!.ok) throw new Error('an older transaction is still running');
  }, { timeout: 20_000, interval: 50 });
}
