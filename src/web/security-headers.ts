import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';

/** The security headers of every page (helmet), with the policy our pages are written for. */
export function pageSecurityHeaders(config: Config): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'style-src': ["'self'"],
        'script-src': ["'self'"],
        'form-action': ["'self'"],
        // Pages are shown inside LMS iframes; launch routes set their own frame-ancestors.
        'frame-ancestors': ["'self'"],
        'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    // frame-ancestors above supersedes X-Frame-Options, which cannot name several LMS origins.
    frameguard: false,
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
  });
}

/**
 * The same headers as values, for pages answered ahead of Express (direct-routes.ts): helmet's
 * headers depend on its configuration only, so they are taken once from the middleware itself.
 */
export function pageSecurityHeaderValues(config: Config): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name];
    },
    getHeader: (name: string) => headers[name],
  };
  let passed = false;
  pageSecurityHeaders(config)({ headers: {} } as IncomingMessage as never, response as unknown as ServerResponse as never, (error?: unknown) => {
    if (error) throw error;
    passed = true;
  });
  if (!passed) throw new Error('the page security headers could not be taken from helmet');
  return headers;
}
