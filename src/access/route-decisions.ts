import { ATTEMPT_TOKEN, DEVELOPMENT, LRS_BASIC, LTI_PROTOCOL, PUBLIC, RETURN_COOKIE, session, type AccessRule } from './rules.js';

// Who may use which page or API: one line per route the app serves, keyed `METHOD path` exactly as
// the route is declared (`USE path` for a mounted handler such as the LRS). A route served without a
// line here (or a `*rest` line whose prefix it starts with) is refused at start-up and fails test/access/route-access.test.ts, which asks every
// route as every role. The web layer's gate (src/web/access/gate.ts) applies these before any route.

const ANY_SESSION = session('learner', 'designer', 'manager', 'municipality-admin', 'region-admin');
const LEARNERS = session('learner', 'manager');
const DESIGNERS = session('designer', 'municipality-admin', 'region-admin');
const ADMINS = session('municipality-admin', 'region-admin');
const MUNICIPALITY_ADMIN = session('municipality-admin');
const REGION_ADMIN = session('region-admin');
const MANAGER = session('manager');
// A course's teachers (Instructor, ContentDeveloper, Administrator of a municipality): the course's people.
const TEACHERS = session('designer', 'municipality-admin');
// Who may waive a learner's cmi5 AU or end their session: the course's teachers and managers.
const CMI5_OVERSEERS = session('designer', 'municipality-admin', 'manager');

export const ROUTE_DECISIONS: Readonly<Record<string, AccessRule>> = {
  // The service itself: health, styles, the front page, problem types, municipalities' logos.
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /favicon.svg': PUBLIC,
  'GET /favicon.ico': PUBLIC,
  // Stylesheets under names that carry their content's hash: every route below /assets/.
  'GET /assets/*rest': PUBLIC,
  'GET /': PUBLIC,
  'GET /problems/:type': PUBLIC,
  'GET /tenants/:tenantId/logo/:sha256': PUBLIC,
  // Verifying certificates needs no account (docs/certificates.md); failures are rate limited per address.
  'GET /verify': PUBLIC,
  'POST /verify': PUBLIC,
  'GET /verify/:code': PUBLIC,
  'GET /api/verify/:code': PUBLIC,
  'POST /api/verify': PUBLIC,
  'GET /certificates/status/:tenantId': PUBLIC,
  'GET /certificates/issuers/:tenantId': PUBLIC,
  // Adding a certificate to a wallet (OpenID4VCI 1.0): metadata and nonces are public; the offer's
  // secret in its URL, the pre-authorized code and the access token are checked by the routes.
  'GET /.well-known/openid-credential-issuer/certificates/issuers/:tenantId': PUBLIC,
  'GET /.well-known/oauth-authorization-server/certificates/issuers/:tenantId': PUBLIC,
  'GET /certificates/issuers/:tenantId/offers/:secret': PUBLIC,
  'POST /certificates/issuers/:tenantId/token': PUBLIC,
  'POST /certificates/issuers/:tenantId/nonce': PUBLIC,
  'POST /certificates/issuers/:tenantId/credential': PUBLIC,

  // LTI 1.3 (docs/architecture-lti.md): the security framework secures login and launch.
  'GET /lti/assets/registration-close.js': LTI_PROTOCOL,
  'GET /lti/assets/storage.js': LTI_PROTOCOL,
  'GET /lti/assets/autosubmit.js': LTI_PROTOCOL,
  'GET /lti/register': LTI_PROTOCOL,
  'POST /lti/register': LTI_PROTOCOL,
  'GET /lti/jwks': LTI_PROTOCOL,
  'GET /lti/config/canvas.json': LTI_PROTOCOL,
  'ALL /lti/login': LTI_PROTOCOL,
  'POST /lti/launch': LTI_PROTOCOL,
  'GET /lti/session': ANY_SESSION,
  'POST /lti/deep-linking/respond': DESIGNERS,

  // The xAPI LRS (Basic credentials per municipality) and the SCORM runtime (attempt tokens).
  'USE /xapi': LRS_BASIC,
  // HR systems pull competence with the same clients' Basic credentials (scope competence/read); the OpenAPI document is public.
  'GET /api/competence/holdings': LRS_BASIC,
  'GET /api/competence/gaps': LRS_BASIC,
  // And completed paths (scope completions/read), docs/completions.md.
  'GET /api/completions': LRS_BASIC,
  'GET /api/openapi.json': PUBLIC,
  // The xAPI Profile (JSON-LD) of the statements the tool emits: a public vocabulary (docs/xapi-profile.md).
  'GET /profiles/xapi': PUBLIC,
  'USE /content': ATTEMPT_TOKEN,
  'POST /content/:token/runtime/:scoId/launch': ATTEMPT_TOKEN,
  'POST /content/:token/runtime/:scoId/commit': ATTEMPT_TOKEN,
  'GET /content/_player/scorm-again.js': PUBLIC,
  'GET /content/_player/player.js': PUBLIC,
  'GET /content/_player/player.css': PUBLIC,
  'GET /content/:token/player': ATTEMPT_TOKEN,
  'GET /content/:token/play/:scoId': ATTEMPT_TOKEN,
  'GET /content/:token/exit': ATTEMPT_TOKEN,
  'GET /content/:token/navigate/:request': ATTEMPT_TOKEN,
  'GET /content/:token/files/*file': ATTEMPT_TOKEN,
  // xAPI (Tin Can) courses: the player page, its keep-alive and the package's files under the launch token.
  'GET /content/_player/tincan-keepalive.js': PUBLIC,
  'GET /content/tincan/:token/player': ATTEMPT_TOKEN,
  'POST /content/tincan/:token/keepalive': ATTEMPT_TOKEN,
  'GET /content/tincan/:token/files/*file': ATTEMPT_TOKEN,
  // cmi5 (docs/content.md, "cmi5 courses"): the package's files under a content token, and the
  // one-time fetch URL, open to any caller because its secret is its own credential and cmi5 §8.2
  // wants every answer, refusals included, as 200 with JSON (error-code 2 for a wrong secret).
  'GET /content/cmi5/:token/files/*file': ATTEMPT_TOKEN,
  'POST /cmi5/fetch/:sessionId': PUBLIC,

  // Development tools: the development LMS and uploads for any municipality (never in production).
  'USE /dev/lms': DEVELOPMENT,
  'GET /dev/lms/assets/storage-host.js': DEVELOPMENT,
  'GET /dev/lms/assets/autosubmit.js': DEVELOPMENT,
  'GET /dev/lms': DEVELOPMENT,
  'GET /dev/lms/launch': DEVELOPMENT,
  'GET /dev/lms/initiate': DEVELOPMENT,
  'GET /dev/lms/jwks': DEVELOPMENT,
  'ALL /dev/lms/auth': DEVELOPMENT,
  'POST /dev/lms/token': DEVELOPMENT,
  'GET /dev/lms/courses/:course/lineitems': DEVELOPMENT,
  'POST /dev/lms/courses/:course/lineitems': DEVELOPMENT,
  'POST /dev/lms/courses/:course/lineitems/:id/lineitem/scores': DEVELOPMENT,
  'GET /dev/lms/courses/:course/members': DEVELOPMENT,
  'POST /dev/lms/deep-link-return': DEVELOPMENT,
  'USE /dev/content': DEVELOPMENT,
  'USE /api/content/packages': DEVELOPMENT,
  'USE /api/dev/scorm': DEVELOPMENT,
  'GET /dev/content': DEVELOPMENT,
  'GET /dev/content/import.js': DEVELOPMENT,
  'POST /api/content/packages': DEVELOPMENT,
  'GET /api/content/packages': DEVELOPMENT,
  'GET /api/content/packages/:id': DEVELOPMENT,
  'POST /api/dev/scorm/attempts': DEVELOPMENT,

  // Learners (managers learn too).
  'GET /learn': LEARNERS,
  // Min kompetanse: what is documented for the signed-in person (everyone learns).
  'GET /learn/competence': ANY_SESSION,
  // The person's own certificates (docs/certificates.md): only their own, whatever the role.
  'GET /learn/certificates/:certificateId/kursbevis.pdf': ANY_SESSION,
  'GET /learn/certificates/:certificateId/credential.json': ANY_SESSION,
  'GET /learn/certificates/:certificateId/wallet': ANY_SESSION,
  'GET /learn/unavailable': ANY_SESSION,
  'GET /learn/enrolments/:enrolmentId': LEARNERS,
  'GET /learn/return/:enrolmentId/:stepId': RETURN_COOKIE,
  'GET /learn/enrolments/:enrolmentId/steps/:stepId': LEARNERS,
  'POST /learn/enrolments/:enrolmentId/steps/:stepId': LEARNERS,
  // Taking a completed path again (renewal): a new attempt after the person's own current one.
  'POST /learn/enrolments/:enrolmentId/attempts': LEARNERS,

  // Designers (administrators may use the designer's pages).
  'GET /design/assets/designer.js': PUBLIC,
  'GET /design/import/transfer.js': PUBLIC,
  'GET /design/packages/upload/transfer.js': PUBLIC,
  'GET /design': DESIGNERS,
  'GET /design/paths/new': DESIGNERS,
  'POST /design/paths': DESIGNERS,
  'GET /design/paths/:id': DESIGNERS,
  'POST /design/paths/:id/steps/:stepId/move': DESIGNERS,
  'POST /design/paths/:id/order': DESIGNERS,
  'GET /design/paths/:id/preview': DESIGNERS,
  'GET /design/paths/:id/settings': DESIGNERS,
  'POST /design/paths/:id/settings': DESIGNERS,
  'GET /design/paths/:id/steps/new': DESIGNERS,
  'POST /design/paths/:id/steps': DESIGNERS,
  'GET /design/paths/:id/steps/:stepId': DESIGNERS,
  'POST /design/paths/:id/steps/:stepId': DESIGNERS,
  // A designer's Browse/Review preview of a saved cmi5 step's AU (cmi5 §10.2.2).
  'POST /design/paths/:id/steps/:stepId/preview': DESIGNERS,
  // Where the preview's AU leads back to: the designer's session from the cookie the preview set
  // (checked by the route), else a page that needs none and says the preview ended.
  'GET /design/paths/:id/steps/:stepId/preview/return': PUBLIC,
  'GET /design/paths/:id/steps/:stepId/remove': DESIGNERS,
  'POST /design/paths/:id/steps/:stepId/remove': DESIGNERS,
  'GET /design/paths/:id/publish': DESIGNERS,
  'POST /design/paths/:id/publish': DESIGNERS,
  'GET /design/paths/:id/versions': DESIGNERS,
  'GET /design/paths/:id/exports': DESIGNERS,
  'POST /design/paths/:id/move-learners': DESIGNERS,
  'GET /design/paths/:id/duplicate': DESIGNERS,
  'POST /design/paths/:id/duplicate': DESIGNERS,
  'GET /design/paths/:id/steps/:stepId/signups': DESIGNERS,
  'POST /design/paths/:id/steps/:stepId/attendance': DESIGNERS,
  'GET /design/paths/:id/steps/:stepId/report': DESIGNERS,
  'GET /design/paths/:pathId/export': DESIGNERS,
  'GET /design/import': DESIGNERS,
  'POST /design/import': DESIGNERS,
  'GET /design/packages/upload': DESIGNERS,
  'POST /design/packages/upload': DESIGNERS,

  // Teachers: their course's members against the path of the link they launched (the session's own course only).
  'GET /teach/links/:linkId': TEACHERS,
  'GET /teach/links/:linkId/progress.csv': TEACHERS,
  // A learner's cmi5 courses for the course's teacher and the learner's manager: waive an AU, end a
  // hanging AU session (docs/content.md, "Waiving an AU and ending a session"); each route also
  // checks that the learner is one the person follows.
  'GET /teach/links/:linkId/learners/:personId/cmi5': TEACHERS,
  'POST /teach/links/:linkId/learners/:personId/cmi5': TEACHERS,
  'GET /manage/people/:personId/cmi5': MANAGER,
  'POST /manage/people/:personId/cmi5': MANAGER,
  'POST /api/cmi5/registrations/:registration/waivers': CMI5_OVERSEERS,
  'POST /api/cmi5/sessions/:sessionId/abandon': CMI5_OVERSEERS,

  // Managers: their units (led by HR data or granted), each with its subtree.
  'GET /manage': MANAGER,
  'GET /manage/people/:personId': MANAGER,
  // A person's competence in the manager's units: holdings, registering and revoking, evidence files.
  'GET /manage/people/:personId/competence': MANAGER,
  'POST /manage/people/:personId/competence': MANAGER,
  'POST /manage/people/:personId/competence/:holdingId/revoke': MANAGER,
  'GET /manage/people/:personId/competence/files/:fileId': MANAGER,
  'GET /manage/people/:personId/competence/certificates/:certificateId/kursbevis.pdf': MANAGER,
  // Staffing, the competence report (charts, print) and the gap exports, for the manager's units.
  'GET /manage/staffing': MANAGER,
  'GET /manage/competence/report': MANAGER,
  'GET /manage/competence/export.csv': MANAGER,
  'GET /manage/competence/export.xlsx': MANAGER,
  // The coverage matrix of the manager's units (requirements × units), with a cell's people (audited).
  'GET /manage/competence': MANAGER,

  // Administrators: a municipality's (its people and managers) or a region's (aggregates only).
  'GET /admin': ADMINS,
  'GET /admin/theme': ADMINS,
  'POST /admin/theme': ADMINS,
  'POST /admin/theme/logo': ADMINS,
  'POST /admin/theme/logo/remove': ADMINS,
  'POST /admin/theme/certificate': ADMINS,
  'GET /admin/managers': MUNICIPALITY_ADMIN,
  'POST /admin/managers/grants': MUNICIPALITY_ADMIN,
  'POST /admin/managers/grants/:grantId/revoke': MUNICIPALITY_ADMIN,
  'GET /region': REGION_ADMIN,

  // Assigning a path that closes a person's competence gap, and withdrawing it, from the person
  // pages: a manager for the people in their units, an administrator for the municipality's people.
  'POST /manage/people/:personId/assignments': MANAGER,
  'POST /manage/people/:personId/assignments/:assignmentId/withdraw': MANAGER,
  'POST /admin/people/:personId/assignments': MUNICIPALITY_ADMIN,
  'POST /admin/people/:personId/assignments/:assignmentId/withdraw': MUNICIPALITY_ADMIN,

  // A municipality's organisation: the unit tree, people and employments, the HR import.
  // The links' and the e-mail domains' pages tell a region's administrator they belong to municipalities.
  'GET /admin/org': MUNICIPALITY_ADMIN,
  'POST /admin/org/units': MUNICIPALITY_ADMIN,
  'GET /admin/org/units/:unitId': MUNICIPALITY_ADMIN,
  'POST /admin/org/units/:unitId': MUNICIPALITY_ADMIN,
  'GET /admin/people': MUNICIPALITY_ADMIN,
  'POST /admin/people': MUNICIPALITY_ADMIN,
  'GET /admin/people/:personId': MUNICIPALITY_ADMIN,
  'POST /admin/people/:personId/employments': MUNICIPALITY_ADMIN,
  'POST /admin/people/:personId/employments/:employmentId': MUNICIPALITY_ADMIN,
  // A person's competence: holdings, registering and revoking, evidence files.
  'GET /admin/people/:personId/competence': MUNICIPALITY_ADMIN,
  'POST /admin/people/:personId/competence': MUNICIPALITY_ADMIN,
  'POST /admin/people/:personId/competence/:holdingId/revoke': MUNICIPALITY_ADMIN,
  'GET /admin/people/:personId/competence/files/:fileId': MUNICIPALITY_ADMIN,
  'GET /admin/people/:personId/competence/certificates/:certificateId/kursbevis.pdf': MUNICIPALITY_ADMIN,
  'GET /admin/org/import/upload.js': PUBLIC,
  'GET /admin/org/import': MUNICIPALITY_ADMIN,
  'POST /admin/org/import': MUNICIPALITY_ADMIN,
  'GET /admin/org/import/:id': MUNICIPALITY_ADMIN,
  'POST /admin/org/import/:id/apply': MUNICIPALITY_ADMIN,
  // Launchers linked to employees, and the e-mail domains that place a shared LMS's launches.
  'GET /admin/links': ADMINS,
  'GET /admin/email-domains': ADMINS,
  'POST /admin/email-domains': MUNICIPALITY_ADMIN,
  'POST /admin/email-domains/remove': MUNICIPALITY_ADMIN,
  // The audit log and personal-data rights: a municipality's own people only.
  'GET /admin/audit': MUNICIPALITY_ADMIN,
  'GET /admin/audit.csv': MUNICIPALITY_ADMIN,
  'GET /admin/privacy': MUNICIPALITY_ADMIN,
  'POST /admin/privacy/kept': MUNICIPALITY_ADMIN,
  'POST /admin/privacy/kept/remove': MUNICIPALITY_ADMIN,
  'GET /admin/privacy/people/:id': MUNICIPALITY_ADMIN,
  'GET /admin/privacy/people/:id/export.json': MUNICIPALITY_ADMIN,
  'POST /admin/privacy/people/:id/erase': MUNICIPALITY_ADMIN,
  // The tenant's own LMS registrations and LRS keys (a region has its own).
  'GET /admin/platforms': ADMINS,
  'POST /admin/platforms': ADMINS,
  'POST /admin/platforms/remove': ADMINS,
  'POST /admin/platforms/invites': ADMINS,
  'POST /admin/platforms/invites/revoke': ADMINS,
  'GET /admin/xapi-clients': ADMINS,
  'POST /admin/xapi-clients': ADMINS,
  'POST /admin/xapi-clients/revoke': ADMINS,
  // Forwarding the tenant's statements to its own LRS: settings, queue, re-drive (src/web/integrations/forwarding.ts).
  'GET /admin/xapi-forwarding': ADMINS,
  'POST /admin/xapi-forwarding': ADMINS,
  'POST /admin/xapi-forwarding/redrive': ADMINS,
  'POST /admin/xapi-forwarding/emission-redrive': ADMINS,
  'POST /admin/xapi-forwarding/remove': ADMINS,
  // The competence catalogue and requirements: a municipality's own, or a region's for its members.
  'GET /admin/competence': ADMINS,
  'GET /admin/competence/export.csv': ADMINS,
  'POST /admin/competence/import': ADMINS,
  'POST /admin/competence/import/apply': ADMINS,
  'GET /admin/competence/requirements': ADMINS,
  'POST /admin/competence/requirements': ADMINS,
  'POST /admin/competence/requirements/:id/end': ADMINS,
  // Holdings imported from a CSV file: a municipality's own people.
  'GET /admin/competence/holdings/import': MUNICIPALITY_ADMIN,
  'POST /admin/competence/holdings/import': MUNICIPALITY_ADMIN,
  'POST /admin/competence/holdings/import/apply': MUNICIPALITY_ADMIN,
  // Staffing, the competence report and the gap exports for the whole municipality (a region has no people).
  'GET /admin/staffing': MUNICIPALITY_ADMIN,
  'GET /admin/competence/report': MUNICIPALITY_ADMIN,
  'GET /admin/competence/gaps.csv': MUNICIPALITY_ADMIN,
  'GET /admin/competence/gaps.xlsx': MUNICIPALITY_ADMIN,
  // The coverage matrix of the whole municipality.
  'GET /admin/competence/coverage': MUNICIPALITY_ADMIN,
};

const WILDCARD = '/*rest';

/** The decision for a route as declared: its own line, else the `*rest` line of a prefix it is under. */
export function decisionFor(method: string, path: string, decisions: Readonly<Record<string, AccessRule>> = ROUTE_DECISIONS): AccessRule | undefined {
  const own = decisions[`${method} ${path}`];
  if (own) return own;
  for (const [key, rule] of Object.entries(decisions)) {
    const [keyMethod, keyPath = ''] = key.split(' ');
    if (keyMethod === method && keyPath.endsWith(WILDCARD) && path.startsWith(keyPath.slice(0, -WILDCARD.length + 1))) return rule;
  }
  return undefined;
}
