import { Router } from 'express';
import type { Config } from '../config.js';
import { isLoopbackAddress } from '../loopback.js';

/**
 * The routes of development tools (the development LMS, the upload page, attempts for anyone): they
 * act as anyone in any municipality, so they are served only where config.devLms says. With
 * 'loopback', requests to `mounts` from another machine fall through to the not-found page, since
 * the port usually listens on every interface (HOST 0.0.0.0). Undefined when they are off.
 */
export function developmentRoutes(config: Pick<Config, 'devLms'>, mounts: readonly string[], router: Router): Router | undefined {
  if (config.devLms === 'off') return undefined;
  if (config.devLms === 'on') return router;
  const guarded = Router();
  guarded.use([...mounts], (req, _res, next) => next(isLoopbackAddress(req.socket.remoteAddress) ? undefined : 'router'));
  guarded.use(router);
  return guarded;
}
