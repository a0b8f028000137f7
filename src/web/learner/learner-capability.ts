import type { Router } from 'express';
import type { CapabilityDependencies } from '../../compose.js';
import type { LtiService } from '../../lti/lti-service.js';
import type { PathEventDispatcher } from '../../paths/dispatcher.js';
import type { EvaluationPool } from '../../paths/evaluation-pool.js';
import type { ContentStore } from '../../content/content-store.js';
import type { ScormRuntime } from '../../scorm/runtime.js';
import { tinCanContentTokens } from '../../xapi/content-token.js';
import type { LaunchHooks } from '../../xapi/lrs/context.js';
import type { Lrs } from '../../xapi/lrs/lrs.js';
import { tinCanContentRouter } from '../tincan/content-router.js';
import { XapiStepBridge } from './xapi-bridge.js';
import { Cmi5Lms } from '../../cmi5/lms.js';
import { OwnStatements } from '../../xapi/own-statements.js';
import { cmi5ContentTokens } from '../cmi5/content-token.js';
import { cmi5Router } from '../cmi5/content-router.js';
import { cmi5OversightRouter } from '../cmi5/oversight-router.js';
import { Cmi5StepBridge } from './cmi5-bridge.js';
import type { LaunchRoute } from '../lti/router.js';
import type { PlayerReturn } from '../scorm/content-router.js';
import { gradePassback } from './grade-passback.js';
import { learnerLaunchRoute } from './launch-route.js';
import { learnerRouter } from './router.js';
import { ScormStepBridge } from './scorm-bridge.js';
import { returnPath } from './scorm-return.js';

export interface LearnerCapability {
  routers: Router[];
  /** Where a learner's launch of a path link goes (push into ltiHooks.launchRoutes). */
  launchRoute: LaunchRoute;
  /** Where the SCORM player leads back to when the attempt is a path step's (set as the player's `returnTo`). */
  playerReturn: PlayerReturn;
  /** The cmi5 LMS (its abandonment sweep runs from compose). */
  cmi5: Cmi5Lms;
  /** cmi5 steps and the paths engine (the designer's Browse/Review preview launches through it). */
  cmi5Steps: Cmi5StepBridge;
}

/**
 * The learner side of paths: the launch into a path, the learner's pages, SCORM outcomes into the
 * paths engine, and the path score back to the LMS gradebook.
 */
export function learnerCapability(
  { config, database, logger }: CapabilityDependencies,
  { lti, scorm, pathEvents, evaluations, lrs, launchHooks, store }: {
    lti: LtiService; scorm: ScormRuntime; pathEvents: PathEventDispatcher; evaluations: EvaluationPool;
    /** The LRS whose launch credentials xAPI courses get, and whose hooks tell what they sent. */
    lrs: Lrs; launchHooks: LaunchHooks; store: ContentStore;
  },
): LearnerCapability {
  const db = database.db;
  const log = logger.child({ capability: 'learner' });
  const bridge = new ScormStepBridge(db, scorm, log, config.contentOrigin ?? '');
  scorm.onOutcome((outcome) => bridge.onScoOutcome(outcome));
  pathEvents.subscribe('lti-grade-passback', gradePassback(db));
  const credentials = lrs.launchCredentials;
  if (!credentials) throw new Error('the LRS has no launch secret: xAPI courses cannot be launched');
  const tokens = tinCanContentTokens(config.keyEncryptionSecret);
  const xapi = new XapiStepBridge(db, credentials, tokens, log, { publicUrl: config.publicUrl, contentBase: config.contentOrigin ?? '' });
  const cmi5Lms = new Cmi5Lms(db, credentials, new OwnStatements(db, config.publicUrl, lrs.context.statementGroups), config.publicUrl);
  const cmi5Tokens = cmi5ContentTokens(config.keyEncryptionSecret);
  const cmi5 = new Cmi5StepBridge(db, cmi5Lms, cmi5Tokens, log, { publicUrl: config.publicUrl, contentBase: config.contentOrigin ?? '' });
  launchHooks.statementsStored = (stored) => (stored.cmi5SessionId !== undefined ? cmi5.onStatementsStored(stored) : xapi.onStatementsStored(stored));
  launchHooks.checkCmi5Statements = (tenantId, sessionId, statements) => cmi5Lms.checkStatements(tenantId, sessionId, statements);
  launchHooks.cmi5Serialised = (tenantId, sessionId, work) => cmi5Lms.serialised(tenantId, sessionId, work);
  launchHooks.cmi5PreferencesRead = (tenantId, sessionId) => cmi5Lms.preferencesRead(tenantId, sessionId);
  return {
    cmi5: cmi5Lms,
    cmi5Steps: cmi5,
    routers: [
      cmi5Router({ config, database, store, tokens: cmi5Tokens, lms: cmi5Lms }),
      cmi5OversightRouter({ db, sessions: lti.sessions, lms: cmi5Lms, deliver: (tenantId, registration) => cmi5.deliver(tenantId, registration) }),
      tinCanContentRouter({ config, database, store, tokens, renew: (tenantId, credentialId) => xapi.renew(tenantId, credentialId) }),
      learnerRouter({ db, sessions: lti.sessions, bridge, xapi, cmi5, evaluations, logger: log, contentOrigin: config.contentOrigin }),
    ],
    launchRoute: learnerLaunchRoute(db),
    async playerReturn(claims) {
      const step = await bridge.stepOfAttempt(claims.tenantId, claims.attemptId);
      return step && `${config.publicUrl}${returnPath(step.enrolmentId, step.stepId)}`;
    },
  };
}
