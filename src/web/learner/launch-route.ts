import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { enrol } from '../../paths/enrolments.js';
import { PathError } from '../../paths/errors.js';
import type { LaunchRoute } from '../lti/router.js';
import { withSession } from '../session.js';
import { rememberLaunchLink } from './grade-passback.js';

/** The custom parameter Deep Linking puts on a resource link: the id of the path it opens. */
export const PATH_PARAMETER = 'laeringslop_path';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A learner (or manager) launching a resource link that names a path is enrolled in it and goes
 * to their path page; a path that is unknown, not shared with their tenant or not published gives
 * a readable page instead. Other roles and links without the parameter are left to other routes.
 */
export function learnerLaunchRoute(db: Kysely<Schema>): LaunchRoute {
  return async ({ session, sessionToken, claims }) => {
    const pathId = claims.custom[PATH_PARAMETER]?.trim();
    if (!pathId || (session.role !== 'learner' && session.role !== 'manager')) return undefined;
    const unavailable = (reason: string) => withSession(`/learn/unavailable?reason=${reason}`, sessionToken);
    if (!UUID.test(pathId)) return unavailable('path-not-found');
    let enrolmentId: string;
    try {
      ({ enrolmentId } = await enrol(db, session.tenantId, { personId: session.personId, pathId }));
    } catch (error) {
      if (error instanceof PathError && error.code === 'path-not-found') return unavailable('path-not-found');
      if (error instanceof PathError && error.code === 'version-not-found') return unavailable('not-published');
      throw error;
    }
    if (session.resourceLinkId) await rememberLaunchLink(db, session.tenantId, enrolmentId, session.resourceLinkId);
    return withSession(`/learn/enrolments/${enrolmentId}`, sessionToken);
  };
}
