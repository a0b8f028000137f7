import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor } from '../../audit/audit-log.js';
import { listCatalogue } from '../../competence/catalogue.js';
import { addRequirement, endRequirement, listRequirements, RequirementRefused, type Requirement, type RequirementFields } from '../../competence/requirements.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { alert, button, link, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, select, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { formatDate } from '../learner/messages.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { adminContext, CATALOGUE_PAGE, hiddenFields, render, type AdminContext } from './catalogue-router.js';
import { tc, type CatalogueMessageId } from './messages.js';

export const REQUIREMENTS_PAGE = '/admin/competence/requirements';

const FIELDS = ['competence', 'jobTitle', 'unitCode', 'minLevel', 'mandatory', 'validityMonths', 'graceDays', 'acceptsDeclared', 'targetPercent', 'targetDate'] as const;

function details(locale: Locale, r: Requirement): string {
  const parts = [
    r.minLevel !== null ? fillIn(tc(locale, 'req.detail.level'), { level: r.minLevel }) : '',
    r.validityMonths !== null ? fillIn(tc(locale, 'req.detail.validity'), { months: r.validityMonths }) : '',
    r.graceDays !== null ? fillIn(tc(locale, 'req.detail.grace'), { days: r.graceDays }) : '',
    r.acceptsDeclared ? tc(locale, 'req.detail.declared') : '',
    r.target ? fillIn(tc(locale, 'req.detail.target'), { percent: r.target.percent.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO'), date: formatDate(locale, new Date(`${r.target.date}T12:00:00Z`)) }) : '',
  ].filter(Boolean);
  return parts.join(', ') || '–';
}

async function requirementsPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, state?: FormState, notice?: string): Promise<void> {
  const { locale } = ctx;
  const requirements = await listRequirements(db, ctx.session.tenantId);
  const ownerIds = [...new Set(requirements.map((r) => r.ownerTenantId))];
  const owners = new Map(ownerIds.length ? (await db.selectFrom('tenants').select(['id', 'name']).where('id', 'in', ownerIds).execute()).map((t) => [t.id, t.name]) : []);
  const catalogue = await listCatalogue(db, ctx.session.tenantId);
  const competenceChoices = catalogue.flatMap((area) => area.competences.map((c) => ({ value: c.id, label: `${area.name[locale] ?? area.name.nb}: ${c.name[locale] ?? c.name.nb}` })));
  const form: FormState = state ?? { locale, values: { mandatory: 'mandatory' }, errors: new Map() };
  const name = (r: Requirement) => r.competence.name[locale] ?? r.competence.name.nb;
  const labels = Object.fromEntries(FIELDS.map((f) => [f, tc(locale, `req.field.${f}` as CatalogueMessageId)]));

  const body: SafeHtml = html`<h1>${tc(locale, 'req.title')}</h1>
<p>${fillIn(tc(locale, 'req.intro'), { tenant: ctx.tenantName })}</p>
<p>${link(ctx.href(CATALOGUE_PAGE), tc(locale, 'req.catalogue-link'))}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-requirements-notice` }) : ''}
<section aria-labelledby="list-heading">
<h2 id="list-heading">${tc(locale, 'req.list')}</h2>
${requirements.length === 0
    ? html`<p data-requirements-empty>${tc(locale, 'req.empty')}</p>`
    : table({
        label: tc(locale, 'req.list'),
        rowHeader: true,
        columns: [
          { label: tc(locale, 'req.col.competence') },
          { label: tc(locale, 'req.col.applies') },
          { label: tc(locale, 'req.col.kind') },
          { label: tc(locale, 'req.col.details') },
          { label: tc(locale, 'req.col.keeper') },
          { label: tc(locale, 'req.col.action') },
        ],
        rows: requirements.map((r) => ({
          attrs: html` data-requirement="${r.competence.code}"`,
          cells: [
            name(r),
            html`${r.jobTitle ? fillIn(tc(locale, 'req.applies.role'), { role: r.jobTitle }) : ''}${r.jobTitle && r.orgUnit ? html`<br>` : ''}${r.orgUnit ? fillIn(tc(locale, 'req.applies.unit'), { unit: r.orgUnit.name, code: r.orgUnit.code }) : ''}`,
            tc(locale, r.mandatory ? 'req.mandatory' : 'req.recommended'),
            details(locale, r),
            r.ownerTenantId === ctx.session.tenantId ? ctx.tenantName : owners.get(r.ownerTenantId) ?? '',
            r.ownerTenantId === ctx.session.tenantId
              ? html`<form method="post" action="${REQUIREMENTS_PAGE}/${r.id}/end">${hiddenFields(ctx)}${button(tc(locale, 'req.end'), { variant: 'tertiary', attrs: html` aria-label="${fillIn(tc(locale, 'req.end.label'), { competence: name(r) })}"` })}</form>`
              : '',
          ],
        })),
      })}
</section>
<section aria-labelledby="add-heading">
<h2 id="add-heading">${tc(locale, 'req.add')}</h2>
${errorSummary(form, labels)}
${form.errors.get('') ? alert('danger', form.errors.get('')!, { attrs: html` data-requirement-problem` }) : ''}
<form method="post" action="${REQUIREMENTS_PAGE}" novalidate>
${hiddenFields(ctx)}
${select(form, 'competence', labels['competence']!, competenceChoices, { placeholder: tc(locale, 'req.field.competence.choose') })}
${input(form, 'jobTitle', labels['jobTitle']!, { hint: tc(locale, 'req.field.jobTitle.hint'), optional: true, wide: true })}
${ctx.tenantKind === 'municipality' ? input(form, 'unitCode', labels['unitCode']!, { hint: tc(locale, 'req.field.unitCode.hint'), optional: true }) : ''}
${choiceGroup(form, 'mandatory', labels['mandatory']!, [{ value: 'mandatory', label: tc(locale, 'req.mandatory') }, { value: 'recommended', label: tc(locale, 'req.recommended') }], { inline: true })}
${input(form, 'minLevel', labels['minLevel']!, { optional: true, inputmode: 'numeric' })}
${input(form, 'validityMonths', labels['validityMonths']!, { hint: tc(locale, 'req.field.validityMonths.hint'), optional: true, inputmode: 'numeric' })}
${input(form, 'graceDays', labels['graceDays']!, { optional: true, inputmode: 'numeric' })}
${choiceGroup(form, 'acceptsDeclared', labels['acceptsDeclared']!, [{ value: 'yes', label: tc(locale, 'req.field.acceptsDeclared.yes') }], { multiple: true })}
${input(form, 'targetPercent', labels['targetPercent']!, { optional: true, inputmode: 'decimal' })}
${input(form, 'targetDate', labels['targetDate']!, { hint: tc(locale, 'req.field.targetDate.hint'), optional: true })}
${button(tc(locale, 'req.save'))}
</form>
</section>`;
  await render(res, db, ctx, status, tc(locale, 'req.title'), body);
}

function fieldsOf(req: Request): RequirementFields {
  return Object.fromEntries(FIELDS.map((f) => [f, (param(req, f) ?? '').slice(0, 300)])) as RequirementFields;
}

/** Competence requirements for a municipality's or a region's administrator. */
export function requirementsRouter({ db, sessions }: { db: Kysely<Schema>; sessions: SessionTokens }): Router {
  const router = Router();

  router.get(REQUIREMENTS_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const notice = param(req, 'notice');
    await requirementsPage(res, db, ctx, 200, undefined, notice === 'added' ? tc(ctx.locale, 'req.added') : notice === 'ended' ? tc(ctx.locale, 'req.ended') : undefined);
  });

  router.post(REQUIREMENTS_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const fields = fieldsOf(req);
    try {
      await addRequirement(db, ctx.session.tenantId, fields, personActor(ctx.session.personId));
    } catch (error) {
      if (!(error instanceof RequirementRefused)) throw error;
      const errors = new Map([...error.problems].map(([field, problem]) => [field, tc(ctx.locale, `req.problem.${problem}` as CatalogueMessageId)]));
      await requirementsPage(res, db, ctx, 400, { locale: ctx.locale, values: { ...fields }, errors });
      return;
    }
    res.redirect(303, ctx.href(REQUIREMENTS_PAGE, { notice: 'added' }));
  });

  router.post(`${REQUIREMENTS_PAGE}/:id/end`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const ended = await endRequirement(db, ctx.session.tenantId, req.params['id'] ?? '', personActor(ctx.session.personId));
    if (!ended) {
      res.status(404);
      await requirementsPage(res, db, ctx, 404);
      return;
    }
    res.redirect(303, ctx.href(REQUIREMENTS_PAGE, { notice: 'ended' }));
  });

  router.use(refusalHandler);
  return router;
}
