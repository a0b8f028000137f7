import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { applyImport, canImportInto, ImportRefusal, listImports, previewImport, showImport, type ImportActor } from '../../organisation/hr-import/hr-import.js';
import { FormFileStream, formDataBoundary } from '../design-transfer/multipart-file.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../problem.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { ti } from './messages.js';
import { hrefOf, IMPORT_PAGE, megabytes, notMunicipalityPage, previewPage, SCRIPT_PATH, uploadPage, type ImportView } from './pages.js';
import { ORG_IMPORT_JS } from './script.js';

/** A national-scale municipality's export (50,000 employments) is about 7 MB. */
export const HR_IMPORT_LIMIT_BYTES = 50 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface OrgImportRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  /** The largest HR file accepted (a 60,000-row export is about 8 MB). */
  uploadLimitBytes: number;
}

interface Context {
  session: LtiSession;
  view: ImportView;
  actor: ImportActor;
}

class UploadRefusal extends Error {
  constructor(readonly code: 'file.none' | 'file.too-large') {
    super(code);
  }
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/**
 * The municipality administrator's HR import (`/admin/org/import`): upload, preview, apply. Only
 * the admin role, only for the session's own municipality; another municipality's import is 404.
 */
export function orgImportRouter({ db, sessions, uploadLimitBytes }: OrgImportRouterDeps): Router {
  const router = Router();

  /** The session's context, or undefined when the answer (a region admin's page) has been sent. */
  async function context(req: Request, res: Response): Promise<Context | undefined> {
    const session = await requireSession(req, sessions, ['admin']);
    await allowFramingByPlatform(res, db, session);
    res.setHeader('Cache-Control', 'no-store');
    const lang = toLocale(param(req, 'lang'));
    const locale: Locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
    const view: ImportView = { locale, token: sessionToken(req)!, lang, theme: await pageTheme(db, session.tenantId) };
    if (!(await canImportInto(db, session.tenantId))) {
      req.resume();
      sendPage(res, 403, notMunicipalityPage(view));
      return undefined;
    }
    return { session, view, actor: { kind: 'person', id: session.personId } };
  }

  /** The file's bytes: the request body (the page's script) or the form's first file (without script). */
  async function receive(req: Request): Promise<{ bytes: Buffer; name: string }> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > uploadLimitBytes + 64 * 1024) {
      req.resume();
      throw new UploadRefusal('file.too-large');
    }
    const boundary = formDataBoundary(req.headers['content-type']);
    const source = boundary ? new FormFileStream(boundary, uploadLimitBytes + 64 * 1024) : undefined;
    // A plain form post (no file) was read already by the form parser: there is nothing to wait for.
    if (!source && req.readableEnded) throw new UploadRefusal('file.none');
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = source ?? req;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= uploadLimitBytes) chunks.push(chunk);
        });
        stream.on('end', resolve);
        stream.on('error', reject);
        if (source) {
          req.on('error', reject);
          req.pipe(source);
        }
      });
    } catch (error) {
      if (source) req.unpipe(source);
      req.resume();
      if (error instanceof ProblemError && error.type === 'payload-too-large') throw new UploadRefusal('file.too-large');
      if (error instanceof ProblemError) throw new UploadRefusal('file.none');
      throw error;
    }
    if (size > uploadLimitBytes) throw new UploadRefusal('file.too-large');
    if (size === 0) throw new UploadRefusal('file.none');
    const asked = source ? source.filename : typeof req.query['name'] === 'string' ? req.query['name'] : undefined;
    return { bytes: Buffer.concat(chunks), name: (asked ?? '').slice(0, 255) || 'hr.csv' };
  }

  router.get(SCRIPT_PATH, (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(ORG_IMPORT_JS);
  });

  router.get(IMPORT_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    if (!ctx) return;
    sendPage(res, 200, uploadPage(ctx.view, uploadLimitBytes, await listImports(db, ctx.session.tenantId)));
  });

  router.post(IMPORT_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    if (!ctx) return;
    const { locale } = ctx.view;
    let upload;
    try {
      upload = await receive(req);
    } catch (error) {
      if (!(error instanceof UploadRefusal)) throw error;
      const status = error.code === 'file.too-large' ? 413 : 400;
      const text = (l: Locale) => ti(l, error.code, { size: megabytes(uploadLimitBytes, l) });
      req.log.info({ refusal: error.code }, 'HR import upload refused');
      if (wantsJson(req)) {
        const problem = new ProblemError(status === 413 ? 'payload-too-large' : 'validation-failed', text('en'), { messages: { nb: text('nb'), nn: text('nn'), en: text('en') } });
        res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.toBody(req.originalUrl)));
        return;
      }
      sendPage(res, status, uploadPage(ctx.view, uploadLimitBytes, await listImports(db, ctx.session.tenantId), text(locale)));
      return;
    }
    const preview = await previewImport(db, { tenantId: ctx.session.tenantId, actor: ctx.actor, fileName: upload.name, bytes: upload.bytes });
    req.log.info({ import: preview.record.id, rows: preview.record.counts.rows, badRows: preview.record.counts.badRows }, 'HR import previewed');
    const href = hrefOf(ctx.view, `${IMPORT_PAGE}/${preview.record.id}`);
    if (wantsJson(req)) res.status(201).json({ id: preview.record.id, href, counts: preview.record.counts });
    else res.redirect(303, href);
  });

  router.get(`${IMPORT_PAGE}/:id`, async (req, res) => {
    const ctx = await context(req, res);
    if (!ctx) return;
    const id = String(req.params['id']);
    const shown = UUID.test(id) ? await showImport(db, ctx.session.tenantId, id) : undefined;
    if (!shown) throw new ProblemError('not-found', 'No such import of your municipality.');
    const { record, preview } = shown;
    const notice = record.status === 'applied' ? { kind: 'applied' as const, at: record.appliedAt! } : preview ? undefined : { kind: 'expired' as const };
    sendPage(res, 200, previewPage(ctx.view, record, preview, notice));
  });

  router.post(`${IMPORT_PAGE}/:id/apply`, async (req, res) => {
    const ctx = await context(req, res);
    if (!ctx) return;
    const id = String(req.params['id']);
    if (!UUID.test(id)) throw new ProblemError('not-found', 'No such import of your municipality.');
    try {
      await applyImport(db, { tenantId: ctx.session.tenantId, importId: id, actor: ctx.actor, sha256: param(req, 'sha256') ?? '' });
    } catch (error) {
      if (!(error instanceof ImportRefusal)) throw error;
      if (error.code === 'not-found') throw new ProblemError('not-found', 'No such import of your municipality.');
      req.log.info({ import: id, refusal: error.code }, 'HR import not applied');
      const shown = await showImport(db, ctx.session.tenantId, id);
      sendPage(res, 409, previewPage(ctx.view, shown!.record, shown!.preview, { kind: 'refused', text: ti(ctx.view.locale, `refusal.${error.code}`) }));
      return;
    }
    req.log.info({ import: id }, 'HR import applied');
    res.redirect(303, hrefOf(ctx.view, `${IMPORT_PAGE}/${id}`));
  });

  router.use(refusalHandler);
  return router;
}
