import type { Request, Response } from 'express';

/** A cookie from the Cookie header (the app has no cookie parser; LTI needs one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
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

/** Directives of a page's CSP that one response replaces. */
export interface CspChanges {
  frameAncestors?: readonly string[];
  formAction?: readonly string[];
}

/**
 * Replaces CSP directives set by helmet for one response: LTI pages are framed by the LMS
 * (frame-ancestors) and some post forms to it (form-action).
 */
export function adjustCsp(res: Response, changes: CspChanges): void {
  res.setHeader('Content-Security-Policy', adjustedCsp(String(res.getHeader('Content-Security-Policy') ?? ''), changes));
}

/** The policy `current` with the changed directives replaced (or added). */
export function adjustedCsp(current: string, changes: CspChanges): string {
  const parts = current.split(';').map((p) => p.trim()).filter(Boolean);
  const replace = (name: string, values: readonly string[] | undefined) => {
    if (!values) return;
    const index = parts.findIndex((p) => p.startsWith(`${name} `));
    const directive = `${name} ${values.join(' ')}`;
    if (index >= 0) parts[index] = directive;
    else parts.push(directive);
  };
  replace('frame-ancestors', changes.frameAncestors);
  replace('form-action', changes.formAction);
  return parts.join(';');
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
