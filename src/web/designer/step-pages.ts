import type { Router, Response } from 'express';
import { findPackage, listPackages } from '../../content/packages.js';
import { ausInScope } from '../../content/cmi5-model.js';
import { inLanguage } from '../../content/tincan-model.js';
import { ScormStepUnavailable } from '../learner/scorm-bridge.js';
import { cmi5Choices } from './cmi5-tree.js';
import { XAPI_COUNTED_VERBS, type DefinitionProblem, type PathDefinition, type Step } from '../../paths/definition.js';
import { addStep, type NewStep, editStep, removeStep } from '../../paths/drafts.js';
import { PathError } from '../../paths/errors.js';
import type { PathSummary } from '../../paths/paths.js';
import { html, type SafeHtml } from '../html.js';
import { param } from '../lti/http.js';
import { stepTypeName } from '../step-types.js';
import { sendDesignerPage, type DesignerContext } from './context.js';
import { alert, button, buttonRow, link } from '../ds/components.js';
import { choiceGroup, defaultAction, errorSummary, fieldGroup, formState, input, select, textarea, type FormState } from './form-html.js';
import { formFromStep, isStepType, one, problemsByField, rowCount, stepChanges, stepFromForm, type FormValues, type RowMap } from './forms.js';
import { td } from './messages.js';
import { previewReturnCookie, previewReturnPath } from './preview-return.js';
import { bodyValues, formatDate, isUuid, filledRows, noticeText, DesignerRefusal, type DesignerKit } from './kit.js';

/** Adding, editing and removing steps. */
export function stepPages(router: Router, { db, route, ownPath, stepOf, pathCrumb, redirect, cmi5Preview }: DesignerKit): void {
  /** cmi5 §10.2.2: a saved cmi5 step's AUs, each to open in Browse or Review mode (a form of its own, after the step form). */
  const cmi5PreviewSection = async (ctx: DesignerContext, path: PathSummary, step: Step | undefined): Promise<SafeHtml | ''> => {
    if (step?.type !== 'cmi5' || !cmi5Preview) return '';
    const { locale } = ctx;
    const found = isUuid(step.config.packageId) ? await findPackage(db, ctx.session.tenantId, step.config.packageId) : undefined;
    if (found?.manifest.standard !== 'cmi5') return '';
    const aus = ausInScope(found.manifest, step.config.nodeId);
    return html`<section aria-labelledby="cmi5-preview-heading" data-cmi5-preview>
<h2 id="cmi5-preview-heading">${td(locale, 'cmi5.preview.heading')}</h2>
<p>${td(locale, 'cmi5.preview.intro')}</p>
<ul class="app-list">${aus.map((au) => {
  const title = inLanguage(au.title, locale) ?? au.id;
  return html`<li data-au="${au.id}">${(['Browse', 'Review'] as const).map((mode) => html`<form method="post" action="/design/paths/${path.id}/steps/${step.id}/preview" data-action="cmi5-preview"${au.launchMethod === 'OwnWindow' ? html` target="_blank"` : ''}>${ctx.hidden}
<input type="hidden" name="au" value="${au.id}"><input type="hidden" name="mode" value="${mode}">
${button(td(locale, mode === 'Browse' ? 'cmi5.preview.browse' : 'cmi5.preview.review', { title }), { variant: 'secondary' })}</form>`)}</li>`;
})}</ul>
</section>`;
  };

  // ---- Steps: add, edit, remove ----------------------------------------------------------------
  const stepFormPage = async (
    res: Response,
    ctx: DesignerContext,
    path: PathSummary,
    draft: PathDefinition,
    form: { type: Step['type']; index: number; step?: Step },
    state: FormState,
    status = 200,
    notice?: string,
  ) => {
    const { locale } = ctx;
    const { type, index, step } = form;
    const earlier = draft.steps.slice(0, index);
    const later = step ? draft.steps.slice(index + 1) : [];
    const title = step ? td(locale, 'stepform.edit', { title: step.title }) : td(locale, 'stepform.new', { type: stepTypeName(locale, type) });
    const action = step ? `/design/paths/${path.id}/steps/${step.id}` : `/design/paths/${path.id}/steps`;
    const labels: Record<string, string> = {
      title: td(locale, 'field.title'), required: td(locale, 'stepform.required'), requires: td(locale, 'stepform.requires'),
      estimatedMinutes: td(locale, 'stepform.estimate'), packageId: td(locale, type === 'xapi' ? 'xapi.package' : 'scorm.package'),
      xapiPackage: td(locale, 'xapi.package'), cmi5Package: td(locale, 'cmi5.package'), allowedOrigins: td(locale, 'cmi5.origins'), countedVerbs: td(locale, 'xapi.verbs'), completionRule: td(locale, 'scorm.rule'),
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
    if (type === 'xapi') {
      const packages = (await listPackages(db, ctx.session.tenantId)).filter((p) => p.standard === 'xapi');
      specific = fieldGroup(stepTypeName(locale, 'xapi'), html`${packages.length === 0 ? alert('info', td(locale, 'xapi.package.none'), { attrs: html` id="packageId-none"` }) : ''}
${select(state, 'packageId', labels.xapiPackage!, packages.map((p) => ({ value: p.id, label: td(locale, 'scorm.package.option', { title: p.title, standard: 'xAPI', edition: 'Tin Can', date: formatDate(locale, p.createdAt) }) })), { placeholder: td(locale, 'scorm.package.choose') })}
<p><a href="${ctx.href('/design/packages/upload', { path: path.id })}" data-upload-link>${td(locale, 'scorm.upload')}</a></p>
${choiceGroup(state, 'countedVerbs', labels.countedVerbs!, XAPI_COUNTED_VERBS.map((v) => ({ value: v, label: td(locale, `xapi.verbs.${v}`) })))}`);
    } else if (type === 'cmi5') {
      const choices = await cmi5Choices(db, ctx.session.tenantId, locale);
      specific = fieldGroup(stepTypeName(locale, 'cmi5'), html`${choices.length === 0 ? alert('info', td(locale, 'cmi5.package.none'), { attrs: html` id="packageId-none"` }) : ''}
${select(state, 'packageId', labels.cmi5Package!, choices, { placeholder: td(locale, 'scorm.package.choose'), hint: td(locale, 'cmi5.package.hint') })}
<p><a href="${ctx.href('/design/packages/upload', { path: path.id })}" data-upload-link>${td(locale, 'scorm.upload')}</a></p>
${textarea(state, 'allowedOrigins', labels.allowedOrigins!, { rows: 2, hint: td(locale, 'cmi5.origins.hint') })}`);
    } else if (type === 'scorm') {
      const packages = (await listPackages(db, ctx.session.tenantId)).filter((p) => p.standard === 'scorm12' || p.standard === 'scorm2004');
      specific = fieldGroup(stepTypeName(locale, 'scorm'), html`${packages.length === 0 ? alert('info', td(locale, 'scorm.package.none'), { attrs: html` id="packageId-none"` }) : ''}
${select(state, 'packageId', labels.packageId!, packages.map((p) => ({ value: p.id, label: td(locale, 'scorm.package.option', { title: p.title, standard: p.standard, edition: p.edition, date: formatDate(locale, p.createdAt) }) })), { placeholder: td(locale, 'scorm.package.choose') })}
<p><a href="${ctx.href('/design/packages/upload', { path: path.id })}" data-upload-link>${td(locale, 'scorm.upload')}</a></p>
${choiceGroup(state, 'completionRule', labels.completionRule!, (['completed', 'passed', 'score'] as const).map((r) => ({ value: r, label: td(locale, `scorm.rule.${r}`) })))}
${input(state, 'minimumScore', labels.minimumScore!, { type: 'number', inputmode: 'decimal', min: 0, max: 100, step: 'any', optional: true })}`);
    } else if (type === 'web') {
      specific = fieldGroup(stepTypeName(locale, 'web'), html`
${choiceGroup(state, 'resourceKind', labels.resourceKind!, [{ value: 'link', label: td(locale, 'web.kind.link') }, { value: 'video', label: td(locale, 'web.kind.video') }])}
${input(state, 'url', labels.url!, { type: 'url', wide: true, autocomplete: 'url' })}
${choiceGroup(state, 'doneBy', labels.doneBy!, [{ value: 'mark-as-done', label: td(locale, 'web.done.mark') }, { value: 'minimum-time', label: td(locale, 'web.done.time') }])}
${input(state, 'minimumMinutes', labels.minimumMinutes!, { type: 'number', inputmode: 'decimal', min: 1, max: 1440, step: 'any', optional: true })}`);
    } else if (type === 'session') {
      specific = fieldGroup(stepTypeName(locale, 'session'), html`
${input(state, 'date', labels.date!, { type: 'date' })}
${input(state, 'startTime', labels.startTime!, { type: 'time' })}
${input(state, 'endTime', labels.endTime!, { type: 'time', optional: true })}
${input(state, 'place', labels.place!, { wide: true })}
${input(state, 'capacity', labels.capacity!, { type: 'number', inputmode: 'numeric', min: 1, max: 10000 })}`);
    } else if (type === 'self-assessment') {
      const statementRows = rowsField('statements', 2);
      const recommendationRows = rowsField('recommendations', 1);
      specific = html`${fieldGroup(labels.statements!, html`<input type="hidden" name="statementsRows" value="${statementRows}">
${Array.from({ length: statementRows }, (_, i) => fieldGroup(td(locale, 'sa.statement', { n: i + 1 }), html`${one(state.values, `statements-${i}-id`) ? html`<input type="hidden" name="statements-${i}-id" value="${one(state.values, `statements-${i}-id`)}">` : ''}
${textarea(state, `statements-${i}-text`, labels['statements-text']!, { rows: 2 })}
${input(state, `statements-${i}-competence`, labels['statements-competence']!)}`, { nested: true }))}
${button(td(locale, 'form.more-rows'), { variant: 'secondary', name: 'action', value: 'more-rows' })}`, { id: 'statements', hint: td(locale, 'sa.statements.hint'), error: state.errors.get('statements') })}
${fieldGroup(labels.recommendations!, html`<input type="hidden" name="recommendationsRows" value="${recommendationRows}">
${later.length === 0 ? html`<p class="app-muted">${td(locale, 'sa.recommendations.none')}</p>` : Array.from({ length: recommendationRows }, (_, i) => fieldGroup(td(locale, 'sa.recommendation', { n: i + 1 }), html`${input(state, `recommendations-${i}-competence`, labels['recommendations-competence']!)}
${select(state, `recommendations-${i}-belowLevel`, labels['recommendations-belowLevel']!, ['2', '3', '4'].map((v) => ({ value: v, label: v })))}
${choiceGroup(state, `recommendations-${i}-stepIds`, labels['recommendations-stepIds']!, later.map((s) => ({ value: s.id, label: s.title })), { multiple: true })}`, { nested: true }))}`, { id: 'recommendations', hint: td(locale, 'sa.recommendations.hint'), error: state.errors.get('recommendations') })}`;
    } else {
      const questionRows = rowsField('questions', 2);
      specific = fieldGroup(labels.questions!, html`<input type="hidden" name="questionsRows" value="${questionRows}">
${Array.from({ length: questionRows }, (_, i) => fieldGroup(td(locale, 'ev.question', { n: i + 1 }), html`
${one(state.values, `questions-${i}-id`) ? html`<input type="hidden" name="questions-${i}-id" value="${one(state.values, `questions-${i}-id`)}">` : ''}
${textarea(state, `questions-${i}-text`, labels['questions-text']!, { rows: 2 })}
${select(state, `questions-${i}-kind`, labels['questions-kind']!, [{ value: 'scale', label: td(locale, 'ev.kind.scale') }, { value: 'text', label: td(locale, 'ev.kind.text') }])}
${input(state, `questions-${i}-max`, labels['questions-max']!, { type: 'number', inputmode: 'numeric', min: 2, max: 10, optional: true })}
${input(state, `questions-${i}-maxLength`, labels['questions-maxLength']!, { type: 'number', inputmode: 'numeric', min: 1, max: 5000, optional: true })}`, { nested: true }))}
${button(td(locale, 'form.more-rows'), { variant: 'secondary', name: 'action', value: 'more-rows' })}`, { id: 'questions', hint: td(locale, 'ev.questions.hint'), error: state.errors.get('questions') });
    }
    sendDesignerPage(res, ctx, {
      status,
      title,
      path: step ? `/design/paths/${path.id}/steps/${step.id}` : `/design/paths/${path.id}/steps/new`,
      crumbs: [pathCrumb(ctx, path)],
      notice,
      body: html`<h1>${title}</h1>
${errorSummary(state, labels)}
<form method="post" action="${action}" novalidate data-step-form="${type}">
${defaultAction(step ? td(locale, 'form.save') : td(locale, 'stepform.add'))}
${ctx.hidden}
<input type="hidden" name="type" value="${type}">
${fieldGroup(td(locale, 'stepform.common'), html`${input(state, 'title', labels.title!, { wide: true })}
${choiceGroup(state, 'required', labels.required!, [{ value: 'yes', label: td(locale, 'stepform.required.yes') }, { value: 'no', label: td(locale, 'stepform.required.no') }])}
${input(state, 'estimatedMinutes', labels.estimatedMinutes!, { type: 'number', inputmode: 'numeric', min: 1, max: 10000, optional: true })}
${choiceGroup(state, 'requires', labels.requires!, earlier.map((s) => ({ value: s.id, label: s.title })), { multiple: true, empty: td(locale, 'stepform.requires.none') })}`)}
${specific}
${buttonRow(button(step ? td(locale, 'form.save') : td(locale, 'stepform.add'), { name: 'action', value: 'save' }), link(ctx.href(`/design/paths/${path.id}`), td(locale, 'form.cancel')))}
</form>
${await cmi5PreviewSection(ctx, path, step)}`,
    });
  };

  /** A SCORM or xAPI step may only use a package of the designer's own tenant and of its own kind
   *  (ids of others are refused as unknown). */
  async function checkPackage(ctx: DesignerContext, step: NewStep): Promise<void> {
    if (step.type !== 'scorm' && step.type !== 'xapi' && step.type !== 'cmi5') return;
    const packageId = (step.config as { packageId?: unknown }).packageId;
    if (typeof packageId !== 'string' || packageId === '') return; // the schema reports it
    const found = isUuid(packageId) ? await findPackage(db, ctx.session.tenantId, packageId) : undefined;
    const kind = (standard: string) => (standard === 'xapi' || standard === 'cmi5' ? standard : 'scorm');
    if (!found || kind(found.standard) !== step.type) {
      throw new PathError('invalid-definition', 'no such package of this tenant', [{ path: 'config.packageId', message: 'unknown package' }]);
    }
    const nodeId = (step.config as { nodeId?: unknown }).nodeId;
    if (found.manifest.standard === 'cmi5' && typeof nodeId === 'string' && ausInScope(found.manifest, nodeId).length === 0) {
      throw new PathError('invalid-definition', 'no such block or AU in the course', [{ path: 'config.packageId', message: 'unknown block or AU' }]);
    }
  }

  const NEW_STEP_DEFAULTS: Record<Step['type'], FormValues> = {
    scorm: { completionRule: 'completed' },
    xapi: { countedVerbs: 'completed-or-passed' },
    cmi5: {},
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
    await stepFormPage(res, ctx, path, draft, { type: step.type, index, step }, formState(ctx.locale, formFromStep(step)), 200, noticeText(req, ctx));
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

  router.post('/design/paths/:id/steps/:stepId/preview', route(async (req, res, ctx) => {
    const { path, draft } = await ownPath(ctx, req.params['id']);
    const { step } = stepOf(draft, req.params['stepId']);
    const values = bodyValues(req);
    const mode = one(values, 'mode');
    if (step.type !== 'cmi5' || !cmi5Preview || (mode !== 'Browse' && mode !== 'Review')) throw new DesignerRefusal(404);
    let launched;
    try {
      launched = await cmi5Preview({ tenantId: ctx.session.tenantId, personId: ctx.session.personId }, step, ctx.locale, one(values, 'au') ?? '', mode, `${previewReturnPath(path.id, step.id)}?lang=${ctx.locale}`);
    } catch (error) {
      // An AU outside the step, a package gone or an origin not allowed: nothing to preview here.
      if (error instanceof ScormStepUnavailable) throw new DesignerRefusal(404);
      throw error;
    }
    res.append('Set-Cookie', previewReturnCookie(path.id, step.id, ctx.token));
    res.redirect(303, launched.url);
  }));

  const removePage = (res: Response, ctx: DesignerContext, path: PathSummary, step: Step, refused: boolean) => {
    const { locale } = ctx;
    sendDesignerPage(res, ctx, {
      status: refused ? 409 : 200,
      title: td(locale, 'remove.title', { title: step.title }),
      path: `/design/paths/${path.id}/steps/${step.id}/remove`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'remove.title', { title: step.title })}</h1>
${refused ? alert('danger', td(locale, 'remove.refused'), { live: 'alert' }) : ''}
<p>${td(locale, 'remove.body')}</p>
<form method="post" action="/design/paths/${path.id}/steps/${step.id}/remove">${ctx.hidden}
${buttonRow(button(td(locale, 'remove.confirm'), { danger: true }), link(ctx.href(`/design/paths/${path.id}`), td(locale, 'form.cancel')))}
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

}
