import type { Router, Request, Response } from 'express';
import type { DefinitionProblem, PathDefinition } from '../../paths/definition.js';
import { getDraft, reorderSteps, updateDraftSettings } from '../../paths/drafts.js';
import { PathError } from '../../paths/errors.js';
import { pathOrigins, pathsWithUnpublishedChanges, pathUpdateTimes } from '../../paths/designer-queries.js';
import { createPath, listVisiblePaths, loadPublishedVersion, setSharing, type PathSummary } from '../../paths/paths.js';
import type { PathSharing } from '../../paths/tables.js';
import { alert, button, buttonRow, card, facts, link, linkButton, pagination, srOnly, table, type Column } from '../ds/components.js';
import { tds } from '../ds/messages.js';
import { html } from '../html.js';
import { LOCALES, type Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { STEP_TYPE_ORDER, stepTypeName } from '../step-types.js';
import { sendDesignerPage, type DesignerContext } from './context.js';
import { choiceGroup, defaultAction, errorSummary, fieldGroup, formState, input, select, textarea, type FormState } from './form-html.js';
import { formFromSettings, one, problemsByField, rowCount, settingsFromForm } from './forms.js';
import { td, type DesignerMessageId } from './messages.js';
import { bodyValues, formatDate, noticeText, statusText, stepMeta, filledRows, SHARINGS, type DesignerKit } from './kit.js';

const LIST_PAGE_SIZE = 25;
type ListSortColumn = 'title' | 'published' | 'updated';

/** `?sort=title-asc` and the like; the newest change first otherwise. */
function listSort(value: string | undefined): { column: ListSortColumn; direction: 'ascending' | 'descending' } {
  const match = /^(title|published|updated)-(asc|desc)$/.exec(value ?? '');
  if (!match) return { column: 'updated', direction: 'descending' };
  return { column: match[1] as ListSortColumn, direction: match[2] === 'asc' ? 'ascending' : 'descending' };
}

/** The start page (the list of paths), creating a path, one path with its steps and reordering, the preview as a learner, and the path settings. */
export function pathPages(router: Router, { db, route, visiblePath, ownPath, stepOf, pathCrumb, redirect }: DesignerKit): void {
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
    const origins = await pathOrigins(db, ctx.session.tenantId, paths.map((p) => p.id));
    const changed = await pathsWithUnpublishedChanges(db, ctx.session.tenantId, paths.filter((p) => p.latestVersion && p.tenantId === ctx.session.tenantId).map((p) => p.id));
    const ownerText = (p: PathSummary) => {
      const name = origins.get(p.id)?.ownerName ?? '';
      return p.tenantId === ctx.session.tenantId ? td(locale, 'list.owner.ours', { name }) : name;
    };
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', ctx.session.tenantId).executeTakeFirst();
    const showChoices = (['all', 'own', 'shared'] as const).map((value) => ({ value, label: td(locale, `list.filter.${value}`) }));
    const filters = formState(locale, { q, show });
    const sort = listSort(param(req, 'sort'));
    const published = (p: PathSummary) => origins.get(p.id)?.publishedAt?.getTime() ?? 0;
    const keys: Record<ListSortColumn, (p: PathSummary) => string | number> = {
      title: (p) => p.title.toLocaleLowerCase('nb'),
      published,
      updated: (p) => updated.get(p.id)?.getTime() ?? 0,
    };
    const sorted = [...paths].sort((a, b) => {
      const [x, y] = [keys[sort.column](a), keys[sort.column](b)];
      const order = typeof x === 'string' ? x.localeCompare(String(y), 'nb') : x - Number(y);
      return sort.direction === 'ascending' ? order : -order;
    });
    const pages = Math.max(1, Math.ceil(sorted.length / LIST_PAGE_SIZE));
    const current = Math.min(pages, Math.max(1, Number.parseInt(param(req, 'page') ?? '1', 10) || 1));
    const shown = sorted.slice((current - 1) * LIST_PAGE_SIZE, current * LIST_PAGE_SIZE);
    const column = (name: ListSortColumn, label: string): Column => ({
      label,
      sort: { value: `${name}-${sort.column === name && sort.direction === 'ascending' ? 'desc' : 'asc'}`, direction: sort.column === name ? sort.direction : 'none' },
    });
    sendDesignerPage(res, ctx, {
      title: td(locale, 'start.title'),
      path: '/design',
      body: html`<h1 data-role="${ctx.session.role}">${td(locale, 'start.title')}</h1>
<p>${td(locale, 'start.tenant')}: <strong>${tenant?.name ?? ''}</strong></p>
${buttonRow(linkButton(ctx.href('/design/paths/new'), td(locale, 'list.new')), linkButton(ctx.href('/design/import'), td(locale, 'list.import'), { variant: 'secondary', attrs: html` data-import-link` }))}
<form method="get" action="/design" class="app-search" role="search" id="path-search">
${ctx.hidden}
${input(filters, 'q', td(locale, 'list.search'), { type: 'search' })}
${select(filters, 'show', td(locale, 'list.filter'), showChoices)}
${button(td(locale, 'list.search.button'), { variant: 'secondary' })}
</form>
<h2>${td(locale, 'list.results')} (${paths.length})</h2>
${paths.length === 0 ? html`<p>${td(locale, 'list.none')}</p>` : table({
    label: td(locale, 'list.results'),
    sortForm: 'path-search',
    columns: [column('title', td(locale, 'field.title')), { label: td(locale, 'list.col.status') }, { label: td(locale, 'list.col.sharing') },
      { label: td(locale, 'list.col.owner') }, column('published', td(locale, 'list.col.published')), column('updated', td(locale, 'list.col.updated'))],
    rows: shown.map((p) => ({
      attrs: html` data-path-id="${p.id}"`,
      cells: [
        html`<a class="ds-link" href="${ctx.href(`/design/paths/${p.id}`)}" data-path-link>${p.title}</a>`,
        html`<span data-status>${statusText(locale, p, changed.has(p.id))}</span>`,
        td(locale, `sharing.${p.sharing}`),
        html`<span data-owner>${ownerText(p)}</span>`,
        html`<span data-published>${origins.get(p.id)?.publishedAt ? formatDate(locale, origins.get(p.id)!.publishedAt!) : td(locale, 'list.not-published')}</span>`,
        updated.has(p.id) ? formatDate(locale, updated.get(p.id)!) : '',
      ],
    })),
  })}
${pagination({
    label: tds(locale, 'pagination.label'), previous: tds(locale, 'pagination.previous'), next: tds(locale, 'pagination.next'), current, total: pages,
    href: (n) => ctx.href('/design', { q: q || undefined, show: show === 'all' ? undefined : show, sort: `${sort.column}-${sort.direction === 'ascending' ? 'asc' : 'desc'}`, page: String(n) }),
  })}`,
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
${buttonRow(button(td(locale, 'create.submit')), link(ctx.href('/design'), td(locale, 'form.cancel')))}
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
    const changed = own && path.latestVersion ? (await pathsWithUnpublishedChanges(db, ctx.session.tenantId, [path.id])).has(path.id) : undefined;
    const actions: [string, DesignerMessageId, string][] = own
      ? [[`${base}/settings`, 'path.settings', 'settings'], [`${base}/preview`, 'path.preview', 'preview'], [`${base}/publish`, 'path.publish', 'publish'],
        [`${base}/versions`, 'path.versions', 'versions'], [`${base}/duplicate`, 'path.duplicate', 'duplicate'], [`${base}/exports`, 'path.export', 'export']]
      : [[`${base}/duplicate`, 'path.duplicate', 'duplicate']];
    sendDesignerPage(res, ctx, {
      title: path.title,
      path: base,
      notice: noticeText(req, ctx, definition),
      body: html`<h1>${path.title}</h1>
${own ? '' : alert('info', td(locale, 'path.shared-readonly'))}
${facts([
    [td(locale, 'path.status'), statusText(locale, path), html` data-status`],
    ...(changed === undefined ? [] : [[td(locale, 'status.draft-state'), changed
      ? html`<strong>${td(locale, 'status.changed')}</strong> ${link(ctx.href(`${base}/publish`), td(locale, 'status.publish-changes'))}`
      : td(locale, 'status.unchanged', { number: path.latestVersion!.number }), html` data-draft-state="${changed ? 'changed' : 'unchanged'}"`] as const]),
    [td(locale, 'path.sharing'), td(locale, `sharing.${path.sharing}`)],
    [td(locale, 'path.language'), td(locale, `language.${path.language}`)],
  ])}
${path.description ? html`<p class="app-pre-line">${path.description}</p>` : ''}
<nav aria-label="${td(locale, 'path.actions')}" class="app-buttons">${actions.map(([href, label, name]) => linkButton(ctx.href(href), td(locale, label), { variant: 'secondary', size: 'sm', attrs: html` data-action="${name}"` }))}</nav>
<h2 id="steps-title">${td(locale, 'path.steps')}</h2>
${definition.steps.length === 0 ? html`<p>${td(locale, 'path.no-steps')}</p>` : html`
${own ? html`<p id="reorder-help" class="app-muted">${td(locale, 'reorder.instructions')}</p>` : ''}
<ol class="app-cards" id="steps" aria-labelledby="steps-title"${own ? html` data-order-url="${base}/order" data-session="${ctx.token}" data-failed="${td(locale, 'reorder.failed')}"` : ''}>
${definition.steps.map((step, index) => card(html`<h3 data-step-title>${step.title}</h3>
<p class="app-muted" data-step-meta>${stepMeta(locale, step, titleOf)}</p>
${own ? html`<div class="app-buttons">
${(['up', 'down'] as const).map((direction) => html`<form method="post" action="${base}/steps/${step.id}/move" data-move="${direction}">${ctx.hidden}<input type="hidden" name="direction" value="${direction}">${button(html`${td(locale, direction === 'up' ? 'step.up' : 'step.down')}${srOnly(`: ${step.title}`)}`, { variant: 'secondary', size: 'sm', attrs: html` data-move-button="${direction}" aria-describedby="reorder-help"` })}</form>`)}
${link(ctx.href(`${base}/steps/${step.id}`), html`${td(locale, 'step.edit')}${srOnly(`: ${step.title}`)}`, html` data-edit-step="${index}"`)}
${link(ctx.href(`${base}/steps/${step.id}/remove`), html`${td(locale, 'step.remove')}${srOnly(`: ${step.title}`)}`)}
${step.type === 'session' ? link(ctx.href(`${base}/steps/${step.id}/signups`), html`${td(locale, 'step.signups')}${srOnly(`: ${step.title}`)}`) : ''}
${step.type === 'evaluation' ? link(ctx.href(`${base}/steps/${step.id}/report`), html`${td(locale, 'step.report')}${srOnly(`: ${step.title}`)}`) : ''}
</div>` : ''}`, { tag: 'li', attrs: html` id="step-${step.id}" data-step-id="${step.id}"${own ? html` draggable="true"` : ''}` }))}
</ol>`}
${own ? html`<h2>${td(locale, 'path.add-step')}</h2>
<nav aria-label="${td(locale, 'path.add-step')}" class="app-buttons">${STEP_TYPE_ORDER.map((type) => linkButton(ctx.href(`${base}/steps/new`, { type }), stepTypeName(locale, type), { variant: 'secondary', size: 'sm', attrs: html` data-add-step="${type}"` }))}</nav>` : ''}`,
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
${alert('info', td(locale, 'preview.intro'))}
<section class="ds-card" data-variant="tinted" aria-labelledby="preview-title">
<h2 id="preview-title" lang="${draft.language}">${draft.title}</h2>
${draft.description ? html`<p lang="${draft.language}">${draft.description}</p>` : ''}
<p>${rule}${draft.dueAfterDays ? html` ${td(locale, 'preview.due', { days: draft.dueAfterDays })}` : ''}</p>
${total > 0 ? html`<p>${td(locale, 'preview.total', { minutes: total })}</p>` : ''}
<ol class="app-cards">${draft.steps.map((step) => card(html`<h3 data-step-title lang="${draft.language}">${step.title}</h3><p class="app-muted" data-step-meta>${stepMeta(locale, step, titleOf)}</p>`, { tag: 'li', attrs: html` data-preview-step="${step.id}"` }))}</ol>
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
${defaultAction(td(locale, 'form.save'))}
${ctx.hidden}
<input type="hidden" name="grantRows" value="${grantRows}">
${fieldGroup(td(locale, 'settings.about'), html`${input(state, 'title', labels.title!, { wide: true })}
${textarea(state, 'description', labels.description!, { optional: true })}
${choiceGroup(state, 'language', labels.language!, LOCALES.map((l) => ({ value: l, label: td(locale, `language.${l}`) })))}`)}
${choiceGroup(state, 'completionKind', labels.completionKind!, [{ value: 'all-required', label: td(locale, 'settings.completion.all') }, { value: 'n-of-m', label: td(locale, 'settings.completion.nofm') }])}
${input(state, 'completionCount', td(locale, 'settings.completion.count', { m: draft.steps.length }), { type: 'number', inputmode: 'numeric', min: 1, optional: true })}
${choiceGroup(state, 'scoreKind', labels.scoreKind!, [{ value: 'average-scored-required', label: td(locale, 'settings.score.average') }, { value: 'completion', label: td(locale, 'settings.score.completion') }, { value: 'step', label: td(locale, 'settings.score.step') }])}
${select(state, 'scoreStepId', labels.scoreStepId!, draft.steps.map((s) => ({ value: s.id, label: s.title })), { placeholder: td(locale, 'settings.score.stepId.none') })}
${input(state, 'dueAfterDays', labels.dueAfterDays!, { type: 'number', inputmode: 'numeric', min: 1, max: 3650, optional: true })}
${fieldGroup(labels.grants!, html`${Array.from({ length: grantRows }, (_, i) => fieldGroup(td(locale, 'settings.grant', { n: i + 1 }), html`${input(state, `grants-${i}-competence`, labels['grants-competence']!)}
${input(state, `grants-${i}-validMonths`, labels['grants-validMonths']!, { type: 'number', inputmode: 'numeric', min: 1, max: 600, optional: true })}`, { nested: true }))}
${button(td(locale, 'form.more-rows'), { variant: 'secondary', name: 'action', value: 'more-rows' })}`, { id: 'grants', hint: td(locale, 'settings.grants.hint') })}
${choiceGroup(state, 'sharing', labels.sharing!, SHARINGS.map((s) => ({ value: s, label: td(locale, `sharing.${s}`) })))}
${buttonRow(button(td(locale, 'form.save'), { name: 'action', value: 'save' }), link(ctx.href(`/design/paths/${path.id}`), td(locale, 'form.cancel')))}
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

}
