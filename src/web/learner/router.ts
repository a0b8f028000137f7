import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import { LtiRefusal } from '../../lti/refusal.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { renewalOffer } from '../../competence/renewal.js';
import { currentAttempt, startNewAttempt } from '../../paths/attempts.js';
import { missingPrerequisites } from '../../paths/completion.js';
import type { Step } from '../../paths/definition.js';
import { getProgress, listCompletions } from '../../paths/enrolments.js';
import { deliverOutcome } from '../../paths/engine.js';
import type { EvaluationPool } from '../../paths/evaluation-pool.js';
import { PathError } from '../../paths/errors.js';
import { findOwnEnrolment, reportedSuccess, sessionSeats } from '../../paths/learner-view.js';
import { listOwnPaths } from '../../paths/own-paths.js';
import { loadPublishedVersion } from '../../paths/paths.js';
import { cancelSignUp, signUpForSession } from '../../paths/sessions.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { origin, param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import type { LearnerMessageId } from './messages.js';
import { pageTheme } from '../theme/page-theme.js';
import { osloDate } from '../../competence/calendar.js';
import { assignedSection, assignedToMe } from '../competence/assigned-to-me.js';
import { myPathsPage } from './my-paths-page.js';
import { findCompletionCertificate, issueDueCertificates } from '../../certificates/certificates.js';
import { LEARNER_PDF } from '../certificates/learner-router.js';
import { MY_COMPETENCE } from '../competence/my-competence.js';
import { enrolmentPath, link, MY_PATHS, pathPage, stepPath, unavailablePage, type LearnerView } from './path-page.js';
import { ScormStepUnavailable, type ScormStepBridge } from './scorm-bridge.js';
import type { XapiStepBridge } from './xapi-bridge.js';
import type { Cmi5StepBridge } from './cmi5-bridge.js';
import { outcomeSection, returnCookie, returnSession, scormStepOutcome } from './scorm-return.js';
import { FormRefused, readAnswers, readRatings } from './step-forms.js';
import { stepPage, videoKind, type FormProblem } from './step-page.js';

export interface LearnerRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  bridge: ScormStepBridge;
  /** xAPI courses: registrations, launch credentials, outcomes. */
  xapi: XapiStepBridge;
  /** cmi5 courses: registrations, AU launches, moveOn outcomes. */
  cmi5: Cmi5StepBridge;
  /** Takes evaluation answers into the pending pool. */
  evaluations: EvaluationPool;
  logger: Logger;
  /** Where SCORM content is served, when not on the tool's own origin (forms redirect there). */
  contentOrigin?: string | undefined;
}

const LEARNER_ROLES = ['learner', 'manager'] as const;
const REQUEST_ID = /^[A-Za-z0-9-]{8,100}$/;

/** Pages are framed by the platform the learner launched from, and by nothing else. */
async function frameFor(db: Kysely<Schema>, res: Response, session: LtiSession, extra: { formAction?: string[] } = {}): Promise<void> {
  await allowFramingByPlatform(res, db, session, extra);
  res.setHeader('Cache-Control', 'no-store');
}

/** Adds one CSP directive for a page that embeds a video from its origin. */
function allowMedia(res: Response, directive: 'frame-src' | 'media-src', source: string): void {
  const current = String(res.getHeader('Content-Security-Policy') ?? '');
  res.setHeader('Content-Security-Policy', `${current};${directive} ${source}`);
}

async function viewOf(db: Kysely<Schema>, req: Request, session: LtiSession): Promise<LearnerView> {
  const asked = typeof req.query['lang'] === 'string' ? toLocale(req.query['lang']) : toLocale(param(req, 'lang'));
  const locale: Locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
  return { locale, keep: { session: sessionToken(req) ?? '', ...(asked ? { lang: asked } : {}) }, theme: await pageTheme(db, session.tenantId) };
}

/** An earlier attempt's page was asked for: the learner is led to their current attempt. */
class SupersededAttempt extends Error {
  constructor(readonly currentEnrolmentId: string) {
    super('a newer attempt at the path has taken over');
    this.name = 'SupersededAttempt';
  }
}

/** The ids in the URL; kept on the response so the error handler (which has no params) can show the step again. */
function ids(req: Request, res: Response): { enrolmentId: string; stepId: string } {
  const kept = res.locals['learnerIds'] as { enrolmentId: string; stepId: string } | undefined;
  if (kept) return kept;
  const found = { enrolmentId: String(req.params['enrolmentId']), stepId: String(req.params['stepId'] ?? '') };
  res.locals['learnerIds'] = found;
  return found;
}

export function learnerRouter({ db, sessions, bridge, xapi, cmi5, evaluations, logger, contentOrigin }: LearnerRouterDeps): Router {
  const router = Router();

  /** The session's own enrolment, its version and progress (SCORM deliveries healed first). */
  async function load(req: Request, res: Response) {
    const session = await requireSession(req, sessions, LEARNER_ROLES);
    const enrolment = await findOwnEnrolment(db, session.tenantId, session.personId, ids(req, res).enrolmentId);
    if (enrolment.supersededAt) {
      // Nothing is shown or delivered on an earlier attempt: its record is closed.
      const current = await currentAttempt(db, session.tenantId, session.personId, enrolment.pathId);
      if (current) throw new SupersededAttempt(current.enrolmentId);
    }
    await bridge.heal(session.tenantId, enrolment.id);
    await xapi.heal(session.tenantId, enrolment.id);
    await cmi5.heal(session.tenantId, enrolment.id);
    const progress = await getProgress(db, session.tenantId, enrolment.id);
    const version = await loadPublishedVersion(db, progress.versionId);
    return { session, enrolment, progress, version, view: await viewOf(db, req, session) };
  }

  async function stepOf(req: Request, res: Response) {
    const loaded = await load(req, res);
    const stepId = ids(req, res).stepId;
    const step = loaded.version.definition.steps.find((s) => s.id === stepId);
    const progress = loaded.progress.steps.find((s) => s.stepId === stepId);
    if (!step || !progress) throw new PathError('step-not-found', 'the step is not in the version this learner follows');
    const completed = new Set(loaded.progress.steps.filter((s) => s.status === 'completed').map((s) => s.stepId));
    const missing = missingPrerequisites(loaded.version.definition, stepId, completed)
      .map((id) => loaded.version.definition.steps.find((s) => s.id === id)?.title ?? id);
    return { ...loaded, step, stepProgress: progress, missing };
  }

  async function renderStep(req: Request, res: Response, status: number, problem?: FormProblem, notice?: LearnerMessageId) {
    const s = await stepOf(req, res);
    if (s.step.type === 'web' && s.stepProgress.status !== 'locked' && s.stepProgress.status !== 'completed') {
      // Seeing the step is opening the resource: the minimum time counts from the first view.
      await deliverOutcome(db, s.session.tenantId, { enrolmentId: s.enrolment.id, stepId: s.step.id, idempotencyKey: `web-opened:${s.step.id}`, outcome: { kind: 'web', event: 'opened' } });
    }
    const seats = s.step.type === 'session' ? await sessionSeats(db, s.session.tenantId, s.enrolment.id, s.enrolment.pathId, s.step.id) : undefined;
    const contentForm = (s.step.type === 'scorm' || s.step.type === 'xapi' || s.step.type === 'cmi5') && contentOrigin ? ["'self'", origin(contentOrigin)!] : undefined;
    // A cmi5 AU on another site is reached by the launch form's redirect (its origin allowed by the designer).
    const external = s.step.type === 'cmi5' ? s.step.config.allowedOrigins : [];
    const formAction = external.length ? [...(contentForm ?? ["'self'"]), ...external] : contentForm;
    const cmi5Aus = s.step.type === 'cmi5' && s.stepProgress.status !== 'locked'
      ? await cmi5.aus({ tenantId: s.session.tenantId, personId: s.session.personId, enrolmentId: s.enrolment.id, pathId: s.enrolment.pathId, ownerTenantId: s.version.ownerTenantId }, s.step, s.view.locale)
      : undefined;
    await frameFor(db, res, s.session, formAction ? { formAction } : {});
    if (s.step.type === 'web' && s.step.config.resource.kind === 'video' && s.stepProgress.status !== 'locked') {
      const video = s.step.config.resource.url;
      allowMedia(res, videoKind(video) === 'file' ? 'media-src' : 'frame-src', origin(video)!);
    }
    const progress = (await getProgress(db, s.session.tenantId, s.enrolment.id)).steps.find((p) => p.stepId === s.step.id)!;
    sendPage(res, status, stepPage(s.view, { enrolmentId: s.enrolment.id, step: s.step, progress, missing: s.missing, problem, session: seats, notice, cmi5Aus }));
  }

  // "Mine læringsløp": where a launch without a path leads a learner; only the session's own paths.
  router.get(MY_PATHS, async (req, res) => {
    const session = await requireSession(req, sessions, LEARNER_ROLES);
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', session.tenantId).executeTakeFirst();
    const person = await db.selectFrom('people').select('name').where('tenant_id', '=', session.tenantId).where('id', '=', session.personId).executeTakeFirst();
    const paths = await listOwnPaths(db, session.tenantId, session.personId);
    const view = await viewOf(db, req, session);
    // Paths a manager assigned: first, with their due dates.
    const onDate = osloDate(new Date());
    const { assignments, where } = await assignedToMe(db, session.tenantId, session.personId, onDate);
    const assigned = assignedSection(view.locale, (path) => link(view, path), assignments, where, onDate, 'mine-assigned');
    await frameFor(db, res, session);
    sendPage(res, 200, myPathsPage(view, { role: session.role, tenantName: tenant?.name ?? '', personName: person?.name ?? null, paths, now: new Date(), assigned }));
  });

  router.get('/learn/unavailable', async (req, res) => {
    const session = await requireSession(req, sessions);
    await frameFor(db, res, session);
    const reason = param(req, 'reason') === 'not-published' ? 'not-published' : 'path-not-found';
    sendPage(res, 404, unavailablePage(await viewOf(db, req, session), reason, String(req.id ?? '')));
  });

  router.get('/learn/enrolments/:enrolmentId', async (req, res) => {
    const { session, enrolment, progress, version, view } = await load(req, res);
    const completions = await listCompletions(db, session.tenantId, { personId: session.personId, pathId: enrolment.pathId });
    const completion = completions.find((c) => c.enrolmentId === enrolment.id);
    const earlier = completions.filter((c) => c.enrolmentId !== enrolment.id).reverse();
    const renewal = progress.status === 'completed' ? await renewalOffer(db, session.tenantId, session.personId, enrolment.pathId, osloDate(new Date())) : undefined;
    // Back from the SCORM player: what the course came to.
    const returnedStep = version.definition.steps.find((s) => s.id === param(req, 'returned'));
    const returnedProgress = progress.steps.find((s) => s.stepId === returnedStep?.id);
    const returned = returnedStep?.type === 'scorm' && returnedProgress
      ? outcomeSection(view.locale, returnedStep.title, scormStepOutcome(
        returnedStep,
        returnedProgress,
        await reportedSuccess(db, session.tenantId, enrolment.id, returnedStep.id),
        await bridge.passMark(session.tenantId, enrolment.id, returnedStep),
      ))
      : undefined;
    // The completion's certificate, issued here if it is due (its competences documented).
    let certificate: { pdf: string; all: string } | undefined;
    if (completion) {
      await issueDueCertificates(db, session.tenantId, session.personId);
      const issued = await findCompletionCertificate(db, session.tenantId, completion.id);
      if (issued) certificate = { pdf: link(view, LEARNER_PDF.replace(':certificateId', issued.id)), all: `${link(view, MY_COMPETENCE)}#certificates-heading` };
    }
    await frameFor(db, res, session);
    const saved = param(req, 'saved');
    sendPage(res, 200, pathPage(view, { progress, version, completion, certificate, saved, returned, now: new Date(), renewal, earlier }));
  });

  // "Ta løpet på nytt": a new attempt, when the completed path's holding is due for renewal or a
  // manager assigned the path again. Anything else is refused and nothing changes.
  router.post('/learn/enrolments/:enrolmentId/attempts', async (req, res) => {
    const { session, enrolment, view } = await load(req, res);
    if (!REQUEST_ID.test(param(req, 'request') ?? '')) throw new LtiRefusal('bad-login-request', 'the form has no request id');
    const offer = await renewalOffer(db, session.tenantId, session.personId, enrolment.pathId, osloDate(new Date()));
    if (!offer) throw new PathError('attempt-not-allowed', 'the path is not due for renewal and not assigned again');
    const started = await startNewAttempt(db, session.tenantId, session.personId, enrolment.id);
    req.log.info({ enrolmentId: started.enrolmentId, renews: enrolment.id, reason: offer.reason }, 'new attempt at a path');
    res.redirect(303, link(view, enrolmentPath(started.enrolmentId)));
  });

  // Where the SCORM player leads back to: the session comes from the cookie set when the course
  // was opened (scorm-return.ts), never from the content origin.
  router.get('/learn/return/:enrolmentId/:stepId', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const enrolmentId = String(req.params['enrolmentId']);
    const token = returnSession(req.headers.cookie, enrolmentId);
    if (!token) throw new LtiRefusal('session-invalid', 'no return cookie for this enrolment');
    const session = await sessions.verify(token);
    if (!(LEARNER_ROLES as readonly string[]).includes(session.role)) throw new LtiRefusal('not-permitted', `role ${session.role} has no learner pages`);
    const asked = toLocale(param(req, 'lang'));
    const view: LearnerView = { locale: asked ?? toLocale(session.locale) ?? requestLocale(req), keep: { session: token, ...(asked ? { lang: asked } : {}) }, theme: await pageTheme(db, session.tenantId) };
    try {
      await findOwnEnrolment(db, session.tenantId, session.personId, enrolmentId);
    } catch (error) {
      if (!(error instanceof PathError)) throw error;
      await frameFor(db, res, session);
      sendPage(res, 404, unavailablePage(view, 'enrolment-not-found', String(req.id ?? '')));
      return;
    }
    res.redirect(303, link(view, enrolmentPath(enrolmentId), { returned: String(req.params['stepId']) }));
  });

  router.get('/learn/enrolments/:enrolmentId/steps/:stepId', async (req, res) => {
    const notice = param(req, 'notice');
    await renderStep(req, res, 200, undefined, notice === 'session.cancelled' ? 'session.cancelled' : undefined);
  });

  router.post('/learn/enrolments/:enrolmentId/steps/:stepId', async (req, res) => {
    const s = await stepOf(req, res);
    const request = param(req, 'request') ?? '';
    if (!REQUEST_ID.test(request)) throw new LtiRefusal('bad-login-request', 'the form has no request id');
    if (s.stepProgress.status === 'locked') throw new FormRefused({ message: 'problem.prerequisites-not-met', values: {} }, 403);
    const target = { enrolmentId: s.enrolment.id, stepId: s.step.id, idempotencyKey: `learner:${request}` };
    const tenantId = s.session.tenantId;
    const action = param(req, 'action');
    const back = (extra: Record<string, string> = {}) => res.redirect(303, link(s.view, enrolmentPath(s.enrolment.id), { saved: s.step.id, ...extra }));
    const step: Step = s.step;
    const body = (req.body ?? {}) as Record<string, unknown>;
    switch (step.type) {
      case 'web': {
        if (action !== 'done') break;
        await deliverOutcome(db, tenantId, { ...target, outcome: { kind: 'web', event: 'done' } });
        back();
        return;
      }
      case 'self-assessment': {
        await deliverOutcome(db, tenantId, { ...target, outcome: { kind: 'self-assessment', ratings: readRatings(step, body) } });
        back();
        return;
      }
      case 'evaluation': {
        await evaluations.answer(tenantId, { ...target, answers: readAnswers(step, body) });
        back();
        return;
      }
      case 'session': {
        if (action === 'sign-up') {
          await signUpForSession(db, tenantId, s.enrolment.id, step.id);
          back();
          return;
        }
        if (action === 'cancel') {
          try {
            await cancelSignUp(db, tenantId, s.enrolment.id, step.id);
          } catch (error) {
            // A second click on "cancel": the seat is already given back.
            if (!(error instanceof PathError && error.code === 'not-signed-up')) throw error;
          }
          res.redirect(303, link(s.view, stepPath(s.enrolment.id, step.id), { notice: 'session.cancelled' }));
          return;
        }
        break;
      }
      case 'xapi': {
        if (action !== 'open') break;
        const ref = { tenantId, personId: s.session.personId, enrolmentId: s.enrolment.id, pathId: s.enrolment.pathId, ownerTenantId: s.version.ownerTenantId };
        const player = await xapi.open(ref, step, s.view.locale);
        res.append('Set-Cookie', returnCookie(s.enrolment.id, sessionToken(req) ?? ''));
        res.redirect(303, player);
        return;
      }
      case 'cmi5': {
        // cmi5 §10.2.2: 'review' opens an AU the learner has satisfied in Review mode.
        if (action !== 'open' && action !== 'review') break;
        const ref = { tenantId, personId: s.session.personId, enrolmentId: s.enrolment.id, pathId: s.enrolment.pathId, ownerTenantId: s.version.ownerTenantId };
        const launched = await cmi5.open(ref, step, s.view.locale, typeof body['au'] === 'string' ? body['au'] : '', action === 'review' ? 'Review' : 'Normal');
        res.append('Set-Cookie', returnCookie(s.enrolment.id, sessionToken(req) ?? ''));
        res.redirect(303, launched.url);
        return;
      }
      case 'scorm': {
        if (action !== 'open') break;
        const ref = { tenantId, personId: s.session.personId, enrolmentId: s.enrolment.id, pathId: s.enrolment.pathId, ownerTenantId: s.version.ownerTenantId };
        const player = await bridge.open(ref, step, s.view.locale);
        // This answer opens the course's own window: the way back to the path keeps the session here.
        res.append('Set-Cookie', returnCookie(s.enrolment.id, sessionToken(req) ?? ''));
        res.redirect(303, player);
        return;
      }
    }
    throw new FormRefused({ message: 'problem.generic', values: {} });
  });

  const learnerErrors: ErrorRequestHandler = (error, req, res, next) => {
    // Errors of routers mounted earlier pass through here too: only the learner pages' are ours.
    if (!req.path.startsWith('/learn/')) {
      next(error);
      return;
    }
    const handle = async () => {
      if (error instanceof SupersededAttempt) {
        const session = await requireSession(req, sessions);
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(303, link(await viewOf(db, req, session), enrolmentPath(error.currentEnrolmentId)));
        return;
      }
      // A new attempt refused, or of a path no longer published for the municipality.
      if (error instanceof PathError && (error.code === 'attempt-not-allowed' || (error.code === 'version-not-found' && req.path.endsWith('/attempts')))) {
        const session = await requireSession(req, sessions);
        await frameFor(db, res, session);
        req.log.warn({ refusal: error.code }, 'new attempt refused');
        const view = await viewOf(db, req, session);
        sendPage(res, 409, unavailablePage(view, error.code === 'attempt-not-allowed' ? 'attempt-not-allowed' : 'not-published', String(req.id ?? '')));
        return;
      }
      if (error instanceof FormRefused || (error instanceof PathError && ['too-early', 'session-full', 'prerequisites-not-met', 'invalid-outcome', 'already-answered'].includes(error.code))) {
        const problem: FormProblem = error instanceof FormRefused ? error.problem : { message: problemMessage(error as PathError), values: {} };
        req.log.info({ problem: problem.message }, 'learner form refused');
        await renderStep(req, res, error instanceof FormRefused ? error.status : 409, problem);
        return;
      }
      if (error instanceof ScormStepUnavailable) {
        req.log.warn({ detail: error.message }, 'scorm step unavailable');
        await renderStep(req, res, 409, { message: 'scorm.unavailable', values: {} });
        return;
      }
      if (error instanceof PathError && (error.code === 'enrolment-not-found' || error.code === 'step-not-found')) {
        const session = await requireSession(req, sessions);
        await frameFor(db, res, session);
        req.log.warn({ refusal: error.code }, 'learner page refused');
        sendPage(res, 404, unavailablePage(await viewOf(db, req, session), error.code, String(req.id ?? '')));
        return;
      }
      next(error);
    };
    handle().catch((failure: unknown) => {
      logger.error({ err: failure }, 'learner error page failed');
      next(error);
    });
  };
  router.use(learnerErrors);
  router.use(refusalHandler);
  return router;
}

function problemMessage(error: PathError): LearnerMessageId {
  switch (error.code) {
    case 'too-early': return 'web.too-early';
    case 'session-full': return 'session.full';
    case 'prerequisites-not-met': return 'problem.prerequisites-not-met';
    case 'already-answered': return 'eval.already';
    default: return 'problem.invalid-outcome';
  }
}
