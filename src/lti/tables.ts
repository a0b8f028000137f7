import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;

export interface LtiToolKeysTable {
  kid: string;
  public_jwk: Json<Record<string, unknown>>;
  private_key_encrypted: string;
  created_at: CreatedAt;
  retired_at: Date | null;
  published_until: Date | null;
}

export interface LtiPlatformsTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  auth_endpoint: string;
  token_endpoint: string;
  jwks_url: string;
  created_at: CreatedAt;
}

export interface LtiDeploymentsTable {
  platform_id: string;
  deployment_id: string;
}

export interface LtiPlatformJwksTable {
  platform_id: string;
  jwks: Json<{ keys: Record<string, unknown>[] }>;
  fetched_at: Date;
}

export interface LtiNoncesTable {
  platform_id: string;
  nonce: string;
  expires_at: Date;
}

/** A person's account at a platform: the platform's issuer and subject, within a tenant. */
export interface LtiUsersTable {
  issuer: string;
  subject: string;
  tenant_id: string;
  person_id: string;
}

export interface LtiContextsTable {
  id: Generated<string>;
  tenant_id: string;
  platform_id: string;
  context_id: string;
  title: string | null;
  label: string | null;
  memberships_url: string | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface LtiResourceLinksTable {
  id: Generated<string>;
  tenant_id: string;
  platform_id: string;
  context_id: string | null;
  resource_link_id: string;
  title: string | null;
  custom: Json<Record<string, string>>;
  lineitem_url: string | null;
  lineitems_url: string | null;
  ags_scopes: Json<string[]>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface LtiAgsOutboxTable {
  id: Generated<string>;
  tenant_id: string;
  resource_link_id: string;
  person_id: string;
  result_key: string;
  score: Json<Record<string, unknown>>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  locked_until: Date | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: CreatedAt;
}

export interface LtiNrpsCacheTable {
  context_id: string;
  tenant_id: string;
  members: Json<Record<string, unknown>[]>;
  fetched_at: Date;
}

export interface LtiRegistrationInvitesTable {
  id: Generated<string>;
  tenant_id: string;
  created_at: CreatedAt;
  expires_at: Date;
  revoked_at: Date | null;
  used_at: Date | null;
  used_by_issuer: string | null;
  used_by_client_id: string | null;
}

export interface LtiTables {
  lti_tool_keys: LtiToolKeysTable;
  lti_platforms: LtiPlatformsTable;
  lti_deployments: LtiDeploymentsTable;
  lti_platform_jwks: LtiPlatformJwksTable;
  lti_nonces: LtiNoncesTable;
  lti_users: LtiUsersTable;
  lti_contexts: LtiContextsTable;
  lti_resource_links: LtiResourceLinksTable;
  lti_ags_outbox: LtiAgsOutboxTable;
  lti_nrps_cache: LtiNrpsCacheTable;
  lti_registration_invites: LtiRegistrationInvitesTable;
}
