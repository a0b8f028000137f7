import { SCOPE } from './claims.js';

/** The tool's endpoints as LMS administrators paste them (fixed public URLs, DESIGN.md). */
export interface ToolEndpoints {
  publicUrl: string;
  loginUrl: string;
  launchUrl: string;
  deepLinkingUrl: string;
  jwksUrl: string;
  registerUrl: string;
  canvasConfigUrl: string;
}

export function toolEndpoints(publicUrl: string): ToolEndpoints {
  return {
    publicUrl,
    loginUrl: `${publicUrl}/lti/login`,
    launchUrl: `${publicUrl}/lti/launch`,
    // One redirect URI for every message type; the message type claim tells them apart.
    deepLinkingUrl: `${publicUrl}/lti/launch`,
    jwksUrl: `${publicUrl}/lti/jwks`,
    registerUrl: `${publicUrl}/lti/register`,
    canvasConfigUrl: `${publicUrl}/lti/config/canvas.json`,
  };
}

/** Canvas developer-key JSON ("Enter URL" or "Paste JSON" in Admin → Developer Keys → LTI Key). */
export function canvasDeveloperKey(publicUrl: string): Record<string, unknown> {
  const e = toolEndpoints(publicUrl);
  const domain = new URL(publicUrl).host;
  return {
    title: 'Læringsløp',
    description: 'Læringsløp for kommunalt ansatte: læringsløp med SCORM og xAPI, og dokumentert kompetanse.',
    oidc_initiation_url: e.loginUrl,
    target_link_uri: e.launchUrl,
    public_jwk_url: e.jwksUrl,
    scopes: [SCOPE.lineItem, SCOPE.lineItemReadOnly, SCOPE.score, SCOPE.resultReadOnly, SCOPE.nrps],
    extensions: [
      {
        domain,
        tool_id: 'laeringslop',
        platform: 'canvas.instructure.com',
        privacy_level: 'public',
        settings: {
          text: 'Læringsløp',
          placements: [
            { placement: 'link_selection', message_type: 'LtiDeepLinkingRequest', target_link_uri: e.deepLinkingUrl },
            { placement: 'assignment_selection', message_type: 'LtiDeepLinkingRequest', target_link_uri: e.deepLinkingUrl },
            { placement: 'course_navigation', message_type: 'LtiResourceLinkRequest', target_link_uri: e.launchUrl, default: 'disabled' },
          ],
        },
      },
    ],
    custom_fields: { kommunenummer: '$Canvas.account.sisSourceId' },
  };
}

/** What `npm run cli -- tool-config` prints for an operator. */
export function toolConfigText(publicUrl: string): string {
  const e = toolEndpoints(publicUrl);
  return [
    'Læringsløp as an LTI 1.3 tool',
    '',
    `Tool URL / target link URI:   ${e.launchUrl}`,
    `Initiate login URL:           ${e.loginUrl}`,
    `Redirection URI(s):           ${e.launchUrl}`,
    `Deep linking (content selection) URL: ${e.deepLinkingUrl}`,
    `Public keyset (JWKS) URL:     ${e.jwksUrl}`,
    `Dynamic registration URL:     ${e.registerUrl}?invite=… (npm run cli -- lti-invite --tenant <kommunenummer>)`,
    `Canvas developer-key JSON:    ${e.canvasConfigUrl}`,
    '',
    'Moodle (Site administration → Plugins → Activity modules → External tool → Manage tools → configure a tool manually):',
    '  LTI version: LTI 1.3; Public key type: Keyset URL; Supports Deep Linking: yes;',
    '  Services: IMS LTI Assignment and Grade Services = "Use this service for grade sync and column management",',
    '            IMS LTI Names and Role Provisioning = "Use this service to retrieve members\' information";',
    '  Privacy: share name and email as your municipality\'s policy allows; custom parameter: kommunenummer=<nnnn> for a region.',
    '',
    'Canvas developer-key JSON:',
    JSON.stringify(canvasDeveloperKey(publicUrl), null, 2),
  ].join('\n');
}
