/** Claim names from LTI 1.3 Core §5, Deep Linking 2.0 §4.4, AGS 2.0 §3.1 and NRPS 2.0 §3.6. */
export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  lis: 'https://purl.imsglobal.org/spec/lti/claim/lis',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  deepLinkingData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

export const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

export interface ContextClaim {
  id: string;
  label?: string;
  title?: string;
  type?: string[];
}

export interface ResourceLinkClaim {
  id: string;
  title?: string;
  description?: string;
}

export interface AgsClaim {
  scope?: string[];
  lineitems?: string;
  lineitem?: string;
}

export interface NrpsClaim {
  context_memberships_url: string;
  service_versions?: string[];
}

export interface DeepLinkingSettingsClaim {
  deep_link_return_url: string;
  accept_types: string[];
  accept_presentation_document_targets: string[];
  accept_multiple?: boolean;
  auto_create?: boolean;
  title?: string;
  text?: string;
  data?: string;
}

/** The claims of a verified id_token that the tool uses. */
export interface LaunchClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  nonce: string;
  messageType: MessageType;
  deploymentId: string;
  targetLinkUri: string;
  roles: string[];
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  locale?: string;
  context?: ContextClaim;
  resourceLink?: ResourceLinkClaim;
  custom: Record<string, string>;
  ags?: AgsClaim;
  nrps?: NrpsClaim;
  deepLinking?: DeepLinkingSettingsClaim;
  documentTarget?: string;
  /** The whole payload, for the page that shows what was verified. */
  raw: Record<string, unknown>;
}
