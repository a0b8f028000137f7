import { Router } from 'express';
import { z } from 'zod';
import { AttemptNotFoundError, type ScormRuntime } from '../../scorm/runtime.js';
import { ProblemError } from '../problem.js';

const body = z.object({ tenantId: z.uuid(), personId: z.uuid(), packageId: z.uuid(), fresh: z.boolean().optional() });

/**
 * Opens an attempt without an LTI launch. Never mounted in production: there, only an LTI launch
 * (which knows who the person is) may call `ScormRuntime.openAttempt`.
 */
export function devAttemptRouter(runtime: ScormRuntime, contentBase: string): Router {
  const router = Router();
  router.post('/api/dev/scorm/attempts', async (req, res) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) throw new ProblemError('validation-failed', 'Send {tenantId, personId, packageId} as JSON.');
    const { tenantId, personId, packageId, fresh } = parsed.data;
    try {
      const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId, fresh ? { fresh } : {});
      res.status(201).json({ attemptId, token, playerUrl: `${contentBase}/content/${token}/player` });
    } catch (error) {
      if (error instanceof AttemptNotFoundError) throw new ProblemError('not-found', error.message);
      throw error;
    }
  });
  return router;
}
