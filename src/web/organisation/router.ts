import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { addEmployee, addEmployment, changeEmployment, endEmployment, type EmploymentInput } from '../../organisation/employments.js';
import { osloToday, UUID } from '../../organisation/field-values.js';
import { personRecord, searchPeople, searchUnits, unitPeople, unitsByIds, unitTree, type PersonRecord } from '../../organisation/org-queries.js';
import { changeOrgUnit, createOrgUnit, endOrgUnit, findOrgUnit, moveOrgUnit, type OrgUnit } from '../../organisation/org-units.js';
import { OrganisationError } from '../../organisation/organisation-error.js';
import type { FieldValues, FormState } from '../ds/fields.js';
import type { Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { adminContext, notFound, sendAdminPage, typed, type AdminContext } from './admin-context.js';
import { formDate, formPercentage, refusalText } from './format.js';
import { to, type OrgMessageId } from './messages.js';
import { ORG_PAGE, PEOPLE_PAGE, personPath, treePageBody, unitPageBody, unitPath } from './org-pages.js';
import { assignNotice, loadPersonCompetence, personCompetenceSection, type AssignNotice } from '../competence/assignments-web.js';
import { EMPLOYMENT_FIELDS, employmentPrefix, NEW_EMPLOYEE_FIELDS, peoplePageBody, personPageBody } from './people-pages.js';

const UNIT_NOTICES = ['created', 'changed', 'moved', 'ended'] as const;
const EMPLOYMENT_NOTICES = ['added', 'changed', 'ended'] as const;

const blank = (locale: Locale, values: FieldValues = {}): FormState => ({ locale, values, errors: new Map() });
const refusedForm = (locale: Locale, values: FieldValues, error: OrganisationError, prefix = ''): FormState => ({
  locale,
  values,
  errors: new Map([[`${prefix}${error.field}`, refusalText(locale, error)]]),
});

function notice<T extends string>(req: Request, known: readonly T[]): T | undefined {
  return known.find((n) => n === param(req, 'notice'));
}

function routeParam(req: Request, name: string): string {
  const value = (req.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export interface OrganisationRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
}

/** The municipality administrator's pages for the org tree (/admin/org) and people (/admin/people). */
export function organisationRouter({ db, sessions }: OrganisationRouterDeps): Router {
  const router = Router();
  const context = (req: Request, res: Response) => adminContext(req, res, db, sessions, { municipalityOnly: true });
  const actorOf = (ctx: AdminContext) => personActor(ctx.session.personId);

  async function treePage(res: Response, ctx: AdminContext, status: number, query: string, form: FormState, noticeText?: string): Promise<void> {
    const tenantId = ctx.session.tenantId;
    const q = query.trim().slice(0, 200);
    const [tree, hits] = await Promise.all([unitTree(db, tenantId), q ? searchUnits(db, tenantId, q) : Promise.resolve(null)]);
    await sendAdminPage(res, db, ctx, status, { title: to(ctx.locale, 'org.title'), path: ORG_PAGE, body: treePageBody(ctx, { tree, query: q, hits, form, notice: noticeText }) });
  }

  router.get(ORG_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const done = notice(req, UNIT_NOTICES);
    await treePage(res, ctx, 200, param(req, 'q') ?? '', blank(ctx.locale), done && to(ctx.locale, `unit.saved.${done}` as OrgMessageId));
  });

  router.post(`${ORG_PAGE}/units`, async (req, res) => {
    const ctx = await context(req, res);
    const values = typed(req, ['code', 'name', 'parent']);
    try {
      const unit = await createOrgUnit(db, ctx.session.tenantId, actorOf(ctx), { code: values['code']!, name: values['name']!, parentId: values['parent'] || null });
      res.redirect(303, ctx.href(unitPath(unit.id), { notice: 'created' }));
    } catch (error) {
      if (!(error instanceof OrganisationError)) throw error;
      await treePage(res, ctx, 400, '', refusedForm(ctx.locale, values, error));
    }
  });

  async function unitPage(res: Response, ctx: AdminContext, unit: OrgUnit, status: number, forms: Partial<Record<'edit' | 'move' | 'end', FormState>> = {}, noticeText?: string): Promise<void> {
    const tenantId = ctx.session.tenantId;
    const [tree, ancestors, people] = await Promise.all([unitTree(db, tenantId, { includeEnded: true, countsWithin: unit.id }), unitsByIds(db, tenantId, unit.path.slice(0, -1)), unitPeople(db, tenantId, unit.id)]);
    const here = tree.find((u) => u.id === unit.id);
    const live = tree.filter((u) => !u.endedOn);
    const body = unitPageBody(ctx, {
      unit,
      ancestors,
      counts: { here: here?.activeHere ?? 0, subtree: here?.activeInSubtree ?? 0 },
      tree: live,
      children: tree.filter((u) => u.parentId === unit.id),
      people,
      forms: {
        edit: forms.edit ?? blank(ctx.locale, { code: unit.code, name: unit.name }),
        move: forms.move ?? blank(ctx.locale, { parent: unit.parentId ?? '' }),
        end: forms.end ?? blank(ctx.locale, { 'ended-on': formDate(osloToday()) }),
      },
      notice: noticeText,
    });
    const crumbs = [{ label: to(ctx.locale, 'org.title'), path: ORG_PAGE }, ...ancestors.map((a) => ({ label: a.name, path: unitPath(a.id) }))];
    await sendAdminPage(res, db, ctx, status, { title: unit.name, path: unitPath(unit.id), body, crumbs });
  }

  async function requireUnit(ctx: AdminContext, req: Request): Promise<OrgUnit> {
    const unit = await findOrgUnit(db, ctx.session.tenantId, routeParam(req, 'unitId'));
    if (!unit) throw notFound();
    return unit;
  }

  router.get(`${ORG_PAGE}/units/:unitId`, async (req, res) => {
    const ctx = await context(req, res);
    const unit = await requireUnit(ctx, req);
    const done = notice(req, UNIT_NOTICES);
    await unitPage(res, ctx, unit, 200, {}, done && to(ctx.locale, `unit.saved.${done}` as OrgMessageId));
  });

  router.post(`${ORG_PAGE}/units/:unitId`, async (req, res) => {
    const ctx = await context(req, res);
    const unit = await requireUnit(ctx, req);
    const action = param(req, 'action');
    const tenantId = ctx.session.tenantId;
    const form = action === 'move' ? 'move' : action === 'end' ? 'end' : 'edit';
    const values = typed(req, form === 'move' ? ['parent'] : form === 'end' ? ['ended-on'] : ['code', 'name']);
    try {
      if (form === 'move') await moveOrgUnit(db, tenantId, actorOf(ctx), unit.id, values['parent'] || null);
      else if (form === 'end') await endOrgUnit(db, tenantId, actorOf(ctx), unit.id, values['ended-on']!);
      else await changeOrgUnit(db, tenantId, actorOf(ctx), unit.id, { code: values['code']!, name: values['name']! });
    } catch (error) {
      if (!(error instanceof OrganisationError)) throw error;
      await unitPage(res, ctx, unit, error.code === 'code-taken' ? 409 : 400, { [form]: refusedForm(ctx.locale, values, error) });
      return;
    }
    res.redirect(303, ctx.href(unitPath(unit.id), { notice: form === 'move' ? 'moved' : form === 'end' ? 'ended' : 'changed' }));
  });

  async function peoplePage(res: Response, ctx: AdminContext, status: number, query: string, form: FormState): Promise<void> {
    const q = query.trim().slice(0, 200);
    const hits = q ? await searchPeople(db, ctx.session.tenantId, q) : null;
    await sendAdminPage(res, db, ctx, status, { title: to(ctx.locale, 'people.title'), path: PEOPLE_PAGE, body: peoplePageBody(ctx, { query: q, hits, form }) });
  }

  router.get(PEOPLE_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    await peoplePage(res, ctx, 200, param(req, 'q') ?? '', blank(ctx.locale));
  });

  router.post(PEOPLE_PAGE, async (req, res) => {
    const ctx = await context(req, res);
    const values = typed(req, NEW_EMPLOYEE_FIELDS);
    try {
      const employee = await addEmployee(db, ctx.session.tenantId, actorOf(ctx), {
        employeeNumber: values['employee-number']!,
        givenName: values['given-name']!,
        familyName: values['family-name']!,
        email: values['email']!,
      });
      res.redirect(303, ctx.href(personPath(employee.personId), { notice: 'person-added' }));
    } catch (error) {
      if (!(error instanceof OrganisationError)) throw error;
      await peoplePage(res, ctx, error.code === 'employee-number-taken' ? 409 : 400, '', refusedForm(ctx.locale, values, error));
    }
  });

  async function requirePerson(ctx: AdminContext, req: Request): Promise<PersonRecord> {
    const record = await personRecord(db, ctx.session.tenantId, routeParam(req, 'personId'));
    if (!record) throw notFound();
    return record;
  }

  function employmentValues(locale: Locale, e: PersonRecord['employments'][number]): FieldValues {
    const p = employmentPrefix(e.id);
    return {
      [`${p}unit`]: e.orgUnit.id,
      [`${p}job-title`]: e.jobTitle,
      [`${p}job-code`]: e.jobCode ?? '',
      [`${p}percentage`]: formPercentage(locale, e.percentage),
      [`${p}start-date`]: formDate(e.startDate),
      [`${p}end-date`]: formDate(e.endDate),
      [`${p}leads`]: e.leadsUnit ? 'yes' : '',
      [`${p}end-on`]: formDate(osloToday()),
    };
  }

  /** The person's page; `refused` replaces one form's state with what was typed and why it was refused. */
  async function personPage(res: Response, ctx: AdminContext, record: PersonRecord, status: number, refused?: { form: 'add' | 'change' | 'end'; employmentId?: string; state: FormState }, noticeText?: string, assigned?: AssignNotice): Promise<void> {
    const tree = await unitTree(db, ctx.session.tenantId, { counts: false });
    const change = new Map<string, FormState>();
    const end = new Map<string, FormState>();
    for (const e of record.employments) {
      const values = employmentValues(ctx.locale, e);
      change.set(e.id, refused?.form === 'change' && refused.employmentId === e.id ? refused.state : blank(ctx.locale, values));
      if (!e.endDate) end.set(e.id, refused?.form === 'end' && refused.employmentId === e.id ? refused.state : blank(ctx.locale, values));
    }
    const add = refused?.form === 'add' ? refused.state : blank(ctx.locale, { 'start-date': formDate(osloToday()) });
    const competence = personCompetenceSection(ctx.locale, ctx.hidden, personPath(record.personId), await loadPersonCompetence(db, ctx.session.tenantId, record.personId), assigned);
    const body = personPageBody(ctx, { record, tree, forms: { add, change, end }, openEmployment: refused?.employmentId, notice: noticeText, competence });
    const crumbs = [{ label: to(ctx.locale, 'people.title'), path: PEOPLE_PAGE }];
    await sendAdminPage(res, db, ctx, status, { title: record.name ?? to(ctx.locale, 'person.unnamed'), path: personPath(record.personId), body, crumbs });
  }

  router.get(`${PEOPLE_PAGE}/:personId`, async (req, res) => {
    const ctx = await context(req, res);
    const record = await requirePerson(ctx, req);
    // Who looked at whose data is kept (the audit log's first purpose).
    await recordAudit(db, { tenantId: ctx.session.tenantId, actor: actorOf(ctx), action: 'person.viewed', subjectPersonId: record.personId, object: { kind: 'person', id: record.personId } });
    const asked = param(req, 'notice');
    const done = asked === 'person-added' ? to(ctx.locale, 'person.added') : ((n) => n && to(ctx.locale, `employment.saved.${n}` as OrgMessageId))(notice(req, EMPLOYMENT_NOTICES));
    await personPage(res, ctx, record, 200, undefined, done, assignNotice(req));
  });

  function employmentInput(values: Record<string, string>, prefix: string): EmploymentInput {
    return {
      orgUnitId: values[`${prefix}unit`] ?? '',
      jobTitle: values[`${prefix}job-title`] ?? '',
      jobCode: values[`${prefix}job-code`] ?? '',
      percentage: values[`${prefix}percentage`] ?? '',
      startDate: values[`${prefix}start-date`] ?? '',
      endDate: values[`${prefix}end-date`] ?? '',
      leadsUnit: values[`${prefix}leads`] === 'yes',
    };
  }

  router.post(`${PEOPLE_PAGE}/:personId/employments`, async (req, res) => {
    const ctx = await context(req, res);
    const record = await requirePerson(ctx, req);
    const values = typed(req, EMPLOYMENT_FIELDS);
    try {
      await addEmployment(db, ctx.session.tenantId, actorOf(ctx), record.personId, employmentInput(values, ''));
    } catch (error) {
      if (!(error instanceof OrganisationError)) throw error;
      await personPage(res, ctx, record, 400, { form: 'add', state: refusedForm(ctx.locale, values, error) });
      return;
    }
    res.redirect(303, ctx.href(personPath(record.personId), { notice: 'added' }));
  });

  router.post(`${PEOPLE_PAGE}/:personId/employments/:employmentId`, async (req, res) => {
    const ctx = await context(req, res);
    const record = await requirePerson(ctx, req);
    const employmentId = routeParam(req, 'employmentId');
    if (!UUID.test(employmentId) || !record.employments.some((e) => e.id === employmentId)) throw notFound();
    const prefix = employmentPrefix(employmentId);
    const ending = param(req, 'action') === 'end';
    const values = typed(req, ending ? [`${prefix}end-on`] : EMPLOYMENT_FIELDS.map((f) => `${prefix}${f}`));
    try {
      if (ending) await endEmployment(db, ctx.session.tenantId, actorOf(ctx), record.personId, employmentId, values[`${prefix}end-on`]!);
      else await changeEmployment(db, ctx.session.tenantId, actorOf(ctx), record.personId, employmentId, employmentInput(values, prefix));
    } catch (error) {
      if (!(error instanceof OrganisationError)) throw error;
      if (ending && error.code === 'employment-ended') {
        // An ended employment has no end form: the refusal goes to the end date in its change form.
        const current = record.employments.find((e) => e.id === employmentId)!;
        const state = refusedForm(ctx.locale, employmentValues(ctx.locale, current), new OrganisationError(error.code, 'end-date'), prefix);
        await personPage(res, ctx, record, 400, { form: 'change', employmentId, state });
        return;
      }
      // The end form has one field: its refusal belongs there whatever the capability called it.
      const field = ending ? new OrganisationError(error.code, 'end-on', error.count) : error;
      await personPage(res, ctx, record, 400, { form: ending ? 'end' : 'change', employmentId, state: refusedForm(ctx.locale, values, field, prefix) });
      return;
    }
    res.redirect(303, ctx.href(personPath(record.personId), { notice: ending ? 'ended' : 'changed' }));
  });

  router.use(refusalHandler);
  return router;
}
