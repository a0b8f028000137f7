import { createHash } from 'node:crypto';
import { Router } from 'express';

// Kept as a string so the build needs no copy step. Colours meet WCAG 2.1 AA contrast (4.5:1).
const APP_CSS = `
:root { --ink: #1d2430; --muted: #4a5563; --accent: #0b5cad; --paper: #ffffff; --band: #eef2f7; --danger: #a4161a; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); line-height: 1.5; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; }
.skip-link:focus { left: 1rem; z-index: 10; }
.site-header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 1rem; padding: .75rem 1.5rem; background: var(--band); }
.brand { margin: 0; font-weight: 700; font-size: 1.25rem; }
.brand a { color: var(--ink); text-decoration: none; }
.languages { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.languages [aria-current] { font-weight: 700; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.75rem; line-height: 1.2; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.5rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.error-page h1 { color: var(--danger); }
.reference { color: var(--muted); font-family: ui-monospace, monospace; }
@media (max-width: 30rem) { dl.facts { grid-template-columns: 1fr; } main { padding: 1rem; } }
`;

const APP_CSS_ETAG = `"${createHash('sha1').update(APP_CSS).digest('hex')}"`;

export function assetsRouter(): Router {
  const router = Router();
  router.get('/assets/app.css', (req, res) => {
    res.setHeader('ETag', APP_CSS_ETAG);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (req.headers['if-none-match'] === APP_CSS_ETAG) {
      res.status(304).end();
      return;
    }
    res.type('text/css').send(APP_CSS);
  });
  return router;
}
