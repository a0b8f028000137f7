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
/* Designer pages (src/web/designer) */
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.designer .crumbs ol { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; margin: 0 0 1rem; padding: 0; }
.designer .crumbs li + li::before { content: "›"; margin-right: .5rem; color: var(--muted); }
.designer .notice:not(:empty) { border-left: 4px solid var(--accent); background: var(--band); padding: .5rem 1rem; margin: 0 0 1rem; }
.designer .actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; list-style: none; padding: 0; }
.designer .button, .designer button { display: inline-block; font: inherit; padding: .5rem 1rem; border: 2px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; min-height: 2.75rem; }
.designer button.secondary { background: var(--paper); color: var(--accent); }
.designer button.danger { background: var(--danger); border-color: var(--danger); }
.designer button:focus-visible, .designer input:focus-visible, .designer select:focus-visible, .designer textarea:focus-visible, .designer [tabindex]:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
.designer .field { margin: 0 0 1rem; }
.designer .field > label, .designer legend { display: block; font-weight: 600; }
.designer input[type=text], .designer input[type=url], .designer input[type=number], .designer input[type=date], .designer input[type=time], .designer select, .designer textarea { font: inherit; padding: .4rem; border: 2px solid var(--muted); border-radius: 4px; max-width: 100%; }
.designer input.wide, .designer textarea { width: 100%; }
.designer fieldset { border: 1px solid #c5ccd6; border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem; min-width: 0; }
.designer fieldset.choices { border: 0; padding: 0; }
.designer .choice { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
.designer .choice input { width: 1.25rem; height: 1.25rem; }
.designer .hint, .designer .muted { color: var(--muted); margin: .25rem 0; }
.designer .field-error { color: var(--danger); font-weight: 600; margin: .25rem 0; }
.designer .field-invalid input, .designer .field-invalid select, .designer .field-invalid textarea { border-color: var(--danger); }
.designer .error-summary { border: 4px solid var(--danger); padding: .5rem 1rem; margin: 0 0 1.5rem; }
.designer .error-summary h2 { margin-top: 0; color: var(--danger); }
.designer .note { background: var(--band); padding: .5rem 1rem; }
.designer .buttons { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-top: 1rem; }
.designer .search { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
.designer .search .field { flex: 1 1 14rem; margin: 0; }
.designer .path-list, .designer .signups { list-style: none; padding: 0; }
.designer .path-list > li, .designer .signups > li { border-top: 1px solid #c5ccd6; padding: .5rem 0; }
.designer .path-list h3 { margin: .25rem 0; }
.designer ol.steps { padding-left: 1.75rem; }
.designer .step { border: 1px solid #c5ccd6; border-radius: 4px; padding: .5rem .75rem; margin: 0 0 .75rem; background: var(--paper); }
.designer .step[draggable=true] { cursor: grab; }
.designer .step.dragging { opacity: .5; }
.designer .step-title { font-size: 1.1rem; margin: 0; }
.designer .step-meta { margin: .25rem 0; color: var(--muted); }
.designer .step-actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.designer .step-actions form { margin: 0; }
.designer .table-wrap { overflow-x: auto; }
.designer table { border-collapse: collapse; }
.designer th, .designer td { text-align: left; padding: .25rem .75rem; border-bottom: 1px solid #c5ccd6; }
.designer .preview { border: 2px dashed #c5ccd6; padding: 0 1rem; }
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
