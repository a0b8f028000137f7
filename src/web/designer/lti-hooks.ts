import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { pathOrigins } from '../../paths/designer-queries.js';
import { findVisiblePath, listVisiblePaths, type PathSummary } from '../../paths/paths.js';
import type { LtiSession } from '../../lti/session-token.js';
import { toLocale } from '../i18n.js';
import type { LaunchRoute, LinkableItems } from '../lti/router.js';
import { withSession } from '../session.js';
import { formatDate, isUuid } from './kit.js';
import { td } from './messages.js';

/** The custom parameter a placed link carries (set by Deep Linking, src/lti/deep-linking.ts). */
export const PATH_PARAMETER = 'laeringslop_path';

/**
 * Where a designer's or administrator's launch leads: a designer's link without a path to the
 * designer start page; a link to a path their tenant owns to that path's designer page. Anything
 * else (a learner, an administrator without a path, a path owned elsewhere) is left to the routes
 * after this one.
 */
export function designerLaunchRoute(db: Kysely<Schema>): LaunchRoute {
  return async ({ session, sessionToken, claims }) => {
    if (session.role !== 'designer' && session.role !== 'admin') return undefined;
    const pathId = claims.custom[PATH_PARAMETER];
    // Without a path: the designer start page; an administrator's own start page comes later (src/web/landing).
    if (!pathId) return session.role === 'designer' ? withSession('/design', sessionToken) : undefined;
    if (!isUuid(pathId)) return undefined;
    const path = await findVisiblePath(db, session.tenantId, pathId);
    return path && path.tenantId === session.tenantId ? withSession(`/design/paths/${path.id}`, sessionToken) : undefined;
  };
}

/** What Deep Linking offers: the published paths the designer's tenant may see, each with its
 *  owner, newest version and when it was published (paths of the same title are common). */
export function publishedPathItems(db: Kysely<Schema>): LinkableItems {
  return {
    async list(session) {
      const paths = await listVisiblePaths(db, session.tenantId, { publishedOnly: true, limit: 500 });
      const origins = await pathOrigins(db, session.tenantId, paths.map((p) => p.id));
      return paths.map((p) => ({ id: p.id, title: p.title, description: p.description, details: pathDetails(session, p, origins.get(p.id)) }));
    },
    async find(session, id) {
      if (!isUuid(id)) return undefined;
      const path = await findVisiblePath(db, session.tenantId, id);
      return path?.latestVersion ? { id: path.id, title: path.title, description: path.description } : undefined;
    },
  };
}

function pathDetails(session: LtiSession, path: PathSummary, origin: { ownerName: string; publishedAt: Date | null } | undefined): string {
  const locale = toLocale(session.locale) ?? 'nb';
  const parts = [`${td(locale, 'list.col.owner')}: ${origin?.ownerName ?? ''}`];
  if (path.latestVersion) parts.push(`${td(locale, 'status.published')} ${path.latestVersion.number}`);
  if (origin?.publishedAt) parts.push(formatDate(locale, origin.publishedAt));
  return parts.join(' · ');
}
