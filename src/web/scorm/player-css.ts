// The player's own styles (CSP allows stylesheets from 'self' only). Contrast meets WCAG 2.1 AA.
export const PLAYER_CSS = `
.player { max-width: none; }
.player-toc ol { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.player-toc .depth-2 { margin-left: 1rem; }
.player-toc a[aria-current] { font-weight: 700; }
.player-controls { display: flex; gap: 1rem; margin: .5rem 0; }
.player-controls .button { display: inline-block; padding: .4rem .9rem; border: 2px solid var(--accent); border-radius: .3rem; text-decoration: none; }
.sco-frame { width: 100%; min-height: 70vh; border: 1px solid #8a94a3; }
.player-back { margin: 0 0 .5rem; }
.locked { color: var(--muted); }
.locked-notice { padding: .75rem 1rem; background: var(--band); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
