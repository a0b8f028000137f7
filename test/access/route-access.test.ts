import { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRole } from '../../src/access/access-role.js';
import { grantManager } from '../../src/access/manager-grants.js';
import { ROUTE_DECISIONS, decisionFor } from '../../src/access/route-decisions.js';
import type { AccessRule } from '../../src/access/rules.js';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { createApp } from '../../src/app.js';
import { composeCapabilities, type Capabilities } from '../../src/compose.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { createPath } from '../../src/paths/paths.js';
import { startServer } from '../../src/server.js';
import { Principals } from '../../src/access/principal.js';
import { accessGate } from '../../src/web/access/gate.js';
import { assertEveryRouteDecided, servedRoutes, undecidedRoutes, type ServedRoute } from '../../src/web/access/route-table.js';
import { SECRET } from '../lti/support/lti-http.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { addPerson, orgWorld, type OrgWorld } from './support.js';

type Asker = 'none' | AccessRole;
const ASKERS: readonly Asker[] = ['none', 'learner', 'designer', 'manager', 'municipality-admin', 'region-admin'];
const TOOL_ROLE = { learner: 'learner', designer: 'designer', manager: 'manager', 'municipality-admin': 'admin', 'region-admin': 'admin' } as const;

/**
 * Every route the composed app serves (read from its router stack) × every role × another tenant's
 * (or unit's) ids, asked over HTTP, and the answer checked against the route's decision in
 * src/access/route-decisions.ts. A route served without a decision fails here and names itself.
 */
describe(`every route × every role × own and other tenant (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let capabilities: Capabilities;
  let app: Express;
  let w: OrgWorld;
  let routes: ServedRoute[];
  const tokens = new Map<Asker, string>();
  /** Values for route parameters: ids of another municipality's objects, or nonsense where a token or name is asked. */
  const params: Record<string, string> = {};
  let ownGrant: string;
  const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { database } = testDb;
    w = await orgWorld(database.db);
    capabilities = await composeCapabilities({ config, database, logger: createLogger('silent') });
    app = createApp({ config, database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: capabilities.routers, apiRouters: capabilities.apiRouters, startPageLinks: capabilities.startPageLinks });
    routes = servedRoutes(app);

    const sessions = new SessionTokens(SECRET);
    const asPeople = { learner: w.people.anne, designer: await addPerson(database.db, w.as, 'Dina Designer'), manager: w.people.ingrid, 'municipality-admin': w.asAdmin, 'region-admin': await addPerson(database.db, w.region, 'Rita Region') };
    for (const role of ASKERS) {
      if (role === 'none') continue;
      const tenantId = role === 'region-admin' ? w.region : w.as;
      tokens.set(role, await sessions.issue({ personId: asPeople[role], tenantId, role: TOOL_ROLE[role], contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' }));
    }
    const bergDesigner = await addPerson(database.db, w.berg, 'Berit Berg');
    const bergPath = await createPath(database.db, w.berg, { title: 'Bergs løp', language: 'nb', createdBy: bergDesigner });
    const bergGrant = await grantManager(database.db, { tenantId: w.berg, personId: w.people.bergWorker, unitId: w.units.bergUnit.id, actor: OPERATOR });
    ownGrant = await grantManager(database.db, { tenantId: w.as, personId: w.people.anne, unitId: w.units.sk.id, actor: OPERATOR });
    Object.assign(params, {
      id: bergPath.id, pathId: bergPath.id, enrolmentId: crypto.randomUUID(), stepId: crypto.randomUUID(), personId: w.people.bergWorker,
      grantId: bergGrant, tenantId: w.berg, sha256: 'a'.repeat(64), token: 'not-a-token', scoId: 'sco', request: 'continue',
      type: 'no-such-problem', course: 'no-such-course', accent: '123456', file: 'index.html', rest: 'none.css',
    });
  });
  afterAll(async () => {
    await capabilities?.stop();
    await testDb?.dispose();
  });

  const pathOf = (route: ServedRoute, values: Record<string, string> = params) =>
    route.path.replace(/[:*](\w+)/g, (_, name: string) => values[name] ?? 'x');

  async function ask(route: ServedRoute, asker: Asker, path = pathOf(route)) {
    const token = tokens.get(asker);
    const method = route.method === 'POST' ? 'post' : 'get';
    const target = route.method === 'USE' && route.path === '/xapi' ? '/xapi/statements' : path;
    let req = request(app)[method](method === 'get' && token ? `${target}${target.includes('?') ? '&' : '?'}session=${encodeURIComponent(token)}` : target)
      .set('Accept', 'text/html')
      .set('X-Experience-API-Version', '1.0.3')
      .redirects(0);
    if (method === 'post') req = req.type('form').send(token ? { session: token } : {});
    // A route that never answers (a body reader waiting for a body already read) is a failure too.
    const response = await req.timeout(15_000).catch((error: { timeout?: number }) => {
      if (error.timeout) return { status: 599, text: 'no answer within 15 s' };
      throw error;
    });
    return { status: response.status, text: response.text };
  }

  it('knows an access decision for every route the app serves, and every decision names a served route', () => {
    expect(routes.length).toBeGreaterThan(100);
    expect(undecidedRoutes(app)).toEqual([]);
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const unused = Object.keys(ROUTE_DECISIONS).filter((key) => !served.has(key) && !key.endsWith('/*rest'));
    expect(unused).toEqual([]);
  });

  it('answers every route as its decision says, for every role, with another tenant’s ids not found (never 500)', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const rule = decisionFor(route.method, route.path)!;
      const answers = new Map<Asker, number>();
      for (const asker of ASKERS) {
        const { status } = await ask(route, asker);
        answers.set(asker, status);
        const problem = expected(route, rule, asker, status);
        if (problem) failures.push(`${route.method} ${route.path} as ${asker}: ${status}, ${problem}`);
      }
      // A session is no credential for the machine interfaces: every role gets the anonymous answer.
      if (rule.kind !== 'session' && new Set(answers.values()).size !== 1) failures.push(`${route.method} ${route.path}: answers differ by role ${JSON.stringify([...answers])}`);
    }
    expect(failures).toEqual([]);
  });

  /** Why an answer is wrong for the route's rule, or undefined when it is right. */
  function expected(route: ServedRoute, rule: AccessRule, asker: Asker, status: number): string | undefined {
    // A browser script not built in this checkout (scorm/dist) is 503 by design, not a failure.
    if (status === 503 && route.path.endsWith('.js')) return undefined;
    if (status >= 500) return 'a server error';
    const hasIds = /[:*]/.test(route.path);
    if (rule.kind === 'session') {
      if (asker === 'none') return status === 401 ? undefined : 'expected 401 without a session';
      if (!rule.roles.includes(asker)) return status === 403 ? undefined : 'expected 403 for this role';
      if (hasIds) return status === 404 ? undefined : 'expected 404 for another tenant’s id';
      // Placing content needs the deep-linking request's own context token besides the session: without one, 401.
      if (route.path === '/lti/deep-linking/respond') return status === 401 ? undefined : 'expected the missing deep-linking context refused';
      if (route.method === 'POST') return status === 401 || status === 403 ? 'refused an allowed role' : undefined;
      // The one page whose purpose is to say "not available" answers 404 by design.
      if (route.path === '/learn/unavailable') return status === 404 ? undefined : 'expected the unavailable page';
      return status === 200 ? undefined : 'expected the page';
    }
    if (rule.kind === 'lrs-basic') return status === 401 ? undefined : 'the LRS must ask for its own credentials';
    if (rule.kind === 'attempt-token' && !route.path.startsWith('/content/_player')) return status === 404 || status === 401 || status === 403 ? undefined : 'a bad attempt token must be refused';
    if (rule.kind === 'return-cookie') return status === 401 ? undefined : 'the return page must ask for its cookie';
    if (rule.kind === 'public' && route.method === 'GET') return status === 200 || status === 404 ? undefined : 'a public page';
    return undefined;
  }

  it('answers ids of another tenant exactly as ids that do not exist: nothing tells they exist', async () => {
    for (const route of routes.filter((r) => /:(id|pathId|personId|grantId|enrolmentId)\b/.test(r.path))) {
      const rule = decisionFor(route.method, route.path)!;
      if (rule.kind !== 'session') continue;
      for (const asker of rule.roles) {
        const other = await ask(route, asker);
        const random = await ask(route, asker, pathOf(route, { ...params, id: crypto.randomUUID(), pathId: crypto.randomUUID(), personId: crypto.randomUUID(), grantId: crypto.randomUUID() }));
        expect(`${route.method} ${route.path} ${asker} ${other.status}`).toBe(`${route.method} ${route.path} ${asker} ${random.status}`);
      }
    }
  });

  it('lets a manager see a person of their own subtree, not one of another unit of the municipality or of another', async () => {
    const person = (id: string) => ask({ method: 'GET', path: '/manage/people/:personId' }, 'manager', `/manage/people/${id}`);
    const own = await person(w.people.bjorn);
    expect(own.status).toBe(200);
    expect(own.text).toContain('Bjørn Fagarbeider');
    expect(own.text).toContain('Avdeling 1');
    expect(own.text).not.toContain('Hjemmetjeneste');
    expect((await person(w.people.dag)).status).toBe(404);
    expect((await person(w.people.bergWorker)).status).toBe(404);
    expect((await person('not-a-uuid')).status).toBe(404);
    const viewed = await testDb.database.db.selectFrom('audit_events').select(['subject_person_id', 'actor_id']).where('action', '=', 'person.viewed').execute();
    expect(viewed).toEqual([{ subject_person_id: w.people.bjorn, actor_id: w.people.ingrid }]);
  });

  it('lets a municipality administrator revoke their own municipality’s grant only', async () => {
    const own = await ask({ method: 'POST', path: '/admin/managers/grants/:grantId/revoke' }, 'municipality-admin', `/admin/managers/grants/${ownGrant}/revoke`);
    expect(own.status).toBe(303);
    const region = await ask({ method: 'GET', path: '/region' }, 'region-admin');
    expect(region.status).toBe(200);
    expect(region.text).toContain('Ås');
    expect(region.text).not.toMatch(/Ingrid|Anne|Bjørn|Gro Berg|Hans Berg|1001/);
  });

  it('fails when a route is added without a decision, naming the route; the service refuses to start with it', async () => {
    const extra = Router();
    extra.get('/admin/forgotten-report', (_req, res) => void res.send('secret'));
    extra.use('/admin/forgotten-api', (_req, res) => void res.send('secret'));
    const withExtra = createApp({ config, database: testDb.database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: [...capabilities.routers, extra], apiRouters: capabilities.apiRouters });
    expect(undecidedRoutes(withExtra)).toEqual([{ method: 'GET', path: '/admin/forgotten-report' }, { method: 'USE', path: '/admin/forgotten-api' }]);
    expect(() => assertEveryRouteDecided(withExtra)).toThrow('routes without an access decision in src/access/route-decisions.ts: GET /admin/forgotten-report, USE /admin/forgotten-api');
    await expect(startServer({ config, logger: createLogger('silent'), database: testDb.database, routers: [extra] })).rejects.toThrow('GET /admin/forgotten-report');
    // With its decision (one line), it is decided and served to the roles it names only.
    const decisions = { ...ROUTE_DECISIONS, 'GET /admin/forgotten-report': { kind: 'session', roles: ['municipality-admin'] } as AccessRule, 'USE /admin/forgotten-api': { kind: 'session', roles: ['municipality-admin'] } as AccessRule };
    expect(undecidedRoutes(withExtra, decisions)).toEqual([]);
    // The gate decides before the route runs: the route itself checks nothing here.
    const gate = accessGate({ sessions: new SessionTokens(SECRET), principals: new Principals(testDb.database.db), decisions });
    const gated = createApp({ config, database: testDb.database, logger: createLogger('silent'), migrations: readMigrationFiles(), routers: [gate, extra] });
    const get = (asker: Asker) => request(gated).get(`/admin/forgotten-report${tokens.has(asker) ? `?session=${tokens.get(asker)!}` : ''}`).set('Accept', 'application/json');
    expect((await get('none')).status).toBe(401);
    expect((await get('learner')).status).toBe(403);
    expect((await get('region-admin')).status).toBe(403);
    expect((await get('municipality-admin')).text).toBe('secret');
    expect((await request(gated).get('/admin/forgotten-api/x').set('Accept', 'application/json')).status).toBe(401);
  });
});
