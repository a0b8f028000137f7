import type { Router } from 'express';
import type { SessionTokens } from '../../lti/session-token.js';
import { alert } from '../ds/components.js';
import { html } from '../html.js';
import { requestLocale, toLocale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { adjustCsp, param, readCookie } from '../lti/http.js';
import { designerHref } from './context.js';
import { isUuid } from './kit.js';
import { td } from './messages.js';

/*
 * Where a designer's cmi5 preview leads back to (the returnURL of LMS.LaunchData, cmi5 §10). The
 * AU runs beside the package's own script and must never see the designer's session, so the way
 * back is a plain URL and the session travels beside it in a cookie of the tool's origin, set by
 * the preview launch: HttpOnly, sent only to this step's return URL (as scorm-return.ts does for
 * learners). It is Partitioned (CHIPS) with SameSite=None, so that a preview opened inside the
 * LMS's iframe finds it again in that frame where the browser partitions rather than blocks
 * third-party cookies. Where there is no cookie (it expired, or the browser blocked it) the page
 * needs no session: it says the preview ended.
 */

export const previewReturnPath = (pathId: string, stepId: string) => `/design/paths/${pathId}/steps/${stepId}/preview/return`;

const cookieName = (stepId: string) => `dp_${stepId.replace(/-/g, '')}`;
// A session lives an hour (src/lti/session-token.ts); its copy here no longer.
const PREVIEW_COOKIE_SECONDS = 3600;

/** The cookie that takes the designer's session back to the step after the preview: `Set-Cookie` value. */
export function previewReturnCookie(pathId: string, stepId: string, sessionToken: string): string {
  return `${cookieName(stepId)}=${encodeURIComponent(sessionToken)}; Max-Age=${PREVIEW_COOKIE_SECONDS}; Path=${previewReturnPath(pathId, stepId)}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

/** GET of the return URL: back to the step's page with the session of the cookie, or a page that says the preview ended. */
export function previewReturnRoute(router: Router, sessions: SessionTokens): void {
  router.get('/design/paths/:id/steps/:stepId/preview/return', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const pathId = String(req.params['id']);
    const stepId = String(req.params['stepId']);
    const lang = toLocale(param(req, 'lang'));
    const token = isUuid(pathId) && isUuid(stepId) ? readCookie(req.headers.cookie, cookieName(stepId)) : undefined;
    const session = token ? await sessions.verify(token).catch(() => undefined) : undefined;
    if (token && session && (session.role === 'designer' || session.role === 'admin')) {
      // The step page decides again whether this designer may see the path.
      res.redirect(303, designerHref(token, lang, `/design/paths/${pathId}/steps/${stepId}`, { notice: 'cmi5.preview.ended' }));
      return;
    }
    const locale = lang ?? requestLocale(req);
    const title = td(locale, 'cmi5.preview.ended.title');
    // Nothing on this page but text: it may show in whatever frame the AU ran in (the LMS's, unknown here).
    adjustCsp(res, { frameAncestors: ['*'] });
    sendPage(res, 200, page({
      locale, title, path: req.path,
      body: html`<h1>${title}</h1>
${alert('info', td(locale, 'cmi5.preview.ended.body'), { attrs: html` data-preview-ended` })}`,
    }));
  });
}
