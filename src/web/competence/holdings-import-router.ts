import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor } from '../../audit/audit-log.js';
import { today } from '../../competence/holdings.js';
import { applyHoldingsImport, HoldingsImportRefused, previewHoldingsImport, type HoldingsPlan } from '../../competence/holdings-import.js';
import { holdingsProblemText } from '../../competence/holdings-messages.js';
import { sha256Hex } from '../../competence/evidence-files.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { decodeCsv } from '../../tenants/municipality-csv.js';
import { readFormFile } from '../design-transfer/multipart-file.js';
import { alert, button, buttonRow, linkButton, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn } from '../i18n.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { adminContext, sendAdminPage, type AdminContext } from '../organisation/admin-context.js';
import { th } from './holdings-messages.js';

export const HOLDINGS_IMPORT_PAGE = '/admin/competence/holdings/import';
/**
 * About 8,000 rows of employee number, code, dates, number and issuer; the confirmation carries the
 * file back in a form (within the 1 MB form limit). Larger files go through the command line.
 */
export const HOLDINGS_FILE_LIMIT = 512 * 1024;

const sha256 = (text: string) => sha256Hex(Buffer.from(text, 'utf8'));

async function send(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, title: string, body: SafeHtml): Promise<void> {
  await sendAdminPage(res, db, ctx, status, { title, path: HOLDINGS_IMPORT_PAGE, body, crumbs: [{ label: th(ctx.locale, 'import.back'), path: '/admin/competence' }] });
}

async function uploadPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, notice?: string, fileError?: string): Promise<void> {
  const { locale } = ctx;
  const body = html`<h1>${th(locale, 'import.title')}</h1>
<p>${th(locale, 'import.intro')}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-import-notice` }) : ''}
<form method="post" action="${ctx.href(HOLDINGS_IMPORT_PAGE)}" enctype="multipart/form-data" data-form="holdings-import">
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="file">${th(locale, 'import.file')}</label>
<p class="ds-paragraph" data-field="description" id="file-hint">${th(locale, 'import.file.hint')}</p>
<input class="ds-input" id="file" name="file" type="file" accept=".csv,text/csv"${fileError ? html` aria-invalid="true" aria-describedby="file-hint file-error"` : html` aria-describedby="file-hint"`}>
${fileError ? html`<p class="ds-validation-message" data-field="validation" id="file-error">${fileError}</p>` : ''}
</div>
${button(th(locale, 'import.preview.button'))}
</form>`;
  await send(res, db, ctx, status, th(locale, 'import.title'), body);
}

async function previewPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, fileName: string, text: string, plan: HoldingsPlan, conflict = false): Promise<void> {
  const { locale } = ctx;
  const items = [
    fillIn(th(locale, 'import.preview.added'), { count: plan.added, people: plan.people }),
    ...(plan.renewals ? [fillIn(th(locale, 'import.preview.renewals'), { count: plan.renewals })] : []),
    fillIn(th(locale, 'import.preview.unchanged'), { count: plan.unchanged }),
    ...(plan.ignoredColumns.length ? [fillIn(th(locale, 'import.preview.ignored'), { names: plan.ignoredColumns.join(', ') })] : []),
  ];
  const body = html`<h1>${th(locale, 'import.preview.title')}</h1>
${fileName ? html`<p>${fillIn(th(locale, 'import.preview.file'), { name: fileName })}</p>` : ''}
${conflict ? alert('warning', th(locale, 'import.conflict'), { live: 'alert' }) : ''}
${plan.problems.length ? '' : html`<ul class="ds-list" data-import-plan>${items.map((item) => html`<li>${item}</li>`)}</ul>`}
${plan.problems.length
    ? html`${alert('danger', html`<p>${th(locale, 'import.problems.intro')}</p>`, { heading: th(locale, 'import.problems.title'), live: 'alert' })}
${table({
    label: th(locale, 'import.problems.title'),
    rowHeader: true,
    columns: [{ label: th(locale, 'import.problems.line'), numeric: true }, { label: th(locale, 'import.problems.problem') }],
    rows: plan.problems.map((p) => ({ attrs: html` data-problem-line="${p.line}"`, cells: [p.line, holdingsProblemText(p, locale)] })),
  })}`
    : plan.added === 0
      ? html`<p data-import-nothing>${th(locale, 'import.preview.nothing')}</p>`
      : html`<form method="post" action="${HOLDINGS_IMPORT_PAGE}/apply">
${ctx.hidden}
<input type="hidden" name="file" value="${Buffer.from(text, 'utf8').toString('base64')}">
<input type="hidden" name="sha256" value="${sha256(text)}">
<input type="hidden" name="name" value="${fileName}">
${buttonRow(button(th(locale, 'import.apply'), { attrs: html` data-import-apply` }), linkButton(ctx.href(HOLDINGS_IMPORT_PAGE), th(locale, 'import.cancel'), { variant: 'secondary' }))}
</form>`}
${plan.problems.length || plan.added === 0 ? html`<p>${linkButton(ctx.href(HOLDINGS_IMPORT_PAGE), th(locale, 'import.title'), { variant: 'secondary' })}</p>` : ''}`;
  await send(res, db, ctx, status, th(locale, 'import.preview.title'), body);
}

/** Holdings imported from a CSV file by a municipality's administrator: upload, preview, confirm. */
export function holdingsImportRouter({ db, sessions }: { db: Kysely<Schema>; sessions: SessionTokens }): Router {
  const router = Router();
  const context = (req: Request, res: Response) => adminContext(req, res, db, sessions, { municipalityOnly: true });

  router.get(HOLDINGS_IMPORT_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const added = param(req, 'added');
    const unchanged = param(req, 'unchanged');
    const notice = param(req, 'notice') === 'imported' && added && unchanged && /^\d+$/.test(added) && /^\d+$/.test(unchanged)
      ? fillIn(th(ctx.locale, 'import.done'), { added, unchanged })
      : undefined;
    await uploadPage(res, db, ctx, 200, notice);
  });

  router.post(HOLDINGS_IMPORT_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const upload = await readFormFile(req, HOLDINGS_FILE_LIMIT);
    if (upload === 'missing' || upload === 'too-large') {
      await uploadPage(res, db, ctx, upload === 'missing' ? 400 : 413, undefined, th(ctx.locale, upload === 'missing' ? 'import.file.missing' : 'import.file.too-large'));
      return;
    }
    const text = decodeCsv(upload.bytes);
    const plan = await previewHoldingsImport(db, ctx.session.tenantId, text, today());
    await previewPage(res, db, ctx, plan.problems.length ? 422 : 200, upload.filename.slice(0, 200), text, plan);
  });

  router.post(`${HOLDINGS_IMPORT_PAGE}/apply`, async (req, res) => {
    const ctx = await context(req, res);
    const encoded = param(req, 'file') ?? '';
    const text = Buffer.from(encoded, 'base64').toString('utf8');
    const name = (param(req, 'name') ?? '').slice(0, 200);
    if (!encoded || sha256(text) !== param(req, 'sha256')) {
      await uploadPage(res, db, ctx, 400, undefined, th(ctx.locale, 'import.stale'));
      return;
    }
    try {
      const plan = await applyHoldingsImport(db, ctx.session.tenantId, text, personActor(ctx.session.personId), today());
      req.log.info({ tenant: ctx.session.tenantId, added: plan.added, unchanged: plan.unchanged }, 'competence holdings imported');
      res.redirect(303, ctx.href(HOLDINGS_IMPORT_PAGE, { notice: 'imported', added: String(plan.added), unchanged: String(plan.unchanged) }));
    } catch (error) {
      // Something changed since the preview (a person left, a competence was retired): show the file's problems now.
      if (!(error instanceof HoldingsImportRefused)) throw error;
      await previewPage(res, db, ctx, 409, name, text, await previewHoldingsImport(db, ctx.session.tenantId, text, today()), true);
    }
  });

  router.use(refusalHandler);
  return router;
}
