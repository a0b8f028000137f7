import path from 'node:path';
import type { Router } from 'express';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';
import type { DirectRoute } from './web/direct-routes.js';
import { DEFAULT_ZIP_LIMITS } from './content/zip-reader.js';
import { DEVELOPMENT_SEED_LOCK, exclusively } from './db/advisory-lock.js';
import { CertificateKeys, certificateKeyBox } from './certificates/certificate-keys.js';
import { Certificates } from './certificates/service.js';
import { WalletIssuer } from './certificates/wallet/issuance.js';
import { learnerCertificatesRouter } from './web/certificates/learner-router.js';
import { verifyRouter } from './web/certificates/verify-router.js';
import { walletPageRouter, walletProtocolRouter } from './web/certificates/wallet-router.js';
import { ensureDemoCatalogue } from './competence/demo-catalogue.js';
import { EvidenceStore, evidenceDir } from './competence/evidence-files.js';
import { competenceHoldingsBatchSubscriber } from './competence/holdings.js';
import { StatusSummaryRefresher } from './competence/status-summary.js';
import { ensureDemoPath } from './demo/demo-path.js';
import { DEV_DEFAULT_KOMMUNENUMMER } from './dev-lms/dev-lms.js';
import { findMunicipality } from './tenants/tenants.js';
import { SecretBox } from './lti/secret-box.js';
import { PathEventDispatcher } from './paths/dispatcher.js';
import { RetentionJob } from './privacy/retention.js';
import { EvaluationPool } from './paths/evaluation-pool.js';
import { Principals } from './access/principal.js';
import { accessGate } from './web/access/gate.js';
import { manageRouter } from './web/access/manage-router.js';
import { assignmentRouter } from './web/competence/assignments-web.js';
import { managersRouter } from './web/access/managers-router.js';
import { reportsRouter } from './web/competence/reports-router.js';
import { regionRouter } from './web/access/region-router.js';
import { auditRouter } from './web/audit/router.js';
import { designTransferRouter } from './web/design-transfer/router.js';
import type { StartPageLink } from './web/home.js';
import { integrationsRouter } from './web/integrations/router.js';
import { catalogueRouter } from './web/competence/catalogue-router.js';
import { holdingsImportRouter } from './web/competence/holdings-import-router.js';
import { coverageRouter } from './web/competence/coverage-router.js';
import { myCompetenceRouter } from './web/competence/my-competence.js';
import { personHoldingsRouter } from './web/competence/person-holdings-router.js';
import { requirementsRouter } from './web/competence/requirements-router.js';
import { courseLaunchRoute, courseRouter } from './web/course/router.js';
import { landingRouter } from './web/landing/router.js';
import { HR_IMPORT_LIMIT_BYTES, orgImportRouter } from './web/org-import/router.js';
import { organisationRouter } from './web/organisation/router.js';
import { learnerCapability, type LearnerCapability } from './web/learner/learner-capability.js';
import { LAUNCH_IDLE_MS } from './xapi/launch-credentials.js';
import { privacyRouter } from './web/privacy/router.js';
import { composeLti, type LtiHooks } from './web/lti/compose-lti.js';
import { xapiRouter } from './web/xapi/router.js';
import { xapiProfileRouter } from './web/xapi/profile-router.js';
import { OwnStatements } from './xapi/own-statements.js';
import { XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber } from './xapi/emission/subscriber.js';
import { HoldingStatementEmitter } from './xapi/emission/holding-emitter.js';
import { competencePullRouter } from './web/competence/pull-api.js';
import { completionsPullRouter } from './web/completions/completions-api.js';
import type { LaunchHooks } from './xapi/lrs/context.js';
import { Lrs } from './xapi/lrs/lrs.js';
import { StatementForwarder } from './xapi/forwarding/forwarder.js';
import { forwardingBox } from './xapi/forwarding/targets.js';
import { designerLaunchRoute, publishedPathItems } from './web/designer/lti-hooks.js';
import { designerRouter } from './web/designer/router.js';
import { themeRouter } from './web/theme/router.js';
import { linksRouter } from './web/links/router.js';
import { MailOutbox } from './mail/outbox.js';
import { smtpSender } from './mail/smtp.js';
import type { PlayerHooks } from './web/scorm/content-router.js';
import { scormCapability } from './web/scorm/scorm-capability.js';

export interface CapabilityDependencies {
  config: Config;
  database: Database;
  logger: Logger;
}

/** What the capabilities contribute to the running service. */
export interface Capabilities {
  routers: Router[];
  /** Routers for machine clients (the SCORM runtime API, the LRS), mounted ahead of the page middleware. */
  apiRouters: Router[];
  /** Routes served ahead of the app for the busiest requests (web/direct-routes.ts). */
  directRoutes: DirectRoute[];
  startPageLinks: StartPageLink[];
  /** Background work started here (outbox workers, timers) is stopped here, before the database closes. */
  stop(): Promise<void>;
}

/**
 * The one place that wires capabilities into the service. Each capability adds its routers, start
 * page links and background work here; nothing else needs to know it exists.
 */
export async function composeCapabilities(deps: CapabilityDependencies): Promise<Capabilities> {
  const routers: Router[] = [];
  const apiRouters: Router[] = [];
  const startPageLinks: StartPageLink[] = [];
  const stoppers: (() => Promise<void>)[] = [];

  // Later capabilities add where a launch leads (learner's path, designer's start page) and what
  // Deep Linking offers; the LTI router reads these when requests come.
  const ltiHooks: LtiHooks = { launchRoutes: [] };
  // Certificates (docs/certificates.md): their credentials' signing key is published in /lti/jwks with its own kid.
  const certificates = new Certificates(deps.database.db, new CertificateKeys(deps.database.db, certificateKeyBox(deps.config.keyEncryptionSecret)), deps.config.publicUrl);
  ltiHooks.publishedKeys = () => certificates.keys.publishedKeys();
  // Evidence files of registered holdings, under DATA_DIR (outside anything served); erasure removes a person's.
  const evidenceStore = new EvidenceStore(evidenceDir(deps.config.dataDir));
  const lti = await composeLti(deps, ltiHooks);
  routers.push(...lti.routers);

  // Designer pages (/design/…); a designer's launch goes there unless the link names a path they
  // do not own; Deep Linking offers the published paths the designer's tenant may see.
  // A teacher's launch of a path link from a course: the course's members against the path
  // (/teach/links/:linkId, the roster from NRPS), ahead of the designer's own pages.
  ltiHooks.launchRoutes.push(courseLaunchRoute(deps.database.db));
  ltiHooks.launchRoutes.push(designerLaunchRoute(deps.database.db));
  ltiHooks.linkableItems = publishedPathItems(deps.database.db);
  // The designer's Browse/Review preview of a cmi5 step launches through the learner capability's
  // cmi5 bridge, made further down.
  const late: { cmi5Steps?: LearnerCapability['cmi5Steps'] } = {};
  routers.push(designerRouter({
    db: deps.database.db, sessions: lti.lti.sessions,
    cmi5Preview: (...args) => {
      if (!late.cmi5Steps) throw new Error('cmi5 previews are launched before the learner capability is ready');
      return late.cmi5Steps.preview(...args);
    },
  }));
  // The municipality's look (accent colour, logo), set by its administrator at /admin/theme.
  routers.push(themeRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  // The municipality administrator's org tree and people (/admin/org, /admin/people).
  routers.push(organisationRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  // The administrator's LMS platform registrations and xAPI clients (/admin/platforms, /admin/xapi-clients).
  routers.push(integrationsRouter({ db: deps.database.db, sessions: lti.lti.sessions, config: deps.config }));
  // Launch links to employees (/admin/links) and the municipality's e-mail domains (/admin/email-domains).
  routers.push(linksRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  // Managers' and administrators' start pages; a launch no route answers goes to the role's start page.
  routers.push(catalogueRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  routers.push(requirementsRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  routers.push(myCompetenceRouter({ db: deps.database.db, sessions: lti.lti.sessions, certificates }));
  // The public verification page and API (/verify, /api/verify), status lists and issuer profiles; the learner's downloads.
  routers.push(verifyRouter({ db: deps.database.db, certificates }));
  routers.push(learnerCertificatesRouter({ sessions: lti.lti.sessions, certificates }));
  // "Legg i lommebok": each municipality a Credential Issuer (OpenID4VCI 1.0, pre-authorized code) under its issuer profile.
  const wallet = new WalletIssuer({ db: deps.database.db, keys: certificates.keys, publicUrl: deps.config.publicUrl, keyEncryptionSecret: deps.config.keyEncryptionSecret });
  apiRouters.push(walletProtocolRouter({ wallet }));
  routers.push(walletPageRouter({ sessions: lti.lti.sessions, certificates, wallet }));
  // Holdings imported from CSV by a municipality's administrator (/admin/competence/holdings/import).
  routers.push(holdingsImportRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  routers.push(landingRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  routers.push(courseRouter({ db: deps.database.db, sessions: lti.lti.sessions, serviceClient: lti.lti.serviceClient }));
  // The municipality administrator's HR import: upload, preview, apply (/admin/org/import).
  routers.push(orgImportRouter({ db: deps.database.db, sessions: lti.lti.sessions, uploadLimitBytes: HR_IMPORT_LIMIT_BYTES }));
  // The municipality administrator's audit log (/admin/audit) and privacy pages (/admin/privacy).
  routers.push(auditRouter({ db: deps.database.db, sessions: lti.lti.sessions }));
  routers.push(privacyRouter({ db: deps.database.db, sessions: lti.lti.sessions, publicUrl: deps.config.publicUrl, evidence: evidenceStore }));
  startPageLinks.push(...lti.startPageLinks);
  stoppers.push(lti.stop);

  // The player leads back to where its attempt was opened (the learner pages set where).
  const playerHooks: PlayerHooks = {};
  const scorm = scormCapability(deps, playerHooks);
  routers.push(...scorm.routers);
  apiRouters.push(...scorm.apiRouters);
  startPageLinks.push(...scorm.startPageLinks);

  if (deps.config.nodeEnv === 'development' && lti.devLms) {
    const lms = lti.devLms;
    // Workers starting together: one creates the demo path, the others then find it.
    const demo = await exclusively(deps.database, DEVELOPMENT_SEED_LOCK, async () => {
      const seeded = await ensureDemoPath({ db: deps.database.db, store: scorm.store, lms });
      const kongsberg = await findMunicipality(deps.database.db, DEV_DEFAULT_KOMMUNENUMMER);
      const catalogue = kongsberg ? await ensureDemoCatalogue(deps.database.db, kongsberg.id) : false;
      return { ...seeded, catalogue };
    });
    if (demo.created) deps.logger.info({ path: demo.pathId }, 'demo path created and placed in the development LMS');
    if (demo.catalogue) deps.logger.info('demo competence catalogue imported');
  }

  // Designers export and import whole paths (with their SCORM packages) and upload packages, for
  // the tenant of their LTI session.
  routers.push(designTransferRouter({
    database: deps.database,
    sessions: lti.lti.sessions,
    store: scorm.store,
    limits: DEFAULT_ZIP_LIMITS,
    uploadDir: path.join(deps.config.dataDir, 'content', 'uploads'),
    uploadLimitBytes: deps.config.contentUploadLimitBytes,
  }));

  // The LRS also takes the credentials xAPI courses are launched with (docs/content.md, "xAPI
  // packages"); the learner pages issue them and hear what the courses send.
  const launchHooks: LaunchHooks = {};
  const lrs = new Lrs({ db: deps.database.db, publicUrl: deps.config.publicUrl, launchSecret: deps.config.keyEncryptionSecret, launchHooks });
  apiRouters.push(xapiRouter({ db: deps.database.db, publicUrl: deps.config.publicUrl, bodyLimitBytes: deps.config.bodyLimitBytes, lrs }));
  // HR systems pull holdings and gaps with the same clients (scope competence/read); /api/openapi.json describes it.
  apiRouters.push(competencePullRouter({ db: deps.database.db, publicUrl: deps.config.publicUrl }));
  // And their completed paths (scope completions/read), docs/completions.md.
  apiRouters.push(completionsPullRouter({ db: deps.database.db, databaseKind: deps.database.kind, publicUrl: deps.config.publicUrl }));
  // The xAPI Profile of the statements the tool writes about its learners (docs/xapi-profile.md).
  apiRouters.push(xapiProfileRouter(deps.config.publicUrl));

  // Path events (started, step completed, completed) leave the engine only through this
  // dispatcher: subscribers (LTI grade passback, xAPI, competence) register with
  // pathEvents.subscribe(name, handler) here.
  // An idle subscriber looks again after 250 ms: a completion becomes a holding within a second
  // (bench/competence/completion-to-holding.ts), and four small statements a look cost little.
  const pathEvents = new PathEventDispatcher({ db: deps.database.db, logger: deps.logger.child({ component: 'path-events' }), pollIntervalMs: 250 });

  // The learner side of paths: a launch of a path link enrols and leads to the learner's pages;
  // SCORM outcomes reach the paths engine; path scores go back to the LMS (lti-grade-passback).
  // Evaluation answers wait sealed until their step's release (docs/paths.md, "Anonymous evaluations").
  const evaluations = new EvaluationPool({
    db: deps.database.db,
    seal: new SecretBox(deps.config.keyEncryptionSecret, 'evaluation-answers'),
    logger: deps.logger.child({ component: 'evaluation-releases' }),
  });
  const learner = learnerCapability(deps, { lti: lti.lti, scorm: scorm.runtime, pathEvents, evaluations, lrs, launchHooks, store: scorm.store });
  late.cmi5Steps = learner.cmi5Steps;
  ltiHooks.launchRoutes.push(learner.launchRoute);
  playerHooks.returnTo = learner.playerReturn;
  routers.push(...learner.routers);
  // cmi5 AU sessions left without terminated for as long as a launch credential idles are
  // abandoned (cmi5 §9.3.6), checked every minute.
  const cmi5Sweep = setInterval(() => {
    learner.cmi5.abandonStale(LAUNCH_IDLE_MS).catch((error: unknown) => deps.logger.error({ err: error }, 'cmi5 abandonment sweep failed'));
  }, 60_000);
  cmi5Sweep.unref();
  stoppers.push(() => Promise.resolve(clearInterval(cmi5Sweep)));

  // Completions become competence holdings (docs/competence.md), a batch of events at a time (one
  // statement finds the few completed steps that are self-assessments with something to document),
  // so that holdings keep up with completions under load (bench/scenarios/completion-to-holding.ts).
  pathEvents.subscribeBatch('competence-holdings', competenceHoldingsBatchSubscriber(deps.database.db, deps.logger.child({ component: 'competence-holdings' })));
  // Every path event becomes the tool's own xAPI statements in the learner's municipality's LRS
  // (docs/xapi-profile.md); a batch of events at a time, in commit order, written in short
  // transactions so that other subscribers never wait long behind them, and, while one of them is
  // behind, resting after each batch as long as it took (bench/xapi/emission-lag.ts).
  const ownStatements = new OwnStatements(deps.database.db, deps.config.publicUrl, lrs.context.statementGroups);
  pathEvents.subscribeBatch(XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber(deps.database.db, ownStatements, deps.config.publicUrl,
    deps.logger.child({ component: 'xapi-emission' })), { batchSize: 500, background: true });
  // Holdings granted, revoked and expired become statements too, from the holdings' own outbox
  // (written by the database whichever way a holding is recorded) and a sweep for expiries.
  const holdingStatements = new HoldingStatementEmitter({ db: deps.database.db, statements: ownStatements, publicUrl: deps.config.publicUrl, logger: deps.logger.child({ component: 'xapi-emission' }) });
  // Every page and API request first passes the access gate: the route's decision in
  // src/access/route-decisions.ts, decided by src/access/rules.ts `authorize`. The manager's view
  // (/manage), the region's (/region) and the municipality administrator's managers (/admin/managers).
  const principals = new Principals(deps.database.db);
  const access = { db: deps.database.db, sessions: lti.lti.sessions, principals };
  // Assigning paths that close competence gaps, from the manager's and the administrator's person pages;
  // with SMTP configured (SMTP_URL or SMTP_HOST, SMTP_FROM) the person gets an e-mail through the mail
  // outbox, sent and retried by its worker (docs/operations.md, "E-mail").
  routers.push(assignmentRouter({ ...access, notify: deps.config.mail ? { publicUrl: deps.config.publicUrl } : undefined }));
  if (deps.config.mail) {
    const sender = smtpSender(deps.config.mail);
    const mailOutbox = new MailOutbox({ db: deps.database.db, sender, logger: deps.logger.child({ component: 'mail-outbox' }) });
    mailOutbox.start();
    stoppers.push(async () => {
      await mailOutbox.stop();
      sender.close();
    });
  }
  routers.unshift(accessGate(access));
  routers.push(manageRouter(access), managersRouter(access), regionRouter(access), reportsRouter(access), coverageRouter(access));
  // A person's competence for the administrator and the manager: holdings, registering with an
  // evidence file (kept under DATA_DIR, outside anything served), revoking, downloads.
  routers.push(personHoldingsRouter({ ...access, store: evidenceStore, certificates }));

  pathEvents.start();
  stoppers.push(() => pathEvents.stop());
  holdingStatements.start();
  stoppers.push(() => holdingStatements.stop());
  // Coverage roll-ups read a per-day summary of statuses (docs/competence.md, "The status summary"),
  // recomputed here when something changed it or the day turned.
  const statusSummaries = new StatusSummaryRefresher({ db: deps.database.db, logger: deps.logger.child({ component: 'competence-status-summary' }) });
  statusSummaries.start();
  stoppers.push(() => statusSummaries.stop());
  // Each tenant's statements go on to the municipality's own LRS when its administrator set one
  // (/admin/xapi-forwarding, `npm run cli -- xapi-forwarding`; docs/xapi.md, "Forwarding").
  const forwarder = new StatementForwarder({ db: deps.database.db, logger: deps.logger.child({ component: 'xapi-forwarding' }), box: forwardingBox(deps.config.keyEncryptionSecret), publicUrl: deps.config.publicUrl });
  forwarder.start();
  stoppers.push(() => forwarder.stop());
  evaluations.start();
  stoppers.push(() => evaluations.stop());
  // Personal data of people with no active employment and no activity for RETENTION_MONTHS is
  // erased once a day (docs/privacy.md); `npm run cli -- privacy retention` runs the same job.
  const retention = new RetentionJob(deps.database.db, { months: deps.config.retentionMonths, publicUrl: deps.config.publicUrl, evidence: evidenceStore, logger: deps.logger.child({ component: 'retention' }) });
  retention.start();
  stoppers.push(() => retention.stop());
  return {
    routers,
    apiRouters,
    directRoutes: [...lti.directRoutes, ...scorm.directRoutes],
    startPageLinks,
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
    },
  };
}
