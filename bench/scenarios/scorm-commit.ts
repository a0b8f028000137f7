import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { openPostgres } from '../../src/db/postgres.js';
import { createLogger } from '../../src/logger.js';
import { createPerson } from '../../src/people/people.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import { ScormRuntime } from '../../src/scorm/runtime.js';
import { zipFixture } from '../../test/content/support/package-zip.js';
import type autocannon from 'autocannon';
import { runAutocannon, type BenchContext, type Scenario } from '../harness.js';

/** bench/run.ts starts the tool with this secret; attempt tokens are derived from it. */
const BENCH_SECRET = 'bench-'.padEnd(48, 'x');
const ATTEMPTS = 50;
/** Commits before the measured 10 s, untimed: the pool opens its connections and V8 compiles the hot paths. */
const WARM_UP_SECONDS = 2;

/** A launched SCO of an open attempt: where its commits go. */
export interface LaunchedAttempt {
  readonly token: string;
  readonly session: number;
}

/** 50 learners, each with an open attempt on a SCORM 1.2 package, launched. */
export async function prepareScormAttempts(context: BenchContext): Promise<LaunchedAttempt[]> {
  const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 2 });
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
  try {
    const tenant = await database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '4601', name: 'Bergen' }).onConflict((oc) => oc.column('kommunenummer').doUpdateSet({ updated_at: new Date() })).returning('id').executeTakeFirstOrThrow();
    const imported = await importPackage({ db: database.db, store: new DiskContentStore(storeDir), limits: DEFAULT_ZIP_LIMITS }, tenant.id, await zipFixture('scorm12-single'));
    const runtime = new ScormRuntime({ db: database.db, tokens: attemptTokens(BENCH_SECRET), logger: createLogger('silent') });
    const attempts: { token: string; session: number }[] = [];
    for (let i = 0; i < ATTEMPTS; i += 1) {
      const person = await createPerson(database.db, tenant.id, { name: `Ansatt ${i}` });
      const { token } = await runtime.openAttempt(tenant.id, person.id, imported.id);
      const response = await fetch(`${context.url}/content/${token}/runtime/item-brannvern/launch`, { method: 'POST' });
      const { session } = (await response.json()) as { session: number };
      attempts.push({ token, session });
    }
    return attempts;
  } finally {
    await database.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

/**
 * The commit load: 50 connections, round robin over the attempts (requests for one attempt are 50
 * apart, so their sequence numbers arrive in order), each commit ~2 KB of suspend_data. Also run
 * beside the paths-progress load by bench/xapi/emission-lag.ts.
 */
export function scormCommitLoad(attempts: readonly LaunchedAttempt[]): Pick<autocannon.Options, 'connections' | 'requests'> & { path: string } {
  let n = 0;
  const suspend = 'Storyline-lignende tilstand æøå '.repeat(60);
  return {
    path: '/',
    connections: 50,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const i = n++;
          const attempt = attempts[i % attempts.length]!;
          const seq = Math.floor(i / attempts.length) + 1;
          return {
            ...request,
            path: `/content/${attempt.token}/runtime/item-brannvern/commit`,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              session: attempt.session,
              seq,
              cmi: { 'cmi.core.lesson_status': 'incomplete', 'cmi.core.lesson_location': String(seq), 'cmi.suspend_data': suspend, 'cmi.core.score.raw': String(seq % 100), 'cmi.core.session_time': '00:00:10' },
            }),
          };
        },
      },
    ],
  };
}

export const scenario: Scenario = {
  name: 'scorm-commit',
  description: `SCORM 1.2 runtime commits (validated, stored durably, history row) at 50 connections over ${ATTEMPTS} attempts for 10 s`,
  async run(context) {
    const load = scormCommitLoad(await prepareScormAttempts(context));
    const run = (duration: number) => runAutocannon(
      context,
      'scorm-commit',
      { ...load, duration },
      `target: ≥ 1,500 commits/s, p99 < 50 ms; each commit ~2 KB of suspend_data; measured after ${WARM_UP_SECONDS} s of the same load, untimed (connections opened, code compiled)`,
    );
    await run(WARM_UP_SECONDS);
    return run(10);
  },
};
