import { Router } from 'express';
import { regionAggregates, type MunicipalityAggregate, type ShownCount } from '../../access/region-view.js';
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

function regionPage(ctx: PageContext, regionName: string, members: readonly MunicipalityAggregate[]): SafeHtml {
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
}))}`}`;
  return page({ locale, title, path: REGION_PAGE, keep: ctx.keep, theme: ctx.theme, body });
}

/** The region administrator's view: aggregates per member municipality, never a name, small groups as "< 5". */
export function regionRouter(deps: AccessDeps): Router {
  const router = Router();
  router.get(REGION_PAGE, async (req, res) => {
    const ctx = await pageContext(req, res, deps, ROUTE_DECISIONS[`GET ${REGION_PAGE}`]!);
    const region = await deps.db.selectFrom('tenants').select('name').where('id', '=', ctx.principal.tenantId).executeTakeFirst();
    const members = await regionAggregates(deps.db, ctx.principal.tenantId, osloDate());
    sendPage(res, 200, regionPage(ctx, region?.name ?? '', members));
  });
  router.use(refusalHandler);
  return router;
}
