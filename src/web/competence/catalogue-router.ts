import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor } from '../../audit/audit-log.js';
import { listCatalogue, type CompetenceArea } from '../../competence/catalogue.js';
import { catalogueToCsv } from '../../competence/catalogue-csv.js';
import { applyCatalogueImport, CatalogueImportRefused, previewCatalogueImport, type CataloguePlan } from '../../competence/catalogue-import.js';
import { catalogueProblemText } from '../../competence/catalogue-messages.js';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { decodeCsv } from '../../tenants/municipality-csv.js';
import { readFormFile } from '../design-transfer/multipart-file.js';
import { alert, breadcrumbs, button, buttonRow, link, linkButton, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { th } from './holdings-messages.js';
import { tc } from './messages.js';

export const CATALOGUE_PAGE = '/admin/competence';
/** A catalogue of 700 competences with level descriptions is about 200 KB. */
export const CATALOGUE_FILE_LIMIT = 512 * 1024;

export interface AdminContext {
  session: LtiSession;
  token: string;
  locale: Locale;
  lang: Locale | undefined;
  tenantName: string;
  tenantKind: 'region' | 'municipality';
  href(path: string, query?: Record<string, string>): string;
}

export async function adminContext(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<AdminContext> {
  // A municipality's or a region's administrator, for the catalogue of the session's tenant only.
  const session = await requireSession(req, sessions, ['admin']);
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const tenant = await db.selectFrom('tenants').select(['name', 'kind']).where('id', '=', session.tenantId).executeTakeFirstOrThrow();
  const href = (path: string, query: Record<string, string> = {}) =>
    `${path}?${new URLSearchParams({ session: token, ...(lang ? { lang } : {}), ...query }).toString()}`;
  return { session, token, locale, lang, tenantName: tenant.name, tenantKind: tenant.kind, href };
}

const localized = (texts: { nb: string; nn: string | null; en: string | null }, locale: Locale) => texts[locale] ?? texts.nb;

export function hiddenFields(ctx: AdminContext): SafeHtml {
  return html`<input type="hidden" name="session" value="${ctx.token}">${ctx.lang ? html`<input type="hidden" name="lang" value="${ctx.lang}">` : ''}`;
}

export async function render(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, title: string, body: SafeHtml): Promise<void> {
  const crumbs = breadcrumbs(tc(ctx.locale, 'catalogue.back'), [{ href: ctx.href('/admin'), label: tc(ctx.locale, 'catalogue.back') }]);
  sendPage(res, status, page({ locale: ctx.locale, title, body: html`${crumbs}${body}`, path: CATALOGUE_PAGE, keep: { session: ctx.token }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

function areaSection(ctx: AdminContext, area: CompetenceArea, owners: ReadonlyMap<string, string>): SafeHtml {
  const { locale } = ctx;
  const name = localized(area.name, locale);
  const keeper = (tenantId: string) => (tenantId === ctx.session.tenantId ? tc(locale, 'catalogue.keeper.own') : owners.get(tenantId) ?? '');
  return html`<section aria-labelledby="area-${area.id}" data-area="${area.code}">
<h2 id="area-${area.id}">${name}</h2>
${table({
    label: fillIn(tc(locale, 'catalogue.area.table'), { area: name }),
    rowHeader: true,
    columns: [
      { label: tc(locale, 'catalogue.col.name') },
      { label: tc(locale, 'catalogue.col.code') },
      { label: tc(locale, 'catalogue.col.kind') },
      { label: tc(locale, 'catalogue.col.validity') },
      { label: tc(locale, 'catalogue.col.levels'), numeric: true },
      { label: tc(locale, 'catalogue.col.keeper') },
    ],
    rows: area.competences.map((c) => ({
      attrs: html` data-competence="${c.code}"`,
      cells: [
        localized(c.name, locale),
        html`<code>${c.code}</code>`,
        tc(locale, `catalogue.kind.${c.kind}`),
        c.defaultValidityMonths === null ? tc(locale, 'catalogue.validity.none') : fillIn(tc(locale, 'catalogue.validity.months'), { months: c.defaultValidityMonths }),
        c.levels.length,
        keeper(c.ownerTenantId),
      ],
    })),
  })}
</section>`;
}

async function cataloguePage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, notice?: string, fileError?: string): Promise<void> {
  const { locale } = ctx;
  const areas = await listCatalogue(db, ctx.session.tenantId);
  const ownerIds = [...new Set(areas.flatMap((a) => a.competences.map((c) => c.ownerTenantId)))];
  const owners = new Map(
    ownerIds.length ? (await db.selectFrom('tenants').select(['id', 'name']).where('id', 'in', ownerIds).execute()).map((t) => [t.id, t.name]) : [],
  );
  const withCompetences = areas.filter((a) => a.competences.length > 0);
  const intro = ctx.tenantKind === 'region' ? 'catalogue.intro.region' : 'catalogue.intro.municipality';
  const body = html`<h1>${tc(locale, 'catalogue.title')}</h1>
<p>${fillIn(tc(locale, intro), { tenant: ctx.tenantName })}</p>
<p>${link(ctx.href('/admin/competence/requirements'), tc(locale, 'req.title'), html` data-requirements-link`)}</p>
${ctx.tenantKind === 'municipality' ? html`<p>${link(ctx.href('/admin/competence/holdings/import'), th(locale, 'import.link'), html` data-holdings-import-link`)}</p>` : ''}
${notice ? alert('success', notice, { live: 'status', attrs: html` data-catalogue-notice` }) : ''}
${withCompetences.length ? withCompetences.map((a) => areaSection(ctx, a, owners)) : html`<p data-catalogue-empty>${tc(locale, 'catalogue.empty')}</p>`}
<section aria-labelledby="transfer-heading">
<h2 id="transfer-heading">${tc(locale, 'catalogue.transfer')}</h2>
<p>${link(ctx.href(`${CATALOGUE_PAGE}/export.csv`), tc(locale, 'catalogue.export'), html` download data-catalogue-export`)}</p>
<form method="post" action="${ctx.href(`${CATALOGUE_PAGE}/import`)}" enctype="multipart/form-data">
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="file">${tc(locale, 'catalogue.file')}</label>
<p class="ds-paragraph" data-field="description" id="file-hint">${tc(locale, 'catalogue.file.hint')}</p>
<input class="ds-input" id="file" name="file" type="file" accept=".csv,text/csv"${fileError ? html` aria-invalid="true" aria-describedby="file-hint file-error"` : html` aria-describedby="file-hint"`}>
${fileError ? html`<p class="ds-validation-message" data-field="validation" id="file-error">${fileError}</p>` : ''}
</div>
${button(tc(locale, 'catalogue.preview.button'))}
</form>
</section>`;
  await render(res, db, ctx, status, tc(locale, 'catalogue.title'), body);
}

async function readUpload(req: Request): Promise<{ name: string; bytes: Buffer } | 'missing' | 'too-large'> {
  const file = await readFormFile(req, CATALOGUE_FILE_LIMIT);
  return typeof file === 'string' ? file : { name: file.filename.slice(0, 200), bytes: file.bytes };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function planSummary(ctx: AdminContext, plan: CataloguePlan): SafeHtml {
  const { locale } = ctx;
  const items = [
    fillIn(tc(locale, 'catalogue.preview.added'), { count: plan.competencesAdded.length }) + (plan.competencesAdded.length ? `: ${plan.competencesAdded.join(', ')}` : ''),
    fillIn(tc(locale, 'catalogue.preview.changed'), { count: plan.competencesChanged.length }) + (plan.competencesChanged.length ? `: ${plan.competencesChanged.join(', ')}` : ''),
    fillIn(tc(locale, 'catalogue.preview.unchanged'), { count: plan.unchanged }),
    ...(plan.areasAdded.length ? [fillIn(tc(locale, 'catalogue.preview.areas'), { names: plan.areasAdded.join(', ') })] : []),
    ...(plan.notInFile.length ? [fillIn(tc(locale, 'catalogue.preview.kept'), { names: plan.notInFile.join(', ') })] : []),
    ...(plan.ignoredColumns.length ? [fillIn(tc(locale, 'catalogue.preview.ignored'), { names: plan.ignoredColumns.join(', ') })] : []),
  ];
  return html`<ul class="ds-list" data-catalogue-plan>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

function problemsTable(ctx: AdminContext, plan: CataloguePlan): SafeHtml {
  const { locale } = ctx;
  return html`${alert('danger', html`<p>${tc(locale, 'catalogue.problems.intro')}</p>`, { heading: tc(locale, 'catalogue.problems.title'), live: 'alert' })}
${table({
    label: tc(locale, 'catalogue.problems.title'),
    rowHeader: true,
    columns: [{ label: tc(locale, 'catalogue.problems.line'), numeric: true }, { label: tc(locale, 'catalogue.problems.problem') }],
    rows: plan.problems.map((p) => ({ attrs: html` data-problem-line="${p.line}"`, cells: [p.line, catalogueProblemText(p, locale)] })),
  })}`;
}

async function previewPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, fileName: string, text: string, plan: CataloguePlan, stale = false): Promise<void> {
  const { locale } = ctx;
  const nothing = plan.competencesAdded.length + plan.competencesChanged.length + plan.areasRenamed.length === 0;
  const body = html`<h1>${tc(locale, 'catalogue.preview.title')}</h1>
${fileName ? html`<p>${fillIn(tc(locale, 'catalogue.preview.file'), { name: fileName })}</p>` : ''}
${stale ? alert('warning', tc(locale, 'catalogue.stale'), { live: 'alert' }) : ''}
${planSummary(ctx, plan)}
${plan.problems.length
    ? problemsTable(ctx, plan)
    : nothing
      ? html`<p data-catalogue-nothing>${tc(locale, 'catalogue.preview.nothing')}</p>`
      : html`<form method="post" action="${CATALOGUE_PAGE}/import/apply">
${hiddenFields(ctx)}
<input type="hidden" name="file" value="${Buffer.from(text, 'utf8').toString('base64')}">
<input type="hidden" name="sha256" value="${sha256(text)}">
<input type="hidden" name="name" value="${fileName}">
${buttonRow(button(tc(locale, 'catalogue.apply'), { attrs: html` data-catalogue-apply` }), linkButton(ctx.href(CATALOGUE_PAGE), tc(locale, 'catalogue.cancel'), { variant: 'secondary' }))}
</form>`}
${plan.problems.length || nothing ? html`<p>${linkButton(ctx.href(CATALOGUE_PAGE), tc(locale, 'catalogue.title'), { variant: 'secondary' })}</p>` : ''}`;
  await render(res, db, ctx, status, tc(locale, 'catalogue.preview.title'), body);
}

export interface CatalogueRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
}

/** The competence catalogue for a municipality's or a region's administrator (`/admin/competence`). */
export function catalogueRouter({ db, sessions }: CatalogueRouterDeps): Router {
  const router = Router();

  router.get(CATALOGUE_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const added = param(req, 'added');
    const changed = param(req, 'changed');
    const notice = param(req, 'notice') === 'imported' && added && changed && /^\d+$/.test(added) && /^\d+$/.test(changed)
      ? fillIn(tc(ctx.locale, 'catalogue.imported'), { added, changed })
      : undefined;
    await cataloguePage(res, db, ctx, 200, notice);
  });

  router.get(`${CATALOGUE_PAGE}/export.csv`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const csv = catalogueToCsv(await listCatalogue(db, ctx.session.tenantId, { ownOnly: true, includeRetired: true }));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="kompetansekatalog.csv"');
    res.send(csv);
  });

  router.post(`${CATALOGUE_PAGE}/import`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const upload = await readUpload(req);
    if (upload === 'missing' || upload === 'too-large') {
      const message = upload === 'missing' ? tc(ctx.locale, 'catalogue.file.missing') : fillIn(tc(ctx.locale, 'catalogue.file.too-large'), { limit: '512 KiB' });
      await cataloguePage(res, db, ctx, upload === 'missing' ? 400 : 413, undefined, message);
      return;
    }
    const text = decodeCsv(upload.bytes);
    const plan = await previewCatalogueImport(db, ctx.session.tenantId, text);
    await previewPage(res, db, ctx, plan.problems.length ? 422 : 200, upload.name, text, plan);
  });

  router.post(`${CATALOGUE_PAGE}/import/apply`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const encoded = param(req, 'file') ?? '';
    const text = Buffer.from(encoded, 'base64').toString('utf8');
    const name = (param(req, 'name') ?? '').slice(0, 200);
    if (!encoded || sha256(text) !== param(req, 'sha256')) {
      await cataloguePage(res, db, ctx, 400, undefined, tc(ctx.locale, 'catalogue.stale'));
      return;
    }
    try {
      const plan = await applyCatalogueImport(db, ctx.session.tenantId, text, personActor(ctx.session.personId));
      req.log.info({ tenant: ctx.session.tenantId, added: plan.competencesAdded.length, changed: plan.competencesChanged.length }, 'competence catalogue imported');
      res.redirect(303, ctx.href(CATALOGUE_PAGE, { notice: 'imported', added: String(plan.competencesAdded.length), changed: String(plan.competencesChanged.length) }));
    } catch (error) {
      // The catalogue changed since the preview (another import took a code): show the file's problems now.
      if (!(error instanceof CatalogueImportRefused)) throw error;
      await previewPage(res, db, ctx, 409, name, text, await previewCatalogueImport(db, ctx.session.tenantId, text), true);
    }
  });

  router.use(refusalHandler);
  return router;
}
