import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { PathEvent, PathEventBatchHandler } from '../../paths/ports.js';
import type { OwnStatements } from '../own-statements.js';
import { loadFacts } from './facts.js';
import { statementsForEvent } from './statements.js';
import { storeByTenant, type EmittedStatement } from './writer.js';

/** The dispatcher's name for this subscriber (its cursor is kept under it). */
export const XAPI_EMISSION_SUBSCRIBER = 'xapi-statements';

/**
 * Turns path events into the tool's own xAPI statements in the learner's tenant's LRS, a batch at a
 * time (one query for what they say, then short writes per tenant, src/xapi/emission/writer.ts). It
 * runs from the outbox after the learner's commit, so it never slows a launch, a SCORM commit or a
 * step; the dispatcher gives the batches in commit order and a batch again after a failure, and the
 * ids derived from the event make every delivery after the first store nothing.
 */
export function xapiEmissionSubscriber(db: Kysely<Schema>, statements: OwnStatements, publicUrl: string, logger?: Logger): PathEventBatchHandler {
  return async (events: readonly PathEvent[]): Promise<void> => {
    await storePathEventStatements(db, statements, publicUrl, events, logger);
  };
}

/** Makes and stores the statements of path events (also a re-drive of parked ones, src/xapi/emission/redrive.ts). */
export async function storePathEventStatements(
  db: Kysely<Schema>,
  statements: OwnStatements,
  publicUrl: string,
  events: readonly PathEvent[],
  logger?: Logger,
): Promise<{ stored: number; parked: number }> {
  const facts = await loadFacts(db, events, publicUrl);
  // In event order within each tenant: an enrolment's statements are stored in the order of its events.
  const byTenant = new Map<string, EmittedStatement[]>();
  events.forEach((event, i) => {
    const known = facts[i];
    if (!known) return;
    const list = byTenant.get(event.tenantId) ?? [];
    for (const statement of statementsForEvent(event, known, publicUrl)) list.push({ from: { kind: 'path', id: event.id }, statement });
    byTenant.set(event.tenantId, list);
  });
  return storeByTenant(db, statements, byTenant, logger);
}
