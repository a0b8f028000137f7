import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { requestLocale, toLocale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { ROLE_LANDINGS } from './role-landing.js';
import { tenantKind } from '../../tenants/tenants.js';
import { adminStartPage, type StartPageInput } from './start-pages.js';

/** The administrators' start page, where their launches without a path lead (the manager's is src/web/access/manage-router.ts). */
export function landingRouter({ db, sessions }: { db: Kysely<Schema>; sessions: SessionTokens }): Router {
  const router = Router();

  async function input(req: Request, session: LtiSession): Promise<StartPageInput> {
    const asked = toLocale(param(req, 'lang'));
    const locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
    const keep = { session: sessionToken(req) ?? '' };
    const carried = asked ? { ...keep, lang: asked } : keep;
    const tenant = await db.selectFrom('tenants').select(['name', 'kind']).where('id', '=', session.tenantId).executeTakeFirst();
    return { locale, tenantName: tenant?.name ?? '', tenantKind: tenant?.kind, keep, href: (path) => `${path}?${new URLSearchParams(carried).toString()}`, theme: await pageTheme(db, session.tenantId) };
  }

  router.get(ROLE_LANDINGS.admin, async (req, res) => {
    const session = await requireSession(req, sessions, ['admin']);
    await allowFramingByPlatform(res, db, session);
    res.setHeader('Cache-Control', 'no-store');
    sendPage(res, 200, adminStartPage(await input(req, session), (await tenantKind(db, session.tenantId)) ?? 'municipality'));
  });

  router.use(refusalHandler);
  return router;
}
