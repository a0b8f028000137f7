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
/* The development LMS's pages (src/dev-lms) */
.dev-lms code { overflow-wrap: anywhere; }
.dev-lms select { font: inherit; max-width: 100%; }
.dev-lms .hint { color: var(--muted); }
.dev-lms .table-wrap { overflow-x: auto; }
.dev-lms table { border-collapse: collapse; }
.dev-lms th, .dev-lms td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--band); }
.dev-lms-warning { border-left: 4px solid var(--danger); padding: .5rem 1rem; }
.dev-lms iframe { border: 1px solid var(--muted); }
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
/* Learner pages (src/web/learner) */
.learner-path .button, .learner-step .button, .learner-step button { display: inline-block; font: inherit; padding: .6rem 1rem; border-radius: .25rem; border: 2px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; }
.learner .notice { background: var(--band); padding: .75rem 1rem; border-left: 4px solid var(--accent); }
.learner .problem { border: 2px solid var(--danger); padding: .75rem 1rem; margin: 1rem 0; }
.learner .problem h2 { margin-top: 0; font-size: 1.1rem; color: var(--danger); }
.learner .path-description { white-space: pre-line; }
.learner .path-progress { margin: 1rem 0; }
.learner .path-progress label { display: block; font-weight: 600; }
.learner .path-progress progress { width: 100%; max-width: 30rem; height: 1.25rem; }
.learner .path-progress p { margin: .25rem 0 0; }
.learner .path-completed { border: 2px solid #1b6e37; padding: .75rem 1rem; margin: 1rem 0; }
.learner .path-completed h2 { margin-top: 0; color: #1b6e37; }
.learner ol.steps { list-style: none; padding: 0; }
.learner .step { border: 1px solid #c5ccd6; border-radius: .25rem; padding: .75rem 1rem; margin: 0 0 .75rem; }
.learner .step h3 { margin: 0 0 .25rem; font-size: 1.1rem; overflow-wrap: anywhere; }
.learner .step p { margin: .25rem 0; }
.learner .step-next { border: 3px solid var(--accent); background: var(--band); }
.learner .step-next-label { font-weight: 700; color: var(--accent); }
.learner .step-completed .step-state::before { content: "✓ "; }
.learner .my-paths { list-style: none; padding: 0; }
.learner .my-paths > li { border: 1px solid #c5ccd6; border-radius: .25rem; padding: .75rem 1rem; margin: 0 0 .75rem; }
.learner .my-paths h3 { margin: 0 0 .25rem; font-size: 1.1rem; overflow-wrap: anywhere; }
.learner .my-paths p { margin: .25rem 0; }
.learner .my-paths progress { width: 100%; max-width: 20rem; height: 1rem; vertical-align: middle; }
.learner .to-my-paths { margin: 0 0 1rem; }
.learner .outcome { border: 2px solid var(--accent); padding: .75rem 1rem; margin: 1rem 0; }
.learner .outcome-failed { border-color: var(--danger); }
.learner .outcome h2 { margin-top: 0; font-size: 1.1rem; }
.start-page .actions { padding-left: 1.25rem; }
.start-page .actions li { margin: .5rem 0; }
.learner .step-locked { color: var(--muted); }
.learner .step-meta, .learner .hint { color: var(--muted); }
.learner .step-recommended { font-weight: 600; }
.learner fieldset.rating { border: 1px solid #c5ccd6; border-radius: .25rem; margin: 0 0 1rem; padding: .5rem 1rem 1rem; }
.learner fieldset.rating legend { font-weight: 600; padding: 0 .25rem; }
.learner .choice { display: flex; align-items: center; gap: .5rem; padding: .25rem 0; }
.learner .choice input { width: 1.25rem; height: 1.25rem; margin: 0; }
.learner .choice-inline { display: inline-flex; margin-right: 1rem; }
.learner .field { margin: 0 0 1rem; }
.learner .field label { display: block; font-weight: 600; }
.learner .field textarea { width: 100%; font: inherit; }
.learner .step-form { margin: 1rem 0; }
.learner .step-video { width: 100%; max-height: 60vh; }
.learner .step-video-frame { position: relative; padding-top: 56.25%; }
.learner .step-video-frame iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
@media (max-width: 30rem) { dl.facts { grid-template-columns: 1fr; } main { padding: 1rem; } }
`;

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
  '/assets/app.css': asset('text/css', APP_CSS),
  '/favicon.svg': asset('image/svg+xml', FAVICON_SVG),
  '/favicon.ico': asset('image/svg+xml', FAVICON_SVG),
};

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
  return router;
}
