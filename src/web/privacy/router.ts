import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor } from '../../audit/audit-log.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { searchPeople } from '../../people/people-search.js';
import type { EvidenceStore } from '../../competence/evidence-files.js';
import { erasePerson } from '../../privacy/erase.js';
import { exportPerson, type PersonExport } from '../../privacy/export.js';
import { keepPath, KeptPathError, keptPaths, markablePaths, releasePath } from '../../privacy/kept-paths.js';
import { alert, breadcrumbs, button, buttonRow, facts, link, linkButton, table } from '../ds/components.js';
import { choiceGroup, errorSummary, input, select, type FormState } from '../ds/fields.js';
import { html } from '../html.js';
import { fillIn } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { osloTime } from '../audit/dates.js';
import { pageTheme } from '../theme/page-theme.js';
import { municipalityAdmin, personLabel, type MunicipalityAdmin } from './admin-context.js';
import { tp, type PrivacyMessageId } from './messages.js';

export const PRIVACY_PAGE = '/admin/privacy';
const personPage = (id: string) => `${PRIVACY_PAGE}/people/${id}`;

/** Sections shown as counts on the page; all of them are in the JSON download. */
const COUNTED = ['enrolments', 'stepProgress', 'scormAttempts', 'scormData', 'xapiStatements', 'declaredCompetences', 'evaluationsAnswered', 'auditEvents', 'keptProofs'] as const;

interface KeptProblems { values?: Record<string, string>; errors?: Map<string, string> }

async function privacyPage(req: Request, res: Response, db: Kysely<Schema>, ctx: MunicipalityAdmin, status = 200, kept: KeptProblems = {}, notice?: string): Promise<void> {
  const { locale } = ctx;
  const tenantId = ctx.session.tenantId;
  const text = (param(req, 'q') ?? '').slice(0, 200);
  const matches = text.trim() ? await searchPeople(db, tenantId, text) : undefined;
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirst();
  const marked = await keptPaths(db, tenantId);
  const markable = (await markablePaths(db, tenantId)).filter((p) => !marked.some((k) => k.pathId === p.pathId));
  const searchState: FormState = { locale, values: { q: text }, errors: new Map() };
  const keptState: FormState = { locale, values: kept.values ?? { years: '10' }, errors: kept.errors ?? new Map() };
  const body = html`<h1>${tp(locale, 'privacy.title')}</h1>
<p>${fillIn(tp(locale, 'privacy.intro'), { tenant: tenant?.name ?? '' })}</p>
${notice ? alert('success', notice, { live: 'status' }) : ''}
<form method="get" action="${PRIVACY_PAGE}" data-privacy-search>
${ctx.hidden}
${input(searchState, 'q', tp(locale, 'privacy.search'), { type: 'search' })}
${button(tp(locale, 'privacy.search.submit'))}
</form>
${matches === undefined ? '' : matches.length === 0
    ? html`<p data-privacy-none>${fillIn(tp(locale, 'privacy.search.none'), { text: text.trim() })}</p>`
    : html`<h2>${tp(locale, 'privacy.results')}</h2>${table({
      label: tp(locale, 'privacy.results'),
      rowHeader: true,
      columns: [{ label: tp(locale, 'privacy.col.name') }, { label: tp(locale, 'privacy.col.number') }, { label: tp(locale, 'privacy.col.email') }],
      rows: matches.map((p) => ({
        attrs: html` data-person="${p.id}"`,
        cells: [link(ctx.href(personPage(p.id)), personLabel(locale, p, tp(locale, 'person.none'))), p.employeeNumber ?? '', p.email ?? ''],
      })),
    })}`}
<section aria-labelledby="kept-heading">
<h2 id="kept-heading">${tp(locale, 'privacy.kept.title')}</h2>
<p>${tp(locale, 'privacy.kept.intro')}</p>
${errorSummary(keptState, { path: tp(locale, 'privacy.kept.path'), years: tp(locale, 'privacy.kept.keep-years') })}
${marked.length === 0 ? html`<p data-kept-none>${tp(locale, 'privacy.kept.none')}</p>` : html`<ul class="ds-list" data-kept-paths>${marked.map((k) => html`<li data-kept-path="${k.pathId}">${k.title}: ${fillIn(tp(locale, 'privacy.kept.years'), { years: String(k.keepYears) })}
<form method="post" action="${PRIVACY_PAGE}/kept/remove">${ctx.hidden}<input type="hidden" name="path" value="${k.pathId}">${button(tp(locale, 'privacy.kept.remove'), { variant: 'tertiary' })}</form></li>`)}</ul>`}
${markable.length === 0 ? '' : html`<form method="post" action="${PRIVACY_PAGE}/kept" novalidate data-kept-form>
${ctx.hidden}
${select(keptState, 'path', tp(locale, 'privacy.kept.path'), [{ value: '', label: tp(locale, 'privacy.kept.choose') }, ...markable.map((p) => ({ value: p.pathId, label: p.title }))])}
${input(keptState, 'years', tp(locale, 'privacy.kept.keep-years'), { inputmode: 'numeric' })}
${button(tp(locale, 'privacy.kept.add'))}
</form>`}
</section>`;
  sendPage(res, status, page({ locale, title: tp(locale, 'privacy.title'), body, path: PRIVACY_PAGE, keep: { session: ctx.token }, theme: await pageTheme(db, tenantId) }));
}

const day = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : value instanceof Date ? value.toISOString().slice(0, 10) : '');

function personBody(ctx: MunicipalityAdmin, data: PersonExport, state: FormState, notice: string | undefined, titles: ReadonlyMap<string, string>) {
  const { locale } = ctx;
  const p = data.person;
  const label = personLabel(locale, p, tp(locale, 'person.none'));
  const s = data.sections;
  const none = tp(locale, 'person.none');
  return html`${breadcrumbs(tp(locale, 'person.back'), [{ href: ctx.href(PRIVACY_PAGE), label: tp(locale, 'person.back') }])}
<h1 data-person-page="${p.id}">${fillIn(tp(locale, 'person.title'), { name: label })}</h1>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-erased-notice` }) : ''}
${p.erasedAt ? alert('info', fillIn(tp(locale, 'person.erased.note'), { date: osloTime(p.erasedAt).slice(0, 10) })) : ''}
<p class="app-muted">${tp(locale, 'person.logged')}</p>
${buttonRow(linkButton(ctx.href(`${personPage(p.id)}/export.json`), tp(locale, 'person.json'), { attrs: html` data-person-json download` }))}
<p class="app-muted">${tp(locale, 'person.json.hint')}</p>
<h2>${tp(locale, 'person.facts')}</h2>
${facts([
    [tp(locale, 'person.name'), label, html` data-person-name`],
    [tp(locale, 'person.email'), p.email ?? none],
    [tp(locale, 'person.locale'), p.locale ?? none],
    [tp(locale, 'person.created'), osloTime(p.createdAt).slice(0, 10)],
    ...(p.erasedAt ? [[tp(locale, 'person.erased'), osloTime(p.erasedAt).slice(0, 10)] as const] : []),
  ])}
<h2>${tp(locale, 'person.accounts')}</h2>
${(s['ltiIdentities'] ?? []).length === 0 ? html`<p data-no-accounts>${tp(locale, 'person.accounts.none')}</p>` : table({
    label: tp(locale, 'person.accounts'),
    columns: [{ label: tp(locale, 'person.issuer') }, { label: tp(locale, 'person.subject') }],
    rows: (s['ltiIdentities'] ?? []).map((a) => ({ cells: [String(a['issuer']), String(a['subject'])] })),
  })}
<h2>${tp(locale, 'person.employments')}</h2>
${(s['employee'] ?? []).map((e) => html`<p>${tp(locale, 'privacy.col.number')}: <span data-employee-number>${String(e['employee_number'])}</span></p>`)}
${(s['employments'] ?? []).length === 0 ? html`<p>${tp(locale, 'person.employments.none')}</p>` : table({
    label: tp(locale, 'person.employments'),
    columns: [{ label: tp(locale, 'person.job') }, { label: tp(locale, 'person.percentage'), numeric: true }, { label: tp(locale, 'person.period') }],
    rows: (s['employments'] ?? []).map((e) => ({ cells: [String(e['job_title']), `${String(e['percentage']).replace('.', locale === 'en' ? '.' : ',')} %`, `${day(e['start_date'])} – ${day(e['end_date'])}`] })),
  })}
<h2>${tp(locale, 'person.completions')}</h2>
${(s['completions'] ?? []).length === 0 ? html`<p>${tp(locale, 'person.completions.none')}</p>` : table({
    label: tp(locale, 'person.completions'),
    columns: [{ label: tp(locale, 'person.path') }, { label: tp(locale, 'person.completed') }, { label: tp(locale, 'person.score'), numeric: true }],
    rows: (s['completions'] ?? []).map((c) => ({ attrs: html` data-completion="${String(c['id'])}"`, cells: [titles.get(String(c['path_id'])) ?? String(c['path_id']), day(c['completed_at']), c['score'] === null ? '' : String(c['score'])] })),
  })}
<h2>${tp(locale, 'person.more')}</h2>
${facts(COUNTED.map((section) => [tp(locale, `person.section.${section}` as PrivacyMessageId), String((s[section] ?? []).length), html` data-count="${section}"`] as const))}
${p.erasedAt ? '' : html`<section aria-labelledby="erase-heading">
<h2 id="erase-heading">${tp(locale, 'person.erase')}</h2>
<p>${tp(locale, 'person.erase.intro')}</p>
${errorSummary(state, { confirm: tp(locale, 'person.erase.confirm') })}
<form method="post" action="${personPage(p.id)}/erase" novalidate data-erase-form>
${ctx.hidden}
${choiceGroup(state, 'confirm', tp(locale, 'person.erase'), [{ value: 'yes', label: tp(locale, 'person.erase.confirm') }], { multiple: true })}
${button(tp(locale, 'person.erase'), { danger: true })}
</form>
</section>`}`;
}

async function showPerson(req: Request, res: Response, db: Kysely<Schema>, ctx: MunicipalityAdmin, publicUrl: string, status = 200, errors = new Map<string, string>(), notice?: string): Promise<void> {
  const data = await exportPerson(db, { tenantId: ctx.session.tenantId, personId: String(req.params['id'] ?? ''), publicUrl, actor: personActor(ctx.session.personId), format: 'page' });
  if (!data) throw new ProblemError('not-found', 'No such person in this municipality.');
  const pathIds = [...new Set((data.sections['completions'] ?? []).map((c) => String(c['path_id'])))];
  const titles = new Map(pathIds.length ? (await db.selectFrom('paths').select(['id', 'title']).where('id', 'in', pathIds).execute()).map((r) => [r.id, r.title]) : []);
  const state: FormState = { locale: ctx.locale, values: {}, errors };
  const title = fillIn(tp(ctx.locale, 'person.title'), { name: personLabel(ctx.locale, data.person, tp(ctx.locale, 'person.none')) });
  sendPage(res, status, page({ locale: ctx.locale, title, body: personBody(ctx, data, state, notice, titles), path: personPage(data.person.id), keep: { session: ctx.token }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

export interface PrivacyRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  publicUrl: string;
  /** The evidence files of holdings: an erased person's are removed. */
  evidence: EvidenceStore;
}

/** The municipality administrator's privacy pages: find a person, see and download their data, erase them. */
export function privacyRouter({ db, sessions, publicUrl, evidence }: PrivacyRouterDeps): Router {
  const router = Router();

  router.get(PRIVACY_PAGE, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    const notice = param(req, 'notice');
    await privacyPage(req, res, db, ctx, 200, {}, notice === 'kept' || notice === 'released' ? tp(ctx.locale, notice === 'kept' ? 'privacy.kept.saved' : 'privacy.kept.removed') : undefined);
  });

  router.post(`${PRIVACY_PAGE}/kept`, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    const values = { path: (param(req, 'path') ?? '').slice(0, 100), years: (param(req, 'years') ?? '').slice(0, 10) };
    const errors = new Map<string, string>();
    const years = /^\s*\d{1,3}\s*$/.test(values.years) ? Number(values.years) : NaN;
    if (!(years >= 1 && years <= 50)) errors.set('years', tp(ctx.locale, 'privacy.kept.bad-years'));
    if (values.path === '') errors.set('path', tp(ctx.locale, 'privacy.kept.unknown-path'));
    if (errors.size === 0) {
      try {
        await keepPath(db, ctx.session.tenantId, values.path, years, personActor(ctx.session.personId));
        res.redirect(303, ctx.href(PRIVACY_PAGE, { notice: 'kept' }));
        return;
      } catch (error) {
        if (!(error instanceof KeptPathError)) throw error;
        errors.set(error.code === 'bad-years' ? 'years' : 'path', tp(ctx.locale, `privacy.kept.${error.code}`));
      }
    }
    await privacyPage(req, res, db, ctx, 400, { values, errors });
  });

  router.post(`${PRIVACY_PAGE}/kept/remove`, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    if (!(await releasePath(db, ctx.session.tenantId, param(req, 'path') ?? '', personActor(ctx.session.personId)))) throw new ProblemError('not-found', 'The path is not marked in this municipality.');
    res.redirect(303, ctx.href(PRIVACY_PAGE, { notice: 'released' }));
  });

  router.get(`${PRIVACY_PAGE}/people/:id`, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    const pseudonym = param(req, 'erased');
    await showPerson(req, res, db, ctx, publicUrl, 200, new Map(), pseudonym && /^[0-9A-Z]{4,8}$/.test(pseudonym) ? fillIn(tp(ctx.locale, 'person.erase.done'), { pseudonym: personLabel(ctx.locale, { name: null, pseudonym }, '') }) : undefined);
  });

  router.get(`${PRIVACY_PAGE}/people/:id/export.json`, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    const data = await exportPerson(db, { tenantId: ctx.session.tenantId, personId: String(req.params['id'] ?? ''), publicUrl, actor: personActor(ctx.session.personId), format: 'json' });
    if (!data) throw new ProblemError('not-found', 'No such person in this municipality.');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="person-${data.person.id}.json"`);
    res.end(JSON.stringify(data, null, 2));
  });

  router.post(`${PRIVACY_PAGE}/people/:id/erase`, async (req, res) => {
    const ctx = await municipalityAdmin(req, res, db, sessions);
    const id = String(req.params['id'] ?? '');
    const confirmed = [req.body?.confirm].flat().includes('yes');
    if (!confirmed) {
      await showPerson(req, res, db, ctx, publicUrl, 400, new Map([['confirm', tp(ctx.locale, 'person.erase.confirm.missing')]]));
      return;
    }
    const result = await erasePerson(db, { tenantId: ctx.session.tenantId, personId: id, actor: personActor(ctx.session.personId), reason: 'request', publicUrl, evidence });
    if (!result) throw new ProblemError('not-found', 'No such person in this municipality.');
    req.log.info({ subject: result.personId, keptProofs: result.keptProofs }, 'person erased on request');
    res.redirect(303, ctx.href(personPage(result.personId), { erased: result.pseudonym }));
  });

  router.use(refusalHandler);
  return router;
}

