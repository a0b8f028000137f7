import { randomUUID } from 'node:crypto';
import { openPostgres } from '../../src/db/postgres.js';
import { personAccountKey } from '../../src/xapi/agents.js';
import { LaunchCredentials } from '../../src/xapi/launch-credentials.js';
import { runAutocannon, type Scenario } from '../harness.js';
import { benchClient, seconds } from '../xapi-fixture.js';

/** The tool's KEY_ENCRYPTION_SECRET in bench/run.ts: launch credentials are signed with a key derived from it. */
const BENCH_SECRET = 'bench-'.padEnd(48, 'x');
/** The tool's PUBLIC_URL in bench/run.ts: the home page of learners' accounts. */
const PUBLIC_URL = 'http://127.0.0.1';
const COURSE = 'http://laeringslop.example/xapi/kurs/handhygiene';

export const scenario: Scenario = {
  name: 'xapi-post-launch',
  description: 'POST /xapi/statements with one statement per request from a launched xAPI course (a launch credential: actor, registration and activity checked) at 20 connections (XAPI_BENCH_SECONDS, default 30 s)',
  async run(context) {
    const { tenantId } = await benchClient(context.databaseUrl);
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 2 });
    const personId = randomUUID();
    const registration = randomUUID();
    let auth: string;
    try {
      const grant = await new LaunchCredentials(database.db, BENCH_SECRET).issue({
        tenantId, actorKey: personAccountKey(PUBLIC_URL, personId), registration, courseActivityId: COURSE, activityIds: [COURSE, `${COURSE}/quiz`],
      });
      auth = grant.auth;
    } finally {
      await database.close();
    }
    const statement = {
      actor: { objectType: 'Agent', account: { homePage: PUBLIC_URL, name: personId } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'nb-NO': 'så' } },
      object: { objectType: 'Activity', id: `${COURSE}/side-1`, definition: { name: { 'nb-NO': 'Side 1' } } },
      context: { registration, contextActivities: { parent: [{ id: COURSE }] } },
    };
    const duration = seconds('XAPI_BENCH_SECONDS', 30);
    const result = await runAutocannon(context, 'xapi-post-launch', {
      path: '/xapi/statements',
      method: 'POST',
      connections: 20,
      duration,
      headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
      body: JSON.stringify(statement),
    });
    return { ...result, notes: `${result.requestsPerSecond} statements/s with a launch credential (compare xapi-post-single, Basic client)` };
  },
};
