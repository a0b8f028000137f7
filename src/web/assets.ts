import { createHash } from 'node:crypto';
import { Router } from 'express';
import { SCRIPTS } from './ds/scripts.js';
import { STYLESHEETS } from './ds/stylesheets.js';
import { accentThemeCss, normaliseHex } from './ds/theme.js';

// A path of three steps to a goal, in the accent colour; browsers that ask for /favicon.ico get it too.
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5cad"/><path d="M7 24c4 0 4-8 9-8s5-8 9-8" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="7" cy="24" r="3" fill="#fff"/><circle cx="16" cy="16" r="3" fill="#fff"/><circle cx="25" cy="8" r="3" fill="#f0b400"/></svg>`;

interface Asset {
  readonly type: string;
  readonly body: string;
  readonly etag: string;
}

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha1').update(body).digest('hex')}"` };
}

const ASSETS: Record<string, Asset> = {
  '/favicon.svg': asset('image/svg+xml', FAVICON_SVG),
  '/favicon.ico': asset('image/svg+xml', FAVICON_SVG),
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Generated accent themes by colour; a handful per installation, one per municipality at most. */
const themes = new Map<string, Asset>();
const MAX_CACHED_THEMES = 500;

export function assetsRouter(): Router {
  const router = Router();
  router.get(Object.keys(ASSETS), (req, res) => {
    const { type, body, etag } = ASSETS[req.path]!;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.type(type).send(body);
  });
  // Designsystemet and our own stylesheet under names that carry their content hash.
  for (const sheet of STYLESHEETS) {
    router.get(sheet.href, (_req, res) => {
      res.setHeader('ETag', sheet.etag);
      res.setHeader('Cache-Control', IMMUTABLE);
      res.type('text/css').send(sheet.body);
    });
  }
  // Browser scripts (Chart.js and the report charts) under names that carry their content hash.
  for (const script of SCRIPTS) {
    router.get(script.href, (_req, res) => {
      res.setHeader('ETag', script.etag);
      res.setHeader('Cache-Control', IMMUTABLE);
      res.type('text/javascript').send(script.body);
    });
  }
  // A municipality's accent as theme tokens: the CSS depends on the colour alone, so it is cacheable for good.
  router.get('/assets/theme/:accent.css', async (req, res) => {
    const hex = normaliseHex(`#${req.params['accent'] ?? ''}`);
    if (!hex || `#${req.params['accent']}` !== hex) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    let theme = themes.get(hex);
    if (!theme) {
      theme = asset('text/css', await accentThemeCss(hex));
      if (themes.size >= MAX_CACHED_THEMES) themes.clear();
      themes.set(hex, theme);
    }
    res.setHeader('ETag', theme.etag);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.type('text/css').send(theme.body);
  });
  return router;
}

export const themeHref = (hex: string) => `/assets/theme/${hex.slice(1)}.css`;
