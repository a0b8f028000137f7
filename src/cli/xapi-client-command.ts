import type { Database } from '../db/database.js';
import { findMunicipality, listTenants } from '../tenants/tenants.js';
import { createXapiClient, isXapiScope, listXapiClients, revokeXapiClient, type XapiScope } from '../xapi/credentials.js';
import { MemberReadGrantError, setMemberRead } from '../xapi/region-read.js';

export const XAPI_CLIENT_USAGE = `  xapi-client add --tenant <kommunenummer|tenant id> --name <name> [--scopes s1,s2]
                                          create LRS credentials bound to a tenant; the secret is shown once
                                          (scopes: statements/write, statements/read, statements/read/mine,
                                          state, profile, all/read, all, competence/read,
                                          completions/read; default statements/read)
  xapi-client list [--tenant <kommunenummer|tenant id>] [--json]
  xapi-client revoke <key>                revoke a client at once (its statements stay)
  xapi-client grant-member-read <key>     let a region's client read its member municipalities' statements
                                          (read only; takes effect within 5 seconds)
  xapi-client revoke-member-read <key>    withdraw that grant`;

type Output = (line: string) => void;

export class XapiClientUsageError extends Error {}

export async function resolveTenant(database: Database, value: string | undefined): Promise<string> {
  if (!value) throw new XapiClientUsageError('--tenant is required (a kommunenummer or a tenant id)');
  if (/^\d{4}$/.test(value)) {
    const municipality = await findMunicipality(database.db, value);
    if (!municipality) throw new XapiClientUsageError(`no municipality has kommunenummer ${value}`);
    return municipality.id;
  }
  const tenant = (await listTenants(database.db)).find((t) => t.id === value);
  if (!tenant) throw new XapiClientUsageError(`no tenant has id ${value}`);
  return tenant.id;
}

function parseScopes(value: string | undefined): XapiScope[] {
  const scopes = (value ?? 'statements/read').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !isXapiScope(s));
  if (unknown.length || scopes.length === 0) throw new XapiClientUsageError(`unknown scope(s): ${unknown.join(', ') || '(none given)'}`);
  return scopes as XapiScope[];
}

export async function runXapiClientCommand(
  database: Database,
  sub: string | undefined,
  args: readonly string[],
  options: { tenant?: string | undefined; name?: string | undefined; scopes?: string | undefined; json: boolean },
  out: Output,
): Promise<void> {
  if (sub === 'add') {
    if (!options.name?.trim()) throw new XapiClientUsageError('--name is required');
    const tenantId = await resolveTenant(database, options.tenant);
    const { client, secret } = await createXapiClient(database.db, { tenantId, name: options.name.trim(), scopes: parseScopes(options.scopes) });
    if (options.json) {
      out(JSON.stringify({ key: client.key, secret, tenantId, scopes: client.scopes }, null, 2));
      return;
    }
    out(`created xAPI client "${client.name}" for tenant ${tenantId} with scopes ${client.scopes.join(', ')}`);
    out(`key:    ${client.key}`);
    out(`secret: ${secret}`);
    out('The secret is shown only now; it is stored hashed and cannot be shown again.');
    return;
  }
  if (sub === 'list') {
    const tenantId = options.tenant ? await resolveTenant(database, options.tenant) : undefined;
    const clients = await listXapiClients(database.db, tenantId);
    if (options.json) out(JSON.stringify(clients, null, 2));
    else {
      for (const c of clients) {
        const marks = `${c.readsMemberStatements ? '\t(reads members)' : ''}${c.revokedAt ? '\t(revoked)' : ''}`;
        out(`${c.key}\t${c.tenantId}\t${c.name}\t${c.scopes.join(',')}${marks}`);
      }
    }
    return;
  }
  if (sub === 'revoke') {
    const key = args[0];
    if (!key) throw new XapiClientUsageError('name the key of the client to revoke');
    out((await revokeXapiClient(database.db, key)) ? `revoked ${key}` : `no live client has key ${key}`);
    return;
  }
  if (sub === 'grant-member-read' || sub === 'revoke-member-read') {
    const key = args[0];
    if (!key) throw new XapiClientUsageError(`name the key of the region's client`);
    const granted = sub === 'grant-member-read';
    try {
      const outcome = await setMemberRead(database.db, key, granted);
      out(outcome === 'unchanged' ? `${key} ${granted ? 'already reads' : 'does not read'} its members' statements` : `${key}: member read ${outcome}`);
    } catch (error) {
      if (error instanceof MemberReadGrantError) throw new XapiClientUsageError(error.message);
      throw error;
    }
    return;
  }
  throw new XapiClientUsageError('xapi-client needs add, list, revoke, grant-member-read or revoke-member-read');
}
