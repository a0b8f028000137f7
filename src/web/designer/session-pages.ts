import { randomUUID } from 'node:crypto';
import type { Router, Request, Response } from 'express';
import type { PathDefinition, Step } from '../../paths/definition.js';
import { registerAttendance } from '../../paths/engine.js';
import { PathError } from '../../paths/errors.js';
import { RELEASE_MINIMUM } from '../../paths/evaluation-pool.js';
import { evaluationReport } from '../../paths/evaluations.js';
import { sessionAttendance } from '../../paths/designer-queries.js';
import { loadPublishedVersion, type PathSummary } from '../../paths/paths.js';
import { listSignUps } from '../../paths/sessions.js';
import { html, type SafeHtml } from '../html.js';
import { param } from '../lti/http.js';
import { sendDesignerPage, type DesignerContext } from './context.js';
import { alert, button, card, srOnly, table } from '../ds/components.js';
import { choiceGroup, formState } from './form-html.js';
import { td } from './messages.js';
import { formatDate, formatDay, isUuid, noticeText, DesignerRefusal, type DesignerKit } from './kit.js';

/** Physical sessions (sign-ups and attendance) and the anonymous evaluation report. */
export function sessionPages(router: Router, { db, route, ownPath, pathCrumb, redirect }: DesignerKit): void {
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
${failed ? alert('danger', td(locale, 'signups.other-tenant'), { live: 'alert' }) : ''}
${signups.length === 0 ? html`<p>${td(locale, 'signups.none')}</p>` : html`<ul class="app-cards">${signups.map((s) => {
  const person = attendance.get(s.enrolmentId);
  const name = person?.name || td(locale, 'signups.unnamed');
  const current = person?.attended;
  return card(html`<h2 class="ds-heading" data-size="xs">${name}</h2>
<p class="app-muted">${td(locale, 'signups.at')}: ${formatDate(locale, s.signedUpAt)} · ${td(locale, 'signups.attendance')}: <span data-attendance>${state(current)}</span></p>
<form method="post" action="${base}/attendance">${ctx.hidden}
<input type="hidden" name="enrolment" value="${s.enrolmentId}"><input type="hidden" name="key" value="${randomUUID()}">
${choiceGroup(formState(locale, { attended: current === undefined ? '' : current ? 'yes' : 'no' }), `attended-${s.enrolmentId}`, td(locale, 'signups.register', { name }), [{ value: 'yes', label: td(locale, 'signups.attended') }, { value: 'no', label: td(locale, 'signups.absent') }], { name: 'attended' })}
${button(html`${td(locale, 'signups.save')}${srOnly(`: ${name}`)}`)}
</form>`, { tag: 'li', attrs: html` data-enrolment="${s.enrolmentId}"` });
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
      const released = html`${report.releasedOn ? html`<p data-released-on="${report.releasedOn}">${td(locale, 'report.released-on', { date: formatDay(locale, report.releasedOn) })}</p>` : ''}
<p>${td(locale, 'report.release-rule', { minimum: RELEASE_MINIMUM })}</p>`;
      body = report.status === 'too-few-answers'
        ? html`<p data-report="too-few">${td(locale, 'report.too-few', { minimum: report.minimum })}</p>${released}`
        : html`<p data-report="ready">${td(locale, 'report.respondents', { count: report.respondents })}</p>${released}
${report.questions.map((q, i) => html`<section aria-labelledby="q-${i}" data-report-question><h2 id="q-${i}">${q.text}</h2>
${q.kind === 'scale'
  ? html`<p>${td(locale, 'report.mean')}: <strong data-mean>${q.mean.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO')}</strong></p>
${table({ label: q.text, rowHeader: true, columns: [{ label: td(locale, 'report.value'), numeric: true }, { label: td(locale, 'report.count'), numeric: true }], rows: Object.entries(q.distribution).map(([value, n]) => ({ cells: [value, n] })) })}`
  : html`<ul class="ds-list" data-answers>${q.answers.map((a) => html`<li>${a}</li>`)}</ul>`}
</section>`)}`;
    }
    sendDesignerPage(res, ctx, {
      title: td(locale, 'report.title', { title: step.title }),
      path: `/design/paths/${path.id}/steps/${step.id}/report`,
      crumbs: [pathCrumb(ctx, path)],
      body: html`<h1>${td(locale, 'report.title', { title: step.title })}</h1>${body}`,
    });
  }));

}
