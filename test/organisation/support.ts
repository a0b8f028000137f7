import type { Express, Router } from 'express';
import request from 'supertest';
import type { Database } from '../../src/db/database.js';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import type { ToolRole } from '../../src/lti/roles.js';
import { testApp, testConfig } from '../support/app.js';

export const SECRET = 'test-key-encryption-secret-0123456789-abcdef';

export interface AdminWorld {
  app: Express;
  sessions: SessionTokens;
  kongsberg: string;
  oslo: string;
  region: string;
  /** A session token for a new person of `tenantId` in `role`. */
  token(tenantId: string, role?: ToolRole, locale?: string): Promise<string>;
}

/** Kongsberg and Oslo, a region with both, and the app with the given routers (sessions issued directly). */
export async function adminWorld(database: Database, routers: (sessions: SessionTokens) => Router[]): Promise<AdminWorld> {
  const db = database.db;
  const insert = (kind: 'municipality' | 'region', kommunenummer: string | null, name: string) =>
    db.insertInto('tenants').values({ kind, kommunenummer, name }).returning('id').executeTakeFirstOrThrow();
  const kongsberg = (await insert('municipality', '3303', 'Kongsberg')).id;
  const oslo = (await insert('municipality', '0301', 'Oslo')).id;
  const region = (await insert('region', null, 'Kongsbergregionen')).id;
  await db.insertInto('region_municipalities').values([{ region_id: region, municipality_id: kongsberg }, { region_id: region, municipality_id: oslo }]).execute();
  const sessions = new SessionTokens(SECRET);
  const app = testApp(database, { config: testConfig({ KEY_ENCRYPTION_SECRET: SECRET }), routers: routers(sessions) });
  return {
    app,
    sessions,
    kongsberg,
    oslo,
    region,
    async token(tenantId, role = 'admin', locale) {
      const person = await db.insertInto('people').values({ tenant_id: tenantId, name: `${role} ${tenantId.slice(0, 4)}` }).returning('id').executeTakeFirstOrThrow();
      const session: LtiSession = { personId: person.id, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'test', locale };
      return sessions.issue(session);
    },
  };
}

/** A browser without JavaScript for one session: GETs and form posts, redirects not followed. */
export function client(app: Express, token: string) {
  return {
    get: (path: string, query: Record<string, string> = {}) => request(app).get(path).query({ session: token, ...query }).set('Accept', 'text/html'),
    post: (path: string, fields: Record<string, string | string[]> = {}) => request(app).post(path).type('form').set('Accept', 'text/html').send(new URLSearchParams(Object.entries({ session: token, ...fields }).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString()),
  };
}

export const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
