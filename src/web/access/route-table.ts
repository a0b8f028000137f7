import type { Express } from 'express';
import { decisionFor, ROUTE_DECISIONS } from '../../access/route-decisions.js';
import type { AccessRule } from '../../access/rules.js';
import { GATE_ROUTER } from './gate.js';

/** A route the app serves: its method (`USE` for a handler mounted on a path) and its path as declared. */
export interface ServedRoute {
  method: string;
  path: string;
}

interface LayerLike {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[]; [GATE_ROUTER]?: boolean };
  rawPath?: string | string[] | RegExp;
  slash?: boolean;
}

const joined = (prefix: string, path: string) => (prefix === '' ? path : `${prefix}${path === '/' ? '' : path}`);

function paths(raw: string | string[] | RegExp | undefined): string[] {
  if (raw === undefined) return ['/'];
  if (raw instanceof RegExp) return [raw.toString()];
  return Array.isArray(raw) ? raw : [raw];
}

/**
 * Every route of the app, read from its router stack (routers inside routers included): route
 * layers by method and path, and handlers mounted on a path (`router.use('/xapi', …)`). Handlers
 * mounted on the root (body parsers, security headers, error handlers) serve no route of their own.
 */
export function servedRoutes(app: Express): ServedRoute[] {
  const found: ServedRoute[] = [];
  const walk = (stack: readonly LayerLike[], prefix: string) => {
    for (const layer of stack) {
      if (layer.handle?.[GATE_ROUTER]) continue;
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const path of paths(layer.route.path)) for (const method of methods) found.push({ method, path: joined(prefix, path) });
      } else if (layer.handle?.stack) {
        for (const path of paths(layer.rawPath)) walk(layer.handle.stack, path === '/' ? prefix : joined(prefix, path));
      } else if (!layer.slash && !paths(layer.rawPath).every((p) => p === '/')) {
        for (const path of paths(layer.rawPath)) found.push({ method: 'USE', path: joined(prefix, path) });
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return found;
}

/** The routes the app serves that have no access decision. */
export function undecidedRoutes(app: Express, decisions: Readonly<Record<string, AccessRule>> = ROUTE_DECISIONS): ServedRoute[] {
  return servedRoutes(app).filter((r) => !decisionFor(r.method, r.path, decisions));
}

/** Refuses to serve an app with a route nobody decided access for; names each such route. */
export function assertEveryRouteDecided(app: Express, decisions: Readonly<Record<string, AccessRule>> = ROUTE_DECISIONS): void {
  const missing = undecidedRoutes(app, decisions);
  if (missing.length > 0) {
    throw new Error(`routes without an access decision in src/access/route-decisions.ts: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  }
}
