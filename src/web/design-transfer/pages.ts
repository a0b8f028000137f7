import type { ImportReport } from '../../paths/archive/import.js';
import { html, SafeHtml } from '../html.js';
import { t, type Locale } from '../i18n.js';
import { alert, button } from '../ds/components.js';
import { page, type PageTheme } from '../layout.js';
import { designerCrumbs, designerHref } from '../designer/context.js';
import { STEP_TYPE_ORDER, stepTypeName } from '../step-types.js';
import { fill, tt } from './messages.js';
import type { Cmi5TreeLine } from '../designer/cmi5-tree.js';

export type TransferKind = 'import' | 'package';

export const IMPORT_PATH = '/design/import';
export const UPLOAD_PATH = '/design/packages/upload';
export const SCRIPT_PATHS: Record<TransferKind, string> = { import: '/design/import/transfer.js', package: '/design/packages/upload/transfer.js' };

/** Who sees a transfer page and how its links keep the session (inside an LMS iframe, without cookies). */
export interface TransferView {
  readonly locale: Locale;
  readonly token: string;
  /** The language asked for with ?lang=, kept in links; undefined = the session's. */
  readonly lang: Locale | undefined;
  /** The designer's own path the page was opened from (the SCORM step form links here with ?path=). */
  readonly fromPath?: { readonly id: string; readonly title: string } | undefined;
  /** The municipality's look. */
  readonly theme?: PageTheme | undefined;
}

function hrefOf(view: TransferView, path: string, query: Record<string, string | undefined> = {}): string {
  return designerHref(view.token, view.lang, path, query);
}

function crumbs(view: TransferView): SafeHtml {
  const from = view.fromPath;
  return designerCrumbs(view.locale, hrefOf(view, '/design'), from ? [{ label: from.title, href: hrefOf(view, `/design/paths/${from.id}`) }] : []);
}

/** What a page shows above the form after a plain (no-script) form post. */
export type Outcome =
  | { kind: 'report'; report: ImportReport }
  | { kind: 'uploaded'; title: string; id: string; tree?: readonly Cmi5TreeLine[] | undefined }
  | { kind: 'refused'; text: string; reference: string };

/** A cmi5 course's blocks and AUs, indented by depth, each AU with its moveOn (the upload's answer). */
export function cmi5Tree(locale: Locale, tree: readonly Cmi5TreeLine[]): SafeHtml {
  return html`<section data-cmi5-tree><h2>${tt(locale, 'upload.tree')}</h2>
<ul class="app-list">${tree.map((line) => html`<li data-node="${line.id}" style="margin-inline-start: ${(line.depth - 1) * 1.5}rem">${line.label}</li>`)}</ul></section>`;
}

function megabytes(bytes: number, locale: Locale): string {
  return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 0 }).format(bytes / 1024 / 1024)} MB`;
}

/** The import report as people read it (the script builds the same from the JSON answer): first
 *  the way to the imported path, then what it holds. */
export function reportHtml(view: TransferView, report: ImportReport): SafeHtml {
  const { locale } = view;
  const stepType = (type: string) => stepTypeName(locale, type);
  return html`<p><a class="ds-link" href="${hrefOf(view, `/design/paths/${report.pathId}`)}" data-open-path="${report.pathId}">${fill(tt(locale, 'report.open'), { title: report.title })}</a></p>
<h2 data-imported-path="${report.pathId}">${tt(locale, 'report.heading')}</h2>
<h3>${tt(locale, 'report.steps')}</h3>
<ul class="ds-list">${report.steps.map((s) => html`<li>${s.title} (${stepType(s.type)}, ${tt(locale, s.required ? 'report.required' : 'report.optional')})</li>`)}</ul>
<h3>${tt(locale, 'report.packages')}</h3>
${report.packages.length === 0
    ? html`<p>${tt(locale, 'report.no-packages')}</p>`
    : html`<ul class="ds-list">${report.packages.map((p) => html`<li>${p.title} (${p.edition}, ${tt(locale, p.reused ? 'report.reused' : 'report.new')})</li>`)}</ul>`}
${report.adjustments.length === 0 ? '' : html`<h3>${tt(locale, 'report.adjustments')}</h3>
<ul class="ds-list">${report.adjustments.map((a) => html`<li>${a.messages[locale]}</li>`)}</ul>`}`;
}

function scriptTexts(view: TransferView, kind: TransferKind): string {
  const { locale } = view;
  const texts =
    kind === 'import'
      ? {
          checking: tt(locale, 'import.checking'),
          done: tt(locale, 'import.done'),
          refused: tt(locale, 'import.refused'),
          reportHeading: tt(locale, 'report.heading'),
          openPath: tt(locale, 'report.open'),
          // {id} is filled in by the script with the imported path's id.
          pathHref: hrefOf(view, '/design/paths/{id}'),
          steps: tt(locale, 'report.steps'),
          packages: tt(locale, 'report.packages'),
          noPackages: tt(locale, 'report.no-packages'),
          adjustments: tt(locale, 'report.adjustments'),
          isNew: tt(locale, 'report.new'),
          reused: tt(locale, 'report.reused'),
          required: tt(locale, 'report.required'),
          optional: tt(locale, 'report.optional'),
          stepTypes: Object.fromEntries(STEP_TYPE_ORDER.map((type) => [type, stepTypeName(locale, type)])),
        }
      : { checking: tt(locale, 'upload.checking'), done: tt(locale, 'upload.done'), refused: tt(locale, 'upload.refused') };
  return JSON.stringify({ ...texts, uploading: tt(locale, 'transfer.uploading'), failed: tt(locale, 'transfer.failed') }).replace(/</g, '\\u003c');
}

/** The import page or the package upload page, with the result of a plain form post when there is one. */
export function transferPage(view: TransferView, kind: TransferKind, limitBytes: number, outcome?: Outcome): SafeHtml {
  const { locale } = view;
  const prefix = kind === 'import' ? 'import' : 'upload';
  const path = kind === 'import' ? IMPORT_PATH : UPLOAD_PATH;
  const title = tt(locale, `${prefix}.title`);
  let result: SafeHtml | string = '';
  if (outcome?.kind === 'refused') {
    result = html`${alert('danger', fill(tt(locale, `${prefix}.refused`), { reason: outcome.text }), { live: 'alert', attrs: html` data-state="refused"` })}
<p class="app-reference">${t(locale, 'error.reference')}: ${outcome.reference}</p>`;
  } else if (outcome?.kind === 'report') {
    result = html`${alert('success', fill(tt(locale, 'import.done'), { title: outcome.report.title }), { live: 'status', attrs: html` data-state="ok"` })}
<section>${reportHtml(view, outcome.report)}</section>`;
  } else if (outcome?.kind === 'uploaded') {
    result = html`${alert('success', fill(tt(locale, 'upload.done'), { title: outcome.title, id: outcome.id }), { live: 'status', attrs: html` data-state="ok" data-package-id="${outcome.id}"` })}
${outcome.tree ? cmi5Tree(locale, outcome.tree) : ''}`;
  }
  const from = view.fromPath;
  const body = html`${crumbs(view)}
<h1>${title}</h1>
${result}
<p>${tt(locale, `${prefix}.intro`)}</p>
${kind === 'import' ? '' : html`<p>${tt(locale, 'upload.cmi5')}</p>`}
<form id="transfer-form" method="post" enctype="multipart/form-data" action="${hrefOf(view, path, { path: from?.id })}" data-kind="${kind}">
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="transfer-file">${tt(locale, `${prefix}.file`)}</label>
<p class="ds-paragraph" data-field="description" id="transfer-limit">${fill(tt(locale, 'transfer.limit'), { size: megabytes(limitBytes, locale) })}</p>
<input class="ds-input" id="transfer-file" name="file" type="file" accept="${kind === 'import' ? '.zip,application/zip' : '.zip,application/zip,.xml,application/xml,text/xml'}" required aria-describedby="transfer-limit">
</div>
${button(tt(locale, `${prefix}.submit`))}
</form>
<p><progress id="transfer-progress" max="100" value="0" aria-label="${tt(locale, 'transfer.progress')}" hidden></progress></p>
<p id="transfer-status" role="status" aria-live="polite"></p>
${kind === 'import' ? html`<section id="transfer-report" hidden></section>` : html`<div id="transfer-tree" hidden></div>`}
${from ? html`<p><a class="ds-link" href="${hrefOf(view, `/design/paths/${from.id}`)}" data-back-to-path>${fill(tt(locale, 'upload.back'), { title: from.title })}</a></p>` : ''}
<script type="application/json" id="transfer-texts">${new SafeHtml(scriptTexts(view, kind))}</script>
<script src="${SCRIPT_PATHS[kind]}"></script>`;
  return page({ locale, title, body, path, keep: { session: view.token, ...(from ? { path: from.id } : {}) }, theme: view.theme });
}

/** A refused export, as a page, with the way back to the path's exports when the path is the designer's. */
export function exportRefusedPage(view: TransferView, text: string, reference: string, pathId?: string): SafeHtml {
  const { locale } = view;
  const body = html`${crumbs(view)}
<div>
<h1>${tt(locale, 'export.title')}</h1>
${alert('danger', text, { live: 'alert', attrs: html` data-state="refused"` })}
<p class="app-reference">${t(locale, 'error.reference')}: ${reference}</p>
${pathId ? html`<p><a class="ds-link" href="${hrefOf(view, `/design/paths/${pathId}/exports`)}" data-back-to-exports>${tt(locale, 'export.back')}</a></p>` : ''}
</div>`;
  return page({ locale, title: tt(locale, 'export.title'), body, theme: view.theme });
}
