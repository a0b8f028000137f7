import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/**
 * A municipality's e-mail domains: a launch through its region's shared platform that names no
 * municipality is placed by its address's domain (src/lti/identity.ts). One domain, one municipality.
 */
export type EmailDomainRefusal = 'domain-invalid' | 'domain-taken' | 'domain-not-found' | 'not-a-municipality';

export class EmailDomainError extends Error {
  constructor(readonly code: EmailDomainRefusal, message: string) {
    super(message);
    this.name = 'EmailDomainError';
  }
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`);

/**
 * The domain as stored: lower case, without a leading '@' or surrounding space; undefined when it
 * is not a domain name (at least two labels of letters, digits and hyphens; no IDN in Unicode form).
 */
export function normaliseDomain(input: string): string | undefined {
  const domain = input.trim().replace(/^@/, '').replace(/\.$/, '').toLowerCase();
  return domain.length <= 253 && DOMAIN.test(domain) ? domain : undefined;
}

export interface EmailDomain {
  readonly domain: string;
  readonly createdAt: Date;
}

export async function listEmailDomains(db: Kysely<Schema>, tenantId: string): Promise<EmailDomain[]> {
  const rows = await db.selectFrom('municipality_email_domains').select(['domain', 'created_at']).where('tenant_id', '=', tenantId).orderBy('domain').execute();
  return rows.map((r) => ({ domain: r.domain, createdAt: r.created_at }));
}

/** Adds a domain to a municipality; refused when it is no domain or another municipality has it. */
export async function addEmailDomain(db: Kysely<Schema>, tenantId: string, input: string): Promise<string> {
  const domain = normaliseDomain(input);
  if (!domain) throw new EmailDomainError('domain-invalid', `not a domain name: ${input.slice(0, 100)}`);
  const tenant = await db.selectFrom('tenants').select('kind').where('id', '=', tenantId).executeTakeFirst();
  if (tenant?.kind !== 'municipality') throw new EmailDomainError('not-a-municipality', 'e-mail domains belong to municipalities');
  const added = await db.insertInto('municipality_email_domains').values({ domain, tenant_id: tenantId }).onConflict((oc) => oc.column('domain').doNothing()).returning('tenant_id').executeTakeFirst();
  if (added) return domain;
  const holder = await db.selectFrom('municipality_email_domains').select('tenant_id').where('domain', '=', domain).executeTakeFirst();
  // Adding a domain the municipality already has changes nothing.
  if (holder?.tenant_id === tenantId) return domain;
  throw new EmailDomainError('domain-taken', `${domain} belongs to another municipality`);
}

/** Removes one of the municipality's own domains; another municipality's is not found. */
export async function removeEmailDomain(db: Kysely<Schema>, tenantId: string, input: string): Promise<string> {
  const domain = normaliseDomain(input);
  if (!domain) throw new EmailDomainError('domain-invalid', `not a domain name: ${input.slice(0, 100)}`);
  const removed = await db.deleteFrom('municipality_email_domains').where('domain', '=', domain).where('tenant_id', '=', tenantId).returning('domain').executeTakeFirst();
  if (!removed) throw new EmailDomainError('domain-not-found', `${domain} is not one of the municipality's domains`);
  return domain;
}
