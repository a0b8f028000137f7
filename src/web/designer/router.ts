import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { findPackage, listPackages } from '../../content/packages.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { crossCheck, definitionSchema, type DefinitionProblem, type PathDefinition, type Step } from '../../paths/definition.js';
import { addStep, duplicatePath, type NewStep, editStep, getDraft, publish, removeStep, reorderSteps, updateDraftSettings } from '../../paths/drafts.js';
import { registerAttendance } from '../../paths/engine.js';
import { moveLearnersToVersion, versionOverview } from '../../paths/enrolments.js';
import { PathError } from '../../paths/errors.js';
import { evaluationReport } from '../../paths/evaluations.js';
import { pathUpdateTimes, sessionAttendance } from '../../paths/designer-queries.js';
import { createPath, findVisiblePath, listPublishedVersions, listVisiblePaths, loadPublishedVersion, setSharing, type PathSummary } from '../../paths/paths.js';
import { listSignUps } from '../../paths/sessions.js';
import type { PathSharing } from '../../paths/tables.js';
import { html, type SafeHtml } from '../html.js';
import { LOCALES, type Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { designerContext, sendDesignerPage, type Crumb, type DesignerContext } from './context.js';
import { choiceGroup, errorSummary, formState, input, select, textarea, type FormState } from './form-html.js';
import {
  fieldOf, formFromSettings, formFromStep, isStepType, many, one, problemsByField, rowCount, settingsFromForm, stepChanges, stepFromForm,
  type FormValues, type RowMap,
} from './forms.js';
import { fieldError, td, type DesignerMessageId } from './messages.js';
import { DESIGNER_JS } from './scripts.js';

export interface DesignerRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

const SHARINGS: readonly PathSharing[] = ['tenant', 'region', 'everyone'];

/** A page the designer cannot have: not found (also for paths of tenants it cannot see) or not the owner. */
class DesignerRefusal extends Error {
  constructor(readonly status: 403 | 404) {
    super(status === 404 ? 'not found' : 'not the owner');
  }
}

type Handler = (req: Request, res: Response, ctx: DesignerContext) => Promise<void>;

function formatDate(locale: Locale, date: Date): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(date);
}

const bodyValues = (req: Request): FormValues => (req.body ?? {}) as FormValues;

export function designerRouter({ db, sessions }: DesignerRouterDeps): Router {
  const router = Router();

  const route = (handler: Handler) => async (req: Request, res: Response) => {
    const ctx = await designerContext(req, res, db, sessions);
    try {
      await handler(req, res, ctx);
    } catch (error) {
      const notFound = error instanceof PathError && ['path-not-found', 'step-not-found', 'version-not-found'].includes(error.code);
      if (!(error instanceof DesignerRefusal) && !notFound) throw error;
      const status = error instanceof DesignerRefusal ? error.status : 404;
      const key = status === 404 ? 'notfound' : 'forbidden';
      sendDesignerPage(res, ctx, {
        status,
        title: td(ctx.locale, `${key}.title`),
        path: '/design',
        body: html`<div class="error-page" data-designer-refusal="${status}"><h1>${td(ctx.locale, `${key}.title`)}</h1><p>${td(ctx.locale, `${key}.body`)}</p></div>`,
      });
    }
  };

  /** A path the tenant may see; another tenant's unshared path is simply not found. */
  async function visiblePath(ctx: DesignerContext, id: unknown): Promise<PathSummary> {
    const path = isUuid(id) ? await findVisiblePath(db, ctx.session.tenantId, id) : undefined;
    if (!path || (path.tenantId !== ctx.session.tenantId && !path.latestVersion)) throw new DesignerRefusal(404);
    return path;
  }

  /** A path the tenant owns: only the owner edits, publishes and reads reports. */
  async function ownPath(ctx: DesignerContext, id: unknown): Promise<{ path: PathSummary; draft: PathDefinition }> {
    const path = await visiblePath(ctx, id);
    if (path.tenantId !== ctx.session.tenantId) throw new DesignerRefusal(403);
    return { path, draft: await getDraft(db, ctx.session.tenantId, path.id) };
  }

  function stepOf(draft: PathDefinition, stepId: unknown): { step: Step; index: number } {
    const index = draft.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw new DesignerRefusal(404);
    return { step: draft.steps[index]!, index };
  }

  const pathCrumb = (ctx: DesignerContext, path: { id: string; title: string }): Crumb => ({ label: path.title, href: ctx.href(`/design/paths/${path.id}`) });
  const redirect = (res: Response, ctx: DesignerContext, path: string, query: Record<string, string> = {}) => res.redirect(303, ctx.href(path, query));

  router.get('/design/assets/designer.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(DESIGNER_JS);
  });

  // ---- Start page: the list of paths --------------------------------------------------------
  router.get('/design', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const q = (param(req, 'q') ?? '').slice(0, 200);
    const show = ['own', 'shared'].includes(param(req, 'show') ?? '') ? param(req, 'show')! : 'all';
    const found = await listVisiblePaths(db, ctx.session.tenantId, { search: q, ownOnly: show === 'own', limit: 200 });
    // Another tenant's path is usable (viewable, duplicable) only once it is published.
    const usable = found.filter((p) => p.tenantId === ctx.session.tenantId || p.latestVersion);
    const paths = show === 'shared' ? usable.filter((p) => p.tenantId !== ctx.session.tenantId) : usable;
    const updated = await pathUpdateTimes(db, ctx.session.tenantId, paths.map((p) => p.id));
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', ctx.session.tenantId).executeTakeFirst();
    const showChoices = (['all', 'own', 'shared'] as const).map((value) => ({ value, label: td(locale, `list.filter.${value}`) }));
    const filters = formState(locale, { q, show });
    sendDesignerPage(res, ctx, {
      title: td(locale, 'start.title'),
      path: '/design',
      body: html`<h1 data-role="${ctx.session.role}">${td(locale, 'start.title')}</h1>
<p>${td(locale, 'start.tenant')}: <strong>${tenant?.name ?? ''}</strong></p>
<ul class="actions">
<li><a class="button" href="${ctx.href('/design/paths/new')}">${td(locale, 'list.new')}</a></li>
<li><a href="${ctx.href('/design/import')}" data-import-link>${td(locale, 'list.import')}</a></li>
</ul>
<form method="get" action="/design" class="search" role="search">
${ctx.hidden}
${input(filters, 'q', td(locale, 'list.search'), { wide: true })}
${select(filters, 'show', td(locale, 'list.filter'), showChoices)}
<button type="submit">${td(locale, 'list.search.button')}</button>
</form>
<h2>${td(locale, 'list.results')} (${paths.length})</h2>
${paths.length === 0 ? html`<p>${td(locale, 'list.none')}</p>` : html`<ul class="path-list">${paths.map((p) => html`<li data-path-id="${p.id}">
<h3><a href="${ctx.href(`/design/paths/${p.id}`)}">${p.title}</a></h3>
<dl class="facts">
<dt>${td(locale, 'list.col.status')}</dt><dd>${statusText(locale, p)}</dd>
<dt>${td(locale, 'list.col.sharing')}</dt><dd>${td(locale, `sharing.${p.sharing}`)}</dd>
<dt>${td(locale, 'list.col.owner')}</dt><dd>${td(locale, p.tenantId === ctx.session.tenantId ? 'list.owner.own' : 'list.owner.other')}</dd>
<dt>${td(locale, 'list.col.updated')}</dt><dd>${updated.has(p.id) ? formatDate(locale, updated.get(p.id)!) : ''}</dd>
</dl></li>`)}</ul>`}`,
    });
  }));

  // ---- Create --------------------------------------------------------------------------------
  const createPage = (res: Response, ctx: DesignerContext, state: FormState, status = 200) => {
    const { locale } = ctx;
    const labels = { title: td(locale, 'field.title'), description: td(locale, 'field.description'), language: td(locale, 'field.language') };
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'create.title'),
      path: '/design/paths/new',
      body: html`<h1>${td(locale, 'create.title')}</h1>
${errorSummary(state, labels)}
<form method="post" action="/design/paths" novalidate>
${ctx.hidden}
${input(state, 'title', labels.title, { wide: true })}
${textarea(state, 'description', labels.description, { optional: true })}
${choiceGroup(state, 'language', labels.language, LOCALES.map((l) => ({ value: l, label: td(locale, `language.${l}`) })))}
<div class="buttons"><button type="submit">${td(locale, 'create.submit')}</button> <a href="${ctx.href('/design')}">${td(locale, 'form.cancel')}</a></div>
</form>`,
    });
  };

  router.get('/design/paths/new', route(async (_req, res, ctx) => {
    createPage(res, ctx, formState(ctx.locale, { language: ctx.locale }));
  }));

  router.post('/design/paths', route(async (req, res, ctx) => {
    const values = bodyValues(req);
    try {
      const path = await createPath(db, ctx.session.tenantId, {
        title: one(values, 'title'),
        description: one(values, 'description'),
        language: one(values, 'language') as Locale,
        createdBy: ctx.session.personId,
      });
      redirect(res, ctx, `/design/paths/${path.id}`, { notice: 'path.created' });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      createPage(res, ctx, formState(ctx.locale, values, problemsByField(error.problems, {}).keys()), 400);
    }
  }));

  // ---- One path: its steps, reordering, actions ----------------------------------------------
  router.get('/design/paths/:id', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const path = await visiblePath(ctx, req.params['id']);
    const own = path.tenantId === ctx.session.tenantId;
    const definition = own ? await getDraft(db, ctx.session.tenantId, path.id) : (await loadPublishedVersion(db, path.latestVersion!.id)).definition;
    const base = `/design/paths/${path.id}`;
    const titleOf = new Map(definition.steps.map((s) => [s.id, s.title]));
    const actions: [string, DesignerMessageId, string][] = own
      ? [[`${base}/settings`, 'path.settings', 'settings'], [`${base}/preview`, 'path.preview', 'preview'], [`${base}/publish`, 'path.publish', 'publish'],
        [`${base}/versions`, 'path.versions', 'versions'], [`${base}/duplicate`, 'path.duplicate', 'duplicate'], [`${base}/export`, 'path.export', 'export']]
      : [[`${base}/duplicate`, 'path.duplicate', 'duplicate']];
    sendDesignerPage(res, ctx, {
      title: path.title,
      path: base,
      notice: noticeText(req, ctx, definition),
      body: html`<h1>${path.title}</h1>
${own ? '' : html`<p class="note">${td(locale, 'path.shared-readonly')}</p>`}
<dl class="facts">
<dt>${td(locale, 'path.status')}</dt><dd data-status>${statusText(locale, path)}</dd>
<dt>${td(locale, 'path.sharing')}</dt><dd>${td(locale, `sharing.${path.sharing}`)}</dd>
<dt>${td(locale, 'path.language')}</dt><dd>${td(locale, `language.${path.language}`)}</dd>
</dl>
${path.description ? html`<p class="description">${path.description}</p>` : ''}
<nav aria-label="${td(locale, 'path.actions')}"><ul class="actions">${actions.map(([href, label, name]) => html`<li><a href="${ctx.href(href)}" data-action="${name}">${td(locale, label)}</a></li>`)}</ul></nav>
<h2 id="steps-title">${td(locale, 'path.steps')}</h2>
${definition.steps.length === 0 ? html`<p>${td(locale, 'path.no-steps')}</p>` : html`
${own ? html`<p id="reorder-help" class="hint">${td(locale, 'reorder.instructions')}</p>` : ''}
<ol class="steps" id="steps" aria-labelledby="steps-title"${own ? html` data-order-url="${base}/order" data-session="${ctx.token}" data-failed="${td(locale, 'reorder.failed')}"` : ''}>
${definition.steps.map((step, index) => html`<li class="step" id="step-${step.id}" data-step-id="${step.id}"${own ? html` draggable="true"` : ''}>
<div class="step-main">
<h3 class="step-title">${step.title}</h3>
<p class="step-meta">${stepMeta(locale, step, titleOf)}</p>
</div>
${own ? html`<div class="step-actions">
${(['up', 'down'] as const).map((direction) => html`<form method="post" action="${base}/steps/${step.id}/move" data-move="${direction}">${ctx.hidden}<input type="hidden" name="direction" value="${direction}"><button type="submit" class="secondary" data-move-button="${direction}" aria-describedby="reorder-help">${td(locale, direction === 'up' ? 'step.up' : 'step.down')}<span class="visually-hidden">: ${step.title}</span></button></form>`)}
<a href="${ctx.href(`${base}/steps/${step.id}`)}" data-edit-step="${index}">${td(locale, 'step.edit')}<span class="visually-hidden">: ${step.title}</span></a>
<a href="${ctx.href(`${base}/steps/${step.id}/remove`)}">${td(locale, 'step.remove')}<span class="visually-hidden">: ${step.title}</span></a>
${step.type === 'session' ? html`<a href="${ctx.href(`${base}/steps/${step.id}/signups`)}">${td(locale, 'step.signups')}<span class="visually-hidden">: ${step.title}</span></a>` : ''}
${step.type === 'evaluation' ? html`<a href="${ctx.href(`${base}/steps/${step.id}/report`)}">${td(locale, 'step.report')}<span class="visually-hidden">: ${step.title}</span></a>` : ''}
</div>` : ''}
</li>`)}
</ol>`}
${own ? html`<h2>${td(locale, 'path.add-step')}</h2>
<ul class="actions add-step">${(['scorm', 'web', 'session', 'self-assessment', 'evaluation'] as const).map((type) => html`<li><a href="${ctx.href(`${base}/steps/new`, { type })}" data-add-step="${type}">${td(locale, `type.${type}`)}</a></li>`)}</ul>` : ''}`,
    });
  }));

  async function reorder(ctx: DesignerContext, pathId: string, ids: string[], moved: string): Promise<{ order: string[]; message: string }> {
    await reorderSteps(db, ctx.session.tenantId, pathId, ids);
    const draft = await getDraft(db, ctx.session.tenantId, pathId);
    const index = draft.steps.findIndex((s) => s.id === moved);
    return {
      order: draft.steps.map((s) => s.id),
      message: td(ctx.locale, 'step.moved', { title: draft.steps[index]?.title ?? '', position: index + 1, count: draft.steps.length }),
    };
  }

  const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

  router.post('/design/paths/:id/steps/:stepId/move', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const { step, index } = stepOf(draft, req.params['stepId']);
    const direction = param(req, 'direction');
    if (direction !== 'up' && direction !== 'down') {
      res.status(400).json({ error: 'direction must be up or down' });
      return;
    }
    const ids = draft.steps.map((s) => s.id);
    const to = Math.min(ids.length - 1, Math.max(0, index + (direction === 'up' ? -1 : 1)));
    ids.splice(index, 1);
    ids.splice(to, 0, step.id);
    const result = await reorder(ctx, path.id, ids, step.id);
    if (wantsJson(req)) res.json(result);
    else redirect(res, ctx, `/design/paths/${path.id}#step-${step.id}`, { notice: 'step.moved', step: step.id });
  }));

  router.post('/design/paths/:id/order', route(async (req, res, ctx) => {
    const { path } = await ownPath(ctx, req.params['id']);
    const body = (req.body ?? {}) as { order?: unknown; moved?: unknown };
    const order = Array.isArray(body.order) ? body.order.map(String) : String(body.order ?? '').split(',').filter(Boolean);
    try {
      res.json(await reorder(ctx, path.id, order, String(body.moved ?? order[0] ?? '')));
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      res.status(400).json({ error: td(ctx.locale, 'reorder.failed') });
    }
  }));

  // ---- Preview as learner ---------------------------------------------------------------------
  router.get('/design/paths/:id/preview', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const titleOf = new Map(draft.steps.map((s) => [s.id, s.title]));
    const total = draft.steps.reduce((sum, s) => sum + (s.estimatedMinutes ?? 0), 0);
    const rule = draft.completion.kind === 'n-of-m'
      ? td(locale, 'preview.rule.nofm', { n: draft.completion.count, m: draft.steps.length })
      : td(locale, 'preview.rule.all');
    sendDesignerPage(res, ctx, {
      title: td(locale, 'preview.title', { title: draft.title }),
      path: `/design/paths/${path.id}/preview`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'preview.title', { title: draft.title })}</h1>
<p class="note">${td(locale, 'preview.intro')}</p>
<section class="preview" aria-labelledby="preview-title">
<h2 id="preview-title" lang="${draft.language}">${draft.title}</h2>
${draft.description ? html`<p lang="${draft.language}">${draft.description}</p>` : ''}
<p>${rule}${draft.dueAfterDays ? html` ${td(locale, 'preview.due', { days: draft.dueAfterDays })}` : ''}</p>
${total > 0 ? html`<p>${td(locale, 'preview.total', { minutes: total })}</p>` : ''}
<ol class="steps preview-steps">${draft.steps.map((step) => html`<li data-preview-step="${step.id}"><h3 class="step-title" lang="${draft.language}">${step.title}</h3><p class="step-meta">${stepMeta(locale, step, titleOf)}</p></li>`)}</ol>
</section>`,
    });
  }));

  // ---- Settings ------------------------------------------------------------------------------
  const settingsPage = (res: Response, ctx: DesignerContext, path: PathSummary, draft: PathDefinition, state: FormState, status = 200) => {
    const { locale } = ctx;
    const grantRows = rowCount(state.values, 'grantRows', filledRows(state.values, 'grants'), 2);
    const labels: Record<string, string> = {
      title: td(locale, 'field.title'), description: td(locale, 'field.description'), language: td(locale, 'field.language'),
      completionKind: td(locale, 'settings.completion'), completionCount: 'N', scoreKind: td(locale, 'settings.score'),
      scoreStepId: td(locale, 'settings.score.stepId'), dueAfterDays: td(locale, 'settings.due'), sharing: td(locale, 'settings.sharing'),
      grants: td(locale, 'settings.grants'), 'grants-competence': td(locale, 'settings.grant.competence'), 'grants-validMonths': td(locale, 'settings.grant.months'),
    };
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'settings.title', { title: path.title }),
      path: `/design/paths/${path.id}/settings`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'settings.title', { title: path.title })}</h1>
${errorSummary(state, labels)}
<form method="post" action="/design/paths/${path.id}/settings" novalidate>
${ctx.hidden}
<input type="hidden" name="grantRows" value="${grantRows}">
<fieldset class="group"><legend>${td(locale, 'settings.about')}</legend>
${input(state, 'title', labels.title!, { wide: true })}
${textarea(state, 'description', labels.description!, { optional: true })}
${choiceGroup(state, 'language', labels.language!, LOCALES.map((l) => ({ value: l, label: td(locale, `language.${l}`) })))}
</fieldset>
${choiceGroup(state, 'completionKind', labels.completionKind!, [{ value: 'all-required', label: td(locale, 'settings.completion.all') }, { value: 'n-of-m', label: td(locale, 'settings.completion.nofm') }])}
${input(state, 'completionCount', td(locale, 'settings.completion.count', { m: draft.steps.length }), { type: 'number', inputmode: 'numeric', min: 1, optional: true })}
${choiceGroup(state, 'scoreKind', labels.scoreKind!, [{ value: 'average-scored-required', label: td(locale, 'settings.score.average') }, { value: 'completion', label: td(locale, 'settings.score.completion') }, { value: 'step', label: td(locale, 'settings.score.step') }])}
${select(state, 'scoreStepId', labels.scoreStepId!, draft.steps.map((s) => ({ value: s.id, label: s.title })), { placeholder: td(locale, 'settings.score.stepId.none') })}
${input(state, 'dueAfterDays', labels.dueAfterDays!, { type: 'number', inputmode: 'numeric', min: 1, max: 3650, optional: true })}
<fieldset class="group" id="grants" tabindex="-1"><legend>${labels.grants}</legend>
<p class="hint">${td(locale, 'settings.grants.hint')}</p>
${Array.from({ length: grantRows }, (_, i) => html`<fieldset class="row"><legend>${td(locale, 'settings.grant', { n: i + 1 })}</legend>
${input(state, `grants-${i}-competence`, labels['grants-competence']!)}
${input(state, `grants-${i}-validMonths`, labels['grants-validMonths']!, { type: 'number', inputmode: 'numeric', min: 1, max: 600, optional: true })}
</fieldset>`)}
<button type="submit" name="action" value="more-rows" class="secondary">${td(locale, 'form.more-rows')}</button>
</fieldset>
${choiceGroup(state, 'sharing', labels.sharing!, SHARINGS.map((s) => ({ value: s, label: td(locale, `sharing.${s}`) })))}
<div class="buttons"><button type="submit" name="action" value="save">${td(locale, 'form.save')}</button> <a href="${ctx.href(`/design/paths/${path.id}`)}">${td(locale, 'form.cancel')}</a></div>
</form>`,
    });
  };

  router.get('/design/paths/:id/settings', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    settingsPage(res, ctx, path, draft, formState(ctx.locale, formFromSettings(draft, path.sharing)));
  }));

  router.post('/design/paths/:id/settings', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const values = bodyValues(req);
    if (one(values, 'action') === 'more-rows') {
      settingsPage(res, ctx, path, draft, formState(ctx.locale, { ...values, grantRows: String(Number(one(values, 'grantRows')) + 3) }));
      return;
    }
    const sharing = one(values, 'sharing') as PathSharing;
    const { settings, rows } = settingsFromForm(values);
    const problems: DefinitionProblem[] = SHARINGS.includes(sharing) ? [] : [{ path: 'sharing', message: 'unknown sharing' }];
    if (problems.length === 0) {
      try {
        await updateDraftSettings(db, ctx.session.tenantId, path.id, settings);
        if (sharing !== path.sharing) await setSharing(db, ctx.session.tenantId, path.id, sharing);
        redirect(res, ctx, `/design/paths/${path.id}`, { notice: 'settings.saved' });
        return;
      } catch (error) {
        if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
        problems.push(...error.problems);
      }
    }
    settingsPage(res, ctx, path, draft, formState(ctx.locale, values, problemsByField(problems, rows).keys()), 400);
  }));

  // ---- Steps: add, edit, remove ----------------------------------------------------------------
  const stepFormPage = async (
    res: Response,
    ctx: DesignerContext,
    path: PathSummary,
    draft: PathDefinition,
    form: { type: Step['type']; index: number; step?: Step },
    state: FormState,
    status = 200,
  ) => {
    const { locale } = ctx;
    const { type, index, step } = form;
    const earlier = draft.steps.slice(0, index);
    const later = step ? draft.steps.slice(index + 1) : [];
    const title = step ? td(locale, 'stepform.edit', { title: step.title }) : td(locale, 'stepform.new', { type: td(locale, `type.${type}`) });
    const action = step ? `/design/paths/${path.id}/steps/${step.id}` : `/design/paths/${path.id}/steps`;
    const labels: Record<string, string> = {
      title: td(locale, 'field.title'), required: td(locale, 'stepform.required'), requires: td(locale, 'stepform.requires'),
      estimatedMinutes: td(locale, 'stepform.estimate'), packageId: td(locale, 'scorm.package'), completionRule: td(locale, 'scorm.rule'),
      minimumScore: td(locale, 'scorm.minimum'), resourceKind: td(locale, 'web.kind'), url: td(locale, 'web.url'), doneBy: td(locale, 'web.done'),
      minimumMinutes: td(locale, 'web.minutes'), date: td(locale, 'session.date'), startTime: td(locale, 'session.start'), endTime: td(locale, 'session.end'),
      place: td(locale, 'session.place'), capacity: td(locale, 'session.capacity'), statements: td(locale, 'sa.statements'),
      'statements-text': td(locale, 'sa.text'), 'statements-competence': td(locale, 'sa.competence'), recommendations: td(locale, 'sa.recommendations'),
      'recommendations-competence': td(locale, 'sa.competence'), 'recommendations-belowLevel': td(locale, 'sa.below'), 'recommendations-stepIds': td(locale, 'sa.steps'),
      questions: td(locale, 'ev.questions'), 'questions-text': td(locale, 'ev.text'), 'questions-kind': td(locale, 'ev.kind'), 'questions-max': td(locale, 'ev.max'),
      'questions-maxLength': td(locale, 'ev.maxLength'),
    };
    let specific: SafeHtml;
    const rowsField = (name: string, spare: number) => rowCount(state.values, `${name}Rows`, filledRows(state.values, name), spare);
    if (type === 'scorm') {
      const packages = await listPackages(db, ctx.session.tenantId);
      specific = html`<fieldset class="group"><legend>${td(locale, 'type.scorm')}</legend>
${packages.length === 0 ? html`<p class="note" id="packageId-none">${td(locale, 'scorm.package.none')}</p>` : ''}
${select(state, 'packageId', labels.packageId!, packages.map((p) => ({ value: p.id, label: `${p.title} (${p.standard} ${p.edition})` })), { placeholder: td(locale, 'scorm.package.choose') })}
<p><a href="${ctx.href('/design/packages/upload', { path: path.id })}" data-upload-link>${td(locale, 'scorm.upload')}</a></p>
${choiceGroup(state, 'completionRule', labels.completionRule!, (['completed', 'passed', 'score'] as const).map((r) => ({ value: r, label: td(locale, `scorm.rule.${r}`) })))}
${input(state, 'minimumScore', labels.minimumScore!, { type: 'number', inputmode: 'decimal', min: 0, max: 100, step: 'any', optional: true })}
</fieldset>`;
    } else if (type === 'web') {
      specific = html`<fieldset class="group"><legend>${td(locale, 'type.web')}</legend>
${choiceGroup(state, 'resourceKind', labels.resourceKind!, [{ value: 'link', label: td(locale, 'web.kind.link') }, { value: 'video', label: td(locale, 'web.kind.video') }])}
${input(state, 'url', labels.url!, { type: 'url', wide: true, autocomplete: 'url' })}
${choiceGroup(state, 'doneBy', labels.doneBy!, [{ value: 'mark-as-done', label: td(locale, 'web.done.mark') }, { value: 'minimum-time', label: td(locale, 'web.done.time') }])}
${input(state, 'minimumMinutes', labels.minimumMinutes!, { type: 'number', inputmode: 'decimal', min: 1, max: 1440, step: 'any', optional: true })}
</fieldset>`;
    } else if (type === 'session') {
      specific = html`<fieldset class="group"><legend>${td(locale, 'type.session')}</legend>
${input(state, 'date', labels.date!, { type: 'date' })}
${input(state, 'startTime', labels.startTime!, { type: 'time' })}
${input(state, 'endTime', labels.endTime!, { type: 'time', optional: true })}
${input(state, 'place', labels.place!, { wide: true })}
${input(state, 'capacity', labels.capacity!, { type: 'number', inputmode: 'numeric', min: 1, max: 10000 })}
</fieldset>`;
    } else if (type === 'self-assessment') {
      const statementRows = rowsField('statements', 2);
      const recommendationRows = rowsField('recommendations', 1);
      specific = html`<fieldset class="group" id="statements" tabindex="-1"><legend>${labels.statements}</legend>
<p class="hint">${td(locale, 'sa.statements.hint')}</p>
${state.errors.has('statements') ? html`<p class="field-error">${state.errors.get('statements')}</p>` : ''}
<input type="hidden" name="statementsRows" value="${statementRows}">
${Array.from({ length: statementRows }, (_, i) => html`<fieldset class="row"><legend>${td(locale, 'sa.statement', { n: i + 1 })}</legend>
${one(state.values, `statements-${i}-id`) ? html`<input type="hidden" name="statements-${i}-id" value="${one(state.values, `statements-${i}-id`)}">` : ''}
${textarea(state, `statements-${i}-text`, labels['statements-text']!, { rows: 2 })}
${input(state, `statements-${i}-competence`, labels['statements-competence']!)}
</fieldset>`)}
<button type="submit" name="action" value="more-rows" class="secondary">${td(locale, 'form.more-rows')}</button>
</fieldset>
<fieldset class="group" id="recommendations" tabindex="-1"><legend>${labels.recommendations}</legend>
<p class="hint">${td(locale, 'sa.recommendations.hint')}</p>
${state.errors.has('recommendations') ? html`<p class="field-error">${state.errors.get('recommendations')}</p>` : ''}
<input type="hidden" name="recommendationsRows" value="${recommendationRows}">
${later.length === 0 ? html`<p class="muted">${td(locale, 'sa.recommendations.none')}</p>` : Array.from({ length: recommendationRows }, (_, i) => html`<fieldset class="row"><legend>${td(locale, 'sa.recommendation', { n: i + 1 })}</legend>
${input(state, `recommendations-${i}-competence`, labels['recommendations-competence']!)}
${select(state, `recommendations-${i}-belowLevel`, labels['recommendations-belowLevel']!, ['2', '3', '4'].map((v) => ({ value: v, label: v })))}
${choiceGroup(state, `recommendations-${i}-stepIds`, labels['recommendations-stepIds']!, later.map((s) => ({ value: s.id, label: s.title })), { multiple: true })}
</fieldset>`)}
</fieldset>`;
    } else {
      const questionRows = rowsField('questions', 2);
      specific = html`<fieldset class="group" id="questions" tabindex="-1"><legend>${labels.questions}</legend>
<p class="hint">${td(locale, 'ev.questions.hint')}</p>
${state.errors.has('questions') ? html`<p class="field-error">${state.errors.get('questions')}</p>` : ''}
<input type="hidden" name="questionsRows" value="${questionRows}">
${Array.from({ length: questionRows }, (_, i) => html`<fieldset class="row"><legend>${td(locale, 'ev.question', { n: i + 1 })}</legend>
${one(state.values, `questions-${i}-id`) ? html`<input type="hidden" name="questions-${i}-id" value="${one(state.values, `questions-${i}-id`)}">` : ''}
${textarea(state, `questions-${i}-text`, labels['questions-text']!, { rows: 2 })}
${select(state, `questions-${i}-kind`, labels['questions-kind']!, [{ value: 'scale', label: td(locale, 'ev.kind.scale') }, { value: 'text', label: td(locale, 'ev.kind.text') }])}
${input(state, `questions-${i}-max`, labels['questions-max']!, { type: 'number', inputmode: 'numeric', min: 2, max: 10, optional: true })}
${input(state, `questions-${i}-maxLength`, labels['questions-maxLength']!, { type: 'number', inputmode: 'numeric', min: 1, max: 5000, optional: true })}
</fieldset>`)}
<button type="submit" name="action" value="more-rows" class="secondary">${td(locale, 'form.more-rows')}</button>
</fieldset>`;
    }
    sendDesignerPage(res, ctx, {
      status,
      title,
      path: step ? `/design/paths/${path.id}/steps/${step.id}` : `/design/paths/${path.id}/steps/new`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${title}</h1>
${errorSummary(state, labels)}
<form method="post" action="${action}" novalidate data-step-form="${type}">
${ctx.hidden}
<input type="hidden" name="type" value="${type}">
<fieldset class="group"><legend>${td(locale, 'stepform.common')}</legend>
${input(state, 'title', labels.title!, { wide: true })}
${choiceGroup(state, 'required', labels.required!, [{ value: 'yes', label: td(locale, 'stepform.required.yes') }, { value: 'no', label: td(locale, 'stepform.required.no') }])}
${input(state, 'estimatedMinutes', labels.estimatedMinutes!, { type: 'number', inputmode: 'numeric', min: 1, max: 10000, optional: true })}
${choiceGroup(state, 'requires', labels.requires!, earlier.map((s) => ({ value: s.id, label: s.title })), { multiple: true, empty: td(locale, 'stepform.requires.none') })}
</fieldset>
${specific}
<div class="buttons"><button type="submit" name="action" value="save">${step ? td(locale, 'form.save') : td(locale, 'stepform.add')}</button> <a href="${ctx.href(`/design/paths/${path.id}`)}">${td(locale, 'form.cancel')}</a></div>
</form>`,
    });
  };

  /** A SCORM step may only use a package of the designer's own tenant (ids of others are refused as unknown). */
  async function checkPackage(ctx: DesignerContext, step: NewStep): Promise<void> {
    if (step.type !== 'scorm') return;
    const packageId = (step.config as { packageId?: unknown }).packageId;
    if (typeof packageId !== 'string' || packageId === '') return; // the schema reports it
    if (!isUuid(packageId) || !(await findPackage(db, ctx.session.tenantId, packageId))) {
      throw new PathError('invalid-definition', 'no such package of this tenant', [{ path: 'config.packageId', message: 'unknown package' }]);
    }
  }

  const NEW_STEP_DEFAULTS: Record<Step['type'], FormValues> = {
    scorm: { completionRule: 'completed' },
    web: { resourceKind: 'link', doneBy: 'mark-as-done' },
    session: { capacity: '20', startTime: '09:00' },
    'self-assessment': {},
    evaluation: { 'questions-0-kind': 'scale', 'questions-0-max': '5', 'questions-1-kind': 'text' },
  };

  router.get('/design/paths/:id/steps/new', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const type = param(req, 'type');
    if (!isStepType(type)) throw new DesignerRefusal(404);
    await stepFormPage(res, ctx, path, draft, { type, index: draft.steps.length }, formState(ctx.locale, { required: 'yes', ...NEW_STEP_DEFAULTS[type] }));
  }));

  /** Validation problems from the core, shown at their fields; the values as entered. */
  const invalidStep = (ctx: DesignerContext, values: FormValues, problems: readonly DefinitionProblem[], rows: RowMap) =>
    formState(ctx.locale, values, problemsByField(problems, rows).keys());

  const moreRows = (values: FormValues, type: Step['type']): FormValues => {
    const names = type === 'self-assessment' ? ['statements', 'recommendations'] : type === 'evaluation' ? ['questions'] : [];
    const next = { ...values };
    for (const name of names) next[`${name}Rows`] = String(Math.max(Number(one(values, `${name}Rows`)) || 0, filledRows(values, name)) + 3);
    return next;
  };

  router.post('/design/paths/:id/steps', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const values = bodyValues(req);
    const type = one(values, 'type');
    if (!isStepType(type)) throw new DesignerRefusal(404);
    const form = { type, index: draft.steps.length };
    if (one(values, 'action') === 'more-rows') {
      await stepFormPage(res, ctx, path, draft, form, formState(ctx.locale, moreRows(values, type)));
      return;
    }
    const parsed = stepFromForm(type, values);
    try {
      await checkPackage(ctx, parsed.step);
      const id = await addStep(db, ctx.session.tenantId, path.id, parsed.step);
      redirect(res, ctx, `/design/paths/${path.id}#step-${id}`, { notice: 'step.added' });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      await stepFormPage(res, ctx, path, draft, form, invalidStep(ctx, values, error.problems, parsed.rows), 400);
    }
  }));

  router.get('/design/paths/:id/steps/:stepId', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const { step, index } = stepOf(draft, req.params['stepId']);
    await stepFormPage(res, ctx, path, draft, { type: step.type, index, step }, formState(ctx.locale, formFromStep(step)));
  }));

  router.post('/design/paths/:id/steps/:stepId', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const { step, index } = stepOf(draft, req.params['stepId']);
    const values = bodyValues(req);
    const form = { type: step.type, index, step };
    if (one(values, 'action') === 'more-rows') {
      await stepFormPage(res, ctx, path, draft, form, formState(ctx.locale, moreRows(values, step.type)));
      return;
    }
    const parsed = stepFromForm(step.type, values);
    try {
      await checkPackage(ctx, parsed.step);
      await editStep(db, ctx.session.tenantId, path.id, step.id, stepChanges(parsed));
      redirect(res, ctx, `/design/paths/${path.id}#step-${step.id}`, { notice: 'step.saved' });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      await stepFormPage(res, ctx, path, draft, form, invalidStep(ctx, values, error.problems, parsed.rows), 400);
    }
  }));

  const removePage = (res: Response, ctx: DesignerContext, path: PathSummary, step: Step, refused: boolean) => {
    const { locale } = ctx;
    sendDesignerPage(res, ctx, {
      status: refused ? 409 : 200,
      title: td(locale, 'remove.title', { title: step.title }),
      path: `/design/paths/${path.id}/steps/${step.id}/remove`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'remove.title', { title: step.title })}</h1>
${refused ? html`<div class="error-summary" role="alert"><p>${td(locale, 'remove.refused')}</p></div>` : ''}
<p>${td(locale, 'remove.body')}</p>
<form method="post" action="/design/paths/${path.id}/steps/${step.id}/remove">${ctx.hidden}
<div class="buttons"><button type="submit" class="danger">${td(locale, 'remove.confirm')}</button> <a href="${ctx.href(`/design/paths/${path.id}`)}">${td(locale, 'form.cancel')}</a></div>
</form>`,
    });
  };

  router.get('/design/paths/:id/steps/:stepId/remove', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    removePage(res, ctx, path, stepOf(draft, req.params['stepId']).step, false);
  }));

  router.post('/design/paths/:id/steps/:stepId/remove', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const { step } = stepOf(draft, req.params['stepId']);
    try {
      await removeStep(db, ctx.session.tenantId, path.id, step.id);
      redirect(res, ctx, `/design/paths/${path.id}`, { notice: 'step.removed' });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      removePage(res, ctx, path, step, true);
    }
  }));

  // ---- Publish, versions, moving learners -------------------------------------------------------
  const publishPage = async (res: Response, ctx: DesignerContext, path: PathSummary, draft: PathDefinition, status = 200) => {
    const { locale } = ctx;
    const parsed = definitionSchema.safeParse(draft);
    const problems = parsed.success ? crossCheck(parsed.data, true) : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const number = (path.latestVersion?.number ?? 0) + 1;
    const fixLink = (problem: DefinitionProblem) => {
      const stepIndex = /^steps\.(\d+)\./.exec(problem.path)?.[1];
      const step = stepIndex === undefined ? undefined : draft.steps[Number(stepIndex)];
      const field = fieldOf(problem.path, {});
      const message = fieldError(locale, field.replace(/-\d+-/, '-') || 'generic');
      const href = step ? ctx.href(`/design/paths/${path.id}/steps/${step.id}`) : field === 'steps' ? ctx.href(`/design/paths/${path.id}`) : ctx.href(`/design/paths/${path.id}/settings`);
      return html`<li><a href="${href}">${step ? `${step.title}: ` : ''}${message}</a></li>`;
    };
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'publish.title', { title: path.title }),
      path: `/design/paths/${path.id}/publish`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'publish.title', { title: path.title })}</h1>
${problems.length > 0
  ? html`<div class="error-summary" role="alert" aria-labelledby="publish-problems" data-publish-problems><h2 id="publish-problems">${td(locale, 'publish.problems')}</h2><p>${td(locale, 'publish.fix')}</p><ul>${problems.map(fixLink)}</ul></div>`
  : html`<p>${td(locale, 'publish.body', { number })}</p>
<form method="post" action="/design/paths/${path.id}/publish">${ctx.hidden}
<div class="buttons"><button type="submit" data-confirm-publish>${td(locale, 'publish.confirm', { number })}</button> <a href="${ctx.href(`/design/paths/${path.id}`)}">${td(locale, 'form.cancel')}</a></div>
</form>`}`,
    });
  };

  router.get('/design/paths/:id/publish', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    await publishPage(res, ctx, path, draft);
  }));

  router.post('/design/paths/:id/publish', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    try {
      const { number } = await publish(db, ctx.session.tenantId, path.id, ctx.session.personId);
      redirect(res, ctx, `/design/paths/${path.id}/versions`, { notice: 'path.published', number: String(number) });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      await publishPage(res, ctx, path, draft, 400);
    }
  }));

  async function versionFacts(ctx: DesignerContext, pathId: string) {
    const versions = await listPublishedVersions(db, ctx.session.tenantId, pathId);
    const overview = await versionOverview(db, ctx.session.tenantId, pathId);
    const newest = versions.at(-1);
    const waiting = newest ? overview.filter((o) => o.status === 'in_progress' && o.versionNumber < newest.number).reduce((s, o) => s + o.learners, 0) : 0;
    return { versions, overview, newest, waiting };
  }

  router.get('/design/paths/:id/versions', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const { path } = await ownPath(ctx, req.params['id']);
    const { versions, overview, newest, waiting } = await versionFacts(ctx, path.id);
    const count = (number: number, status: string) => overview.find((o) => o.versionNumber === number && o.status === status)?.learners ?? 0;
    sendDesignerPage(res, ctx, {
      title: td(locale, 'versions.title', { title: path.title }),
      path: `/design/paths/${path.id}/versions`,
      crumbs: [pathCrumb(ctx, path)],
      notice: noticeText(req, ctx),
      body: html`<h1>${td(locale, 'versions.title', { title: path.title })}</h1>
${versions.length === 0 ? html`<p>${td(locale, 'versions.none')}</p>` : html`<h2>${td(locale, 'versions.overview')}</h2>
<div class="table-wrap" role="region" aria-label="${td(locale, 'versions.overview')}" tabindex="0"><table data-versions>
<thead><tr><th scope="col">${td(locale, 'versions.number')}</th><th scope="col">${td(locale, 'versions.published-at')}</th><th scope="col">${td(locale, 'versions.in-progress')}</th><th scope="col">${td(locale, 'versions.completed')}</th></tr></thead>
<tbody>${[...versions].reverse().map((v) => html`<tr data-version="${v.number}"><th scope="row">${v.number}</th><td>${formatDate(locale, v.publishedAt)}</td><td data-in-progress>${count(v.number, 'in_progress')}</td><td data-completed>${count(v.number, 'completed')}</td></tr>`)}</tbody>
</table></div>
<h2>${td(locale, 'versions.move')}</h2>
${waiting === 0 ? html`<p>${td(locale, 'versions.move.none')}</p>` : html`<p>${td(locale, 'versions.move.body', { count: waiting, number: newest!.number })}</p>
<form method="post" action="/design/paths/${path.id}/move-learners">${ctx.hidden}<input type="hidden" name="version" value="${newest!.id}">
<button type="submit" data-move-learners>${td(locale, 'versions.move.confirm', { number: newest!.number })}</button></form>`}`}`,
    });
  }));

  router.post('/design/paths/:id/move-learners', route(async (req, res, ctx) => {
    const { path } = await ownPath(ctx, req.params['id']);
    const { newest } = await versionFacts(ctx, path.id);
    // Only to the newest version, and only the one the confirmation named (no surprise after a new publish).
    if (!newest || param(req, 'version') !== newest.id) throw new DesignerRefusal(404);
    const { moved, completed } = await moveLearnersToVersion(db, ctx.session.tenantId, path.id, newest.id);
    redirect(res, ctx, `/design/paths/${path.id}/versions`, { notice: 'path.moved-learners', moved: String(moved), completed: String(completed) });
  }));

  // ---- Duplicate -------------------------------------------------------------------------------
  const duplicatePage = (res: Response, ctx: DesignerContext, path: PathSummary, state: FormState, status = 200) => {
    const { locale } = ctx;
    const labels = { title: td(locale, 'duplicate.name') };
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'duplicate.title', { title: path.title }),
      path: `/design/paths/${path.id}/duplicate`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'duplicate.title', { title: path.title })}</h1>
${errorSummary(state, labels)}
<p>${td(locale, 'duplicate.body')}</p>
<form method="post" action="/design/paths/${path.id}/duplicate" novalidate>${ctx.hidden}
${input(state, 'title', labels.title, { wide: true })}
<div class="buttons"><button type="submit">${td(locale, 'duplicate.submit')}</button> <a href="${ctx.href(`/design/paths/${path.id}`)}">${td(locale, 'form.cancel')}</a></div>
</form>`,
    });
  };

  router.get('/design/paths/:id/duplicate', route(async (req, res, ctx) => {
    const path = await visiblePath(ctx, req.params['id']);
    duplicatePage(res, ctx, path, formState(ctx.locale, { title: `${td(ctx.locale, 'duplicate.prefix')} ${path.title}`.slice(0, 300) }));
  }));

  router.post('/design/paths/:id/duplicate', route(async (req, res, ctx) => {
    const path = await visiblePath(ctx, req.params['id']);
    const values = bodyValues(req);
    try {
      const copy = await duplicatePath(db, ctx.session.tenantId, path.id, ctx.session.personId, one(values, 'title'));
      redirect(res, ctx, `/design/paths/${copy.id}`, { notice: 'path.duplicated' });
    } catch (error) {
      if (!(error instanceof PathError) || error.code !== 'invalid-definition') throw error;
      duplicatePage(res, ctx, path, formState(ctx.locale, values, ['title']), 400);
    }
  }));

  // ---- Physical session: sign-ups and attendance -------------------------------------------------
  async function stepAnyVersion(ctx: DesignerContext, path: PathSummary, draft: PathDefinition, stepId: unknown, type: Step['type']): Promise<Step> {
    let step = draft.steps.find((s) => s.id === stepId);
    if (!step && path.latestVersion) step = (await loadPublishedVersion(db, path.latestVersion.id)).definition.steps.find((s) => s.id === stepId);
    if (!step || step.type !== type) throw new DesignerRefusal(404);
    return step;
  }

  const signupsPage = async (req: Request, res: Response, ctx: DesignerContext, status = 200, failed = false) => {
    const { locale } = ctx;
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const step = await stepAnyVersion(ctx, path, draft, req.params['stepId'], 'session');
    const signups = await listSignUps(db, ctx.session.tenantId, path.id, step.id);
    const attendance = await sessionAttendance(db, ctx.session.tenantId, path.id, step.id, signups.map((s) => s.enrolmentId));
    const base = `/design/paths/${path.id}/steps/${step.id}`;
    const state = (attended: boolean | undefined) => (attended === undefined ? td(locale, 'signups.unknown') : td(locale, attended ? 'signups.attended' : 'signups.absent'));
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'signups.title', { title: step.title }),
      path: `${base}/signups`,
      crumbs: [pathCrumb(ctx, path)],
      notice: failed ? undefined : noticeText(req, ctx),
      body: html`<h1>${td(locale, 'signups.title', { title: step.title })}</h1>
${failed ? html`<div class="error-summary" role="alert"><p>${td(locale, 'signups.other-tenant')}</p></div>` : ''}
${signups.length === 0 ? html`<p>${td(locale, 'signups.none')}</p>` : html`<ul class="signups">${signups.map((s) => {
  const person = attendance.get(s.enrolmentId);
  const name = person?.name || td(locale, 'signups.unnamed');
  const current = person?.attended;
  return html`<li data-enrolment="${s.enrolmentId}">
<h2 class="step-title">${name}</h2>
<p class="step-meta">${td(locale, 'signups.at')}: ${formatDate(locale, s.signedUpAt)} · ${td(locale, 'signups.attendance')}: <span data-attendance>${state(current)}</span></p>
<form method="post" action="${base}/attendance">${ctx.hidden}
<input type="hidden" name="enrolment" value="${s.enrolmentId}"><input type="hidden" name="key" value="${randomUUID()}">
${choiceGroup(formState(locale, { attended: current === undefined ? '' : current ? 'yes' : 'no' }), `attended-${s.enrolmentId}`, td(locale, 'signups.register', { name }), [{ value: 'yes', label: td(locale, 'signups.attended') }, { value: 'no', label: td(locale, 'signups.absent') }], { name: 'attended' })}
<button type="submit">${td(locale, 'signups.save')}<span class="visually-hidden">: ${name}</span></button>
</form></li>`;
})}</ul>`}`,
    });
  };

  router.get('/design/paths/:id/steps/:stepId/signups', route(async (req, res, ctx) => signupsPage(req, res, ctx)));

  router.post('/design/paths/:id/steps/:stepId/attendance', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const step = await stepAnyVersion(ctx, path, draft, req.params['stepId'], 'session');
    const enrolmentId = param(req, 'enrolment');
    const attended = param(req, 'attended');
    const key = param(req, 'key');
    if (!isUuid(enrolmentId) || (attended !== 'yes' && attended !== 'no') || !key || key.length > 200) {
      await signupsPage(req, res, ctx, 400, true);
      return;
    }
    try {
      await registerAttendance(db, ctx.session.tenantId, { enrolmentId, stepId: step.id, attended: attended === 'yes', idempotencyKey: `designer-attendance:${key}` });
    } catch (error) {
      if (!(error instanceof PathError)) throw error;
      await signupsPage(req, res, ctx, 400, true);
      return;
    }
    redirect(res, ctx, `/design/paths/${path.id}/steps/${step.id}/signups`, { notice: 'signups.saved' });
  }));

  // ---- Evaluation report -----------------------------------------------------------------------
  router.get('/design/paths/:id/steps/:stepId/report', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const step = await stepAnyVersion(ctx, path, draft, req.params['stepId'], 'evaluation');
    let body: SafeHtml;
    if (!path.latestVersion) body = html`<p data-report="unpublished">${td(locale, 'report.unpublished')}</p>`;
    else {
      const report = await evaluationReport(db, ctx.session.tenantId, path.id, step.id);
      body = report.status === 'too-few-answers'
        ? html`<p data-report="too-few">${td(locale, 'report.too-few', { minimum: report.minimum })}</p>`
        : html`<p data-report="ready">${td(locale, 'report.respondents', { count: report.respondents })}</p>
${report.questions.map((q, i) => html`<section class="report-question" aria-labelledby="q-${i}"><h2 id="q-${i}">${q.text}</h2>
${q.kind === 'scale'
  ? html`<p>${td(locale, 'report.mean')}: <strong data-mean>${q.mean.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO')}</strong></p>
<table><thead><tr><th scope="col">${td(locale, 'report.value')}</th><th scope="col">${td(locale, 'report.count')}</th></tr></thead>
<tbody>${Object.entries(q.distribution).map(([value, n]) => html`<tr><th scope="row">${value}</th><td>${n}</td></tr>`)}</tbody></table>`
  : html`<ul class="answers">${q.answers.map((a) => html`<li>${a}</li>`)}</ul>`}
</section>`)}`;
    }
    sendDesignerPage(res, ctx, {
      title: td(locale, 'report.title', { title: step.title }),
      path: `/design/paths/${path.id}/steps/${step.id}/report`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'report.title', { title: step.title })}</h1>${body}`,
    });
  }));

  router.use(refusalHandler);
  return router;
}

function statusText(locale: Locale, path: PathSummary): string {
  return path.latestVersion ? `${td(locale, 'status.published')} ${path.latestVersion.number}` : td(locale, 'status.draft');
}

function stepMeta(locale: Locale, step: Step, titleOf: ReadonlyMap<string, string>): string {
  const parts = [td(locale, `type.${step.type}`), td(locale, step.required ? 'step.required' : 'step.optional')];
  if (step.estimatedMinutes) parts.push(`${step.estimatedMinutes} ${td(locale, 'step.minutes')}`);
  if (step.requires.length > 0) parts.push(`${td(locale, 'step.requires')}: ${step.requires.map((id) => titleOf.get(id) ?? '?').join(', ')}`);
  return parts.join(' · ');
}

/** How many numbered rows (`name-N-…`) the values hold: the highest N + 1. */
function filledRows(values: FormValues, name: string): number {
  let rows = 0;
  for (const key of Object.keys(values)) {
    const match = new RegExp(`^${name}-(\\d+)-`).exec(key);
    if (match && (many(values, key).length > 0)) rows = Math.max(rows, Number(match[1]) + 1);
  }
  return rows;
}

const NOTICES: readonly DesignerMessageId[] = [
  'path.created', 'settings.saved', 'step.added', 'step.saved', 'step.removed', 'step.moved', 'path.duplicated', 'path.published',
  'path.moved-learners', 'signups.saved',
];

/** The confirmation after a redirect (?notice=…), from a fixed list: nothing from the query is shown as text. */
function noticeText(req: Request, ctx: DesignerContext, draft?: PathDefinition): string | undefined {
  const id = param(req, 'notice') as DesignerMessageId | undefined;
  if (!id || !NOTICES.includes(id)) return undefined;
  const int = (name: string) => String(Number.parseInt(param(req, name) ?? '0', 10) || 0);
  if (id === 'step.moved') {
    const index = draft?.steps.findIndex((s) => s.id === param(req, 'step')) ?? -1;
    if (!draft || index < 0) return undefined;
    return td(ctx.locale, id, { title: draft.steps[index]!.title, position: index + 1, count: draft.steps.length });
  }
  return td(ctx.locale, id, { number: int('number'), moved: int('moved'), completed: int('completed') });
}
