import { Router } from 'express';
import type { Kysely } from 'kysely';
import { addDays } from '../../competence/calendar.js';
import { currentHoldings, holdingStatus, listPersonHoldings, today, type Holding } from '../../competence/holdings.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { link as dsLink, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { formatDate } from '../learner/messages.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { gapsWithPaths, whereToFind } from '../../competence/assignments.js';
import { personRequirements } from '../../competence/gaps.js';
import { tg } from './assign-messages.js';
import { assignedSection, assignedToMe, openPath } from './assigned-to-me.js';
import { competenceName, requirementStatusText, requirementsTable } from './assignments-web.js';
import { tc } from './messages.js';
import type { Certificates } from '../../certificates/service.js';
import { certificatesSection } from '../certificates/learner-router.js';

export const MY_COMPETENCE = '/learn/competence';
/** A valid holding that expires within this many days is shown as due for renewal. */
export const RENEW_SOON_DAYS = 90;

const dayOf = (date: string) => new Date(`${date}T12:00:00Z`);

function statusText(locale: Locale, holding: Holding, onDate: string): string {
  const status = holdingStatus(holding, onDate);
  if (status === 'valid' && holding.expiresOn !== null && holding.expiresOn <= addDays(onDate, RENEW_SOON_DAYS)) return tc(locale, 'mine.status.expiring');
  return tc(locale, `mine.status.${status}`);
}

function evidenceText(locale: Locale, holding: Holding): string {
  if (holding.path) return fillIn(tc(locale, 'mine.evidence.path'), { title: holding.path.title, version: holding.path.versionNumber });
  return tc(locale, holding.source === 'declared' ? 'mine.evidence.declared' : holding.source === 'registered' ? 'mine.evidence.registered' : 'mine.evidence.imported');
}

function holdingsTable(locale: Locale, label: string, holdings: readonly Holding[], onDate: string, attribute: string): SafeHtml {
  return table({
    label,
    rowHeader: true,
    columns: [
      { label: tc(locale, 'mine.col.competence') },
      { label: tc(locale, 'mine.col.status') },
      { label: tc(locale, 'mine.col.achieved') },
      { label: tc(locale, 'mine.col.expires') },
      { label: tc(locale, 'mine.col.evidence') },
    ],
    rows: holdings.map((h) => ({
      attrs: html` ${attribute}="${h.competence.code}" data-status="${holdingStatus(h, onDate)}"`,
      cells: [
        h.competence.name[locale] ?? h.competence.name.nb,
        h.revocation ? html`${statusText(locale, h, onDate)}<br>${fillIn(tc(locale, 'mine.revoked.reason'), { reason: h.revocation.reason })}` : statusText(locale, h, onDate),
        formatDate(locale, dayOf(h.achievedOn)),
        h.expiresOn === null ? tc(locale, 'mine.expires.never') : formatDate(locale, dayOf(h.expiresOn)),
        evidenceText(locale, h),
      ],
    })),
  });
}

/** "Min kompetanse": what the person holds, with its evidence and expiry (any role: everyone learns). */
export function myCompetenceRouter({ db, sessions, certificates }: { db: Kysely<Schema>; sessions: SessionTokens; certificates?: Certificates }): Router {
  const router = Router();

  router.get(MY_COMPETENCE, async (req, res) => {
    const session = await requireSession(req, sessions);
    await allowFramingByPlatform(res, db, session);
    res.setHeader('Cache-Control', 'no-store');
    const asked = toLocale(param(req, 'lang'));
    const locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
    const keep = { session: sessionToken(req) ?? '' };
    const href = (path: string) => `${path}?${new URLSearchParams({ ...keep, ...(asked ? { lang: asked } : {}) }).toString()}`;
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', session.tenantId).executeTakeFirstOrThrow();
    const onDate = today();
    const holdings = await listPersonHoldings(db, session.tenantId, session.personId);
    const current = currentHoldings(holdings, onDate).sort((a, b) => (a.competence.name[locale] ?? a.competence.name.nb).localeCompare(b.competence.name[locale] ?? b.competence.name.nb, locale));
    const title = tc(locale, 'mine.title');
    // What the person's jobs require, what they lack and the paths that close it, and what a manager assigned.
    const requirements = await personRequirements(db, session.tenantId, session.personId, onDate);
    const gaps = await gapsWithPaths(db, session.tenantId, session.personId, requirements);
    const { assignments, where: assignedWhere } = await assignedToMe(db, session.tenantId, session.personId, onDate);
    const enrolments = new Map((await db.selectFrom('path_enrolments').select(['id', 'path_id']).where('tenant_id', '=', session.tenantId).where('person_id', '=', session.personId).where('superseded_at', 'is', null).execute()).map((e) => [e.path_id, e.id]));
    const gapPaths = [...new Set(gaps.flatMap((g) => g.paths.filter((p) => !p.completed && !enrolments.has(p.id)).map((p) => p.id)))];
    const where = await whereToFind(db, session.tenantId, gapPaths);
    const certificateList = certificates ? await certificates.listFor(session.tenantId, session.personId) : undefined;
    const body = html`<div data-my-competence>
<h1>${title}</h1>
<p>${fillIn(tc(locale, 'mine.intro'), { tenant: tenant.name })}</p>
<p>${dsLink(href('/learn'), tc(locale, 'mine.paths'))}</p>
${assignedSection(locale, href, assignments, assignedWhere, onDate, 'assigned-heading')}
<section aria-labelledby="held-heading">
<h2 id="held-heading">${tc(locale, 'mine.held')}</h2>
${holdings.length === 0 ? html`<p data-empty>${tc(locale, 'mine.empty')}</p>` : holdingsTable(locale, tc(locale, 'mine.held'), current, onDate, 'data-held')}
</section>
${certificateList && certificates ? certificatesSection(locale, href, certificateList, (code) => certificates.urls.verify(code)) : ''}
<section aria-labelledby="required-heading" data-my-requirements>
<h2 id="required-heading">${tg(locale, 'mine.required')}</h2>
${requirements.length === 0 ? html`<p data-no-requirements>${tg(locale, 'mine.required.none')}</p>` : requirementsTable(locale, tg(locale, 'mine.required'), requirements)}
</section>
${requirements.length === 0 ? '' : html`<section aria-labelledby="lacking-heading" data-my-gaps>
<h2 id="lacking-heading">${tg(locale, 'mine.lacking')}</h2>
${gaps.length === 0 ? html`<p data-no-gaps>${tg(locale, 'mine.lacking.none')}</p>` : html`<ul class="ds-list">${gaps.map((g) => html`<li data-gap="${g.requirement.requirement.competence.code}">
<h3>${competenceName(locale, g.requirement.requirement.competence)}: ${requirementStatusText(locale, g.requirement)}</h3>
${g.paths.length === 0 ? html`<p>${tg(locale, 'gaps.no-paths')}</p>` : html`<p>${tg(locale, 'mine.lacking.paths')}</p>
<ul class="ds-list">${g.paths.map((p) => html`<li data-gap-path="${p.id}"><strong>${p.title}</strong>${p.completed
      ? html`<p class="app-muted">${tg(locale, 'gaps.path-completed', { title: p.title })}</p>`
      : openPath(locale, href, p.id, p.title, enrolments.get(p.id) ?? null, where)}</li>`)}</ul>`}
</li>`)}</ul>`}
</section>`}
${holdings.length > current.length
    ? html`<section aria-labelledby="history-heading">
<h2 id="history-heading">${tc(locale, 'mine.history')}</h2>
<p>${tc(locale, 'mine.history.hint')}</p>
${holdingsTable(locale, tc(locale, 'mine.history'), holdings, onDate, 'data-record')}
</section>`
    : ''}
</div>`;
    sendPage(res, 200, page({ locale, title, body, path: MY_COMPETENCE, keep, theme: await pageTheme(db, session.tenantId) }));
  });

  router.use(refusalHandler);
  return router;
}
