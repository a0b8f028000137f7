import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudits } from '../../audit/audit-log.js';
import type { Schema } from '../../db/schema.js';
import { courseMembers, type Member } from '../../lti/nrps.js';
import { findPlatformById } from '../../lti/platforms.js';
import type { ServiceClient } from '../../lti/service-client.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { courseProgress, notDone, type CourseLearner, type CourseProgress } from '../../paths/course-progress.js';
import { findVisiblePath, loadPublishedVersion } from '../../paths/paths.js';
import { BOM, csvLine } from '../audit/csv.js';
import { isUuid } from '../designer/kit.js';
import { alert, link as dsLink, srOnly, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { formatDate } from '../learner/messages.js';
import { PATH_PARAMETER } from '../learner/launch-route.js';
import { param } from '../lti/http.js';
import { refusalHandler, type LaunchRoute } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { allowFramingByPlatform, requireSession, sessionToken, withSession } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { tk } from './messages.js';

/** The course view of a resource link: `/teach/links/:linkId` (lti_resource_links.id). */
export const coursePath = (linkId: string) => `/teach/links/${linkId}`;
const TEACHERS = ['designer', 'admin'] as const;
/** "Fetch again" may call the LMS at most this often; otherwise the list is the cached one (src/lti/nrps.ts). */
const REFRESH_MS = 60_000;

/**
 * Where a teacher's launch of a path link leads: Instructor, ContentDeveloper or Administrator
 * (the tool's designer and admin roles) launching a link that names a path, from a course, goes to
 * the course view. A region's session has no people, so it is left to the designer routes.
 */
export function courseLaunchRoute(db: Kysely<Schema>): LaunchRoute {
  return async ({ session, sessionToken: token, claims }) => {
    if (session.role !== 'designer' && session.role !== 'admin') return undefined;
    if (!session.contextId || !session.resourceLinkId || !isUuid(claims.custom[PATH_PARAMETER]?.trim())) return undefined;
    // The course and link rows belong to the municipality of the course's first launch: on a region's
    // shared LMS a teacher of another municipality has no course view there (left to the designer routes).
    const own = await db
      .selectFrom('lti_resource_links as r')
      .innerJoin('tenants as t', 't.id', 'r.tenant_id')
      .select('r.id')
      .where('r.id', '=', session.resourceLinkId)
      .where('r.tenant_id', '=', session.tenantId)
      .where('r.context_id', '=', session.contextId)
      .where('t.kind', '=', 'municipality')
      .executeTakeFirst();
    return own ? withSession(coursePath(session.resourceLinkId), token) : undefined;
  };
}

interface CourseLink {
  id: string;
  title: string | null;
  pathId: string | null;
  context: { id: string; title: string | null; label: string | null; membershipsUrl: string | null };
}

/**
 * The link of the session's own course: of its tenant, platform and course (context). Anything else,
 * another course's link included, is "not found" like a link that does not exist.
 */
async function ownCourseLink(db: Kysely<Schema>, session: LtiSession, linkId: string): Promise<CourseLink> {
  if (!isUuid(linkId) || !session.contextId) throw new ProblemError('not-found', 'No such page.');
  const row = await db
    .selectFrom('lti_resource_links as r')
    .innerJoin('lti_contexts as c', 'c.id', 'r.context_id')
    .select(['r.id', 'r.title', 'r.custom', 'c.id as context_id', 'c.title as context_title', 'c.label as context_label', 'c.memberships_url'])
    .where('r.id', '=', linkId)
    .where('r.tenant_id', '=', session.tenantId)
    .where('r.platform_id', '=', session.platformId)
    .where('r.context_id', '=', session.contextId)
    .where('c.tenant_id', '=', session.tenantId)
    .executeTakeFirst();
  if (!row) throw new ProblemError('not-found', 'No such page.');
  const pathId = row.custom[PATH_PARAMETER]?.trim();
  return {
    id: row.id,
    title: row.title,
    pathId: isUuid(pathId) ? pathId : null,
    context: { id: row.context_id, title: row.context_title, label: row.context_label, membershipsUrl: row.memberships_url },
  };
}

/** Without a roster: the people who opened this link (their enrolments remember it), as members. */
async function launchedMembers(db: Kysely<Schema>, tenantId: string, linkId: string, issuer: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('path_enrolment_links as l')
    .innerJoin('path_enrolments as e', 'e.id', 'l.enrolment_id')
    .innerJoin('lti_users as u', (join) => join.onRef('u.person_id', '=', 'e.person_id').on('u.tenant_id', '=', tenantId).on('u.issuer', '=', issuer))
    .select(['u.subject'])
    .distinct()
    .where('l.tenant_id', '=', tenantId)
    .where('l.resource_link_id', '=', linkId)
    .execute();
  return rows.map((r) => ({ userId: r.subject, status: 'Active', roles: ['Learner'] }));
}

type RosterSource = { kind: 'nrps'; fetchedAt: Date } | { kind: 'no-roster' } | { kind: 'failed'; reference: string };

interface Loaded {
  session: LtiSession;
  locale: Locale;
  asked: Locale | undefined;
  keep: { session: string };
  link: CourseLink & { pathId: string };
  pathTitle: string;
  ownsPath: boolean;
  dueAfterDays: number | null;
  /** The path has cmi5 steps: each learner's row leads to their cmi5 courses (waive, end a session). */
  hasCmi5: boolean;
  progress: CourseProgress;
  source: RosterSource;
  theme: Awaited<ReturnType<typeof pageTheme>>;
}

export function courseRouter({ db, sessions, serviceClient }: { db: Kysely<Schema>; sessions: SessionTokens; serviceClient: ServiceClient }): Router {
  const router = Router();

  /** The session (a teacher's), its course's link, the path and the roster against it. */
  async function load(req: Request, res: Response): Promise<Loaded | undefined> {
    const session = await requireSession(req, sessions, TEACHERS);
    await allowFramingByPlatform(res, db, session);
    res.setHeader('Cache-Control', 'no-store');
    const asked = toLocale(param(req, 'lang'));
    const locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
    const keep = { session: sessionToken(req) ?? '' };
    const link = await ownCourseLink(db, session, String(req.params['linkId']));
    const theme = await pageTheme(db, session.tenantId);
    const path = link.pathId ? await findVisiblePath(db, session.tenantId, link.pathId) : undefined;
    if (!path?.latestVersion) {
      const title = tk(locale, 'course.no-path.title');
      sendPage(res, 404, page({ locale, title, keep, path: req.path, theme,
        body: html`<div data-course="no-path"><h1>${title}</h1><p>${tk(locale, 'course.no-path.body')}</p></div>` }));
      return undefined;
    }
    const platform = await findPlatformById(db, session.platformId);
    if (!platform) throw new ProblemError('not-found', 'No such page.');
    let members: readonly Member[];
    let source: RosterSource;
    if (!link.context.membershipsUrl) {
      members = await launchedMembers(db, session.tenantId, link.id, platform.issuer);
      source = { kind: 'no-roster' };
    } else {
      try {
        const fetched = await courseMembers(db, serviceClient, session.tenantId, link.context.id, param(req, 'refresh') === '1' ? { maxAgeMs: REFRESH_MS } : {});
        members = fetched.members;
        source = { kind: 'nrps', fetchedAt: fetched.fetchedAt };
      } catch (error) {
        const reference = String(req.id ?? '');
        req.log.warn({ err: error, context: link.context.id, reference }, 'course member list unavailable');
        members = await launchedMembers(db, session.tenantId, link.id, platform.issuer);
        source = { kind: 'failed', reference };
      }
    }
    const progress = await courseProgress(db, { tenantId: session.tenantId, issuer: platform.issuer, pathId: path.id, members });
    const latest = await loadPublishedVersion(db, path.latestVersion.id);
    return {
      session, locale, asked, keep, link: { ...link, pathId: path.id }, pathTitle: path.title, ownsPath: path.tenantId === session.tenantId,
      dueAfterDays: latest.definition.dueAfterDays, hasCmi5: latest.definition.steps.some((step) => step.type === 'cmi5'), progress, source, theme,
    };
  }

  /** Every learner of the tool whose progress was shown is recorded as seen, by whom and where. */
  async function audit(loaded: Loaded, action: string): Promise<void> {
    const shown = loaded.progress.learners.filter((l) => l.personId !== null);
    await recordAudits(db, shown.map((l) => ({
      tenantId: loaded.session.tenantId,
      actor: personActor(loaded.session.personId),
      action,
      subjectPersonId: l.personId,
      object: { kind: 'lti-resource-link', id: loaded.link.id },
      details: { pathId: loaded.link.pathId, status: l.status },
    })));
  }

  router.get('/teach/links/:linkId', async (req, res) => {
    const loaded = await load(req, res);
    if (!loaded) return;
    await audit(loaded, 'course.progress.viewed');
    sendPage(res, 200, coursePage(loaded, req.path));
  });

  router.get('/teach/links/:linkId/progress.csv', async (req, res) => {
    const loaded = await load(req, res);
    if (!loaded) return;
    await audit(loaded, 'course.progress.exported');
    const { locale } = loaded;
    let out = BOM + csvLine([
      tk(locale, 'course.col.name'), tk(locale, 'course.col.email'), tk(locale, 'course.col.status'), tk(locale, 'course.col.step'), tk(locale, 'course.col.steps'),
      tk(locale, 'course.col.due'), tk(locale, 'course.col.completed'), tk(locale, 'course.col.score'), tk(locale, 'course.col.launched'), 'user_id',
    ]);
    for (const l of loaded.progress.learners) {
      out += csvLine([
        l.name ?? '', l.email ?? '', tk(locale, `course.status.${l.status}`), l.currentStep ?? '', l.stepsTotal ? `${l.stepsCompleted}/${l.stepsTotal}` : '',
        l.dueAt ? isoDay(l.dueAt) : '', l.completedAt ? isoDay(l.completedAt) : '', l.score === null ? '' : String(l.score),
        tk(locale, l.launched ? 'course.yes' : 'course.no'), l.userId,
      ]);
    }
    const name = (loaded.link.context.label ?? 'emne').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'emne';
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}-framdrift.csv"`);
    res.send(out);
  });

  router.use(refusalHandler);
  return router;
}

/** A date as its Europe/Oslo calendar day, YYYY-MM-DD (for spreadsheets). */
function isoDay(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** E-mail programs and browsers cut long mailto: links (about 2,000 characters): past this many, copying is the way. */
const MAILTO_MAX = 40;

/** A new e-mail to no one, the addresses as blind copies (RFC 6068: comma-separated). */
function mailto(addresses: readonly string[], subject: string): string {
  return `mailto:?bcc=${addresses.map(encodeURIComponent).join(',')}&subject=${encodeURIComponent(subject)}`;
}

function learnerName(locale: Locale, l: CourseLearner): string {
  return l.name ?? fillIn(tk(locale, 'course.no-name'), { id: l.userId });
}

function progressCell(locale: Locale, l: CourseLearner): SafeHtml | string {
  if (l.status === 'not-started') return l.launched ? '' : html`<span data-never-launched>${tk(locale, 'course.never-launched')}</span>`;
  if (l.status === 'completed') return fillIn(tk(locale, 'course.steps-done'), { done: l.stepsCompleted, total: l.stepsTotal });
  return l.currentStep
    ? fillIn(tk(locale, 'course.at-step'), { done: l.stepsCompleted, total: l.stepsTotal, step: l.currentStep })
    : fillIn(tk(locale, 'course.steps-done'), { done: l.stepsCompleted, total: l.stepsTotal });
}

function coursePage(loaded: Loaded, path: string): SafeHtml {
  const { locale, keep, asked, progress, link, source } = loaded;
  const href = (to: string, extra: Record<string, string> = {}) => `${to}?${new URLSearchParams({ ...keep, ...(asked ? { lang: asked } : {}), ...extra }).toString()}`;
  const title = tk(locale, 'course.title');
  const courseName = link.context.title ?? link.context.label ?? link.title ?? '';
  const counts = (['overdue', 'in-progress', 'not-started', 'completed'] as const).map((status) => [status, progress.learners.filter((l) => l.status === status).length] as const);
  const reminders = notDone(progress);
  const addresses = reminders.filter((l) => l.email).map((l) => l.email!);
  const withoutEmail = reminders.filter((l) => !l.email);
  const score = (value: number) => value.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO');
  const body = html`<div data-course="${link.id}">
<h1>${title}</h1>
<p>${fillIn(tk(locale, 'course.intro'), { course: courseName, path: loaded.pathTitle })}</p>
${source.kind === 'no-roster' ? alert('warning', tk(locale, 'course.no-roster'), { attrs: html` data-roster="none"` }) : ''}
${source.kind === 'failed' ? alert('warning', fillIn(tk(locale, 'course.roster-failed'), { reference: source.reference }), { attrs: html` data-roster="failed"` }) : ''}
${source.kind === 'nrps' ? html`<p data-roster="nrps">${fillIn(tk(locale, 'course.fetched'), { at: formatDate(locale, source.fetchedAt, true) })} ${dsLink(href(path, { refresh: '1' }), tk(locale, 'course.refresh'))}</p>` : ''}
<p>${loaded.dueAfterDays === null ? tk(locale, 'course.due.none') : fillIn(tk(locale, 'course.due.days'), { days: loaded.dueAfterDays })}</p>
${loaded.ownsPath ? html`<p>${dsLink(href(`/design/paths/${link.pathId}`), tk(locale, 'course.design'))}</p>` : ''}
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">${tk(locale, 'course.summary')}</h2>
<ul class="ds-list" data-summary>${counts.map(([status, count]) => html`<li data-count="${status}">${tk(locale, `course.status.${status}`)}: ${count}</li>`)}</ul>
${progress.others > 0 ? html`<p data-others>${fillIn(tk(locale, 'course.others'), { count: progress.others })}</p>` : ''}
${progress.inactive > 0 ? html`<p data-inactive>${fillIn(tk(locale, 'course.inactive'), { count: progress.inactive })}</p>` : ''}
</section>
<section aria-labelledby="learners-heading">
<h2 id="learners-heading">${tk(locale, 'course.table')}</h2>
${progress.learners.length === 0
    ? html`<p data-empty>${tk(locale, 'course.empty')}</p>`
    : table({
      label: tk(locale, 'course.table'),
      rowHeader: true,
      columns: [
        { label: tk(locale, 'course.col.name') },
        { label: tk(locale, 'course.col.status') },
        { label: tk(locale, 'course.col.progress') },
        { label: tk(locale, 'course.col.due') },
        { label: tk(locale, 'course.col.completed') },
        { label: tk(locale, 'course.col.score'), numeric: true },
      ],
      rows: progress.learners.map((l) => ({
        attrs: html` data-learner="${l.userId}" data-status="${l.status}"`,
        cells: [
          learnerName(locale, l),
          tk(locale, `course.status.${l.status}`),
          // A path with cmi5 steps: the way to the learner's cmi5 courses (waive an AU, end a session).
          loaded.hasCmi5 && l.personId && l.launched
            ? html`${progressCell(locale, l)} ${dsLink(href(`${path}/learners/${l.personId}/cmi5`), html`${tk(locale, 'course.cmi5')}${srOnly(`: ${learnerName(locale, l)}`)}`, html` data-cmi5-learner="${l.personId}"`)}`
            : progressCell(locale, l),
          l.dueAt && l.status !== 'completed' ? formatDate(locale, l.dueAt) : '',
          l.completedAt ? formatDate(locale, l.completedAt) : '',
          l.status !== 'completed' ? '' : l.score === null ? tk(locale, 'course.no-score') : score(l.score),
        ],
      })),
    })}
<p>${dsLink(href(`${path}/progress.csv`), tk(locale, 'course.csv'), html` data-csv download`)}</p>
</section>
<section aria-labelledby="reminders-heading" data-reminders>
<h2 id="reminders-heading">${tk(locale, 'course.reminders')}</h2>
${reminders.length === 0
    ? html`<p>${tk(locale, 'course.reminders.none')}</p>`
    : html`<p>${fillIn(tk(locale, 'course.reminders.intro'), { count: reminders.length })}</p>
${addresses.length > 0 ? html`<div class="ds-field" data-width="full">
<label class="ds-label" data-weight="medium" for="reminder-addresses">${tk(locale, 'course.reminders.addresses')}</label>
<textarea class="ds-input" id="reminder-addresses" rows="4" readonly data-addresses>${addresses.join('; ')}</textarea>
</div>
${addresses.length <= MAILTO_MAX ? html`<p>${dsLink(mailto(addresses, fillIn(tk(locale, 'course.reminders.subject'), { path: loaded.pathTitle })), tk(locale, 'course.reminders.mailto'), html` data-mailto`)}</p>` : ''}` : ''}
${withoutEmail.length > 0 ? html`<p>${tk(locale, 'course.reminders.no-email')}</p>
<ul class="ds-list" data-no-email>${withoutEmail.map((l) => html`<li data-learner="${l.userId}">${learnerName(locale, l)}</li>`)}</ul>` : ''}`}
</section>
</div>`;
  return page({ locale, title, body, path, keep, theme: loaded.theme });
}
