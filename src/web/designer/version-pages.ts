import type { Router, Response } from 'express';
import { crossCheck, definitionSchema, type DefinitionProblem, type PathDefinition } from '../../paths/definition.js';
import { pathUpdateTimes } from '../../paths/designer-queries.js';
import { duplicatePath, publish } from '../../paths/drafts.js';
import { moveLearnersToVersion, versionOverview } from '../../paths/enrolments.js';
import { PathError } from '../../paths/errors.js';
import { listPublishedVersions, type PathSummary } from '../../paths/paths.js';
import { html } from '../html.js';
import { param } from '../lti/http.js';
import { sendDesignerPage, type DesignerContext } from './context.js';
import { button, buttonRow, link, table } from '../ds/components.js';
import { errorSummary, formState, input, type FormState } from './form-html.js';
import { fieldOf, one } from './forms.js';
import { fieldError, td } from './messages.js';
import { bodyValues, formatDate, noticeText, DesignerRefusal, type DesignerKit } from './kit.js';

/** Publishing, the versions with moving learners to a newer one, and duplicating a path. */
export function versionPages(router: Router, { db, route, visiblePath, ownPath, pathCrumb, redirect }: DesignerKit): void {
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
      return html`<li><a class="ds-link" href="${href}">${step ? `${step.title}: ` : ''}${message}</a></li>`;
    };
    sendDesignerPage(res, ctx, {
      status,
      title: td(locale, 'publish.title', { title: path.title }),
      path: `/design/paths/${path.id}/publish`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'publish.title', { title: path.title })}</h1>
${problems.length > 0
  ? html`<div class="ds-error-summary" role="alert" aria-labelledby="publish-problems" tabindex="-1" data-publish-problems><h2 class="ds-heading" data-size="xs" id="publish-problems">${td(locale, 'publish.problems')}</h2><p class="ds-paragraph">${td(locale, 'publish.fix')}</p><ul class="ds-list">${problems.map(fixLink)}</ul></div>`
  : html`<p>${td(locale, 'publish.body', { number })}</p>
<form method="post" action="/design/paths/${path.id}/publish">${ctx.hidden}
${buttonRow(button(td(locale, 'publish.confirm', { number }), { attrs: html` data-confirm-publish` }), link(ctx.href(`/design/paths/${path.id}`), td(locale, 'form.cancel')))}
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
${table({
    label: td(locale, 'versions.overview'),
    rowHeader: true,
    attrs: html` data-versions`,
    columns: [{ label: td(locale, 'versions.number'), numeric: true }, { label: td(locale, 'versions.published-at') }, { label: td(locale, 'versions.in-progress'), numeric: true }, { label: td(locale, 'versions.completed'), numeric: true }],
    rows: [...versions].reverse().map((v) => ({
      attrs: html` data-version="${v.number}"`,
      cells: [v.number, formatDate(locale, v.publishedAt), html`<span data-in-progress>${count(v.number, 'in_progress')}</span>`, html`<span data-completed>${count(v.number, 'completed')}</span>`],
    })),
  })}
<h2>${td(locale, 'versions.move')}</h2>
${waiting === 0 ? html`<p>${td(locale, 'versions.move.none')}</p>` : html`<p>${td(locale, 'versions.move.body', { count: waiting, number: newest!.number })}</p>
<form method="post" action="/design/paths/${path.id}/move-learners">${ctx.hidden}<input type="hidden" name="version" value="${newest!.id}">
${button(td(locale, 'versions.move.confirm', { number: newest!.number }), { attrs: html` data-move-learners` })}</form>`}`}`,
    });
  }));

  // ---- Export: which version goes into the archive, said before the download ---------------------
  router.get('/design/paths/:id/exports', route(async (req, res, ctx) => {
    const { locale } = ctx;
    const { path } = await ownPath(ctx, req.params['id']);
    const versions = [...await listPublishedVersions(db, ctx.session.tenantId, path.id)].reverse();
    const changed = (await pathUpdateTimes(db, ctx.session.tenantId, [path.id])).get(path.id);
    const download = (version: string) => ctx.href(`/design/paths/${path.id}/export`, { version });
    sendDesignerPage(res, ctx, {
      title: td(locale, 'exports.title', { title: path.title }),
      path: `/design/paths/${path.id}/exports`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'exports.title', { title: path.title })}</h1>
<p>${td(locale, 'exports.intro')}</p>
<h2>${td(locale, 'exports.published')}</h2>
${versions.length === 0 ? html`<p data-no-versions>${td(locale, 'exports.none')}</p>` : html`<ul class="ds-list">${versions.map((v, i) => html`<li data-export="${v.number}">
<a class="ds-link" href="${download(String(v.number))}">${td(locale, 'exports.version', { number: v.number })}</a>: ${td(locale, 'exports.version.note', { date: formatDate(locale, v.publishedAt) })}${i === 0 ? html`, ${td(locale, 'exports.newest')}` : ''}</li>`)}</ul>`}
<h2>${td(locale, 'exports.draft-heading')}</h2>
<ul class="ds-list"><li data-export="draft"><a class="ds-link" href="${download('draft')}">${td(locale, 'exports.draft')}</a>: ${td(locale, 'exports.draft.note', { date: changed ? formatDate(locale, changed) : '' })}</li></ul>`,
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
${buttonRow(button(td(locale, 'duplicate.submit')), link(ctx.href(`/design/paths/${path.id}`), td(locale, 'form.cancel')))}
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

}
