import type { Request, Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Config } from '../../config.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { isForwardingFilter, type ForwardingFilter } from '../../xapi/forwarding/filter.js';
import {
  forwardingBox,
  forwardingStatus,
  ForwardingSettingsError,
  redriveForwarding,
  removeForwardingTarget,
  saveForwardingTarget,
  type ForwardingStatus,
} from '../../xapi/forwarding/targets.js';
import { parkedEmissions, type ParkedEmission } from '../../xapi/emission/writer.js';
import { redriveParkedEmission } from '../../xapi/emission/redrive.js';
import { OwnStatements } from '../../xapi/own-statements.js';
import { alert, button, facts, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { param } from '../lti/http.js';
import { adminContext, sendAdminPage, type AdminContext } from '../organisation/admin-context.js';
import { ti, type IntegrationMessageId } from './messages.js';
import { showTime } from './show-time.js';

export const FORWARDING_PAGE = '/admin/xapi-forwarding';

const PARKED_SHOWN = 50;
const NOTICES = ['created', 'updated', 'redriven', 'removed'] as const;

function stateOf(status: ForwardingStatus): 'active' | 'retrying' | 'paused' {
  if (status.pausedReason) return 'paused';
  return status.retryAt && status.lastError ? 'retrying' : 'active';
}

function statusSection(ctx: AdminContext, status: ForwardingStatus): SafeHtml {
  const { locale } = ctx;
  const state = stateOf(status);
  const count = (n: number) => n.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO');
  return html`<section aria-labelledby="status-heading" data-forwarding-status="${state}">
<h2 id="status-heading">${ti(locale, 'forwarding.status')}</h2>
${state === 'paused' ? alert('danger', html`<p class="ds-paragraph app-break-anywhere">${ti(locale, 'forwarding.paused', { reason: status.pausedReason ?? '' })}</p>`, { attrs: html` data-paused` }) : ''}
${state === 'retrying' ? alert('warning', html`<p class="ds-paragraph app-break-anywhere">${ti(locale, 'forwarding.retrying', { attempts: status.attempts, date: showTime(locale, status.retryAt!), reason: status.lastError ?? '' })}</p>`, { attrs: html` data-retrying` }) : ''}
${facts([
    [ti(locale, 'forwarding.state'), ti(locale, `forwarding.state.${state}`)],
    [ti(locale, 'forwarding.endpoint'), html`<code>${status.endpoint}</code>`],
    [ti(locale, 'forwarding.credentials'), ti(locale, 'forwarding.credentials.set')],
    [ti(locale, 'forwarding.filter'), ti(locale, `forwarding.filter.${status.filter}`)],
    [ti(locale, 'forwarding.pending'), status.pendingAtLeast ? ti(locale, 'forwarding.pending.at-least', { count: count(status.pending) }) : count(status.pending), html` data-pending="${status.pending}"`],
    [ti(locale, 'forwarding.parked'), count(status.parkedCount), html` data-parked="${status.parkedCount}"`],
    [ti(locale, 'forwarding.delivered'), status.deliveredAt ? ti(locale, 'forwarding.delivered.at', { count: count(status.delivered), date: showTime(locale, status.deliveredAt) }) : count(status.delivered), html` data-delivered="${status.delivered}"`],
  ])}
<h3 id="parked-heading">${ti(locale, 'forwarding.parked.title')}</h3>
${status.parked.length === 0 ? html`<p data-parked-none>${ti(locale, 'forwarding.parked.none')}</p>` : html`${status.parkedCount > status.parked.length ? html`<p>${ti(locale, 'forwarding.parked.more', { shown: status.parked.length, count: count(status.parkedCount) })}</p>` : ''}${table({
    label: ti(locale, 'forwarding.parked.title'),
    rowHeader: true,
    columns: [{ label: ti(locale, 'forwarding.parked.statement') }, { label: ti(locale, 'forwarding.parked.reason') }, { label: ti(locale, 'forwarding.parked.at') }],
    rows: status.parked.map((p) => ({
      cells: [html`<code>${p.statementId}</code>`, p.redrive ? ti(locale, 'forwarding.parked.queued') : html`<span class="app-break-anywhere">${p.reason}</span>`, showTime(locale, p.parkedAt)],
      attrs: html` data-parked-statement="${p.statementId}"`,
    })),
  })}`}
${status.parkedCount > 0 || state === 'paused' ? html`<form method="post" action="${FORWARDING_PAGE}/redrive" data-form="redrive">${ctx.hidden}<p class="ds-paragraph" id="redrive-hint">${ti(locale, 'forwarding.redrive.hint')}</p>${button(ti(locale, 'forwarding.redrive'), { attrs: html` aria-describedby="redrive-hint"` })}</form>` : ''}
</section>`;
}

/** The tool's own statements that can never be stored (src/xapi/emission/writer.ts): shown only when there are some. */
function emissionSection(ctx: AdminContext, emission: { count: number; parked: ParkedEmission[] }): SafeHtml {
  const { locale } = ctx;
  if (emission.count === 0) return html``;
  const count = (n: number) => n.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO');
  return html`<section aria-labelledby="emission-parked-heading" data-emission-parked="${emission.count}">
<h2 id="emission-parked-heading">${ti(locale, 'emission.parked.title')}</h2>
<p>${ti(locale, 'emission.parked.intro')}</p>
${emission.count > emission.parked.length ? html`<p>${ti(locale, 'emission.parked.more', { shown: emission.parked.length, count: count(emission.count) })}</p>` : ''}${table({
    label: ti(locale, 'emission.parked.title'),
    rowHeader: true,
    columns: [{ label: ti(locale, 'forwarding.parked.statement') }, { label: ti(locale, 'emission.parked.reason') }, { label: ti(locale, 'forwarding.parked.at') }],
    rows: emission.parked.map((p) => ({
      cells: [html`<code>${p.statementId}</code>`, html`<span class="app-break-anywhere">${p.reason}</span>`, showTime(locale, p.parkedAt)],
      attrs: html` data-emission-parked-statement="${p.statementId}"`,
    })),
  })}
<form method="post" action="${FORWARDING_PAGE}/emission-redrive" data-form="emission-redrive">${ctx.hidden}<p class="ds-paragraph" id="emission-redrive-hint">${ti(locale, 'emission.redrive.hint')}</p>${button(ti(locale, 'emission.redrive'), { attrs: html` aria-describedby="emission-redrive-hint"` })}</form>
</section>`;
}

function body(ctx: AdminContext, status: ForwardingStatus | undefined, form: FormState, notice: string | undefined, emission: { count: number; parked: ParkedEmission[] }): SafeHtml {
  const { locale } = ctx;
  const labels = { endpoint: ti(locale, 'forwarding.endpoint'), key: ti(locale, 'forwarding.key'), secret: ti(locale, 'forwarding.secret'), filter: ti(locale, 'forwarding.filter') };
  // The secret is never sent back to the browser, not even the one just typed into a refused form.
  const shown: FormState = { ...form, values: { ...form.values, secret: '' } };
  return html`<h1>${ti(locale, 'forwarding.title')}</h1>
<p>${ti(locale, 'forwarding.intro', { tenant: ctx.tenant.name })}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-notice` }) : ''}
${status ? statusSection(ctx, status) : html`<p data-empty>${ti(locale, 'forwarding.none')}</p>`}
${emissionSection(ctx, emission)}
<section aria-labelledby="settings-heading">
<h2 id="settings-heading">${ti(locale, 'forwarding.settings')}</h2>
${errorSummary(shown, labels)}
<form method="post" action="${FORWARDING_PAGE}" novalidate data-form="forwarding">
${ctx.hidden}
${input(shown, 'endpoint', labels.endpoint, { type: 'url', hint: ti(locale, 'forwarding.endpoint.hint'), wide: true })}
${input(shown, 'key', labels.key, { wide: true, ...(status ? { optional: true, hint: ti(locale, 'forwarding.key.keep') } : {}) })}
${input(shown, 'secret', labels.secret, { type: 'password', hint: ti(locale, status ? 'forwarding.secret.keep' : 'forwarding.secret.new'), autocomplete: 'new-password', wide: true, ...(status ? { optional: true } : {}) })}
${choiceGroup(shown, 'filter', labels.filter, (['all', 'completions'] as const).map((f) => ({ value: f, label: ti(locale, `forwarding.filter.${f}`) })))}
${status ? '' : choiceGroup(shown, 'history', ti(locale, 'forwarding.history'), [{ value: 'yes', label: ti(locale, 'forwarding.history.yes') }], { multiple: true })}
${button(ti(locale, 'forwarding.save'))}
</form>
</section>
${status ? html`<section aria-labelledby="remove-heading">
<h2 id="remove-heading">${ti(locale, 'forwarding.remove')}</h2>
<form method="post" action="${FORWARDING_PAGE}/remove" data-form="remove">${ctx.hidden}<p class="ds-paragraph" id="remove-hint">${ti(locale, 'forwarding.remove.hint')}</p>${button(ti(locale, 'forwarding.remove'), { variant: 'secondary', danger: true, attrs: html` aria-describedby="remove-hint"` })}</form>
</section>` : ''}`;
}

/**
 * `/admin/xapi-forwarding`: where the tenant's statements are forwarded, the queue (waiting, set aside
 * with the receiver's reasons, paused or retrying) and re-driving, as `npm run cli -- xapi-forwarding` does.
 */
export function addForwardingRoutes(router: Router, { db, sessions, config }: { db: Kysely<Schema>; sessions: SessionTokens; config: Pick<Config, 'keyEncryptionSecret' | 'publicUrl'> }): void {
  const box = forwardingBox(config.keyEncryptionSecret);
  const own = new OwnStatements(db, config.publicUrl);
  const context = (req: Request, res: Response) => adminContext(req, res, db, sessions);
  const show = async (res: Response, ctx: AdminContext, status: number, form: FormState, notice?: string) => {
    const current = await forwardingStatus(db, ctx.session.tenantId, { parkedLimit: PARKED_SHOWN, publicUrl: config.publicUrl });
    const emission = await parkedEmissions(db, ctx.session.tenantId, PARKED_SHOWN);
    await sendAdminPage(res, db, ctx, status, { title: ti(ctx.locale, 'forwarding.title'), path: FORWARDING_PAGE, body: body(ctx, current, form, notice, emission) });
  };

  router.get(FORWARDING_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const current = await forwardingStatus(db, ctx.session.tenantId, { parkedLimit: 0, publicUrl: config.publicUrl });
    const values = current ? { endpoint: current.endpoint, key: '', filter: current.filter } : { filter: 'all' };
    const asked = param(req, 'notice');
    const notice = NOTICES.find((n) => n === asked);
    const counted = (name: string) => Math.min(Number.parseInt(param(req, name) ?? '', 10) || 0, 1_000_000);
    const text = notice ? ti(ctx.locale, `forwarding.saved.${notice}`)
      : asked === 'emission-redriven' ? ti(ctx.locale, 'emission.redriven', { stored: counted('stored'), left: counted('left') }) : undefined;
    await show(res, ctx, 200, { locale: ctx.locale, values, errors: new Map() }, text);
  });

  router.post(FORWARDING_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const endpoint = (param(req, 'endpoint') ?? '').slice(0, 2000);
    const key = (param(req, 'key') ?? '').slice(0, 1000);
    const secret = (param(req, 'secret') ?? '').slice(0, 2000);
    const filterValue = param(req, 'filter');
    const history = param(req, 'history') === 'yes';
    const tenantId = ctx.session.tenantId;
    const values = { endpoint, key, filter: filterValue ?? '' };
    const refuse = async (field: string, problem: string) =>
      show(res, ctx, 400, { locale: ctx.locale, values, errors: new Map([[field, ti(ctx.locale, `refusal.forwarding.${problem}` as IntegrationMessageId)]]) });
    if (!isForwardingFilter(filterValue)) {
      await refuse('filter', 'filter-invalid');
      return;
    }
    const filter: ForwardingFilter = filterValue;
    let outcome: 'created' | 'updated';
    try {
      outcome = await saveForwardingTarget(db, box, tenantId, { endpoint, key, secret, filter, history });
    } catch (error) {
      if (!(error instanceof ForwardingSettingsError)) throw error;
      await refuse(error.field, error.problem);
      return;
    }
    await recordAudit(db, { tenantId, actor: personActor(ctx.session.personId), action: `xapi.forwarding.${outcome}`, object: { kind: 'xapi-forwarding', id: tenantId }, details: { filter, history: outcome === 'created' ? history : undefined, secretChanged: secret !== '' } });
    req.log.info({ tenant: tenantId, filter, outcome }, 'xAPI forwarding saved');
    res.redirect(303, ctx.href(FORWARDING_PAGE, { notice: outcome }));
  });

  router.post(`${FORWARDING_PAGE}/redrive`, async (req, res) => {
    const ctx = await context(req, res);
    const tenantId = ctx.session.tenantId;
    const outcome = await redriveForwarding(db, tenantId);
    if (outcome) await recordAudit(db, { tenantId, actor: personActor(ctx.session.personId), action: 'xapi.forwarding.redriven', object: { kind: 'xapi-forwarding', id: tenantId }, details: outcome });
    res.redirect(303, ctx.href(FORWARDING_PAGE, outcome ? { notice: 'redriven' } : {}));
  });

  // The tool's own statements that were parked: made again from their events and stored (src/xapi/emission/redrive.ts).
  router.post(`${FORWARDING_PAGE}/emission-redrive`, async (req, res) => {
    const ctx = await context(req, res);
    const tenantId = ctx.session.tenantId;
    const outcome = await redriveParkedEmission(db, own, config.publicUrl, tenantId, req.log);
    await recordAudit(db, { tenantId, actor: personActor(ctx.session.personId), action: 'xapi.emission.redriven', object: { kind: 'xapi-emission', id: tenantId }, details: { ...outcome } });
    res.redirect(303, ctx.href(FORWARDING_PAGE, { notice: 'emission-redriven', stored: String(outcome.stored), left: String(outcome.stillParked) }));
  });

  router.post(`${FORWARDING_PAGE}/remove`, async (req, res) => {
    const ctx = await context(req, res);
    const tenantId = ctx.session.tenantId;
    if (await removeForwardingTarget(db, tenantId)) {
      await recordAudit(db, { tenantId, actor: personActor(ctx.session.personId), action: 'xapi.forwarding.removed', object: { kind: 'xapi-forwarding', id: tenantId } });
    }
    res.redirect(303, ctx.href(FORWARDING_PAGE, { notice: 'removed' }));
  });
}
