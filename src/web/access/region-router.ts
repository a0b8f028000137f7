import { Router } from 'express';
import { regionAggregates, shownCount, SMALL_GROUP, type MunicipalityAggregate, type ShownCount } from '../../access/region-view.js';
import type { Coverage } from '../../competence/rollups.js';
import { regionCoverage, type RegionCoverage } from '../../competence/status-summary.js';
import { tv } from '../competence/coverage-messages.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { PART_TIME_BANDS } from '../../organisation/workforce-figures.js';
import { osloDate } from '../../oslo-date.js';
import { alert, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { refusalHandler } from '../lti/router.js';
import { ta } from './messages.js';
import { formatNumber, pageContext, type AccessDeps, type PageContext } from './page-context.js';

export const REGION_PAGE = '/region';

const shown = (locale: Locale, count: ShownCount) => ('exact' in count ? formatNumber(locale, count.exact) : `< ${count.fewerThan}`);

/**
 * A coverage as a region may see it: "covered of applicable", each count shown as "< 5" when it is
 * 1–4, and the share only when neither those who hold it nor those who lack it are a small group
 * (a share of 96 % of 100 tells that 4 lack it, as exactly as a count would).
 */
function shownCoverage(locale: Locale, coverage: Coverage | undefined): string {
  if (!coverage || coverage.applicable === 0) return tv(locale, 'region.coverage.not-applicable');
  const uncovered = coverage.applicable - coverage.covered;
  const small = (n: number) => n > 0 && n < SMALL_GROUP;
  const counts = fillIn(tv(locale, 'region.coverage.cell'), { covered: shown(locale, shownCount(coverage.covered)), applicable: shown(locale, shownCount(coverage.applicable)) });
  const share = small(coverage.applicable) || small(coverage.covered) || small(uncovered) || coverage.percent === null
    ? tv(locale, 'region.coverage.withheld')
    : `${formatNumber(locale, coverage.percent, 1)} %`;
  return `${counts} (${share})`;
}

function coverageTable(locale: Locale, members: readonly MunicipalityAggregate[], coverage: RegionCoverage): SafeHtml {
  const competences = [...coverage.competences.values()].sort((a, b) => (a.name[locale] ?? a.name.nb).localeCompare(b.name[locale] ?? b.name.nb, 'nb'));
  const label = tv(locale, 'region.coverage');
  if (competences.length === 0) return html`<h2>${label}</h2><p data-region-coverage-none>${tv(locale, 'region.coverage.none')}</p>`;
  return html`<h2>${label}</h2>
<p>${tv(locale, 'region.coverage.intro')}</p>
${table({
  label,
  caption: true,
  rowHeader: true,
  attrs: html` data-region-coverage`,
  columns: [{ label: tv(locale, 'region.coverage.competence') }, ...members.map((m) => ({ label: m.name, numeric: true }))],
  rows: [
    ...competences.map((c) => ({
      cells: [c.name[locale] ?? c.name.nb, ...coverage.municipalities.map((m) => shownCoverage(locale, m.byCompetence.get(c.id)))],
      attrs: html` data-coverage-competence="${c.code}"`,
    })),
    { cells: [tv(locale, 'region.coverage.all'), ...coverage.municipalities.map((m) => shownCoverage(locale, m.all))], attrs: html` data-coverage-competence=""` },
  ],
})}`;
}

function regionPage(ctx: PageContext, regionName: string, members: readonly MunicipalityAggregate[], coverage: RegionCoverage): SafeHtml {
  const { locale } = ctx;
  const title = ta(locale, 'region.title');
  const body = html`<h1 data-region>${title}</h1>
<p>${fillIn(ta(locale, 'region.intro'), { tenant: regionName })}</p>
${members.length === 0 ? alert('info', ta(locale, 'region.none')) : html`
${table({
  label: ta(locale, 'region.summary'),
  caption: true,
  columns: [{ label: ta(locale, 'region.municipality') }, { label: ta(locale, 'headcount'), numeric: true }, { label: ta(locale, 'fte'), numeric: true }, { label: ta(locale, 'region.units'), numeric: true }],
  rows: members.map((m) => ({
    cells: [m.name, shown(locale, m.headcount), m.fte === null ? ta(locale, 'region.withheld') : formatNumber(locale, m.fte, 1), formatNumber(locale, m.units)],
    attrs: html` data-municipality="${m.kommunenummer ?? ''}"`,
  })),
  rowHeader: true,
})}
${table({
  label: ta(locale, 'region.part-time'),
  caption: true,
  columns: [{ label: ta(locale, 'region.municipality') }, ...PART_TIME_BANDS.map((band) => ({ label: ta(locale, `region.band.${band}`), numeric: true }))],
  rows: members.map((m) => ({ cells: [m.name, ...PART_TIME_BANDS.map((band) => shown(locale, m.partTime[band]))], attrs: html` data-part-time="${m.kommunenummer ?? ''}"` })),
  rowHeader: true,
})}
${members.filter((m) => m.byJobTitle.length > 0).map((m) => table({
  label: fillIn(ta(locale, 'region.roles'), { municipality: m.name }),
  caption: true,
  columns: [{ label: ta(locale, 'job-title') }, { label: ta(locale, 'headcount'), numeric: true }],
  rows: m.byJobTitle.map((j) => ({ cells: [j.jobTitle, shown(locale, j.headcount)] })),
  rowHeader: true,
  attrs: html` data-roles="${m.kommunenummer ?? ''}"`,
}))}
${coverageTable(locale, members, coverage)}`}`;
  return page({ locale, title, path: REGION_PAGE, keep: ctx.keep, theme: ctx.theme, body });
}

/** The region administrator's view: aggregates per member municipality, never a name, small groups as "< 5". */
export function regionRouter(deps: AccessDeps): Router {
  const router = Router();
  router.get(REGION_PAGE, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${REGION_PAGE}`]!);
    const region = await deps.db.selectFrom('tenants').select('name').where('id', '=', ctx.principal.tenantId).executeTakeFirst();
    const day = osloDate();
    const members = await regionAggregates(deps.db, ctx.principal.tenantId, day);
    const coverage = await regionCoverage(deps.db, members.map((m) => m.tenantId), day);
    sendPage(res, 200, regionPage(ctx, region?.name ?? '', members, coverage));
  });
  router.use(refusalHandler);
  return router;
}
