import type { Request, Response } from 'express';

/** Cookies from the header (the app has no cookie parser; LTI needs one cookie). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Replaces CSP directives set by helmet for one response: LTI pages are framed by the LMS
 * (frame-ancestors) and some post forms to it (form-action).
 */
export function adjustCsp(res: Response, directives: { frameAncestors?: readonly string[]; formAction?: readonly string[] }): void {
  const current = String(res.getHeader('Content-Security-Policy') ?? '');
  const parts = current.split(';').map((p) => p.trim()).filter(Boolean);
  const replace = (name: string, values: readonly string[] | undefined) => {
    if (!values) return;
    const index = parts.findIndex((p) => p.startsWith(`${name} `));
    const directive = `${name} ${values.join(' ')}`;
    if (index >= 0) parts[index] = directive;
    else parts.push(directive);
  };
  replace('frame-ancestors', directives.frameAncestors);
  replace('form-action', directives.formAction);
  res.setHeader('Content-Security-Policy', parts.join(';'));
}

/** A string parameter from the query (GET) or the form body (POST). */
export function param(req: Request, name: string): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const value = body[name] ?? (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The origins that may frame pages of a launch from this platform: its issuer and login host. */
export function platformOrigins(platform: { issuer: string; authEndpoint: string }): string[] {
  return [...new Set(["'self'", origin(platform.issuer), origin(platform.authEndpoint)].filter((o): o is string => Boolean(o)))];
}
