import { Router, type Request } from 'express';
import type { ContentStore } from '../../content/content-store.js';
import { ContentImportError } from '../../content/import-errors.js';
import { importPackage } from '../../content/package-import.js';
import { findPackage, listPackages } from '../../content/packages.js';
import { receiveUpload } from '../../content/upload.js';
import type { ZipLimits } from '../../content/zip-reader.js';
import type { Database } from '../../db/database.js';
import { ProblemError } from '../problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImportRouterOptions {
  database: Database;
  store: ContentStore;
  limits: ZipLimits;
  uploadDir: string;
  uploadLimitBytes: number;
}

/** A refusal as problem+json: the code, the file it concerns, and the text in every language. */
export function importProblem(error: ContentImportError): ProblemError {
  const type = error.code === 'upload-too-large' ? 'payload-too-large' : 'content-package-invalid';
  return new ProblemError(type, error.text('en'), { code: error.code, ...(error.file ? { file: error.file } : {}), messages: error.texts() });
}

function tenantOf(req: Request): string {
  const tenant = req.query['tenant'];
  if (typeof tenant !== 'string' || !UUID.test(tenant)) throw new ProblemError('validation-failed', 'Give the tenant id as ?tenant=<uuid>.');
  return tenant;
}

/**
 * The package import API. Until designer sessions arrive with LTI it takes the tenant as a query
 * parameter, so it is mounted outside production only (compose decides); the CLI imports in production.
 */
export function importRouter(options: ImportRouterOptions): Router {
  const router = Router();
  router.post('/api/content/packages', async (req, res) => {
    const tenantId = tenantOf(req);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.uploadLimitBytes) {
      throw importProblem(new ContentImportError('upload-too-large', { limit: options.uploadLimitBytes }));
    }
    let upload: Awaited<ReturnType<typeof receiveUpload>> | undefined;
    try {
      upload = await receiveUpload(req, options.uploadDir, options.uploadLimitBytes);
      const name = typeof req.query['name'] === 'string' ? req.query['name'] : undefined;
      const imported = await importPackage({ db: options.database.db, store: options.store, limits: options.limits }, tenantId, upload.file, name ? { originalName: name } : {});
      res.status(201).json({ id: imported.id, title: imported.title, standard: imported.standard, edition: imported.edition, fileCount: imported.fileCount });
    } catch (error) {
      if (error instanceof ContentImportError) {
        req.log.info({ refusal: error.code, file: error.file, detail: error.technical }, 'content package refused');
        throw importProblem(error);
      }
      throw error;
    } finally {
      await upload?.remove();
    }
  });

  router.get('/api/content/packages', async (req, res) => {
    res.json(await listPackages(options.database.db, tenantOf(req)));
  });

  router.get('/api/content/packages/:id', async (req, res) => {
    const found = UUID.test(req.params['id'] ?? '') ? await findPackage(options.database.db, tenantOf(req), req.params['id']!) : undefined;
    if (!found) throw new ProblemError('not-found', 'No such package.');
    res.json(found);
  });
  return router;
}
