// Læringsløp's own CSS: only what Designsystemet has no component for (the page shell, the development
// LMS's frame, print), on Designsystemet's tokens so it follows the theme, dark mode and text size.
// The SCORM player's frame has its own few rules in src/web/scorm/player-css.ts.
export const APP_CSS = `
body { margin: 0; font-family: var(--ds-font-family), system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: var(--ds-body-md-font-size); line-height: var(--ds-body-md-line-height); }
h1:not([class]), h2:not([class]), h3:not([class]) { line-height: var(--ds-heading-md-line-height); font-weight: var(--ds-heading-md-font-weight); overflow-wrap: anywhere; }
h1:not([class]) { font-size: var(--ds-heading-lg-font-size); margin: 0 0 var(--ds-size-4); }
h2:not([class]) { font-size: var(--ds-heading-sm-font-size); margin: var(--ds-size-8) 0 var(--ds-size-3); }
h3:not([class]) { font-size: var(--ds-heading-xs-font-size); margin: 0 0 var(--ds-size-2); }
a:not([class]) { color: var(--ds-color-accent-text-subtle); text-underline-offset: .24em; }
a:not([class]):hover { color: var(--ds-color-accent-text-default); }
a:not([class]):focus-visible { outline: var(--ds-border-width-focus) solid var(--ds-color-focus-outer); box-shadow: 0 0 0 var(--ds-border-width-focus) var(--ds-color-focus-inner); }
.app-header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: var(--ds-size-3) var(--ds-size-6); padding: var(--ds-size-3) var(--ds-size-6); background: var(--ds-color-accent-background-tinted); border-bottom: var(--ds-border-width-default) solid var(--ds-color-accent-border-subtle); }
.app-brand { display: flex; align-items: center; gap: var(--ds-size-3); margin: 0; font-size: var(--ds-heading-xs-font-size); font-weight: var(--ds-font-weight-semibold); }
.app-brand a { color: var(--ds-color-neutral-text-default); text-decoration: none; display: flex; align-items: center; gap: var(--ds-size-3); }
.app-brand img { max-height: var(--ds-size-12); max-width: 10rem; height: auto; }
.app-languages { display: flex; flex-wrap: wrap; gap: var(--ds-size-1); list-style: none; margin: 0; padding: 0; }
main { max-width: 60rem; margin: 0 auto; padding: var(--ds-size-6); }
main > * + *, form > * + *, .app-group > * + * { margin-block-start: var(--ds-size-5); }
main > .ds-breadcrumbs + * { margin-block-start: var(--ds-size-4); }
.app-group[data-nested] { border-inline-start: var(--ds-border-width-default) solid var(--ds-color-neutral-border-subtle); padding-inline-start: var(--ds-size-4); }
.app-choices { display: grid; gap: var(--ds-size-2); }
.app-choices[data-inline] { display: flex; flex-wrap: wrap; gap: var(--ds-size-2) var(--ds-size-6); }
.app-optional { font-weight: var(--ds-font-weight-regular); color: var(--ds-color-neutral-text-subtle); }
.app-buttons { display: flex; flex-wrap: wrap; gap: var(--ds-size-3) var(--ds-size-4); align-items: center; }
.app-buttons form { margin: 0; }
.app-facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: var(--ds-size-1) var(--ds-size-6); }
.app-facts dt { font-weight: var(--ds-font-weight-semibold); }
.app-facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.app-cards { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--ds-size-4); }
.app-cards > .ds-card > * + * { margin-block-start: var(--ds-size-2); }
.app-cards > .ds-card h3, .app-cards > .ds-card p { margin-block-end: 0; }
.app-muted { color: var(--ds-color-neutral-text-subtle); }
.app-logo-preview { margin: 0; }
.app-logo-preview img { display: block; max-height: var(--ds-size-18, 4.5rem); max-width: 16rem; margin-block-end: var(--ds-size-2); }
.app-table-scroll { overflow-x: auto; }
.ds-table [data-numeric] { text-align: end; font-variant-numeric: tabular-nums; }
.app-pre-line { white-space: pre-line; }
code { overflow-wrap: anywhere; }
/* Text from elsewhere (a remote server's answer) that may hold long unbroken words. */
.app-break-anywhere { overflow-wrap: anywhere; }
.app-reference { color: var(--ds-color-neutral-text-subtle); font-family: ui-monospace, monospace; }
.app-progress progress { width: 100%; max-width: 30rem; height: var(--ds-size-5); accent-color: var(--ds-color-accent-base-default); }
.app-video { width: 100%; max-height: 60vh; }
.app-video-frame { position: relative; padding-top: 56.25%; }
.app-video-frame iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
.ds-alert:empty { display: none; }
.app-search { display: flex; flex-wrap: wrap; gap: var(--ds-size-3) var(--ds-size-4); align-items: flex-end; }
.app-search > * { margin: 0; }
.app-search > .ds-field:first-of-type { flex: 1 1 14rem; }
.app-cards > [draggable=true] { cursor: grab; }
.app-cards > .dragging { opacity: .5; }
.ds-tabs [role=tab] { text-decoration: none; }
/* The development LMS's course page around the tool's frame. */
.app-lms-frame { display: block; width: 100%; height: 44rem; border: var(--ds-border-width-default) solid var(--ds-color-neutral-border-default); }
@media (max-width: 30rem) { .app-facts { grid-template-columns: minmax(0, 1fr); } main { padding: var(--ds-size-4); } .app-header { padding: var(--ds-size-3) var(--ds-size-4); } }
.app-chart[data-chart-drawn] { position: relative; height: 16rem; max-width: 48rem; margin-block: var(--ds-size-4); }
.app-report-section { margin-block-end: var(--ds-size-8); }
/* A wallet offer: the QR code on white whatever the colour scheme (scanners need the contrast), the address wrapped anywhere. */
.app-wallet-qr { display: block; width: min(15rem, 100%); height: auto; background: white; }
.app-wallet-address { overflow-wrap: anywhere; }
.app-wallet-tx-code { font-size: var(--ds-font-size-7); letter-spacing: 0.2em; }
@media print {
  @page { size: A4; margin: 12mm; }
  .app-print-hide { display: none !important; }
  .app-table-scroll { overflow: visible !important; }
  .app-table-scroll .ds-table { width: 100%; font-size: 9pt; }
  .app-report-section, .app-chart { break-inside: avoid; }
  .app-header, .ds-skip-link, .ds-breadcrumbs, .ds-tabs, .ds-pagination, .app-buttons, form button { display: none !important; }
  main { max-width: none; padding: 0; }
  a:not([class]), .ds-link { color: inherit; }
  .ds-card { break-inside: avoid; }
}
`;
