import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { ContentStore } from '../../content/content-store.js';
import { ContentImportError } from '../../content/import-errors.js';
import { importPackage, type ImportedPackage } from '../../content/package-import.js';
import { receiveUpload } from '../../content/upload.js';
import type { ZipLimits } from '../../content/zip-reader.js';
import type { Database } from '../../db/database.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { ArchiveError } from '../../paths/archive/errors.js';
import { archiveStream, ExportRefusal, missingBlobs, prepareExport } from '../../paths/archive/export.js';
import { importPathArchive, type ImportReport } from '../../paths/archive/import.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath } from '../../paths/paths.js';
import { pageTheme } from '../theme/page-theme.js';
import { isUuid } from '../designer/kit.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { refusalHandler } from '../lti/router.js';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../problem.js';
import { importProblem } from '../scorm/import-router.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { fill, tt } from './messages.js';
import { FormFileStream, formDataBoundary } from './multipart-file.js';
import { cmi5TreeLines } from '../designer/cmi5-tree.js';
import { cmi5Tree, exportRefusedPage, IMPORT_PATH, SCRIPT_PATHS, transferPage, UPLOAD_PATH, type Outcome, type TransferKind, type TransferView } from './pages.js';
import { TRANSFER_JS } from './scripts.js';

const DESIGNERS = ['designer', 'admin'] as const;

export interface DesignTransferOptions {
  database: Database;
  sessions: SessionTokens;
  store: ContentStore;
  limits: ZipLimits;
  /** Uploads are streamed here before they are checked (removed afterwards). */
  uploadDir: string;
  uploadLimitBytes: number;
}

/** `?lang=` first, then the language of the launch, then the browser's. */
function localeOf(req: Request, session: LtiSession): Locale {
  return langOf(req) ?? toLocale(session.locale) ?? requestLocale(req);
}

function langOf(req: Request): Locale | undefined {
  return typeof req.query['lang'] === 'string' ? toLocale(req.query['lang']) : undefined;
}

/** The page's view; `?path=` names the designer's own path the page was opened from (for the way back). */
async function viewOf(req: Request, session: LtiSession, db: Database['db']): Promise<TransferView> {
  const asked = typeof req.query['path'] === 'string' ? req.query['path'] : '';
  const path = isUuid(asked) ? await findVisiblePath(db, session.tenantId, asked) : undefined;
  const fromPath = path && path.tenantId === session.tenantId ? { id: path.id, title: path.title } : undefined;
  return { locale: localeOf(req, session), token: sessionToken(req)!, lang: langOf(req), fromPath, theme: await pageTheme(db, session.tenantId) };
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

const allowFraming = (res: Response, database: Database, session: LtiSession) => allowFramingByPlatform(res, database.db, session);

function sendProblem(res: Response, req: Request, problem: ProblemError): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...problem.toBody(req.originalUrl), reference: String(req.id ?? '') }));
}

export function archiveProblem(error: ArchiveError): ProblemError {
  const tooLarge = error.reason?.code === 'upload-too-large';
  return new ProblemError(tooLarge ? 'payload-too-large' : 'path-archive-invalid', error.text('en'), {
    code: error.code,
    ...(error.reason ? { reason: error.reason.code } : {}),
    ...(error.file ? { file: error.file } : {}),
    messages: error.texts(),
  });
}

/**
 * The uploaded zip on disk: the request body itself (the page's script, API clients) or the first
 * file of a multipart form (the page without script). Streamed; refused past `limitBytes`.
 */
async function receive(req: Request, options: DesignTransferOptions): Promise<{ file: string; name: string | undefined; remove(): Promise<void> }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.uploadLimitBytes + 64 * 1024) {
    throw new ContentImportError('upload-too-large', { limit: options.uploadLimitBytes });
  }
  const boundary = formDataBoundary(req.headers['content-type']);
  if (boundary) {
    const form = new FormFileStream(boundary, options.uploadLimitBytes + 64 * 1024);
    req.on('error', (error) => form.destroy(error));
    const upload = await receiveUpload(req.pipe(form), options.uploadDir, options.uploadLimitBytes);
    return { ...upload, name: form.filename || undefined };
  }
  const upload = await receiveUpload(req, options.uploadDir, options.uploadLimitBytes);
  const name = typeof req.query['name'] === 'string' ? req.query['name'].slice(0, 255) : undefined;
  return { ...upload, name };
}

/**
 * The designer's export and import of whole paths, and the package upload, for the tenant of the
 * LTI session (designers and admins only).
 */
export function designTransferRouter(options: DesignTransferOptions): Router {
  const router = Router();
  const { database } = options;
  const deps = { db: database.db, store: options.store, limits: options.limits };

  for (const kind of ['import', 'package'] as TransferKind[]) {
    router.get(SCRIPT_PATHS[kind], (_req, res) => {
      res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(TRANSFER_JS);
    });
  }

  router.get('/design/paths/:pathId/export', async (req, res) => {
    const session = await requireSession(req, options.sessions, DESIGNERS);
    const view = await viewOf(req, session, database.db);
    const { locale } = view;
    const pathId = String(req.params['pathId']);
    // Without ?version= the draft (as before, for scripts); the designer's pages always name the version.
    const asked = typeof req.query['version'] === 'string' ? req.query['version'] : 'draft';
    const version = asked === 'draft' ? 'draft' : /^[1-9]\d{0,8}$/.test(asked) ? Number(asked) : undefined;
    const refuse = async (status: number, problem: ProblemError, text: string, backToPath = true) => {
      if (wantsJson(req)) return sendProblem(res, req, problem);
      await allowFraming(res, database, session);
      sendPage(res, status, exportRefusedPage(view, text, String(req.id ?? ''), backToPath && isUuid(pathId) ? pathId : undefined));
    };
    if (version === undefined) {
      await refuse(400, new ProblemError('validation-failed', 'Give the version as ?version=draft or a published version number.'), fill(tt(locale, 'export.no-version'), { version: asked }));
      return;
    }
    let prepared;
    try {
      prepared = await prepareExport(database.db, session.tenantId, pathId, version);
    } catch (error) {
      if (error instanceof PathError && error.code === 'path-not-found') {
        await refuse(404, new ProblemError('not-found', 'No such path of your organisation.'), tt(locale, 'export.not-found'), false);
        return;
      }
      if (error instanceof PathError && error.code === 'version-not-found') {
        await refuse(404, new ProblemError('not-found', `The path has no published version ${version}.`), fill(tt(locale, 'export.no-version'), { version }));
        return;
      }
      if (error instanceof ExportRefusal) {
        const text = (l: Locale) => fill(tt(l, 'export.package-unavailable'), error.params);
        await refuse(409, new ProblemError('path-export-refused', text('en'), { code: error.code, ...error.params, messages: { nb: text('nb'), nn: text('nn'), en: text('en') } }), text(locale));
        return;
      }
      throw error;
    }
    const missing = await missingBlobs(options.store, prepared);
    if (missing.length > 0) {
      req.log.error({ missing }, 'path export: package blobs missing from the content store');
      await refuse(500, new ProblemError('internal-error', `Package files are missing from the content store: ${missing.join(', ')}.`), fill(tt(locale, 'export.blob-missing'), { file: missing.join(', ') }));
      return;
    }
    res.attachment(prepared.fileName);
    res.type('application/zip').setHeader('Cache-Control', 'no-store');
    req.log.info({ path: req.params['pathId'], version, packages: prepared.manifest.packages.length, person: session.personId }, 'path exported');
    try {
      await pipeline(archiveStream(options.store, prepared), res);
    } catch (error) {
      // Headers are gone: the client sees a broken download, the log says why.
      req.log.error({ err: error }, 'path export failed while streaming');
      res.destroy();
    }
  });

  const showPage = (kind: TransferKind) => async (req: Request, res: Response) => {
    const session = await requireSession(req, options.sessions, DESIGNERS);
    await allowFraming(res, database, session);
    res.setHeader('Cache-Control', 'no-store');
    sendPage(res, 200, transferPage(await viewOf(req, session, database.db), kind, options.uploadLimitBytes));
  };
  router.get(IMPORT_PATH, showPage('import'));
  router.get(UPLOAD_PATH, showPage('package'));

  router.post(IMPORT_PATH, async (req, res) => {
    const session = await requireSession(req, options.sessions, DESIGNERS);
    const view = await viewOf(req, session, database.db);
    const { locale } = view;
    const answer = async (status: number, outcome: Outcome) => {
      await allowFraming(res, database, session);
      sendPage(res, status, transferPage(view, 'import', options.uploadLimitBytes, outcome));
    };
    // The upload is removed before the answer goes out: a client that sees the answer sees no leftovers.
    let outcome: { report: ImportReport } | { refusal: ArchiveError };
    let upload: Awaited<ReturnType<typeof receive>> | undefined;
    try {
      upload = await receive(req, options);
      outcome = { report: await importPathArchive({ ...deps, workDir: options.uploadDir }, session.tenantId, session.personId, upload.file, { archiveName: upload.name ?? 'archive.zip' }) };
    } catch (error) {
      const refusal = error instanceof ContentImportError ? new ArchiveError('archive-unreadable', { file: upload?.name ?? 'archive.zip' }, error) : error;
      if (!(refusal instanceof ArchiveError)) throw error;
      outcome = { refusal };
    } finally {
      await upload?.remove();
    }
    if ('report' in outcome) {
      const { report } = outcome;
      req.log.info({ path: report.pathId, packages: report.packages.length, person: session.personId }, 'path archive imported');
      if (wantsJson(req)) res.status(201).json(report);
      else await answer(201, { kind: 'report', report });
      return;
    }
    const { refusal } = outcome;
    req.log.info({ refusal: refusal.code, reason: refusal.reason?.code, file: refusal.file, detail: refusal.technical ?? refusal.reason?.technical }, 'path archive refused');
    const problem = archiveProblem(refusal);
    if (wantsJson(req)) sendProblem(res, req, problem);
    else await answer(problem.status, { kind: 'refused', text: refusal.text(locale), reference: String(req.id ?? '') });
  });

  router.post(UPLOAD_PATH, async (req, res) => {
    const session = await requireSession(req, options.sessions, DESIGNERS);
    const view = await viewOf(req, session, database.db);
    const { locale } = view;
    const answer = async (status: number, outcome: Outcome) => {
      await allowFraming(res, database, session);
      sendPage(res, status, transferPage(view, 'package', options.uploadLimitBytes, outcome));
    };
    let outcome: { imported: ImportedPackage } | { refusal: ContentImportError };
    let upload: Awaited<ReturnType<typeof receive>> | undefined;
    try {
      upload = await receive(req, options);
      outcome = { imported: await importPackage(deps, session.tenantId, upload.file, upload.name ? { originalName: upload.name } : {}) };
    } catch (error) {
      if (!(error instanceof ContentImportError)) throw error;
      outcome = { refusal: error };
    } finally {
      await upload?.remove();
    }
    if ('imported' in outcome) {
      const { imported } = outcome;
      req.log.info({ package: imported.id, person: session.personId }, 'content package uploaded');
      // A cmi5 course shows its tree, so the designer sees the AUs and their moveOn before using it.
      const tree = imported.manifest.standard === 'cmi5' ? cmi5TreeLines(imported.manifest, locale) : undefined;
      if (wantsJson(req)) {
        res.status(201).json({ id: imported.id, title: imported.title, standard: imported.standard, edition: imported.edition, fileCount: imported.fileCount, ...(tree ? { cmi5Tree: cmi5Tree(locale, tree).toString() } : {}) });
      } else {
        await answer(201, { kind: 'uploaded', title: imported.title, id: imported.id, tree });
      }
      return;
    }
    const { refusal } = outcome;
    req.log.info({ refusal: refusal.code, file: refusal.file, detail: refusal.technical }, 'content package refused');
    const problem = importProblem(refusal);
    if (wantsJson(req)) sendProblem(res, req, problem);
    else await answer(problem.status, { kind: 'refused', text: refusal.text(locale), reference: String(req.id ?? '') });
  });

  router.use(refusalHandler);
  return router;
}
