import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { Database } from '../../db/database.js';
import { PROJECT_ROOT } from '../../project-root.js';
import { listTenants } from '../../tenants/tenants.js';
import { html, SafeHtml } from '../html.js';
import { requestLocale, translator } from '../i18n.js';
import { alert, button } from '../ds/components.js';
import { select } from '../ds/fields.js';
import { page, sendPage } from '../layout.js';
import { ProblemError } from '../problem.js';

const t = translator({
  'import.title': { nb: 'Last opp en SCORM-pakke', nn: 'Last opp ein SCORM-pakke', en: 'Upload a SCORM package' },
  'import.intro': {
    nb: 'Utviklingsside: velg kommune og en zip-fil med SCORM 1.2 eller SCORM 2004. Pakken kontrolleres før den tas imot.',
    nn: 'Utviklingsside: vel kommune og ei zip-fil med SCORM 1.2 eller SCORM 2004. Pakken blir kontrollert før han blir teken imot.',
    en: 'Development page: choose a municipality and a zip file with SCORM 1.2 or SCORM 2004. The package is checked before it is accepted.',
  },
  'import.tenant': { nb: 'Kommune eller region', nn: 'Kommune eller region', en: 'Municipality or region' },
  'import.file': { nb: 'Pakke (zip)', nn: 'Pakke (zip)', en: 'Package (zip)' },
  'import.submit': { nb: 'Last opp', nn: 'Last opp', en: 'Upload' },
  'import.progress': { nb: 'Opplasting', nn: 'Opplasting', en: 'Upload' },
  'import.no-tenants': {
    nb: 'Ingen kommuner er registrert ennå: importer dem med npm run cli -- tenant import-municipalities.',
    nn: 'Ingen kommunar er registrerte enno: importer dei med npm run cli -- tenant import-municipalities.',
    en: 'No municipalities are registered yet: import them with npm run cli -- tenant import-municipalities.',
  },
  'import.uploading': { nb: 'Laster opp … {percent} %', nn: 'Lastar opp … {percent} %', en: 'Uploading … {percent} %' },
  'import.checking': { nb: 'Kontrollerer pakken …', nn: 'Kontrollerer pakken …', en: 'Checking the package …' },
  'import.imported': { nb: 'Importert: {title} ({edition}, {files} filer)', nn: 'Importert: {title} ({edition}, {files} filer)', en: 'Imported: {title} ({edition}, {files} files)' },
  'import.refused': { nb: 'Pakken ble ikke tatt imot: {reason}', nn: 'Pakken vart ikkje teken imot: {reason}', en: 'The package was not accepted: {reason}' },
  'import.failed': { nb: 'Opplastingen mislyktes. Prøv igjen.', nn: 'Opplastinga mislukkast. Prøv igjen.', en: 'The upload failed. Try again.' },
});

export const IMPORT_SCRIPT_FILE = path.join(PROJECT_ROOT, 'scorm', 'dist', 'import-page.js');

/** A page for trying package import in development; the designer's page arrives with LTI sessions. */
export function importPageRouter(database: Database): Router {
  const router = Router();
  router.get('/dev/content', async (req, res) => {
    const locale = requestLocale(req);
    const tenants = await listTenants(database.db);
    const texts = JSON.stringify({
      uploading: t(locale, 'import.uploading'),
      checking: t(locale, 'import.checking'),
      imported: t(locale, 'import.imported'),
      refused: t(locale, 'import.refused'),
      failed: t(locale, 'import.failed'),
    }).replace(/</g, '\\u003c');
    const body = html`<h1>${t(locale, 'import.title')}</h1>
<p>${t(locale, 'import.intro')}</p>
${tenants.length === 0 ? alert('warning', t(locale, 'import.no-tenants')) : ''}
<form id="import-form">
${select({ locale, values: {}, errors: new Map() }, 'import-tenant', t(locale, 'import.tenant'), tenants.map((tenant) => ({ value: tenant.id, label: `${tenant.name}${tenant.kommunenummer ? ` (${tenant.kommunenummer})` : ''}` })), { required: true, name: 'tenant' })}
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="import-file">${t(locale, 'import.file')}</label>
<input class="ds-input" id="import-file" name="package" type="file" accept=".zip,application/zip" required>
</div>
${button(t(locale, 'import.submit'))}
</form>
<p><progress id="import-progress" max="100" value="0" aria-label="${t(locale, 'import.progress')}" hidden></progress></p>
<p id="import-status" role="status" aria-live="polite"></p>
<script type="application/json" id="import-texts">${new SafeHtml(texts)}</script>
<script src="/dev/content/import.js"></script>`;
    sendPage(res, 200, page({ locale, title: t(locale, 'import.title'), body, path: '/dev/content' }));
  });
  router.get('/dev/content/import.js', (_req, res, next) => {
    if (!fs.existsSync(IMPORT_SCRIPT_FILE)) {
      next(new ProblemError('not-ready', 'The page script is not built: run npm run build:player.'));
      return;
    }
    res.type('text/javascript').sendFile(IMPORT_SCRIPT_FILE, (error) => error && next(error));
  });
  return router;
}
