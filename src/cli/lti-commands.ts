import type { Kysely } from 'kysely';
import { loadConfig } from '../config.js';
import type { Schema } from '../db/schema.js';
import { listOutbox } from '../lti/ags.js';
import { toolKeyBox } from '../lti/lti-service.js';
import { listPlatforms, PlatformError, removePlatform, savePlatform, validateRegistration } from '../lti/platforms.js';
import { createRegistrationInvite, listRegistrationInvites, revokeRegistrationInvite } from '../lti/registration-invites.js';
import { toolConfigText } from '../lti/tool-config.js';
import { DEFAULT_GRACE_MS, ToolKeys } from '../lti/tool-keys.js';
import { findMunicipality } from '../tenants/tenants.js';

export const LTI_USAGE = `
  lti-key rotate [--grace-days N]         new tool signing key; the old public key stays in the JWKS
                                          for N days (default 7)
  lti-key list                            the tool's keys and whether they are published
  platform add --tenant <kommunenummer|region> --issuer URL --client-id ID --auth-url URL
               --token-url URL --jwks-url URL --deployment-id ID [--deployment-id ID…] [--name NAME]
                                          register an LMS (Moodle: issuer = site URL, auth-url =
                                          /mod/lti/auth.php, token-url = /mod/lti/token.php,
                                          jwks-url = /mod/lti/certs.php)
  platform list [--json]
  platform remove --issuer URL --client-id ID
  tool-config                             what to paste into Moodle and Canvas (uses PUBLIC_URL)
  lti-invite --tenant <kommunenummer|region> [--days N]
                                          a dynamic-registration URL for one tenant, valid for one
                                          registration within N days (default 7)
  lti-invite list [--all] [--json]        open invitations (with --all: used, revoked, expired too)
  lti-invite revoke <id>                  an open invitation can no longer register a platform
  lti-outbox [--all]                      grade passback waiting or failing (with --all: delivered too)`;

export interface LtiCliValues {
  tenant?: string | undefined;
  issuer?: string | undefined;
  'client-id'?: string | undefined;
  'auth-url'?: string | undefined;
  'token-url'?: string | undefined;
  'jwks-url'?: string | undefined;
  'deployment-id'?: string[] | undefined;
  name?: string | undefined;
  'grace-days'?: string | undefined;
  days?: string | undefined;
  json?: boolean | undefined;
  all?: boolean | undefined;
}

type Output = (line: string) => void;
type WithDb = <T>(work: (db: Kysely<Schema>) => Promise<T>) => Promise<T>;

export class LtiCliError extends Error {}

async function resolveTenant(db: Kysely<Schema>, tenant: string | undefined): Promise<{ id: string; name: string }> {
  if (!tenant) throw new LtiCliError('name the tenant: --tenant <kommunenummer> or --tenant <region name>');
  if (/^\d{4}$/.test(tenant)) {
    const municipality = await findMunicipality(db, tenant);
    if (!municipality) throw new LtiCliError(`no municipality ${tenant}; import municipalities first (tenant import-municipalities)`);
    return municipality;
  }
  const region = await db
    .selectFrom('tenants')
    .select(['id', 'name'])
    .where('kind', '=', 'region')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', tenant.toLowerCase()))
    .executeTakeFirst();
  if (!region) throw new LtiCliError(`no region named ${tenant}`);
  return region;
}

const need = (value: string | undefined, flag: string): string => {
  if (!value) throw new LtiCliError(`${flag} is required`);
  return value;
};

/** Runs an LTI command; false when the command is not one of these. */
export async function runLtiCommand(
  command: string,
  sub: string | undefined,
  rest: readonly string[],
  values: LtiCliValues,
  withDb: WithDb,
  out: Output,
): Promise<boolean> {
  const config = loadConfig();
  if (command === 'tool-config') {
    out(toolConfigText(config.publicUrl));
    return true;
  }
  if (command === 'lti-key' && (sub === 'rotate' || sub === 'list')) {
    await withDb(async (db) => {
      const keys = new ToolKeys(db, toolKeyBox(config.keyEncryptionSecret));
      if (sub === 'rotate') {
        const graceMs = values['grace-days'] ? Number(values['grace-days']) * 86_400_000 : DEFAULT_GRACE_MS;
        if (!Number.isFinite(graceMs) || graceMs < 0) throw new LtiCliError('--grace-days must be a number of days');
        const { kid, retired } = await keys.rotate(graceMs);
        out(`new signing key ${kid}`);
        for (const old of retired) out(`retired ${old}; published until ${new Date(Date.now() + graceMs).toISOString()}`);
      } else {
        const rows = await db.selectFrom('lti_tool_keys').select(['kid', 'created_at', 'retired_at', 'published_until']).orderBy('created_at').execute();
        for (const r of rows) out(`${r.kid}\tcreated ${r.created_at.toISOString()}\t${r.retired_at ? `retired, published until ${r.published_until?.toISOString()}` : 'current'}`);
      }
    });
    return true;
  }
  if (command === 'platform' && sub === 'add') {
    await withDb(async (db) => {
      const tenant = await resolveTenant(db, values.tenant);
      const registration = {
        tenantId: tenant.id,
        name: values.name ?? need(values.issuer, '--issuer'),
        issuer: need(values.issuer, '--issuer'),
        clientId: need(values['client-id'], '--client-id'),
        authEndpoint: need(values['auth-url'], '--auth-url'),
        tokenEndpoint: need(values['token-url'], '--token-url'),
        jwksUrl: need(values['jwks-url'], '--jwks-url'),
        deploymentIds: values['deployment-id'] ?? [],
      };
      try {
        validateRegistration(registration, config.nodeEnv !== 'production');
      } catch (error) {
        if (error instanceof PlatformError) throw new LtiCliError(error.message);
        throw error;
      }
      const platform = await savePlatform(db, registration);
      out(`registered ${platform.issuer} (client ${platform.clientId}) for ${tenant.name}; deployments: ${platform.deploymentIds.join(', ')}`);
    });
    return true;
  }
  if (command === 'platform' && sub === 'list') {
    await withDb(async (db) => {
      const platforms = await listPlatforms(db);
      if (values.json) out(JSON.stringify(platforms, null, 2));
      else for (const p of platforms) out(`${p.issuer}\t${p.clientId}\t${p.deploymentIds.join(',')}\t${p.name}`);
    });
    return true;
  }
  if (command === 'platform' && sub === 'remove') {
    await withDb(async (db) => {
      const removed = await removePlatform(db, need(values.issuer, '--issuer'), need(values['client-id'], '--client-id'));
      if (!removed) throw new LtiCliError('no such platform');
      out('removed');
    });
    return true;
  }
  if (command === 'lti-invite' && sub === 'list') {
    await withDb(async (db) => {
      const invites = await listRegistrationInvites(db, { all: values.all ?? false });
      if (values.json) out(JSON.stringify(invites, null, 2));
      else if (invites.length === 0) out(values.all ? 'no invitations' : 'no open invitations');
      for (const i of values.json ? [] : invites) {
        const used = i.usedBy ? ` by ${i.usedBy.issuer} (client ${i.usedBy.clientId}) ${i.usedAt?.toISOString()}` : '';
        out(`${i.id}\t${i.tenantName}\t${i.state}${used}\tcreated ${i.createdAt.toISOString()}\texpires ${i.expiresAt.toISOString()}`);
      }
    });
    return true;
  }
  if (command === 'lti-invite' && sub === 'revoke') {
    const id = need(rest[0], 'the invitation id (lti-invite list)');
    await withDb(async (db) => {
      const state = await revokeRegistrationInvite(db, id);
      if (state === 'unknown') throw new LtiCliError(`no invitation ${id}`);
      if (state !== 'revoked') throw new LtiCliError(`invitation ${id} is ${state} and cannot be revoked`);
      out(`revoked ${id}`);
    });
    return true;
  }
  if (command === 'lti-invite' && sub === undefined) {
    await withDb(async (db) => {
      const tenant = await resolveTenant(db, values.tenant);
      const days = values.days ? Number(values.days) : 7;
      if (!Number.isFinite(days) || days <= 0) throw new LtiCliError('--days must be a positive number of days');
      const invite = await createRegistrationInvite(db, config, tenant.id, days);
      out(invite.url);
    });
    return true;
  }
  if (command === 'lti-outbox') {
    await withDb(async (db) => {
      const entries = await listOutbox(db, { includeDelivered: values.all ?? false });
      if (entries.length === 0) out('nothing waiting');
      for (const e of entries) {
        out(`${e.id}\t${e.deliveredAt ? `delivered ${e.deliveredAt.toISOString()}` : `attempts ${e.attempts}, next ${e.nextAttemptAt.toISOString()}`}\t${e.lastError ?? ''}`);
      }
    });
    return true;
  }
  return false;
}
