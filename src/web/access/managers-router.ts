import { Router, type Request, type Response } from 'express';
import { GrantError, grantManager, listGrants, revokeManager, type ManagerGrant } from '../../access/manager-grants.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { personActor } from '../../audit/audit-log.js';
import { findEmployees, findUnits, unitLeaders } from '../../organisation/unit-scope.js';
import { osloDate } from '../../oslo-date.js';
import { alert, button, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { ta } from './messages.js';
import { pageContext, type AccessDeps, type PageContext } from './page-context.js';

export const MANAGERS_PAGE = '/admin/managers';
const GRANTS = '/admin/managers/grants';
const REVOKE = '/admin/managers/grants/:grantId/revoke';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const when = (locale: Locale, date: Date) =>
  new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'medium', timeZone: 'Europe/Oslo' }).format(date);

interface FormInput {
  q: string;
  unitq: string;
  person: string;
  unit: string;
}

function grantsTable(ctx: PageContext, grants: readonly ManagerGrant[], revoked: boolean): SafeHtml {
  const { locale } = ctx;
  const by = (name: string | null, id: string | null) => (id ? name ?? ta(locale, 'no-name') : ta(locale, 'managers.operator'));
  return table({
    label: ta(locale, revoked ? 'managers.history' : 'managers.grants'),
    columns: [
      { label: ta(locale, 'name') }, { label: ta(locale, 'employee-number') }, { label: ta(locale, 'unit') }, { label: ta(locale, 'managers.granted-at') }, { label: ta(locale, 'managers.granted-by') },
      ...(revoked ? [{ label: ta(locale, 'managers.revoked-at') }] : [{ label: ta(locale, 'managers.revoke') }]),
    ],
    rows: grants.map((g) => ({
      cells: [
        g.personName ?? ta(locale, 'no-name'), g.employeeNumber ?? '', `${g.unitName} (${g.unitCode})`, when(locale, g.grantedAt), by(g.grantedByName, g.grantedBy),
        revoked
          ? `${when(locale, g.revokedAt!)}, ${by(g.revokedByName, g.revokedBy)}`
          : html`<form method="post" action="/admin/managers/grants/${g.id}/revoke">${ctx.hidden}${button(ta(locale, 'managers.revoke'), { variant: 'secondary', danger: true, size: 'sm', attrs: html` aria-label="${fillIn(ta(locale, 'managers.revoke.label'), { unit: g.unitName, person: g.personName ?? '' })}"` })}</form>`,
      ],
      attrs: html` data-grant="${g.id}"`,
    })),
    rowHeader: true,
  });
}

async function managersPage(req: Request, res: Response, deps: AccessDeps, ctx: PageContext, status: number, form: FormInput, errors = new Map<string, string>(), notice?: string): Promise<void> {
  const { locale } = ctx;
  const tenantId = ctx.principal.tenantId;
  const day = osloDate();
  const [leaders, grants, history, people, units] = await Promise.all([
    unitLeaders(deps.db, tenantId, day),
    listGrants(deps.db, tenantId),
    listGrants(deps.db, tenantId, { includeRevoked: true }).then((all) => all.filter((g) => g.revokedAt)),
    findEmployees(deps.db, tenantId, form.q),
    findUnits(deps.db, tenantId, form.unitq),
  ]);
  const state: FormState = { locale, values: { ...form }, errors };
  const labels = { person: ta(locale, 'managers.person'), unit: ta(locale, 'managers.unit'), q: ta(locale, 'managers.person-query') };
  const title = ta(locale, 'managers.title');
  const body = html`<h1>${title}</h1>
<p>${ta(locale, 'managers.intro')}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-notice` }) : ''}
${errorSummary(state, labels)}
<h2>${ta(locale, 'managers.new')}</h2>
<form method="get" action="${MANAGERS_PAGE}" data-search>
${ctx.hidden}
${input(state, 'q', ta(locale, 'managers.person-query'))}
${input(state, 'unitq', ta(locale, 'managers.unit-query'))}
${button(ta(locale, 'managers.search'), { variant: 'secondary' })}
</form>
${form.q || form.unitq ? html`<form method="post" action="${GRANTS}" data-grant-form>
${ctx.hidden}<input type="hidden" name="q" value="${form.q}"><input type="hidden" name="unitq" value="${form.unitq}">
${choiceGroup(state, 'person', ta(locale, 'managers.person'), people.map((p) => ({ value: p.personId, label: `${p.name ?? ta(locale, 'no-name')} (${p.employeeNumber})` })), { empty: ta(locale, 'managers.no-matches') })}
${choiceGroup(state, 'unit', ta(locale, 'managers.unit'), units.map((u) => ({ value: u.id, label: `${u.name} (${u.code})` })), { empty: ta(locale, 'managers.no-matches') })}
${button(ta(locale, 'managers.grant'))}
</form>` : ''}
<h2>${ta(locale, 'managers.grants')}</h2>
${grants.length === 0 ? html`<p>${ta(locale, 'managers.grants.none')}</p>` : grantsTable(ctx, grants, false)}
<h2>${ta(locale, 'managers.by-hr')}</h2>
${leaders.length === 0 ? html`<p>${ta(locale, 'managers.by-hr.none')}</p>` : table({
    label: ta(locale, 'managers.by-hr'),
    columns: [{ label: ta(locale, 'name') }, { label: ta(locale, 'employee-number') }, { label: ta(locale, 'unit') }],
    rows: leaders.map((l) => ({ cells: [l.name ?? ta(locale, 'no-name'), l.employeeNumber, l.unitName], attrs: html` data-leader="${l.employeeNumber}"` })),
    rowHeader: true,
  })}
${history.length === 0 ? '' : html`<h2>${ta(locale, 'managers.history')}</h2>${grantsTable(ctx, history, true)}`}`;
  sendPage(res, status, page({ locale, title, path: MANAGERS_PAGE, keep: { ...ctx.keep, ...(form.q ? { q: form.q } : {}), ...(form.unitq ? { unitq: form.unitq } : {}) }, theme: ctx.theme, body }));
}

const formOf = (req: Request): FormInput => ({
  q: (param(req, 'q') ?? '').slice(0, 200),
  unitq: (param(req, 'unitq') ?? '').slice(0, 200),
  person: param(req, 'person') ?? '',
  unit: param(req, 'unit') ?? '',
});

/** The municipality administrator's page of managers: by HR data and by grant; granting and revoking. */
export function managersRouter(deps: AccessDeps): Router {
  const router = Router();

  router.get(MANAGERS_PAGE, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${MANAGERS_PAGE}`]!);
    const notice = param(req, 'notice');
    await managersPage(req, res, deps, ctx, 200, formOf(req), new Map(), notice === 'granted' || notice === 'revoked' ? ta(ctx.locale, `managers.${notice}`) : undefined);
  });

  router.post(GRANTS, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`POST ${GRANTS}`]!);
    const form = formOf(req);
    const errors = new Map<string, string>();
    if (!UUID.test(form.person)) errors.set('person', ta(ctx.locale, 'grant.person-not-in-municipality'));
    if (!UUID.test(form.unit)) errors.set('unit', ta(ctx.locale, 'grant.unit-not-in-municipality'));
    if (errors.size === 0) {
      try {
        await grantManager(deps.db, { tenantId: ctx.principal.tenantId, personId: form.person, unitId: form.unit, actor: personActor(ctx.principal.personId) });
        res.redirect(303, ctx.href(MANAGERS_PAGE, { notice: 'granted' }));
        return;
      } catch (error) {
        if (!(error instanceof GrantError)) throw error;
        errors.set(error.code === 'person-not-in-municipality' ? 'person' : 'unit', ta(ctx.locale, `grant.${error.code}`));
      }
    }
    await managersPage(req, res, deps, ctx, 422, form, errors);
  });

  router.post(REVOKE, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`POST ${REVOKE}`]!);
    const grantId = String(req.params['grantId']);
    try {
      if (!UUID.test(grantId)) throw new GrantError('grant-not-found');
      await revokeManager(deps.db, { tenantId: ctx.principal.tenantId, grantId, actor: personActor(ctx.principal.personId) });
    } catch (error) {
      // Another municipality's grant is not found, like one that never was.
      if (error instanceof GrantError) throw new ProblemError('not-found', ta('en', 'grant.grant-not-found'));
      throw error;
    }
    res.redirect(303, ctx.href(MANAGERS_PAGE, { notice: 'revoked' }));
  });

  router.use(refusalHandler);
  return router;
}
