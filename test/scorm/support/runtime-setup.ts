import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskContentStore } from '../../../src/content/content-store.js';
import { importPackage } from '../../../src/content/package-import.js';
import { scormManifest } from '../../../src/content/manifest-model.js';
import { DEFAULT_ZIP_LIMITS } from '../../../src/content/zip-reader.js';
import type { Database } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { attemptTokens } from '../../../src/scorm/attempt-token.js';
import type { OutcomeListener } from '../../../src/scorm/ports.js';
import { ScormRuntime, type LaunchState } from '../../../src/scorm/runtime.js';
import type { AttemptClaims } from '../../../src/scorm/attempt-token.js';
import { zipFixture, type FixturePackage } from '../../content/support/package-zip.js';
import { seedTenantAndPerson } from './seed.js';

/** A runtime over a test database with one learner and the named fixture package imported. */
export async function runtimeWithPackage(database: Database, fixture: FixturePackage, listeners: OutcomeListener[] = []) {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorm-store-'));
  const store = new DiskContentStore(storeDir);
  const { tenantId, personId } = await seedTenantAndPerson(database.db);
  const imported = await importPackage({ db: database.db, store, limits: DEFAULT_ZIP_LIMITS }, tenantId, await zipFixture(fixture));
  const runtime = new ScormRuntime({ db: database.db, tokens: attemptTokens('test-secret-test-secret-test-secret-1234'), logger: createLogger('silent'), listeners });
  return { runtime, store, storeDir, tenantId, personId, packageId: imported.id, manifest: scormManifest(imported.manifest)! };
}

/** A launch that must succeed (not locked, not unknown). */
export async function launchOk(runtime: ScormRuntime, claims: AttemptClaims, scoId: string): Promise<LaunchState> {
  const state = await runtime.launch(claims, scoId);
  if (!state || 'refused' in state) throw new Error(`launch of ${scoId}: ${JSON.stringify(state)}`);
  return state;
}
