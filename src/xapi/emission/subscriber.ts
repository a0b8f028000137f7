import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { PathEvent, PathEventHandler } from '../../paths/ports.js';
import type { OwnStatements } from '../own-statements.js';
import { loadFacts } from './facts.js';
import { statementsForEvent } from './statements.js';

/** The dispatcher's name for this subscriber (its cursor is kept under it). */
export const XAPI_EMISSION_SUBSCRIBER = 'xapi-statements';

/**
 * Turns each path event into the tool's own xAPI statements in the learner's tenant's LRS. It runs
 * from the outbox after the learner's commit, so it never slows a launch, a SCORM commit or a step;
 * the dispatcher gives each person's events in order and again after a failure, and the ids derived
 * from the event make every delivery after the first store nothing.
 */
export function xapiEmissionSubscriber(db: Kysely<Schema>, statements: OwnStatements, publicUrl: string): PathEventHandler {
  return async (event: PathEvent): Promise<void> => {
    const facts = await loadFacts(db, event, publicUrl);
    if (!facts) return;
    await statements.store(event.tenantId, statementsForEvent(event, facts, publicUrl));
  };
}
