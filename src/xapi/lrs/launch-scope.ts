import { agentKey } from '../agents.js';
import { XapiError } from '../errors.js';
import { inLaunchScope, type LaunchScope } from '../launch-credentials.js';
import { isPlainObject } from '../validation/primitives.js';

type Json = Record<string, unknown>;

function refuse(where: string, why: string): never {
  throw new XapiError('forbidden', `This launch credential cannot write ${where}: ${why}.`);
}

/**
 * A statement a launch credential may store: by its actor, in its registration, about an activity
 * of its package (tincan.xml's activities and those under the course activity). A batch with one
 * statement outside is refused whole, as a batch with one invalid statement is.
 */
export function checkLaunchStatement(statement: unknown, scope: LaunchScope, where: string): void {
  const s = statement as Json;
  if (agentKey(s['actor']) !== scope.actorKey) refuse(where, 'its actor is not the launched learner');
  const context = isPlainObject(s['context']) ? s['context'] : {};
  const registration = typeof context['registration'] === 'string' ? context['registration'].toLowerCase() : undefined;
  if (registration !== scope.registration) refuse(where, `its context.registration must be the launch registration ${scope.registration}`);
  const object = isPlainObject(s['object']) ? s['object'] : {};
  const type = object['objectType'] ?? 'Activity';
  if (type !== 'Activity') refuse(where, `its object is a ${String(type)}, and launched content writes about its own activities only`);
  if (typeof object['id'] !== 'string' || !inLaunchScope(scope, object['id'])) refuse(where, `its object ${String(object['id'])} is not an activity of the launched package`);
}

/** State documents of a launch credential: its actor, its registration, its package's activities. */
export function checkLaunchDocument(scope: LaunchScope, document: { activityId?: string; agentKey?: string; registration?: string }): void {
  if (document.agentKey !== scope.actorKey) throw new XapiError('forbidden', 'This launch credential reaches only the launched learner\'s documents.');
  if (document.registration !== scope.registration) throw new XapiError('forbidden', `This launch credential reaches only documents of registration ${scope.registration}.`);
  if (document.activityId === undefined || !inLaunchScope(scope, document.activityId)) throw new XapiError('forbidden', 'This launch credential reaches only documents of the launched package\'s activities.');
}
