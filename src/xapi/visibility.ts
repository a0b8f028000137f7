import { sql, type RawBuilder } from 'kysely';
import type { XapiClient } from './credentials.js';

/** Who is asking: the client, and the PUBLIC_URL that our own learners' accounts are homed at. */
export interface Reader {
  readonly client: XapiClient;
  readonly publicUrl: string;
}

/** With statements/read/mine a client reads only what it wrote (xAPI 1.0.3 Part Three §4.2). */
export function readsOnlyOwn(client: XapiClient): boolean {
  return !client.scopes.some((scope) => scope === 'statements/read' || scope === 'all/read' || scope === 'all');
}

/**
 * The tenancy rule, for the statements row under `alias`: a client reads statements whose actor is
 * one of its tenant's people (by account at PUBLIC_URL or by mbox) or that it wrote itself.
 * Anything else is invisible: not found, never forbidden, so nothing leaks whether it exists.
 */
export function visibleSql(alias: string, reader: Reader): RawBuilder<boolean> {
  const actorKey = sql.ref(`${alias}.actor_key`);
  const own = sql<boolean>`${sql.ref(`${alias}.client_id`)} = ${reader.client.id}`;
  if (readsOnlyOwn(reader.client)) return own;
  const tenant = reader.client.tenantId;
  const prefix = `account:${reader.publicUrl} `;
  // Two index probes per candidate row (people's primary key; tenant + lower(email)) rather than
  // hashing every person of the tenant for every query: cheap however large the municipality.
  return sql<boolean>`(${own}
    or exists (select 1 from people p where p.tenant_id = ${tenant} and p.id = (case
      when left(${actorKey}, ${prefix.length}) = ${prefix} and substr(${actorKey}, ${prefix.length + 1}) ~ ${UUID_PATTERN}
      then substr(${actorKey}, ${prefix.length + 1})::uuid end))
    or exists (select 1 from people p where p.tenant_id = ${tenant} and p.email is not null
      and lower(p.email) = (case when left(${actorKey}, 12) = 'mbox:mailto:' then substr(${actorKey}, 13) end)))`;
}

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
