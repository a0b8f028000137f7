import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { findVisiblePath, listVisiblePaths } from '../../paths/paths.js';
import type { LaunchRoute, LinkableItems } from '../lti/router.js';
import { withSession } from '../session.js';
import { isUuid } from './kit.js';

/** The custom parameter a placed link carries (set by Deep Linking, src/lti/deep-linking.ts). */
export const PATH_PARAMETER = 'laeringslop_path';

/**
 * Where a designer's or administrator's launch leads: a link without a path to the designer start
 * page; a link to a path their tenant owns to that path's designer page. Anything else (a learner,
 * or a path owned elsewhere) is left to the routes after this one.
 */
export function designerLaunchRoute(db: Kysely<Schema>): LaunchRoute {
  return async ({ session, sessionToken, claims }) => {
    if (session.role !== 'designer' && session.role !== 'admin') return undefined;
    const pathId = claims.custom[PATH_PARAMETER];
    if (!pathId) return withSession('/design', sessionToken);
    if (!isUuid(pathId)) return undefined;
    const path = await findVisiblePath(db, session.tenantId, pathId);
    return path && path.tenantId === session.tenantId ? withSession(`/design/paths/${path.id}`, sessionToken) : undefined;
  };
}

/** What Deep Linking offers: the published paths the designer's tenant may see. */
export function publishedPathItems(db: Kysely<Schema>): LinkableItems {
  return {
    async list(session) {
      const paths = await listVisiblePaths(db, session.tenantId, { publishedOnly: true, limit: 500 });
      return paths.map((p) => ({ id: p.id, title: p.title, description: p.description }));
    },
    async find(session, id) {
      if (!isUuid(id)) return undefined;
      const path = await findVisiblePath(db, session.tenantId, id);
      return path?.latestVersion ? { id: path.id, title: path.title, description: path.description } : undefined;
    },
  };
}
