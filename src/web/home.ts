import { Router } from 'express';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { PACKAGE_VERSION } from '../project-root.js';
import { html, type SafeHtml } from './html.js';
import { requestLocale, t, type Locale } from './i18n.js';
import { page, sendPage } from './layout.js';
import { problemPageBody, problemPageTitle } from './problem-pages.js';
import { PROBLEM_TYPES, ProblemError, type ProblemType } from './problem.js';

/** A link on the start page; capabilities add theirs as they arrive (the development LMS, …). */
export interface StartPageLink {
  href: string;
  label: Record<Locale, string>;
}

export interface HomeOptions {
  config: Pick<Config, 'nodeEnv' | 'devLms' | 'contentOrigin'>;
  database: Database;
  links: readonly StartPageLink[];
}

export function homeRouter({ config, database, links }: HomeOptions): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const locale = requestLocale(req);
    const counts = await database.db
      .selectFrom('tenants')
      .select((eb) => [eb.fn.countAll<number>().as('count')])
      .executeTakeFirstOrThrow();
    const allLinks: StartPageLink[] = [
      ...links,
      { href: '/healthz', label: { nb: t('nb', 'home.link.healthz'), nn: t('nn', 'home.link.healthz'), en: t('en', 'home.link.healthz') } },
      { href: '/readyz', label: { nb: t('nb', 'home.link.readyz'), nn: t('nn', 'home.link.readyz'), en: t('en', 'home.link.readyz') } },
    ];
    const body: SafeHtml = html`<h1>${t(locale, 'app.name')}</h1>
<p>${t(locale, 'app.tagline')}</p>
<h2>${t(locale, 'home.heading')}</h2>
<dl class="app-facts">
<dt>${t(locale, 'home.version')}</dt><dd>${PACKAGE_VERSION}</dd>
<dt>${t(locale, 'home.database')}</dt><dd data-database-kind="${database.kind}">${t(locale, database.kind === 'pglite' ? 'home.database.pglite' : 'home.database.postgres')}</dd>
<dt>${t(locale, 'home.environment')}</dt><dd>${config.nodeEnv}</dd>
<dt>${t(locale, 'home.content-origin')}</dt><dd data-content-origin>${config.contentOrigin ?? t(locale, 'home.content-origin.same')}</dd>
<dt>${t(locale, 'home.dev-lms')}</dt><dd data-dev-lms="${config.devLms}">${t(locale, `home.dev-lms.${config.devLms}`)}</dd>
<dt>${t(locale, 'home.tenants')}</dt><dd>${Number(counts.count)}</dd>
</dl>
<h2>${t(locale, 'home.links')}</h2>
<ul class="ds-list">${allLinks.map((link) => html`<li><a class="ds-link" href="${link.href}">${link.label[locale]}</a></li>`)}</ul>`;
    sendPage(res, 200, page({ locale, title: t(locale, 'app.name'), body, path: '/' }));
  });

  // The `type` URIs of our problem+json responses resolve here, in the reader's language.
  router.get('/problems/:type', (req, res) => {
    const type = req.params.type as ProblemType;
    if (!Object.hasOwn(PROBLEM_TYPES, type)) throw new ProblemError('not-found', `No problem type "${req.params.type}".`);
    const locale = requestLocale(req);
    sendPage(res, 200, page({ locale, title: problemPageTitle(locale, type), path: req.path, body: problemPageBody(locale, type) }));
  });

  return router;
}
