import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { personActor, recordAudit } from '../../audit/audit-log.js';
import type { Cmi5Lms } from '../../cmi5/lms.js';
import { findRegistration, findSession, learnerRegistrations, mayOversee, type Overseen, type Overseer } from '../../cmi5/oversight.js';
import { WAIVE_REASONS, type WaiveReason } from '../../cmi5/tables.js';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { osloDate } from '../../oslo-date.js';
import { isUuid } from '../designer/kit.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { oversightPage, type OversightView } from './oversight-page.js';
import { to } from './oversight-messages.js';

/** Delivers a registration's step outcome once its AUs are satisfied (the learner capability's bridge). */
export type DeliverOutcome = (tenantId: string, registration: string) => Promise<unknown>;

export interface OversightRoutesOptions {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  lms: Cmi5Lms;
  deliver: DeliverOutcome;
}

type Refusal = 'not-found' | 'already-waived' | 'already-satisfied' | 'ended' | 'reason';

/** A refused action: 404 for what the person may not see, 409 for a state that does not allow it, 400 for bad input. */
class ActionRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal);
  }
}

function overseerOf(session: LtiSession): Overseer {
  if (session.role === 'manager') return { kind: 'manager', tenantId: session.tenantId, personId: session.personId };
  if (!session.contextId) throw new ActionRefused('not-found');
  return { kind: 'teacher', tenantId: session.tenantId, personId: session.personId, contextId: session.contextId };
}

function reasonOf(value: unknown): WaiveReason {
  if (typeof value !== 'string' || !(WAIVE_REASONS as readonly string[]).includes(value)) throw new ActionRefused('reason');
  return value as WaiveReason;
}

/**
 * The cmi5 actions of the people who follow a learner (cmi5 §9.3.6, §9.3.7): waiving an AU and
 * ending a hanging AU session, as a JSON API and on a page where that person already sees the
 * learner's progress (the course teacher's course view, the manager's person page). Every action
 * is scoped to the session's tenant and to learners the person follows, and audited.
 */
export function cmi5OversightRouter({ db, sessions, lms, deliver }: OversightRoutesOptions): Router {
  const router = Router();

  async function waive(session: LtiSession, target: Overseen & { registration: string }, auId: string, reason: WaiveReason): Promise<string> {
    const outcome = await lms.waive(session.tenantId, target.registration, auId, reason);
    if (outcome.kind !== 'waived') throw new ActionRefused(outcome.kind);
    await recordAudit(db, {
      tenantId: session.tenantId, actor: personActor(session.personId), action: 'cmi5.au.waived', subjectPersonId: target.personId,
      object: { kind: 'cmi5-registration', id: target.registration }, details: { au: auId, reason, sessionId: outcome.sessionId },
    });
    await deliver(session.tenantId, target.registration);
    return outcome.sessionId;
  }

  async function abandon(session: LtiSession, target: Overseen & { sessionId: string; registration: string; ended: boolean }): Promise<void> {
    if (target.ended || !(await lms.abandon(session.tenantId, target.sessionId))) throw new ActionRefused('ended');
    await recordAudit(db, {
      tenantId: session.tenantId, actor: personActor(session.personId), action: 'cmi5.session.abandoned', subjectPersonId: target.personId,
      object: { kind: 'cmi5-session', id: target.sessionId }, details: { registration: target.registration },
    });
  }

  /** The registration or session, when it is of the session's tenant and of a learner the person follows. */
  async function overseen<T extends Overseen>(session: LtiSession, found: T | undefined): Promise<T> {
    if (!found || !(await mayOversee(db, overseerOf(session), found, osloDate()))) throw new ActionRefused('not-found');
    return found;
  }

  const apiRefusal = (error: unknown): never => {
    if (!(error instanceof ActionRefused)) throw error;
    if (error.refusal === 'not-found') throw new ProblemError('not-found', 'No such registration, AU or session among the learners you follow.');
    if (error.refusal === 'reason') throw new ProblemError('validation-failed', `Give the reason as one of: ${WAIVE_REASONS.join(', ')}.`, { field: 'reason' });
    throw new ProblemError('cmi5-action-refused', to('en', `cmi5.refused.${error.refusal}`), { code: error.refusal });
  };

  router.post('/api/cmi5/registrations/:registration/waivers', async (req, res) => {
    const session = await requireSession(req, sessions, ['designer', 'admin', 'manager']);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const registration = String(req.params['registration']);
      const target = await overseen(session, isUuid(registration) ? await findRegistration(db, session.tenantId, registration) : undefined);
      if (typeof body['au'] !== 'string' || body['au'] === '') throw new ProblemError('validation-failed', 'Give the AU as "au": its id in cmi5.xml.', { field: 'au' });
      const reason = reasonOf(body['reason']);
      const sessionId = await waive(session, target, body['au'], reason);
      res.status(201).json({ registration: target.registration, au: body['au'], reason, sessionId });
    } catch (error) {
      apiRefusal(error);
    }
  });

  router.post('/api/cmi5/sessions/:sessionId/abandon', async (req, res) => {
    const session = await requireSession(req, sessions, ['designer', 'admin', 'manager']);
    try {
      const sessionId = String(req.params['sessionId']);
      const target = await overseen(session, isUuid(sessionId) ? await findSession(db, session.tenantId, sessionId) : undefined);
      await abandon(session, target);
      res.status(200).json({ sessionId: target.sessionId, registration: target.registration, abandoned: true });
    } catch (error) {
      apiRefusal(error);
    }
  });

  // ---- Pages ----------------------------------------------------------------------------------

  /** The learner's enrolments the page covers: launched from this link of the teacher's course, or all (a manager's). */
  async function enrolmentsFor(session: LtiSession, personId: string, linkId: string | undefined): Promise<string[]> {
    if (!isUuid(personId)) return [];
    if (linkId !== undefined) {
      if (!isUuid(linkId) || !session.contextId) return [];
      const rows = await db.selectFrom('path_enrolment_links as l').innerJoin('lti_resource_links as r', 'r.id', 'l.resource_link_id').innerJoin('path_enrolments as e', 'e.id', 'l.enrolment_id')
        .select('l.enrolment_id').where('l.tenant_id', '=', session.tenantId).where('r.id', '=', linkId).where('r.tenant_id', '=', session.tenantId)
        .where('r.context_id', '=', session.contextId).where('e.person_id', '=', personId).where('e.tenant_id', '=', session.tenantId).execute();
      return rows.map((r) => r.enrolment_id);
    }
    const rows = await db.selectFrom('path_enrolments').select('id').where('tenant_id', '=', session.tenantId).where('person_id', '=', personId).execute();
    const allowed = [];
    for (const row of rows) if (await mayOversee(db, overseerOf(session), { enrolmentId: row.id, personId }, osloDate())) allowed.push(row.id);
    return allowed;
  }

  async function show(req: Request, res: Response, session: LtiSession, base: { path: string; back: string; linkId?: string }, status = 200, message?: { kind: 'notice' | 'refused'; text: string }) {
    const personId = String(req.params['personId']);
    const asked = toLocale(param(req, 'lang'));
    const locale: Locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
    const enrolments = await enrolmentsFor(session, personId, base.linkId);
    if (enrolments.length === 0) throw new ProblemError('not-found', 'No such learner among those you follow.');
    const person = await db.selectFrom('people').select('name').where('id', '=', personId).where('tenant_id', '=', session.tenantId).executeTakeFirst();
    await allowFramingByPlatform(res, db, session);
    res.setHeader('Cache-Control', 'no-store');
    await recordAudit(db, { tenantId: session.tenantId, actor: personActor(session.personId), action: 'cmi5.learner.viewed', subjectPersonId: personId, object: { kind: 'person', id: personId } });
    const view: OversightView = {
      locale, asked, path: base.path, back: base.back, keep: { session: sessionToken(req) ?? '' }, theme: await pageTheme(db, session.tenantId),
      learnerName: person?.name ?? personId, registrations: await learnerRegistrations(db, session.tenantId, enrolments, locale), message,
    };
    sendPage(res, status, oversightPage(view));
  }

  async function act(req: Request, res: Response, session: LtiSession, base: { path: string; back: string; linkId?: string }) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const personId = String(req.params['personId']);
    const enrolments = await enrolmentsFor(session, personId, base.linkId);
    const locale: Locale = toLocale(param(req, 'lang')) ?? toLocale(session.locale) ?? requestLocale(req);
    try {
      if (enrolments.length === 0) throw new ActionRefused('not-found');
      if (body['action'] === 'waive') {
        const registration = typeof body['registration'] === 'string' ? body['registration'] : '';
        const target = isUuid(registration) ? await findRegistration(db, session.tenantId, registration) : undefined;
        if (!target || !enrolments.includes(target.enrolmentId)) throw new ActionRefused('not-found');
        await waive(session, target, typeof body['au'] === 'string' ? body['au'] : '', reasonOf(body['reason']));
      } else if (body['action'] === 'abandon') {
        const sessionId = typeof body['sessionId'] === 'string' ? body['sessionId'] : '';
        const target = isUuid(sessionId) ? await findSession(db, session.tenantId, sessionId) : undefined;
        if (!target || !enrolments.includes(target.enrolmentId)) throw new ActionRefused('not-found');
        await abandon(session, target);
      } else {
        throw new ActionRefused('not-found');
      }
    } catch (error) {
      if (!(error instanceof ActionRefused)) throw error;
      if (error.refusal === 'not-found' && enrolments.length === 0) throw new ProblemError('not-found', 'No such learner among those you follow.');
      await show(req, res, session, base, error.refusal === 'not-found' ? 404 : error.refusal === 'reason' ? 400 : 409, { kind: 'refused', text: to(locale, `cmi5.refused.${error.refusal}`) });
      return;
    }
    const next = new URLSearchParams({ session: sessionToken(req) ?? '', notice: String(body['action']) });
    if (typeof req.query['lang'] === 'string') next.set('lang', req.query['lang']);
    res.redirect(303, `${base.path}?${next.toString()}`);
  }

  const notice = (req: Request, session: LtiSession): { kind: 'notice'; text: string } | undefined => {
    const locale = toLocale(param(req, 'lang')) ?? toLocale(session.locale) ?? requestLocale(req);
    const asked = param(req, 'notice');
    return asked === 'waive' ? { kind: 'notice', text: to(locale, 'cmi5.notice.waived') } : asked === 'abandon' ? { kind: 'notice', text: to(locale, 'cmi5.notice.abandoned') } : undefined;
  };

  const teacherBase = (req: Request) => {
    const linkId = String(req.params['linkId']);
    return { path: `/teach/links/${linkId}/learners/${String(req.params['personId'])}/cmi5`, back: `/teach/links/${linkId}`, linkId };
  };
  const managerBase = (req: Request) => ({ path: `/manage/people/${String(req.params['personId'])}/cmi5`, back: `/manage/people/${String(req.params['personId'])}` });

  router.get('/teach/links/:linkId/learners/:personId/cmi5', async (req, res) => {
    const session = await requireSession(req, sessions, ['designer', 'admin']);
    await show(req, res, session, teacherBase(req), 200, notice(req, session));
  });
  router.post('/teach/links/:linkId/learners/:personId/cmi5', async (req, res) => {
    await act(req, res, await requireSession(req, sessions, ['designer', 'admin']), teacherBase(req));
  });
  router.get('/manage/people/:personId/cmi5', async (req, res) => {
    const session = await requireSession(req, sessions, ['manager']);
    await show(req, res, session, managerBase(req), 200, notice(req, session));
  });
  router.post('/manage/people/:personId/cmi5', async (req, res) => {
    await act(req, res, await requireSession(req, sessions, ['manager']), managerBase(req));
  });

  router.use(refusalHandler);
  return router;
}

