import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { statusListCredential, certificateUrls } from '../../certificates/credential.js';
import type { Certificates } from '../../certificates/service.js';
import { verifyAnything, verifyCode, verifyCredential, VERIFY_INPUT_LIMIT, type AttestedView, type Verification } from '../../certificates/verification.js';
import type { Schema } from '../../db/schema.js';
import { addressGroup, FailureBuckets, type FailurePolicy } from '../../xapi/auth-throttle.js';
import { alert, button, facts } from '../ds/components.js';
import { errorSummary, textarea, type FormState } from '../ds/fields.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { formatDate } from '../learner/messages.js';
import { readFormParts } from '../competence/form-parts.js';
import { ProblemError } from '../problem.js';
import { tcert } from './messages.js';

export const VERIFY_PAGE = '/verify';
/**
 * Guessing codes: each address may fail 20 times at once, then once every 3 seconds (1,200 a hour
 * against 2^100 codes). A lookup that finds a certificate gives its token back, so checking many
 * real certificates (an employer's whole staff) is not held back by it.
 */
export const VERIFY_FAILURES: FailurePolicy = { burst: 20, refillMs: 3_000 };
/** An uploaded kursbevis is read for its code and dropped; never kept, never parsed beyond that. */
export const VERIFY_PDF_LIMIT = 5 * 1024 * 1024;

/**
 * The verification code of a kursbevis this tool made: its verification address is in the PDF's
 * document properties (Keywords: a literal string object, never compressed). Undefined when the
 * bytes hold none.
 */
export function codeInPdf(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1');
  const keywords = /\/Keywords\s+(?:(\d+)\s+0\s+R|\()/.exec(text);
  if (!keywords) return undefined;
  const value = keywords[1] === undefined ? text.slice(keywords.index + keywords[0].length - 1) : text.slice(text.indexOf(`\n${keywords[1]} 0 obj`) + 1);
  return /^(?:\d+ 0 obj\s*)?\(https?:\/\/[^()\s]*\/verify\/([0-9A-Za-z-]{20,40})\)/.exec(value)?.[1];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface VerifyRouterDeps {
  readonly db: Kysely<Schema>;
  readonly certificates: Certificates;
  readonly now?: () => number;
  /** The brake on failures (VERIFY_FAILURES unless a test sets another). */
  readonly policy?: FailurePolicy;
}

const SEVERITY = { valid: 'success', revoked: 'danger', expired: 'warning', 'not-issued-here': 'warning', tampered: 'danger', malformed: 'warning' } as const;
const dayOf = (date: string) => new Date(`${date}T12:00:00Z`);

function attestedFacts(locale: Locale, view: AttestedView): SafeHtml {
  const items: [string, SafeHtml | string, SafeHtml?][] = [
    [tcert(locale, 'attests.name'), view.name ?? tcert(locale, 'attests.holder-erased'), html` data-attests="name"`],
    [tcert(locale, 'attests.what'), view.path ? tcert(locale, 'attests.path', { title: view.path.title, version: view.path.versionNumber }) : tcert(locale, 'attests.kind.holding'), html` data-attests="what"`],
  ];
  if (view.path?.steps.length) items.push([tcert(locale, 'attests.steps'), html`<ul class="ds-list">${view.path.steps.map((s) => html`<li>${s}</li>`)}</ul>`]);
  if (view.competences.length) {
    items.push([tcert(locale, 'attests.competences'), html`<ul class="ds-list">${view.competences.map((c) => html`<li data-attests-competence="${c.code}">${c.name[locale] ?? c.name.nb}${c.expiresOn ? ` (${tcert(locale, 'attests.expires').toLowerCase()} ${formatDate(locale, dayOf(c.expiresOn))})` : ''}</li>`)}</ul>`]);
  }
  items.push([tcert(locale, 'attests.achieved'), formatDate(locale, dayOf(view.achievedOn))]);
  items.push([tcert(locale, 'attests.expires'), view.expiresOn ? formatDate(locale, dayOf(view.expiresOn)) : tcert(locale, 'attests.never')]);
  if (view.revokedAt) items.push([tcert(locale, 'attests.revoked'), formatDate(locale, new Date(view.revokedAt)), html` data-attests="revoked"`]);
  items.push([tcert(locale, 'attests.issuer'), view.issuer.region ? `${view.issuer.name} (${view.issuer.region})` : view.issuer.name]);
  items.push([tcert(locale, 'attests.code'), html`<code>${view.code}</code>`]);
  return facts(items);
}

function resultSection(locale: Locale, result: Verification): SafeHtml {
  const reason = result.reason === 'signing-key-expired' || result.reason === 'credential-expired' ? html`<p>${tcert(locale, `reason.${result.reason}`)}</p>` : '';
  return html`<section aria-labelledby="result-heading" data-verification="${result.status}">
<h2 id="result-heading">${tcert(locale, 'verify.result')}</h2>
${alert(SEVERITY[result.status], html`<p>${tcert(locale, `status.${result.status}`)}</p>${reason}`, { live: 'status' })}
${result.certificate ? attestedFacts(locale, result.certificate) : ''}
</section>`;
}

/** The public verification page, its JSON API, and what outside verifiers fetch (status lists, issuer profiles). */
export function verifyRouter(deps: VerifyRouterDeps): Router {
  const router = Router();
  const failures = new FailureBuckets(deps.policy ?? VERIFY_FAILURES, deps.now ?? Date.now);
  const { certificates } = deps;

  /** Verifies under the brake: undefined when the address must wait (Retry-After set). */
  async function throttled(req: Request, res: Response, verify: () => Promise<Verification>): Promise<Verification | undefined> {
    const address = addressGroup(req.ip ?? req.socket.remoteAddress ?? '');
    const wait = failures.take(address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      return undefined;
    }
    const result = await verify();
    if (result.certificate) failures.give(address);
    return result;
  }

  function sendVerifyPage(req: Request, res: Response, status: number, input: string, result: Verification | 'too-many' | undefined, error?: string, field: 'input' | 'pdf' = 'input'): void {
    const locale = requestLocale(req);
    const state: FormState = { locale, values: { input: input.slice(0, VERIFY_INPUT_LIMIT) }, errors: new Map(error ? [[field, error]] : []) };
    const pdfError = state.errors.get('pdf');
    const title = tcert(locale, 'verify.title');
    res.setHeader('Cache-Control', 'no-store');
    const body = html`<h1>${title}</h1>
<p>${tcert(locale, 'verify.intro')}</p>
${errorSummary(state, { input: tcert(locale, 'verify.input'), pdf: tcert(locale, 'verify.pdf') })}
<form method="post" action="${VERIFY_PAGE}${req.query['lang'] ? `?lang=${locale}` : ''}" enctype="multipart/form-data" novalidate data-form="verify">
${textarea(state, 'input', tcert(locale, 'verify.input'), { hint: tcert(locale, 'verify.input.hint'), rows: 3, maxlength: VERIFY_INPUT_LIMIT })}
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="pdf">${tcert(locale, 'verify.pdf')}</label>
<p class="ds-paragraph" data-field="description" id="pdf-hint">${tcert(locale, 'verify.pdf.hint')}</p>
<input class="ds-input" id="pdf" name="pdf" type="file" accept=".pdf,application/pdf"${pdfError ? html` aria-invalid="true" aria-describedby="pdf-hint pdf-error"` : html` aria-describedby="pdf-hint"`}>
${pdfError ? html`<p class="ds-validation-message" data-field="validation" id="pdf-error">${pdfError}</p>` : ''}
</div>
${button(tcert(locale, 'verify.button'))}
</form>
${result === 'too-many' ? alert('warning', tcert(locale, 'too-many'), { live: 'alert', attrs: html` data-verification="too-many"` }) : result ? resultSection(locale, result) : ''}`;
    sendPage(res, status, page({ locale, title, body, path: req.path }));
  }

  router.get(VERIFY_PAGE, (req, res) => sendVerifyPage(req, res, 200, '', undefined));

  router.post(VERIFY_PAGE, async (req, res) => {
    const locale = requestLocale(req);
    let raw: unknown = (req.body as Record<string, unknown> | undefined)?.['input'];
    let pdf: Buffer | 'too-large' | undefined;
    if (req.is('multipart/form-data')) {
      const form = await readFormParts(req, VERIFY_PDF_LIMIT);
      raw = form.fields.get('input');
      pdf = form.file === 'too-large' ? 'too-large' : form.file?.bytes.length ? form.file.bytes : undefined;
    }
    const typed = typeof raw === 'string' ? raw.trim() : '';
    if (pdf === 'too-large') return sendVerifyPage(req, res, 413, typed, undefined, tcert(locale, 'verify.pdf.too-large'), 'pdf');
    if (pdf && !pdf.subarray(0, 1024).toString('latin1').includes('%PDF-')) return sendVerifyPage(req, res, 415, typed, undefined, tcert(locale, 'verify.pdf.not-pdf'), 'pdf');
    const fromPdf = pdf ? codeInPdf(pdf) : undefined;
    if (pdf && !fromPdf && !typed) return sendVerifyPage(req, res, 422, typed, undefined, tcert(locale, 'verify.pdf.no-code'), 'pdf');
    const input = fromPdf ?? typed;
    if (!input) return sendVerifyPage(req, res, 400, '', undefined, tcert(locale, 'verify.input.missing'));
    const result = await throttled(req, res, () => verifyAnything(certificates.verifier, input));
    sendVerifyPage(req, res, result ? 200 : 429, input, result ?? 'too-many');
  });

  router.get(`${VERIFY_PAGE}/:code`, async (req, res) => {
    const code = String(req.params['code'] ?? '');
    const result = await throttled(req, res, () => verifyCode(certificates.verifier, code));
    sendVerifyPage(req, res, result ? (result.certificate ? 200 : 404) : 429, code, result ?? 'too-many');
  });

  const answer = (res: Response, result: Verification | undefined) => {
    if (!result) throw new ProblemError('verification-too-many-requests', 'Too many failed verifications from this address.');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json(result);
  };

  router.get('/api/verify/:code', async (req, res) => {
    const code = String(req.params['code'] ?? '');
    answer(res, await throttled(req, res, () => verifyCode(certificates.verifier, code)));
  });

  router.post('/api/verify', async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const code = body?.['code'];
    const credential = body?.['credential'];
    if (!body || typeof body !== 'object' || Array.isArray(body) || (typeof code === 'string') === (typeof credential === 'string')) {
      throw new ProblemError('validation-failed', 'Send a JSON object with either "code" (a verification code) or "credential" (a credential JWT), as a string.');
    }
    answer(res, await throttled(req, res, () => (typeof code === 'string' ? verifyCode(certificates.verifier, code) : verifyCredential(certificates.verifier, credential as string))));
  });

  // Bitstring Status List v1.0: the municipality's revocation list, signed; read at once on every request.
  router.get('/certificates/status/:tenantId', async (req, res) => {
    const tenantId = String(req.params['tenantId'] ?? '').toLowerCase();
    const tenant = UUID.test(tenantId) ? await deps.db.selectFrom('tenants').select('id').where('id', '=', tenantId).where('kind', '=', 'municipality').executeTakeFirst() : undefined;
    if (!tenant) throw new ProblemError('not-found', 'No such status list.');
    const list = await statusListCredential(deps.db, tenant.id, certificates.publicUrl, certificates.keys);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Vary', 'Accept');
    if (req.accepts(['application/vc+jwt', 'application/json']) === 'application/json') res.json(list.credential);
    else res.type('application/vc+jwt').send(list.jwt);
  });

  // The issuer's profile (Open Badges 3.0 Profile): the municipality, with the tool's address.
  router.get('/certificates/issuers/:tenantId', async (req, res) => {
    const tenantId = String(req.params['tenantId'] ?? '').toLowerCase();
    const tenant = UUID.test(tenantId) ? await deps.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', tenantId).where('kind', '=', 'municipality').executeTakeFirst() : undefined;
    if (!tenant) throw new ProblemError('not-found', 'No such issuer.');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json({ '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], id: certificateUrls(certificates.publicUrl).issuer(tenant.id), type: ['Profile'], name: tenant.name, url: certificates.publicUrl });
  });

  return router;
}
