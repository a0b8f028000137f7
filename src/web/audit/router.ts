import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import { allAuditRows, auditActions, searchAudit, type AuditCursor, type AuditRow, type AuditSearch } from '../../audit/audit-queries.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { searchPeople } from '../../people/people-search.js';
import { alert, button, buttonRow, link, linkButton, table } from '../ds/components.js';
import { errorSummary, input, select, type FormState } from '../ds/fields.js';
import { html } from '../html.js';
import { fillIn } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { municipalityAdmin, personLabel, type MunicipalityAdmin } from '../privacy/admin-context.js';
import { pageTheme } from '../theme/page-theme.js';
import { BOM, csvLine } from './csv.js';
import { osloMidnight, osloTime, parseDay } from './dates.js';
import { ta } from './messages.js';

export const AUDIT_PAGE = '/admin/audit';
export const AUDIT_CSV = '/admin/audit.csv';
const PAGE_SIZE = 50;
/** More than a municipality's admin would read in a spreadsheet; a longer period is split. */
const CSV_LIMIT = 200_000;
const FIELDS = ['from', 'to', 'action', 'actor', 'subject'] as const;

type Values = Record<(typeof FIELDS)[number], string>;

interface Parsed {
  values: Values;
  errors: Map<string, string>;
  search: Omit<AuditSearch, 'after' | 'limit'>;
  /** Texts that matched nobody (the result is then empty, and the page says why). */
  nobody: string[];
}

async function parseFilters(req: Request, db: Kysely<Schema>, ctx: MunicipalityAdmin, actions: readonly string[]): Promise<Parsed> {
  const values = Object.fromEntries(FIELDS.map((f) => [f, (param(req, f) ?? '').slice(0, 200)])) as Values;
  const errors = new Map<string, string>();
  const tenantId = ctx.session.tenantId;
  const day = (field: 'from' | 'to') => {
    if (values[field].trim() === '') return undefined;
    const parsed = parseDay(values[field]);
    if (!parsed) errors.set(field, ta(ctx.locale, 'audit.date.invalid'));
    return parsed;
  };
  const fromDay = day('from');
  const toDay = day('to');
  const from = fromDay && osloMidnight(fromDay);
  // Up to and including the "to" day: before the next day's midnight.
  const before = toDay && osloMidnight({ ...toDay, d: toDay.d + 1 });
  if (from && before && from >= before) errors.set('to', ta(ctx.locale, 'audit.range.invalid'));
  if (values.action !== '' && !actions.includes(values.action)) errors.set('action', ta(ctx.locale, 'audit.action.invalid'));
  const nobody: string[] = [];
  const people = async (text: string) => {
    if (text.trim() === '') return undefined;
    const ids = (await searchPeople(db, tenantId, text, 500)).map((p) => p.id);
    if (ids.length === 0) nobody.push(text.trim());
    return ids;
  };
  const actorPersonIds = await people(values.actor);
  const subjectPersonIds = await people(values.subject);
  return {
    values, errors, nobody,
    search: { tenantId, from, before, action: values.action || undefined, actorPersonIds, subjectPersonIds },
  };
}

const encodeCursor = (c: AuditCursor) => Buffer.from(`${c.at}|${c.id}`).toString('base64url');

function decodeCursor(text: string | undefined): AuditCursor | 'invalid' | undefined {
  if (!text) return undefined;
  const [at = '', id = ''] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(at) || !/^\d{1,18}$/.test(id)) return 'invalid';
  return { at, id };
}

function actorText(ctx: MunicipalityAdmin, row: AuditRow): string {
  if (row.actorKind === 'person') return personLabel(ctx.locale, row.actor, fillIn(ta(ctx.locale, 'audit.actor.unknown'), { id: row.actorId ?? '' }));
  if (row.actorKind === 'api-client') return fillIn(ta(ctx.locale, 'audit.actor.api-client'), { id: row.actorId ?? '' });
  return ta(ctx.locale, row.actorKind === 'operator' ? 'audit.actor.operator' : 'audit.actor.system');
}

const subjectText = (ctx: MunicipalityAdmin, row: AuditRow) =>
  row.subjectPersonId ? personLabel(ctx.locale, row.subject, fillIn(ta(ctx.locale, 'audit.actor.unknown'), { id: row.subjectPersonId })) : '';

const detailsText = (details: Record<string, unknown>) => (Object.keys(details).length ? JSON.stringify(details) : '');

async function auditPage(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<void> {
  const ctx = await municipalityAdmin(req, res, db, sessions);
  const { locale } = ctx;
  const actions = await auditActions(db, ctx.session.tenantId);
  const filters = await parseFilters(req, db, ctx, actions);
  const cursor = decodeCursor(param(req, 'after'));
  const refused = filters.errors.size > 0;
  const result = refused ? { rows: [], next: undefined } : await searchAudit(db, { ...filters.search, after: cursor === 'invalid' ? undefined : cursor, limit: PAGE_SIZE });
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', ctx.session.tenantId).executeTakeFirst();
  const state: FormState = { locale, values: filters.values, errors: filters.errors };
  const query = Object.fromEntries(FIELDS.filter((f) => filters.values[f] !== '').map((f) => [f, filters.values[f]]));
  const body = html`<h1>${ta(locale, 'audit.title')}</h1>
<p>${fillIn(ta(locale, 'audit.intro'), { tenant: tenant?.name ?? '' })}</p>
${cursor === 'invalid' ? alert('warning', ta(locale, 'audit.cursor.invalid')) : ''}
${errorSummary(state, { from: ta(locale, 'audit.from'), to: ta(locale, 'audit.to'), action: ta(locale, 'audit.action') })}
<section aria-labelledby="search-heading">
<h2 id="search-heading">${ta(locale, 'audit.search')}</h2>
<form method="get" action="${AUDIT_PAGE}" novalidate data-audit-search>
${ctx.hidden}
${input(state, 'from', ta(locale, 'audit.from'), { hint: ta(locale, 'audit.date.hint'), optional: true })}
${input(state, 'to', ta(locale, 'audit.to'), { hint: ta(locale, 'audit.date.hint'), optional: true })}
${select(state, 'action', ta(locale, 'audit.action'), [{ value: '', label: ta(locale, 'audit.action.all') }, ...actions.map((a) => ({ value: a, label: a }))])}
${input(state, 'actor', ta(locale, 'audit.actor'), { hint: ta(locale, 'audit.person.hint'), optional: true })}
${input(state, 'subject', ta(locale, 'audit.subject'), { optional: true })}
${buttonRow(button(ta(locale, 'audit.submit')), refused ? '' : linkButton(ctx.href(AUDIT_CSV, query), ta(locale, 'audit.csv'), { variant: 'secondary', attrs: html` data-audit-csv` }))}
<p class="app-muted">${ta(locale, 'audit.csv.hint')}</p>
</form>
</section>
<section aria-labelledby="results-heading">
<h2 id="results-heading">${ta(locale, 'audit.results')}</h2>
${filters.nobody.map((text) => alert('info', fillIn(ta(locale, 'audit.nobody'), { text }), { attrs: html` data-audit-nobody` }))}
${result.rows.length === 0
    ? html`<p data-audit-empty>${ta(locale, 'audit.none')}</p>`
    : table({
      label: ta(locale, 'audit.results'),
      columns: [{ label: ta(locale, 'audit.col.at') }, { label: ta(locale, 'audit.col.action') }, { label: ta(locale, 'audit.col.actor') }, { label: ta(locale, 'audit.col.subject') }, { label: ta(locale, 'audit.col.object') }, { label: ta(locale, 'audit.col.details') }],
      rows: result.rows.map((row) => ({
        attrs: html` data-audit-row="${row.id}"`,
        cells: [osloTime(row.at), html`<code>${row.action}</code>`, actorText(ctx, row), subjectText(ctx, row), row.objectKind ? `${row.objectKind} ${row.objectId ?? ''}` : '', html`<code>${detailsText(row.details)}</code>`],
      })),
    })}
${result.next || cursor ? html`<p>${result.next ? link(ctx.href(AUDIT_PAGE, { ...query, after: encodeCursor(result.next) }), ta(locale, 'audit.more'), html` rel="next" data-audit-more`) : ''}
${cursor ? html` ${link(ctx.href(AUDIT_PAGE, query), ta(locale, 'audit.first'))}` : ''}</p>` : ''}
</section>`;
  sendPage(res, refused ? 400 : 200, page({ locale, title: ta(locale, 'audit.title'), body, path: AUDIT_PAGE, keep: { session: ctx.token, ...query }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

async function auditCsv(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<void> {
  const ctx = await municipalityAdmin(req, res, db, sessions);
  const actions = await auditActions(db, ctx.session.tenantId);
  const filters = await parseFilters(req, db, ctx, actions);
  if (filters.errors.size > 0) {
    await auditPage(req, res, db, sessions);
    return;
  }
  const l = ctx.locale;
  let out = BOM + csvLine([ta(l, 'audit.col.at'), ta(l, 'audit.col.action'), ta(l, 'audit.col.actor'), 'actor_id', ta(l, 'audit.col.subject'), 'subject_person_id', 'object_kind', 'object_id', ta(l, 'audit.col.details')]);
  let rows = 0;
  const matching = filters.nobody.length > 0 ? [] : allAuditRows(db, filters.search);
  for await (const row of matching) {
    if (rows >= CSV_LIMIT) break;
    rows += 1;
    out += csvLine([osloTime(row.at), row.action, actorText(ctx, row), row.actorId ?? '', subjectText(ctx, row), row.subjectPersonId ?? '', row.objectKind ?? '', row.objectId ?? '', detailsText(row.details)]);
  }
  // What was exported, by ids and dates only: the texts typed may be names.
  const { from, before, action, actorPersonIds, subjectPersonIds } = filters.search;
  await recordAudit(db, {
    tenantId: ctx.session.tenantId,
    actor: personActor(ctx.session.personId),
    action: 'audit.exported',
    details: {
      rows,
      ...(from ? { from: from.toISOString() } : {}),
      ...(before ? { before: before.toISOString() } : {}),
      ...(action ? { action } : {}),
      ...(actorPersonIds ? { actorPersonIds } : {}),
      ...(subjectPersonIds ? { subjectPersonIds } : {}),
    },
  });
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="revisjonslogg-${new Date().toISOString().slice(0, 10)}.csv"`);
  res.end(out);
}

/** The municipality administrator's audit log: search (`/admin/audit`) and CSV export. */
export function auditRouter({ db, sessions }: { db: Kysely<Schema>; sessions: SessionTokens }): Router {
  const router = Router();
  router.get(AUDIT_PAGE, (req, res) => auditPage(req, res, db, sessions));
  router.get(AUDIT_CSV, (req, res) => auditCsv(req, res, db, sessions));
  router.use(refusalHandler);
  return router;
}
