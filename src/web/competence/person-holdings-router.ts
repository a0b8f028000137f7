import { Router, type Request, type Response } from 'express';
import { managerScope } from '../../access/manager-scope.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { personActor, recordAudit, type AuditActor } from '../../audit/audit-log.js';
import { listCatalogue } from '../../competence/catalogue.js';
import { EVIDENCE_EXTENSION, EVIDENCE_FILE_LIMIT, type EvidenceStore } from '../../competence/evidence-files.js';
import { holdingStatus, HoldingNotFound, listPersonHoldings, revokeHolding, today, type Holding } from '../../competence/holdings.js';
import { registrationProblemText } from '../../competence/holdings-messages.js';
import { findPersonFile, holdingFiles, isPersonHolding, registerHolding, RegistrationRefused, REGISTRATION_FIELDS, type HoldingFile } from '../../competence/registered.js';
import { personRecord } from '../../organisation/org-queries.js';
import { activeEmploymentsIn } from '../../organisation/unit-scope.js';
import { alert, button, link, table } from '../ds/components.js';
import { errorSummary, input, select, textarea, type FormState } from '../ds/fields.js';
import { tds } from '../ds/messages.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { adminContext, notFound, sendAdminPage } from '../organisation/admin-context.js';
import { showDate } from '../organisation/format.js';
import { to } from '../organisation/messages.js';
import { PEOPLE_PAGE } from '../organisation/org-pages.js';
import { pageContext, requireTouch, type AccessDeps } from '../access/page-context.js';
import { th } from './holdings-messages.js';
import type { Certificates } from '../../certificates/service.js';
import { certificateTitle, sendPdf } from '../certificates/learner-router.js';
import { tcert } from '../certificates/messages.js';
import { tc } from './messages.js';
import { readFormParts } from './form-parts.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ADMIN_HOLDINGS = '/admin/people/:personId/competence';
export const MANAGER_HOLDINGS = '/manage/people/:personId/competence';
const REVOKE_LIMIT = 1000;

/** Who is looking at whose competence, and how their page is sent. */
interface Viewer {
  readonly view: 'admin' | 'manager';
  readonly tenantId: string;
  readonly actor: AuditActor;
  readonly locale: Locale;
  readonly hidden: SafeHtml;
  href(path: string, query?: Record<string, string>): string;
  readonly personId: string;
  readonly personName: string;
  /** The person's competence page: /admin/people/<id>/competence or /manage/people/<id>/competence. */
  readonly base: string;
  /** The person's own page, where the competence page is linked from. */
  readonly personPage: string;
  send(status: number, title: string, body: SafeHtml): Promise<void>;
}

function routeParam(req: Request, name: string): string {
  const value = (req.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export interface PersonHoldingsDeps extends AccessDeps {
  store: EvidenceStore;
  /** The person's certificates, downloadable by the administrator and the manager (audited). */
  certificates?: Certificates;
}

const blank = (locale: Locale, values: Record<string, string> = {}): FormState => ({ locale, values, errors: new Map() });

function fileSize(locale: Locale, bytes: number): string {
  const number = (n: number) => new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 1 }).format(n);
  return bytes >= 1024 * 1024 ? `${number(bytes / (1024 * 1024))} MB` : `${number(Math.max(1, Math.round(bytes / 1024)))} kB`;
}

const FILE_TYPE: Record<HoldingFile['mediaType'], string> = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };

function evidenceCell(viewer: Viewer, holding: Holding, file: HoldingFile | undefined): SafeHtml {
  const { locale } = viewer;
  const parts: (SafeHtml | string)[] = [th(locale, `source.${holding.source}`)];
  if (holding.path) parts.push(fillIn(tc(locale, 'mine.evidence.path'), { title: holding.path.title, version: holding.path.versionNumber }));
  const number = holding.evidence['number'];
  const issuer = holding.evidence['issuer'];
  const documented = [typeof number === 'string' ? fillIn(th(locale, 'evidence.number'), { number }) : '', typeof issuer === 'string' ? fillIn(th(locale, 'evidence.issuer'), { issuer }) : ''].filter(Boolean).join(', ');
  if (documented) parts.push(documented);
  if (file) parts.push(link(viewer.href(`${viewer.base}/files/${file.id}`), fillIn(th(locale, 'evidence.file'), { type: FILE_TYPE[file.mediaType], size: fileSize(locale, file.sizeBytes) }), html` download data-evidence-file="${file.id}"`));
  if (holding.renewsId) parts.push(th(locale, 'evidence.renews'));
  if (holding.revocation) parts.push(fillIn(tc(locale, 'mine.revoked.reason'), { reason: holding.revocation.reason }));
  return html`${parts.map((p, i) => html`${i ? html`<br>` : ''}${p}`)}`;
}

interface PageForms {
  register: FormState;
  /** A refused revocation: its holding and form. */
  revoke?: { holdingId: string; state: FormState };
  notice?: string | undefined;
}

async function holdingsPage(deps: PersonHoldingsDeps, viewer: Viewer, status: number, forms: PageForms): Promise<void> {
  const { locale } = viewer;
  const { db } = deps;
  const onDate = today();
  const holdings = await listPersonHoldings(db, viewer.tenantId, viewer.personId);
  const files = await holdingFiles(db, viewer.tenantId, holdings.map((h) => h.id));
  const competences = (await listCatalogue(db, viewer.tenantId)).flatMap((a) => a.competences).filter((c) => !c.retired);
  const name = (texts: { nb: string; nn: string | null; en: string | null }) => texts[locale] ?? texts.nb;
  competences.sort((a, b) => name(a.name).localeCompare(name(b.name), locale));
  const title = fillIn(th(locale, 'person.title'), { name: viewer.personName });
  const labels: Record<string, string> = {
    competence: th(locale, 'register.competence'),
    level: th(locale, 'register.level'),
    'achieved-on': th(locale, 'register.achieved-on'),
    'expires-on': th(locale, 'register.expires-on'),
    number: th(locale, 'register.number'),
    issuer: th(locale, 'register.issuer'),
    file: th(locale, 'register.file'),
  };
  const register = forms.register;
  const fileError = register.errors.get('file');
  const revocable = holdings.filter((h) => !h.revocation);
  const certificateList = deps.certificates ? await deps.certificates.listFor(viewer.tenantId, viewer.personId) : undefined;
  const body = html`<h1 data-holdings-person="${viewer.personId}">${title}</h1>
<p>${fillIn(th(locale, 'person.intro'), { name: viewer.personName })}</p>
${forms.notice ? alert('success', forms.notice, { live: 'status', attrs: html` data-notice` }) : ''}
${register.errors.size ? errorSummary(register, labels) : forms.revoke ? errorSummary(forms.revoke.state, { [`reason-${forms.revoke.holdingId}`]: th(locale, 'revoke.reason') }) : ''}
<section aria-labelledby="held-heading">
<h2 id="held-heading">${th(locale, 'held.title')}</h2>
${holdings.length === 0 ? html`<p data-holdings-empty>${th(locale, 'held.empty')}</p>` : table({
    label: th(locale, 'held.title'),
    rowHeader: true,
    columns: [
      { label: th(locale, 'col.competence') },
      { label: th(locale, 'col.level'), numeric: true },
      { label: th(locale, 'col.status') },
      { label: th(locale, 'col.achieved') },
      { label: th(locale, 'col.expires') },
      { label: th(locale, 'col.evidence') },
    ],
    rows: holdings.map((h) => ({
      attrs: html` data-holding="${h.id}" data-competence="${h.competence.code}" data-source="${h.source}" data-status="${holdingStatus(h, onDate)}"`,
      cells: [
        name(h.competence.name),
        h.level ?? '',
        tc(locale, `mine.status.${holdingStatus(h, onDate)}`),
        showDate(locale, h.achievedOn),
        h.expiresOn === null ? tc(locale, 'mine.expires.never') : showDate(locale, h.expiresOn),
        evidenceCell(viewer, h, files.get(h.id)),
      ],
    })),
  })}
${revocable.map((h) => {
    const id = `reason-${h.id}`;
    const refused = forms.revoke?.holdingId === h.id ? forms.revoke.state : blank(locale);
    return html`<details class="ds-details" data-revoke="${h.id}"${forms.revoke?.holdingId === h.id ? html` open` : ''}>
<summary>${fillIn(th(locale, 'revoke.summary'), { competence: `${name(h.competence.name)} (${showDate(locale, h.achievedOn)})` })}</summary>
<div>
<form method="post" action="${viewer.href(`${viewer.base}/${h.id}/revoke`)}" novalidate data-form="revoke">
${textarea(refused, id, th(locale, 'revoke.reason'), { name: 'reason', hint: th(locale, 'revoke.reason.hint'), rows: 3, maxlength: REVOKE_LIMIT })}
${button(th(locale, 'revoke.button'), { variant: 'secondary', danger: true })}
</form>
</div>
</details>`;
  })}
</section>
${certificateList ? html`<section aria-labelledby="certificates-heading" data-person-certificates>
<h2 id="certificates-heading">${tcert(locale, 'manage.title')}</h2>
${certificateList.length === 0 ? html`<p>${tcert(locale, 'manage.none')}</p>` : html`<ul class="ds-list">${certificateList.map(({ certificate, standing }) => html`<li data-certificate="${certificate.id}" data-certificate-status="${standing.status}">${link(viewer.href(`${viewer.base}/certificates/${certificate.id}/kursbevis.pdf`), tcert(locale, 'manage.download', { what: certificateTitle(locale, certificate) }), html` download`)} (${tcert(locale, `mine.state.${standing.status}`)})</li>`)}</ul>`}
</section>` : ''}
<section aria-labelledby="register-heading">
<h2 id="register-heading">${th(locale, 'register.title')}</h2>
<p>${th(locale, 'register.intro')}</p>
<form method="post" action="${viewer.href(viewer.base)}" enctype="multipart/form-data" novalidate data-form="register">
${select(register, 'competence', labels['competence']!, competences.map((c) => ({ value: c.id, label: `${name(c.name)} (${c.code})` })), { placeholder: th(locale, 'register.competence.choose') })}
${input(register, 'level', labels['level']!, { optional: true, inputmode: 'numeric', hint: th(locale, 'register.level.hint') })}
${input(register, 'achieved-on', labels['achieved-on']!, { hint: th(locale, 'register.date.hint') })}
${input(register, 'expires-on', labels['expires-on']!, { optional: true, hint: th(locale, 'register.expires-on.hint') })}
${input(register, 'number', labels['number']!, { optional: true })}
${input(register, 'issuer', labels['issuer']!, { wide: true })}
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="file">${labels['file']} <span class="app-optional">(${tds(locale, 'form.optional')})</span></label>
<p class="ds-paragraph" data-field="description" id="file-hint">${th(locale, 'register.file.hint')}</p>
<input class="ds-input" id="file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"${fileError ? html` aria-invalid="true" aria-describedby="file-hint file-error"` : html` aria-describedby="file-hint"`}>
${fileError ? html`<p class="ds-validation-message" data-field="validation" id="file-error">${fileError}</p>` : ''}
</div>
${button(th(locale, 'register.button'))}
</form>
</section>
<p class="app-muted">${th(locale, 'person.audited')}</p>`;
  await viewer.send(status, title, body);
}

/** The form's problems as the page shows them, by field. */
function refusedRegistration(locale: Locale, values: Record<string, string>, error: RegistrationRefused): FormState {
  const errors = new Map<string, string>();
  for (const field of REGISTRATION_FIELDS) {
    const problem = error.problems.get(field);
    if (!problem) continue;
    const value = field === 'competence' ? '' : values[field] ?? '';
    errors.set(field, registrationProblemText(field, problem, locale, { value }));
  }
  return { locale, values, errors };
}

function statusOf(error: RegistrationRefused): number {
  const problems = [...error.problems.values()];
  if (problems.length === 1 && problems[0] === 'file-too-large') return 413;
  if (problems.length === 1 && problems[0] === 'file-type') return 415;
  if (problems.length === 1 && problems[0] === 'person-erased') return 409;
  return 400;
}

const NOTICES = ['registered', 'renewed', 'revoked'] as const;

/**
 * A person's competence for a municipality's administrator (`/admin/people/:personId/competence`)
 * and for a manager with the person in their units (`/manage/people/:personId/competence`): the
 * holdings with their evidence, registering a holding (with an evidence file), revoking one, and the
 * evidence files as downloads. Every view and download is audited; a person outside the viewer's
 * municipality or units is not found, alike for reads, writes and files.
 */
export function personHoldingsRouter(deps: PersonHoldingsDeps): Router {
  const router = Router();
  const { db, sessions, store } = deps;

  async function adminViewer(req: Request, res: Response): Promise<Viewer> {
    const ctx = await adminContext(req, res, db, sessions, { municipalityOnly: true });
    const personId = routeParam(req, 'personId');
    const record = UUID.test(personId) ? await personRecord(db, ctx.session.tenantId, personId) : undefined;
    if (!record) throw notFound();
    const personName = record.name ?? th(ctx.locale, 'person.unnamed');
    const personPage = `${PEOPLE_PAGE}/${record.personId}`;
    return {
      view: 'admin',
      tenantId: ctx.session.tenantId,
      actor: personActor(ctx.session.personId),
      locale: ctx.locale,
      hidden: ctx.hidden,
      href: ctx.href,
      personId: record.personId,
      personName,
      base: `${personPage}/competence`,
      personPage,
      send: (status, title, body) => sendAdminPage(res, db, ctx, status, {
        title,
        path: `${personPage}/competence`,
        body,
        crumbs: [{ label: to(ctx.locale, 'people.title'), path: PEOPLE_PAGE }, { label: personName, path: personPage }],
      }),
    };
  }

  async function managerViewer(req: Request, res: Response, routeKey: string): Promise<Viewer> {
    const rule = ROUTE_DECISIONS[routeKey]!;
    const ctx = await pageContext(req, res, deps, rule);
    const personId = routeParam(req, 'personId');
    if (!UUID.test(personId)) throw notFound();
    const day = today();
    const scope = await managerScope(db, ctx.principal.tenantId, ctx.principal.personId, day);
    const employments = (await activeEmploymentsIn(db, ctx.principal.tenantId, [...scope.unitIds], day)).filter((e) => e.personId === personId);
    // Outside the manager's units (another unit, another municipality, no one): not found, alike.
    requireTouch(ctx, rule, { unitIds: employments.map((e) => e.unitId), scope });
    const personName = employments[0]?.name ?? th(ctx.locale, 'person.unnamed');
    const personPage = `/manage/people/${personId}`;
    return {
      view: 'manager',
      tenantId: ctx.principal.tenantId,
      actor: personActor(ctx.principal.personId),
      locale: ctx.locale,
      hidden: ctx.hidden,
      href: ctx.href,
      personId,
      personName,
      base: `${personPage}/competence`,
      personPage,
      send: async (status, title, body) => {
        const back = html`<p>${link(ctx.href(personPage), fillIn(th(ctx.locale, 'person.back'), { name: personName }), html` data-person-link`)}</p>`;
        sendPage(res, status, page({ locale: ctx.locale, title, path: `${personPage}/competence`, keep: ctx.keep, theme: ctx.theme, body: html`${back}${body}` }));
      },
    };
  }

  // The same pages for both; a manager's request is decided against its route's own rule.
  const viewers: { route: string; viewer: (req: Request, res: Response, routeKey: string) => Promise<Viewer> }[] = [
    { route: ADMIN_HOLDINGS, viewer: adminViewer },
    { route: MANAGER_HOLDINGS, viewer: managerViewer },
  ];

  for (const { route, viewer } of viewers) {
    const viewerOf = (req: Request, res: Response, method: string, suffix: string) => viewer(req, res, `${method} ${route}${suffix}`);
    router.get(route, async (req, res) => {
      const viewer = await viewerOf(req, res, 'GET', '');
      await recordAudit(db, { tenantId: viewer.tenantId, actor: viewer.actor, action: 'competence.holdings.viewed', subjectPersonId: viewer.personId, details: { view: viewer.view } });
      const asked = NOTICES.find((n) => n === param(req, 'notice'));
      await holdingsPage(deps, viewer, 200, { register: blank(viewer.locale), notice: asked ? th(viewer.locale, `notice.${asked}`) : undefined });
    });

    router.post(route, async (req, res) => {
      const viewer = await viewerOf(req, res, 'POST', '');
      const form = await readFormParts(req, EVIDENCE_FILE_LIMIT);
      const values = Object.fromEntries(REGISTRATION_FIELDS.filter((f) => f !== 'file').map((f) => [f, (form.fields.get(f) ?? '').slice(0, 2000)]));
      const file = form.file === 'too-large' ? 'too-large' : form.file?.bytes;
      try {
        const registered = await registerHolding(db, store, viewer.tenantId, viewer.personId, {
          competence: values['competence'] ?? '',
          level: values['level'] ?? '',
          achievedOn: values['achieved-on'] ?? '',
          expiresOn: values['expires-on'] ?? '',
          number: values['number'] ?? '',
          issuer: values['issuer'] ?? '',
          file,
        }, viewer.actor, today());
        req.log.info({ holding: registered.holdingId, renews: registered.renewsId, file: registered.fileId !== null, view: viewer.view }, 'competence holding registered');
        res.redirect(303, viewer.href(viewer.base, { notice: registered.renewsId ? 'renewed' : 'registered' }));
      } catch (error) {
        if (!(error instanceof RegistrationRefused)) throw error;
        await holdingsPage(deps, viewer, statusOf(error), { register: refusedRegistration(viewer.locale, values, error) });
      }
    });

    router.post(`${route}/:holdingId/revoke`, async (req, res) => {
      const viewer = await viewerOf(req, res, 'POST', '/:holdingId/revoke');
      const holdingId = routeParam(req, 'holdingId');
      if (!UUID.test(holdingId) || !(await isPersonHolding(db, viewer.tenantId, viewer.personId, holdingId))) throw notFound();
      const reason = (param(req, 'reason') ?? '').trim();
      if (!reason || reason.length > REVOKE_LIMIT) {
        const state: FormState = { locale: viewer.locale, values: { reason: reason.slice(0, REVOKE_LIMIT + 100) }, errors: new Map([[`reason-${holdingId}`, th(viewer.locale, reason ? 'revoke.reason.long' : 'revoke.reason.missing')]]) };
        await holdingsPage(deps, viewer, 400, { register: blank(viewer.locale), revoke: { holdingId, state } });
        return;
      }
      try {
        await revokeHolding(db, viewer.tenantId, holdingId, viewer.actor, reason);
      } catch (error) {
        if (error instanceof HoldingNotFound) throw notFound();
        throw error;
      }
      res.redirect(303, viewer.href(viewer.base, { notice: 'revoked' }));
    });

    // A person's certificate as PDF, for the administrator and a manager with the person in their units; audited.
    router.get(`${route}/certificates/:certificateId/kursbevis.pdf`, async (req, res) => {
      const viewer = await viewerOf(req, res, 'GET', '/certificates/:certificateId/kursbevis.pdf');
      const certificateId = routeParam(req, 'certificateId');
      const certificate = UUID.test(certificateId) && deps.certificates ? await deps.certificates.findOf(viewer.tenantId, viewer.personId, certificateId.toLowerCase()) : undefined;
      if (!certificate || !deps.certificates) throw notFound();
      const pdf = await deps.certificates.pdf(certificate, viewer.locale);
      await recordAudit(db, { tenantId: viewer.tenantId, actor: viewer.actor, action: 'certificate.downloaded', subjectPersonId: viewer.personId, object: { kind: 'certificate', id: certificate.id }, details: { view: viewer.view } });
      sendPdf(res, certificate, pdf);
    });

    router.get(`${route}/files/:fileId`, async (req, res) => {
      const viewer = await viewerOf(req, res, 'GET', '/files/:fileId');
      const fileId = routeParam(req, 'fileId');
      const file = UUID.test(fileId) ? await findPersonFile(db, viewer.tenantId, viewer.personId, fileId.toLowerCase()) : undefined;
      if (!file) throw notFound();
      const bytes = await store.read(file.id);
      await recordAudit(db, {
        tenantId: viewer.tenantId,
        actor: viewer.actor,
        action: 'competence.holding.file.downloaded',
        subjectPersonId: viewer.personId,
        object: { kind: 'competence-holding', id: file.holdingId },
        details: { view: viewer.view, file: file.id },
      });
      const filename = `${file.competenceCode.replace(/[^A-Za-z0-9._-]/g, '_')}-${file.achievedOn}.${EVIDENCE_EXTENSION[file.mediaType]}`;
      res.setHeader('Content-Type', file.mediaType);
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('Cache-Control', 'no-store');
      res.end(bytes);
    });
  }

  router.use(refusalHandler);
  return router;
}
