import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { listLinkConflicts } from '../../people/link-conflicts.js';
import { addEmailDomain, EmailDomainError, listEmailDomains, removeEmailDomain } from '../../tenants/email-domains.js';
import { alert, button, table } from '../ds/components.js';
import { errorSummary, input, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { tlinks, type LinksMessageId } from './messages.js';

export const LINKS_PAGE = '/admin/links';
export const EMAIL_DOMAINS_PAGE = '/admin/email-domains';

interface AdminContext {
  session: LtiSession;
  token: string;
  locale: Locale;
  lang: Locale | undefined;
  tenant: { name: string; kind: 'region' | 'municipality' };
  href(path: string, query?: Record<string, string>): string;
  hidden: SafeHtml;
}

async function adminContext(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<AdminContext> {
  // The administrator of the session's own tenant only.
  const session = await requireSession(req, sessions, ['admin']);
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const tenant = await db.selectFrom('tenants').select(['name', 'kind']).where('id', '=', session.tenantId).executeTakeFirstOrThrow();
  const href = (path: string, query: Record<string, string> = {}) => `${path}?${new URLSearchParams({ session: token, ...(lang ? { lang } : {}), ...query }).toString()}`;
  const hidden = html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`;
  return { session, token, locale, lang, tenant, href, hidden };
}

const day = (date: Date) => date.toISOString().slice(0, 10);

async function send(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, path: string, title: string, body: SafeHtml): Promise<void> {
  sendPage(res, status, page({ locale: ctx.locale, title, body, path, keep: { session: ctx.token }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

async function linksPage(res: Response, db: Kysely<Schema>, ctx: AdminContext): Promise<void> {
  const { locale } = ctx;
  const t = (id: LinksMessageId, values: Record<string, string> = {}) => fillIn(tlinks(locale, id), values);
  if (ctx.tenant.kind === 'region') {
    await send(res, db, ctx, 200, LINKS_PAGE, t('links.title'), html`<h1>${t('links.title')}</h1>${alert('info', t('links.region'))}`);
    return;
  }
  const conflicts = await listLinkConflicts(db, ctx.session.tenantId);
  // Names and addresses of the launchers are shown: that reading is audited.
  await recordAudit(db, { tenantId: ctx.session.tenantId, actor: personActor(ctx.session.personId), action: 'person.link-conflicts.viewed', details: { conflicts: conflicts.length } });
  const list = conflicts.length === 0
    ? html`<p data-no-conflicts>${t('links.none')}</p>`
    : table({
      label: t('links.table'),
      caption: true,
      columns: [{ label: t('links.col.launcher') }, { label: t('links.col.reason') }, { label: t('links.col.employees') }, { label: t('links.col.resolve') }, { label: t('links.col.seen') }],
      rowHeader: true,
      rows: conflicts.map((c) => ({
        attrs: html` data-conflict="${c.reason}"`,
        cells: [
          html`${c.name ?? t('links.unnamed')}${c.email ? html`<br><span class="app-muted">${c.email}</span>` : ''}`,
          t(`links.reason.${c.reason}`),
          c.employees.length === 0 ? t('links.no-employee') : html`${c.employees.map((e, i) => html`${i > 0 ? html`<br>` : ''}${e.employeeNumber}${e.name ? ` ${e.name}` : ''}`)}`,
          t(`links.resolve.${c.reason}`),
          html`${day(c.lastSeenAt)}<br><span class="app-muted">${t('links.launches', { count: String(c.launches) })}</span>`,
        ],
      })),
    });
  await send(res, db, ctx, 200, LINKS_PAGE, t('links.title'), html`<h1>${t('links.title')}</h1>
<p>${t('links.intro')}</p>
${list}
<h2>${t('links.number.title')}</h2>
<p>${t('links.number.body')}</p>`);
}

interface DomainProblem {
  value: string;
  message: string;
}

async function domainsPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, problem?: DomainProblem, notice?: string): Promise<void> {
  const { locale } = ctx;
  const t = (id: LinksMessageId, values: Record<string, string> = {}) => fillIn(tlinks(locale, id), values);
  if (ctx.tenant.kind === 'region') {
    await send(res, db, ctx, status, EMAIL_DOMAINS_PAGE, t('domains.title'), html`<h1>${t('domains.title')}</h1>${alert('info', t('domains.region'))}`);
    return;
  }
  const domains = await listEmailDomains(db, ctx.session.tenantId);
  const state: FormState = { locale, values: { domain: problem?.value ?? '' }, errors: new Map(problem ? [['domain', problem.message]] : []) };
  const list = domains.length === 0
    ? html`<p data-no-domains>${t('domains.none')}</p>`
    : table({
      label: t('domains.list'),
      columns: [{ label: t('domains.domain') }, { label: t('domains.added-on') }, { label: '' }],
      rowHeader: true,
      rows: domains.map((d) => ({
        attrs: html` data-domain="${d.domain}"`,
        cells: [
          d.domain,
          day(d.createdAt),
          html`<form method="post" action="${EMAIL_DOMAINS_PAGE}/remove">${ctx.hidden}<input type="hidden" name="domain" value="${d.domain}">${button(t('domains.remove', { domain: d.domain }), { variant: 'secondary', danger: true })}</form>`,
        ],
      })),
    });
  await send(res, db, ctx, status, EMAIL_DOMAINS_PAGE, t('domains.title'), html`<h1>${t('domains.title')}</h1>
<p>${t('domains.intro', { tenant: ctx.tenant.name })}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-domains-notice` }) : ''}
${errorSummary(state, { domain: t('domains.add.label') })}
<h2>${t('domains.list')}</h2>
${list}
<h2>${t('domains.add.heading')}</h2>
<form method="post" action="${EMAIL_DOMAINS_PAGE}" novalidate>
${ctx.hidden}
${input(state, 'domain', t('domains.add.label'), { hint: t('domains.add.hint'), autocomplete: 'off' })}
${button(t('domains.add'))}
</form>`);
}

export interface LinksRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
}

/** The municipality administrator's pages for launch links (`/admin/links`) and e-mail domains. */
export function linksRouter({ db, sessions }: LinksRouterDeps): Router {
  const router = Router();

  router.get(LINKS_PAGE, async (req, res) => {
    await linksPage(res, db, await adminContext(req, res, db, sessions));
  });

  router.get(EMAIL_DOMAINS_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const added = param(req, 'added');
    const removed = param(req, 'removed');
    const notice = added ? fillIn(tlinks(ctx.locale, 'domains.added'), { domain: added.slice(0, 253) }) : removed ? fillIn(tlinks(ctx.locale, 'domains.removed'), { domain: removed.slice(0, 253) }) : undefined;
    await domainsPage(res, db, ctx, 200, undefined, notice);
  });

  async function changeDomain(req: Request, res: Response, change: 'added' | 'removed'): Promise<void> {
    const ctx = await adminContext(req, res, db, sessions);
    const value = (param(req, 'domain') ?? '').slice(0, 300);
    if (ctx.tenant.kind === 'region') {
      await domainsPage(res, db, ctx, 403);
      return;
    }
    try {
      const domain = await db.transaction().execute(async (trx) => {
        const done = change === 'added' ? await addEmailDomain(trx, ctx.session.tenantId, value) : await removeEmailDomain(trx, ctx.session.tenantId, value);
        await recordAudit(trx, { tenantId: ctx.session.tenantId, actor: personActor(ctx.session.personId), action: `tenant.email-domain.${change}`, object: { kind: 'email-domain', id: done } });
        return done;
      });
      res.redirect(303, ctx.href(EMAIL_DOMAINS_PAGE, { [change]: domain }));
    } catch (error) {
      if (!(error instanceof EmailDomainError)) throw error;
      const status = error.code === 'domain-taken' ? 409 : error.code === 'domain-not-found' ? 404 : 400;
      await domainsPage(res, db, ctx, status, { value, message: tlinks(ctx.locale, `domains.${error.code === 'not-a-municipality' ? 'domain-invalid' : error.code}`) });
    }
  }

  router.post(EMAIL_DOMAINS_PAGE, (req, res) => changeDomain(req, res, 'added'));
  router.post(`${EMAIL_DOMAINS_PAGE}/remove`, (req, res) => changeDomain(req, res, 'removed'));

  router.use(refusalHandler);
  return router;
}
