import type { Request, Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Config } from '../../config.js';
import type { Schema } from '../../db/schema.js';
import { findPlatform, findPlatformById, listPlatforms, PlatformError, removePlatform, savePlatformIn, validateRegistration, writePlatform, type Platform, type PlatformRegistration } from '../../lti/platforms.js';
import { createRegistrationInvite, listRegistrationInvites, revokeRegistrationInvite, type RegistrationInvite } from '../../lti/registration-invites.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { UUID } from '../../organisation/field-values.js';
import { alert, button, table } from '../ds/components.js';
import { errorSummary, input, textarea, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { adminContext, notFound, sendAdminPage, typed, type AdminContext } from '../organisation/admin-context.js';
import { ti, type IntegrationMessageId } from './messages.js';
import { showTime } from './show-time.js';

export const PLATFORMS_PAGE = '/admin/platforms';

const REGISTRATION_FIELDS = ['name', 'issuer', 'client-id', 'auth-url', 'token-url', 'jwks-url', 'deployment-ids'] as const;
const NOTICES = ['registered', 'removed', 'revoked'] as const;

interface Shown {
  register: FormState;
  invite: FormState;
  /** A general refusal (an action that has no field of its own). */
  refusal?: string;
  created?: { url: string; expiresAt: Date };
  notice?: string;
}

function body(ctx: AdminContext, platforms: readonly Platform[], invites: readonly RegistrationInvite[], shown: Shown): SafeHtml {
  const { locale } = ctx;
  const labels: Record<string, string> = {
    name: ti(locale, 'platforms.name'),
    issuer: ti(locale, 'platforms.issuer'),
    'client-id': ti(locale, 'platforms.client-id'),
    'auth-url': ti(locale, 'platforms.auth-url'),
    'token-url': ti(locale, 'platforms.token-url'),
    'jwks-url': ti(locale, 'platforms.jwks-url'),
    'deployment-ids': ti(locale, 'platforms.deployment-ids'),
    days: ti(locale, 'platforms.invite.days'),
  };
  return html`<h1>${ti(locale, 'platforms.title')}</h1>
<p>${ti(locale, 'platforms.intro', { tenant: ctx.tenant.name })}</p>
${shown.notice ? alert('success', shown.notice, { live: 'status', attrs: html` data-notice` }) : ''}
${shown.refusal ? alert('danger', shown.refusal, { live: 'alert', attrs: html` data-refusal` }) : ''}
${shown.created ? alert('success', html`<p class="ds-paragraph">${ti(locale, 'platforms.invite.created', { date: showTime(locale, shown.created.expiresAt) })}</p>
<p class="ds-paragraph"><strong>${ti(locale, 'platforms.invite.url')}:</strong> <code data-invite-url>${shown.created.url}</code></p>`, { live: 'status', attrs: html` data-created` }) : ''}
<section aria-labelledby="platforms-heading">
<h2 id="platforms-heading">${ti(locale, 'platforms.registered')}</h2>
${platforms.length === 0 ? html`<p data-empty>${ti(locale, 'platforms.none')}</p>` : html`<p>${ti(locale, 'platforms.remove.hint')}</p>
${table({
    label: ti(locale, 'platforms.registered'),
    rowHeader: true,
    columns: [{ label: labels['name']! }, { label: labels['issuer']! }, { label: labels['client-id']! }, { label: ti(locale, 'platforms.deployments') }, { label: '' }],
    rows: platforms.map((p) => ({
      cells: [
        p.name,
        html`<code>${p.issuer}</code>`,
        html`<code>${p.clientId}</code>`,
        p.deploymentIds.join(', '),
        p.id === ctx.session.platformId
          ? html`<span class="app-muted">${ti(locale, 'platforms.own')}</span>`
          : html`<form method="post" action="${PLATFORMS_PAGE}/remove">${ctx.hidden}<input type="hidden" name="platform" value="${p.id}">${button(ti(locale, 'platforms.remove'), { variant: 'secondary', danger: true, size: 'sm', attrs: html` aria-label="${ti(locale, 'platforms.remove.label', { name: p.name })}"` })}</form>`,
      ],
      attrs: html` data-platform="${p.id}"`,
    })),
  })}`}
</section>
<section aria-labelledby="invite-heading">
<h2 id="invite-heading">${ti(locale, 'platforms.invite')}</h2>
<p>${ti(locale, 'platforms.invite.hint')}</p>
${errorSummary(shown.invite, labels)}
<form method="post" action="${PLATFORMS_PAGE}/invites" novalidate data-form="invite">
${ctx.hidden}
${input(shown.invite, 'days', labels['days']!, { inputmode: 'numeric' })}
${button(ti(locale, 'platforms.invite.button'))}
</form>
<h3>${ti(locale, 'platforms.invites')}</h3>
${invites.length === 0 ? html`<p>${ti(locale, 'platforms.invites.none')}</p>` : table({
    label: ti(locale, 'platforms.invites'),
    rowHeader: true,
    columns: [{ label: ti(locale, 'platforms.invites.created') }, { label: ti(locale, 'platforms.invites.expires') }, { label: '' }],
    rows: invites.map((i) => ({
      cells: [
        showTime(locale, i.createdAt),
        showTime(locale, i.expiresAt),
        html`<form method="post" action="${PLATFORMS_PAGE}/invites/revoke">${ctx.hidden}<input type="hidden" name="invite" value="${i.id}">${button(ti(locale, 'platforms.invites.revoke'), { variant: 'secondary', danger: true, size: 'sm', attrs: html` aria-label="${ti(locale, 'platforms.invites.revoke.label', { date: showTime(locale, i.createdAt) })}"` })}</form>`,
      ],
      attrs: html` data-invite="${i.id}"`,
    })),
  })}
</section>
<section aria-labelledby="manual-heading">
<h2 id="manual-heading">${ti(locale, 'platforms.manual')}</h2>
<p>${ti(locale, 'platforms.manual.hint')}</p>
${errorSummary(shown.register, labels)}
<form method="post" action="${PLATFORMS_PAGE}" novalidate data-form="register">
${ctx.hidden}
${input(shown.register, 'name', labels['name']!, { optional: true, wide: true })}
${input(shown.register, 'issuer', labels['issuer']!, { type: 'url', wide: true })}
${input(shown.register, 'client-id', labels['client-id']!, { wide: true })}
${input(shown.register, 'auth-url', labels['auth-url']!, { type: 'url', wide: true })}
${input(shown.register, 'token-url', labels['token-url']!, { type: 'url', wide: true })}
${input(shown.register, 'jwks-url', labels['jwks-url']!, { type: 'url', wide: true })}
${textarea(shown.register, 'deployment-ids', labels['deployment-ids']!, { hint: ti(locale, 'platforms.deployment-ids.hint'), rows: 3 })}
${button(ti(locale, 'platforms.register.button'))}
</form>
</section>`;
}

/** Field-level checks, in the page's language, of what `validateRegistration` checks as a whole. */
function registrationErrors(locale: Locale, values: Record<string, string>, deploymentIds: readonly string[], allowHttp: boolean): Map<string, string> {
  const errors = new Map<string, string>();
  for (const field of ['issuer', 'auth-url', 'token-url', 'jwks-url'] as const) {
    let url: URL | undefined;
    try {
      url = new URL(values[field]!.trim());
    } catch {
      url = undefined;
    }
    if (!url || !(url.protocol === 'https:' || (allowHttp && url.protocol === 'http:'))) errors.set(field, ti(locale, 'refusal.url-invalid'));
  }
  if (!values['client-id']!.trim()) errors.set('client-id', ti(locale, 'refusal.client-id-missing'));
  if (deploymentIds.length === 0) errors.set('deployment-ids', ti(locale, 'refusal.deployments-missing'));
  return errors;
}

export interface PlatformRoutesDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  config: Pick<Config, 'publicUrl' | 'keyEncryptionSecret' | 'nodeEnv'>;
}

/**
 * `/admin/platforms`: the tenant's LMS registrations and registration invitations, with the same
 * functions as `npm run cli -- platform add|remove` and `lti-invite`, limited to the session's tenant.
 */
export function addPlatformRoutes(router: Router, { db, sessions, config }: PlatformRoutesDeps): void {
  const context = (req: Request, res: Response) => adminContext(req, res, db, sessions);
  const blank = (ctx: AdminContext): Pick<Shown, 'register' | 'invite'> => ({
    register: { locale: ctx.locale, values: {}, errors: new Map() },
    invite: { locale: ctx.locale, values: { days: '7' }, errors: new Map() },
  });
  async function show(res: Response, ctx: AdminContext, status: number, shown: Partial<Shown>): Promise<void> {
    const tenantId = ctx.session.tenantId;
    const platforms = (await listPlatforms(db)).filter((p) => p.tenantId === tenantId);
    const invites = (await listRegistrationInvites(db, { all: false })).filter((i) => i.tenantId === tenantId);
    await sendAdminPage(res, db, ctx, status, { title: ti(ctx.locale, 'platforms.title'), path: PLATFORMS_PAGE, body: body(ctx, platforms, invites, { ...blank(ctx), ...shown }) });
  }
  const audit = (trx: Kysely<Schema>, ctx: AdminContext, action: string, object: { kind: string; id: string }, details: Record<string, unknown> = {}) =>
    recordAudit(trx, { tenantId: ctx.session.tenantId, actor: personActor(ctx.session.personId), action, object, details });

  router.get(PLATFORMS_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const done = NOTICES.find((n) => n === param(req, 'notice'));
    await show(res, ctx, 200, done ? { notice: ti(ctx.locale, `platforms.saved.${done}` as IntegrationMessageId) } : {});
  });

  router.post(PLATFORMS_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const values = typed(req, REGISTRATION_FIELDS);
    const deploymentIds = [...new Set(values['deployment-ids']!.split(/[\n,]/).map((d) => d.trim()).filter(Boolean))];
    const allowHttp = config.nodeEnv !== 'production';
    const errors = registrationErrors(ctx.locale, values, deploymentIds, allowHttp);
    const refuse = (status: number, problems: Map<string, string>) => show(res, ctx, status, { register: { locale: ctx.locale, values, errors: problems } });
    if (errors.size > 0) {
      await refuse(400, errors);
      return;
    }
    const registration: PlatformRegistration = {
      tenantId: ctx.session.tenantId,
      name: values['name']!.trim() || values['issuer']!.trim(),
      issuer: values['issuer']!.trim(),
      clientId: values['client-id']!.trim(),
      authEndpoint: values['auth-url']!.trim(),
      tokenEndpoint: values['token-url']!.trim(),
      jwksUrl: values['jwks-url']!.trim(),
      deploymentIds,
    };
    try {
      validateRegistration(registration, allowHttp);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      await refuse(400, new Map([['issuer', error.message]]));
      return;
    }
    // Saving upserts by issuer and client id: a platform of another tenant must never move here.
    const existing = await findPlatform(db, registration.issuer, registration.clientId);
    if (existing && existing.tenantId !== ctx.session.tenantId) {
      await refuse(409, new Map([['client-id', ti(ctx.locale, 'refusal.platform-elsewhere')]]));
      return;
    }
    const platform = await savePlatformIn(db, async (trx) => {
      const id = await writePlatform(trx, registration);
      await audit(trx, ctx, 'lti.platform.registered', { kind: 'lti-platform', id }, { issuer: registration.issuer, deployments: deploymentIds.length });
      return id;
    });
    req.log.info({ tenant: ctx.session.tenantId, issuer: platform.issuer, clientId: platform.clientId }, 'platform registered by an administrator');
    res.redirect(303, ctx.href(PLATFORMS_PAGE, { notice: 'registered' }));
  });

  router.post(`${PLATFORMS_PAGE}/remove`, async (req, res) => {
    const ctx = await context(req, res);
    const id = param(req, 'platform') ?? '';
    const platform = UUID.test(id) ? await findPlatformById(db, id) : undefined;
    if (!platform || platform.tenantId !== ctx.session.tenantId) throw notFound();
    if (platform.id === ctx.session.platformId) {
      await show(res, ctx, 409, { refusal: ti(ctx.locale, 'refusal.own-platform') });
      return;
    }
    await db.transaction().execute(async (trx) => {
      await audit(trx, ctx, 'lti.platform.removed', { kind: 'lti-platform', id: platform.id }, { issuer: platform.issuer });
      await removePlatform(trx, platform.issuer, platform.clientId);
    });
    req.log.info({ tenant: ctx.session.tenantId, issuer: platform.issuer, clientId: platform.clientId }, 'platform removed by an administrator');
    res.redirect(303, ctx.href(PLATFORMS_PAGE, { notice: 'removed' }));
  });

  router.post(`${PLATFORMS_PAGE}/invites`, async (req, res) => {
    const ctx = await context(req, res);
    const { days: text = '' } = typed(req, ['days']);
    const days = /^\d{1,2}$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!(days >= 1 && days <= 90)) {
      await show(res, ctx, 400, { invite: { locale: ctx.locale, values: { days: text }, errors: new Map([['days', ti(ctx.locale, 'refusal.days-invalid')]]) } });
      return;
    }
    const invite = await db.transaction().execute(async (trx) => {
      const made = await createRegistrationInvite(trx, config, ctx.session.tenantId, days);
      await audit(trx, ctx, 'lti.invite.created', { kind: 'lti-invite', id: made.id }, { days });
      return made;
    });
    // The address carries the signed invitation: it is in this answer only, hence no redirect.
    await show(res, ctx, 201, { created: invite });
  });

  router.post(`${PLATFORMS_PAGE}/invites/revoke`, async (req, res) => {
    const ctx = await context(req, res);
    const id = param(req, 'invite') ?? '';
    const invite = (await listRegistrationInvites(db, { all: true })).find((i) => i.id === id && i.tenantId === ctx.session.tenantId);
    if (!invite) throw notFound();
    const state = await db.transaction().execute(async (trx) => {
      const after = await revokeRegistrationInvite(trx, invite.id);
      if (after === 'revoked' && invite.state === 'open') await audit(trx, ctx, 'lti.invite.revoked', { kind: 'lti-invite', id: invite.id });
      return after;
    });
    if (state !== 'revoked') {
      await show(res, ctx, 409, { refusal: ti(ctx.locale, 'refusal.invite-closed') });
      return;
    }
    res.redirect(303, ctx.href(PLATFORMS_PAGE, { notice: 'revoked' }));
  });
}
