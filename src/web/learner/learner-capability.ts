import type { Router } from 'express';
import type { CapabilityDependencies } from '../../compose.js';
import type { LtiService } from '../../lti/lti-service.js';
import type { PathEventDispatcher } from '../../paths/dispatcher.js';
import type { EvaluationPool } from '../../paths/evaluation-pool.js';
import type { ScormRuntime } from '../../scorm/runtime.js';
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
}

/**
 * The learner side of paths: the launch into a path, the learner's pages, SCORM outcomes into the
 * paths engine, and the path score back to the LMS gradebook.
 */
export function learnerCapability(
  { config, database, logger }: CapabilityDependencies,
  { lti, scorm, pathEvents, evaluations }: { lti: LtiService; scorm: ScormRuntime; pathEvents: PathEventDispatcher; evaluations: EvaluationPool },
): LearnerCapability {
  const db = database.db;
  const log = logger.child({ capability: 'learner' });
  const bridge = new ScormStepBridge(db, scorm, log, config.contentOrigin ?? '');
  scorm.onOutcome((outcome) => bridge.onScoOutcome(outcome));
  pathEvents.subscribe('lti-grade-passback', gradePassback(db));
  return {
    routers: [learnerRouter({ db, sessions: lti.sessions, bridge, evaluations, logger: log, contentOrigin: config.contentOrigin })],
    launchRoute: learnerLaunchRoute(db),
    async playerReturn(claims) {
      const step = await bridge.stepOfAttempt(claims.tenantId, claims.attemptId);
      return step && `${config.publicUrl}${returnPath(step.enrolmentId, step.stepId)}`;
    },
  };
}
