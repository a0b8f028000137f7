import { sql, type RawBuilder } from 'kysely';
import type { XapiClient } from './credentials.js';
import type { LaunchScope } from './launch-credentials.js';

/** Who is asking: the client, the PUBLIC_URL our own learners' accounts are homed at, and what it reads. */
export interface Reader {
  readonly client: XapiClient;
  readonly publicUrl: string;
  /**
   * The tenants whose statements the client reads: its own first, then (for a region's client an
   * admin granted it) the region's member municipalities. Writes, voiding included, only ever touch
   * the client's own tenant.
   */
  readonly tenantIds: readonly string[];
  /** Set for a launch credential: it reads and writes only its actor's statements in its registration. */
  readonly launch?: LaunchScope;
}

/** A reader of the client's own tenant only: what writes and voiding resolve ids against. */
export function ownTenantReader(client: XapiClient, publicUrl: string): Reader {
  return { client, publicUrl, tenantIds: [client.tenantId] };
}

/** With statements/read/mine a client reads only what it wrote (xAPI 1.0.3 Part Three §4.2). */
export function readsOnlyOwn(client: XapiClient): boolean {
  return !client.scopes.some((scope) => scope === 'statements/read' || scope === 'all/read' || scope === 'all');
}

/**
 * The tenancy rule, for the statements row under `alias`: each tenant is its own LRS, so a client
 * reads the statements its tenant's clients stored (with statements/read/mine, only its own), plus
 * its members' when granted. Anything else is invisible: not found, never forbidden. One equality on
 * the leading column of every statements index, so a filtered page stays one ordered index walk.
 */
export function visibleSql(alias: string, reader: Reader): RawBuilder<boolean> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (reader.launch) {
    return sql<boolean>`(${col('tenant_id')} = ${reader.client.tenantId} and ${col('client_id')} = ${reader.client.id}
      and ${col('actor_key')} = ${reader.launch.actorKey} and ${col('registration')} = ${reader.launch.registration}::uuid)`;
  }
  if (readsOnlyOwn(reader.client)) {
    return sql<boolean>`(${col('tenant_id')} = ${reader.client.tenantId} and ${col('client_id')} = ${reader.client.id})`;
  }
  if (reader.tenantIds.length === 1) return sql<boolean>`${col('tenant_id')} = ${reader.tenantIds[0]}`;
  return sql<boolean>`${col('tenant_id')} = any(${[...reader.tenantIds]}::uuid[])`;
}

/** The tenants a reader's query can return rows of (migration 0303 keys related arrays by tenant). */
export function readableTenants(reader: Reader): readonly string[] {
  return readsOnlyOwn(reader.client) ? [reader.client.tenantId] : reader.tenantIds;
}
