import { Router } from 'express';
import type { Database } from '../db/database.js';
import { isCurrent, migrationStatus, type MigrationFile } from '../db/migrations.js';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problem.js';

export interface HealthOptions {
  database: Database;
  migrations: readonly MigrationFile[];
  isShuttingDown: () => boolean;
  /** How long /readyz waits for the database before it answers not ready. */
  timeoutMs?: number;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function healthRouter({ database, migrations, isShuttingDown, timeoutMs = 2000 }: HealthOptions): Router {
  const router = Router();

  // Liveness: the process answers. Deliberately independent of the database, so an orchestrator
  // does not restart a healthy process because PostgreSQL is briefly away.
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const notReady = (detail: string, extensions: Record<string, unknown> = {}) => {
      const problem = new ProblemError('not-ready', detail, { database: database.kind, ...extensions });
      res.status(503).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.toBody(req.originalUrl)));
    };
    if (isShuttingDown()) {
      notReady('The service is shutting down.');
      return;
    }
    let status;
    try {
      status = await withTimeout(migrationStatus(database, migrations), timeoutMs);
    } catch (error) {
      req.log.warn({ err: error }, 'readiness check: database unreachable');
      notReady('The database is not reachable.');
      return;
    }
    if (!isCurrent(status)) {
      notReady('The database schema is not at this version’s migrations.', {
        pending: status.pending,
        unknown: status.unknown,
        changed: status.changed,
      });
      return;
    }
    res.json({ status: 'ready', database: database.kind, migrations: status.applied.length });
  });

  return router;
}
