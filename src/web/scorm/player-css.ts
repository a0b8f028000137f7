// The SCORM player's frame: what Designsystemet has no component for, on its tokens (CSP allows
// stylesheets from 'self' only). The page around it is Designsystemet's.
export const PLAYER_CSS = `
main:has(.player) { max-width: none; }
.player-toc ol { list-style: none; padding: 0; margin: 0 0 var(--ds-size-4); display: flex; flex-wrap: wrap; gap: var(--ds-size-1) var(--ds-size-4); }
.player-toc .depth-2 { margin-inline-start: var(--ds-size-4); }
.player-toc a { color: var(--ds-color-accent-text-subtle); }
.player-toc a[aria-current] { font-weight: var(--ds-font-weight-semibold); }
.player-controls { display: flex; gap: var(--ds-size-4); margin: var(--ds-size-2) 0; }
.sco-frame { width: 100%; min-height: 70vh; border: var(--ds-border-width-default) solid var(--ds-color-neutral-border-default); background: #fff; }
.locked { color: var(--ds-color-neutral-text-subtle); }
.player-back { margin: 0 0 var(--ds-size-2); }
`;
