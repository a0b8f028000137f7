import type { ImportReport } from '../../paths/archive/import.js';
import { html, SafeHtml } from '../html.js';
import { t, type Locale } from '../i18n.js';
import { page } from '../layout.js';
import { withSession } from '../session.js';
import { fill, tt, type TransferMessageId } from './messages.js';

export type TransferKind = 'import' | 'package';

export const IMPORT_PATH = '/design/import';
export const UPLOAD_PATH = '/design/packages/upload';
export const SCRIPT_PATHS: Record<TransferKind, string> = { import: '/design/import/transfer.js', package: '/design/packages/upload/transfer.js' };

/** What a page shows above the form after a plain (no-script) form post. */
export type Outcome =
  | { kind: 'report'; report: ImportReport }
  | { kind: 'uploaded'; title: string; id: string }
  | { kind: 'refused'; text: string; reference: string };

function megabytes(bytes: number, locale: Locale): string {
  return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 0 }).format(bytes / 1024 / 1024)} MB`;
}

/** The import report as people read it (the script builds the same from the JSON answer). */
export function reportHtml(locale: Locale, report: ImportReport): SafeHtml {
  const stepType = (type: string) => tt(locale, `step.${type}` as TransferMessageId);
  return html`<h2 data-imported-path="${report.pathId}">${fill(tt(locale, 'report.title'), { title: report.title })}</h2>
<h3>${tt(locale, 'report.steps')}</h3>
<ul>${report.steps.map((s) => html`<li>${s.title} (${stepType(s.type)}, ${tt(locale, s.required ? 'report.required' : 'report.optional')})</li>`)}</ul>
<h3>${tt(locale, 'report.packages')}</h3>
${report.packages.length === 0
    ? html`<p>${tt(locale, 'report.no-packages')}</p>`
    : html`<ul>${report.packages.map((p) => html`<li>${p.title} (${p.edition}, ${tt(locale, p.reused ? 'report.reused' : 'report.new')})</li>`)}</ul>`}
${report.adjustments.length === 0 ? '' : html`<h3>${tt(locale, 'report.adjustments')}</h3>
<ul>${report.adjustments.map((a) => html`<li>${a.messages[locale]}</li>`)}</ul>`}`;
}

function scriptTexts(locale: Locale, kind: TransferKind): string {
  const texts =
    kind === 'import'
      ? {
          checking: tt(locale, 'import.checking'),
          done: tt(locale, 'import.done'),
          refused: tt(locale, 'import.refused'),
          reportTitle: tt(locale, 'report.title'),
          steps: tt(locale, 'report.steps'),
          packages: tt(locale, 'report.packages'),
          noPackages: tt(locale, 'report.no-packages'),
          adjustments: tt(locale, 'report.adjustments'),
          isNew: tt(locale, 'report.new'),
          reused: tt(locale, 'report.reused'),
          required: tt(locale, 'report.required'),
          optional: tt(locale, 'report.optional'),
          stepTypes: Object.fromEntries(['scorm', 'web', 'session', 'self-assessment', 'evaluation'].map((type) => [type, tt(locale, `step.${type}` as TransferMessageId)])),
        }
      : { checking: tt(locale, 'upload.checking'), done: tt(locale, 'upload.done'), refused: tt(locale, 'upload.refused') };
  return JSON.stringify({ ...texts, uploading: tt(locale, 'transfer.uploading'), failed: tt(locale, 'transfer.failed') }).replace(/</g, '\\u003c');
}

/** The import page or the package upload page, with the result of a plain form post when there is one. */
export function transferPage(locale: Locale, kind: TransferKind, token: string, limitBytes: number, outcome?: Outcome): SafeHtml {
  const prefix = kind === 'import' ? 'import' : 'upload';
  const path = kind === 'import' ? IMPORT_PATH : UPLOAD_PATH;
  const title = tt(locale, `${prefix}.title`);
  let result: SafeHtml | string = '';
  if (outcome?.kind === 'refused') {
    result = html`<p class="transfer-refused" role="alert" data-state="refused">${fill(tt(locale, `${prefix}.refused`), { reason: outcome.text })}</p>
<p class="reference">${t(locale, 'error.reference')}: ${outcome.reference}</p>`;
  } else if (outcome?.kind === 'report') {
    result = html`<section class="transfer-report">${reportHtml(locale, outcome.report)}</section>`;
  } else if (outcome?.kind === 'uploaded') {
    result = html`<p role="status" data-state="ok" data-package-id="${outcome.id}">${fill(tt(locale, 'upload.done'), { title: outcome.title, id: outcome.id })}</p>`;
  }
  const body = html`<h1>${title}</h1>
${result}
<p>${tt(locale, `${prefix}.intro`)}</p>
<form id="transfer-form" class="transfer-form" method="post" enctype="multipart/form-data" action="${withSession(path, token)}" data-kind="${kind}">
<p><label for="transfer-file">${tt(locale, `${prefix}.file`)}</label><br>
<input id="transfer-file" name="file" type="file" accept=".zip,application/zip" required aria-describedby="transfer-limit"></p>
<p id="transfer-limit">${fill(tt(locale, 'transfer.limit'), { size: megabytes(limitBytes, locale) })}</p>
<p><button type="submit">${tt(locale, `${prefix}.submit`)}</button></p>
</form>
<p><progress id="transfer-progress" max="100" value="0" aria-label="${tt(locale, 'transfer.progress')}" hidden></progress></p>
<p id="transfer-status" role="status" aria-live="polite"></p>
${kind === 'import' ? html`<section id="transfer-report" class="transfer-report" hidden></section>` : ''}
<script type="application/json" id="transfer-texts">${new SafeHtml(scriptTexts(locale, kind))}</script>
<script src="${SCRIPT_PATHS[kind]}"></script>`;
  return page({ locale, title, body, path, keep: { session: token } });
}

/** A refused export, as a page. */
export function exportRefusedPage(locale: Locale, text: string, token: string, reference: string): SafeHtml {
  const body = html`<div class="error-page">
<h1>${tt(locale, 'export.title')}</h1>
<p role="alert" data-state="refused">${text}</p>
<p class="reference">${t(locale, 'error.reference')}: ${reference}</p>
<p><a href="${withSession(IMPORT_PATH, token)}">${tt(locale, 'import.title')}</a></p>
</div>`;
  return page({ locale, title: tt(locale, 'export.title'), body });
}
