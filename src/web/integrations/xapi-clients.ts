import type { Request, Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Config } from '../../config.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { createXapiClient, isXapiScope, listXapiClients, revokeXapiClient, XAPI_SCOPES, type XapiClient, type XapiScope } from '../../xapi/credentials.js';
import { alert, button, facts, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { param } from '../lti/http.js';
import { adminContext, notFound, sendAdminPage, type AdminContext } from '../organisation/admin-context.js';
import { ti, type IntegrationMessageId } from './messages.js';
import { showTime } from './show-time.js';

export const XAPI_CLIENTS_PAGE = '/admin/xapi-clients';

interface Shown {
  form: FormState;
  created?: { client: XapiClient; secret: string };
  notice?: string;
}

function body(ctx: AdminContext, config: Pick<Config, 'publicUrl'>, clients: readonly XapiClient[], shown: Shown): SafeHtml {
  const { locale } = ctx;
  const scopeLabel = (s: XapiScope) => ti(locale, `xapi.scope.${s}` as IntegrationMessageId);
  const labels = { name: ti(locale, 'xapi.name'), scopes: ti(locale, 'xapi.scopes') };
  return html`<h1>${ti(locale, 'xapi.title')}</h1>
<p>${ti(locale, 'xapi.intro', { endpoint: `${config.publicUrl}/xapi/`, tenant: ctx.tenant.name })}</p>
${shown.notice ? alert('success', shown.notice, { live: 'status', attrs: html` data-notice` }) : ''}
${shown.created ? alert('success', html`<p class="ds-paragraph">${ti(locale, 'xapi.created.notice')}</p>
${facts([[ti(locale, 'xapi.name'), shown.created.client.name], [ti(locale, 'xapi.key'), html`<code data-created-key>${shown.created.client.key}</code>`], [ti(locale, 'xapi.secret'), html`<code data-created-secret>${shown.created.secret}</code>`]])}`, { live: 'status', attrs: html` data-created` }) : ''}
<section aria-labelledby="clients-heading">
<h2 id="clients-heading">${ti(locale, 'xapi.clients')}</h2>
${clients.length === 0 ? html`<p data-empty>${ti(locale, 'xapi.none')}</p>` : table({
    label: ti(locale, 'xapi.clients'),
    rowHeader: true,
    columns: [{ label: ti(locale, 'xapi.name') }, { label: ti(locale, 'xapi.key') }, { label: ti(locale, 'xapi.scopes') }, { label: ti(locale, 'xapi.created') }, { label: ti(locale, 'xapi.status') }],
    rows: clients.map((c) => ({
      cells: [
        c.name,
        html`<code>${c.key}</code>`,
        c.scopes.map(scopeLabel).join(', '),
        showTime(locale, c.createdAt),
        c.revokedAt
          ? ti(locale, 'xapi.revoked', { date: showTime(locale, c.revokedAt) })
          : html`<form method="post" action="${XAPI_CLIENTS_PAGE}/revoke">${ctx.hidden}<input type="hidden" name="key" value="${c.key}">${button(ti(locale, 'xapi.revoke'), { variant: 'secondary', danger: true, size: 'sm', attrs: html` aria-label="${ti(locale, 'xapi.revoke.label', { name: c.name })}"` })}</form>`,
      ],
      attrs: html` data-client="${c.key}" data-state="${c.revokedAt ? 'revoked' : 'active'}"`,
    })),
  })}
</section>
<section aria-labelledby="new-heading">
<h2 id="new-heading">${ti(locale, 'xapi.new')}</h2>
${errorSummary(shown.form, labels)}
<form method="post" action="${XAPI_CLIENTS_PAGE}" novalidate data-form="new-client">
${ctx.hidden}
${input(shown.form, 'name', labels.name, { hint: ti(locale, 'xapi.name.hint'), wide: true })}
${choiceGroup(shown.form, 'scopes', labels.scopes, XAPI_SCOPES.map((s) => ({ value: s, label: scopeLabel(s) })), { multiple: true })}
${button(ti(locale, 'xapi.new.button'))}
</form>
</section>`;
}

/** `/admin/xapi-clients`: the tenant's LRS credentials, as `npm run cli -- xapi-client add|list|revoke` does them. */
export function addXapiClientRoutes(router: Router, { db, sessions, config }: { db: Kysely<Schema>; sessions: SessionTokens; config: Pick<Config, 'publicUrl'> }): void {
  const context = (req: Request, res: Response) => adminContext(req, res, db, sessions);
  const show = async (res: Response, ctx: AdminContext, status: number, shown: Shown) =>
    sendAdminPage(res, db, ctx, status, { title: ti(ctx.locale, 'xapi.title'), path: XAPI_CLIENTS_PAGE, body: body(ctx, config, await listXapiClients(db, ctx.session.tenantId), shown) });
  const blank = (ctx: AdminContext): FormState => ({ locale: ctx.locale, values: { scopes: ['statements/read'] }, errors: new Map() });

  router.get(XAPI_CLIENTS_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    await show(res, ctx, 200, { form: blank(ctx), ...(param(req, 'notice') === 'revoked' ? { notice: ti(ctx.locale, 'xapi.saved.revoked') } : {}) });
  });

  router.post(XAPI_CLIENTS_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const name = (param(req, 'name') ?? '').slice(0, 2000);
    const raw = (req.body as Record<string, unknown>)['scopes'];
    const asked = (Array.isArray(raw) ? raw : [raw]).filter((s): s is string => typeof s === 'string');
    const scopes = asked.filter(isXapiScope);
    const errors = new Map<string, string>();
    if (!name.trim() || name.trim().length > 200) errors.set('name', ti(ctx.locale, 'refusal.name-missing'));
    if (scopes.length === 0) errors.set('scopes', ti(ctx.locale, 'refusal.scopes-missing'));
    if (errors.size > 0) {
      await show(res, ctx, 400, { form: { locale: ctx.locale, values: { name, scopes }, errors } });
      return;
    }
    const tenantId = ctx.session.tenantId;
    const created = await db.transaction().execute(async (trx) => {
      const made = await createXapiClient(trx, { tenantId, name: name.trim(), scopes: [...new Set(scopes)] });
      await recordAudit(trx, { tenantId, actor: personActor(ctx.session.personId), action: 'xapi.client.created', object: { kind: 'xapi-client', id: made.client.id }, details: { scopes: made.client.scopes } });
      return made;
    });
    req.log.info({ tenant: tenantId, key: created.client.key }, 'xAPI client created');
    // The secret is in this answer only (never in a URL, never stored in clear), hence no redirect.
    await show(res, ctx, 201, { form: blank(ctx), created });
  });

  router.post(`${XAPI_CLIENTS_PAGE}/revoke`, async (req, res) => {
    const ctx = await context(req, res);
    const key = param(req, 'key') ?? '';
    const tenantId = ctx.session.tenantId;
    const client = (await listXapiClients(db, tenantId)).find((c) => c.key === key);
    if (!client) throw notFound();
    await db.transaction().execute(async (trx) => {
      if (await revokeXapiClient(trx, client.key)) {
        await recordAudit(trx, { tenantId, actor: personActor(ctx.session.personId), action: 'xapi.client.revoked', object: { kind: 'xapi-client', id: client.id } });
      }
    });
    res.redirect(303, ctx.href(XAPI_CLIENTS_PAGE, { notice: 'revoked' }));
  });
}
