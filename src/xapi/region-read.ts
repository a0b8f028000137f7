import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { listTenants, regionMunicipalities } from '../tenants/tenants.js';
import type { XapiClient } from './credentials.js';
import { ownTenantReader, readsOnlyOwn, type Reader } from './visibility.js';

export type MemberReadGrant = 'granted' | 'revoked' | 'unchanged';

export class MemberReadGrantError extends Error {}

/**
 * An admin's grant (or withdrawal) of a region's client to read its member municipalities'
 * statements. Only a region's client can hold it; it never lets the client write into them.
 */
export async function setMemberRead(db: Kysely<Schema>, key: string, granted: boolean): Promise<MemberReadGrant> {
  const client = await db.selectFrom('xapi_clients').select(['id', 'tenant_id', 'reads_member_statements', 'revoked_at']).where('key', '=', key).executeTakeFirst();
  if (!client || client.revoked_at) throw new MemberReadGrantError(`no live client has key ${key}`);
  const tenant = (await listTenants(db, { kind: 'region' })).find((t) => t.id === client.tenant_id);
  if (granted && !tenant) throw new MemberReadGrantError(`client ${key} belongs to a municipality; only a region's client can read its members' statements`);
  if (client.reads_member_statements === granted) return 'unchanged';
  await db.updateTable('xapi_clients').set({ reads_member_statements: granted }).where('id', '=', client.id).execute();
  return granted ? 'granted' : 'revoked';
}

/**
 * The reader a request acts as: its own tenant, and for a region's client holding the grant (and a
 * statements/read scope, not only /mine) the region's current member municipalities as well.
 */
export async function readerFor(db: Kysely<Schema>, client: XapiClient, publicUrl: string): Promise<Reader> {
  const own = ownTenantReader(client, publicUrl);
  if (!client.readsMemberStatements || readsOnlyOwn(client)) return own;
  const members = await regionMunicipalities(db, client.tenantId);
  return { ...own, tenantIds: [client.tenantId, ...members.map((m) => m.id)] };
}
