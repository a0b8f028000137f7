import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Texts } from '../competence/catalogue.js';
import { osloDate } from '../oslo-date.js';
import type { Schema } from '../db/schema.js';
import { findCompletionRecord } from '../paths/completion-records.js';
import { loadPublishedVersion } from '../paths/paths.js';
import { newVerificationCode } from './codes.js';
import type { CertificateKind } from './tables.js';

/** What a certificate attests, fixed when it is issued: no personal data (the name is read when shown). */
export interface Attests {
  readonly kind: CertificateKind;
  /** For a path completion: the path as completed (title, version, its steps). */
  readonly path: { readonly id: string; readonly versionId: string; readonly title: string; readonly versionNumber: number; readonly steps: readonly string[] } | null;
  readonly competences: readonly { readonly id: string; readonly code: string; readonly name: Texts; readonly description: Texts | null; readonly level: number | null; readonly expiresOn: string | null }[];
  /** The day it was achieved, in Europe/Oslo. */
  readonly achievedOn: string;
  /** A registered holding's documentation (certificate or authorisation number, who issued it). */
  readonly documented: { readonly number: string | null; readonly issuer: string | null } | null;
  readonly issuer: { readonly tenantId: string; readonly name: string; readonly kommunenummer: string | null; readonly region: string | null };
}

export type CertificateStatus = 'valid' | 'revoked' | 'expired';

/**
 * Whom a certificate names when shown: the person's name now, or, once the person is erased
 * (docs/privacy.md), only that it was issued to someone who has been erased: no name is left to show.
 */
export type Holder = { readonly erased: false; readonly name: string } | { readonly erased: true; readonly pseudonym: string };

export interface Certificate {
  readonly id: string;
  readonly tenantId: string;
  readonly personId: string;
  readonly kind: CertificateKind;
  readonly completionId: string | null;
  readonly holdingId: string | null;
  readonly code: string;
  readonly statusIndex: number;
  readonly attests: Attests;
  readonly subjectSalt: string;
  readonly issuedAt: Date;
}

/** A certificate's standing today, from the holdings it attests (read at once, never cached). */
export interface Standing {
  readonly status: CertificateStatus;
  /** The first day one of its competences no longer counts; null: never. */
  readonly expiresOn: string | null;
  readonly revokedAt: Date | null;
  /** The reason given when the holding was revoked: shown to the person and their managers, not to verifiers. */
  readonly revocationReason: string | null;
}

type CertificateRow = {
  id: string; tenant_id: string; person_id: string; kind: CertificateKind; path_completion_id: string | null; holding_id: string | null;
  code: string; status_index: number; attests: unknown; subject_salt: string; issued_at: Date;
};

const COLUMNS = ['id', 'tenant_id', 'person_id', 'kind', 'path_completion_id', 'holding_id', 'code', 'status_index', 'attests', 'subject_salt', 'issued_at'] as const;

function toCertificate(row: CertificateRow): Certificate {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    personId: row.person_id,
    kind: row.kind,
    completionId: row.path_completion_id,
    holdingId: row.holding_id,
    code: row.code,
    statusIndex: row.status_index,
    attests: row.attests as Attests,
    subjectSalt: row.subject_salt,
    issuedAt: row.issued_at,
  };
}

async function issuerOf(db: Kysely<Schema>, tenantId: string): Promise<Attests['issuer']> {
  const tenant = await db.selectFrom('tenants').select(['name', 'kommunenummer']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  const region = await db
    .selectFrom('region_municipalities as rm')
    .innerJoin('tenants as r', 'r.id', 'rm.region_id')
    .select('r.name')
    .where('rm.municipality_id', '=', tenantId)
    .orderBy('r.name')
    .limit(1)
    .executeTakeFirst();
  return { tenantId, name: tenant.name, kommunenummer: tenant.kommunenummer, region: region?.name ?? null };
}

interface HoldingForCertificate {
  id: string; competence_id: string; code: string; name_nb: string; name_nn: string | null; name_en: string | null;
  description_nb: string | null; description_nn: string | null; description_en: string | null;
  level: number | null; expires_on: string | null; achieved_on: string; evidence: Record<string, unknown>;
}

function holdingsQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('competence_holdings as h')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .select(['h.id', 'h.competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'c.description_nb', 'c.description_nn', 'c.description_en', 'h.level', 'h.expires_on', 'h.achieved_on', 'h.evidence']);
}

function competenceOf(h: HoldingForCertificate): Attests['competences'][number] {
  return {
    id: h.competence_id,
    code: h.code,
    name: { nb: h.name_nb, nn: h.name_nn, en: h.name_en },
    description: h.description_nb === null ? null : { nb: h.description_nb, nn: h.description_nn, en: h.description_en },
    level: h.level,
    expiresOn: h.expires_on,
  };
}

/** The next index of the municipality's status list (a row lock serialises concurrent issues). */
async function nextStatusIndex(db: Kysely<Schema>, tenantId: string): Promise<number> {
  const row = await db
    .insertInto('certificate_status_lists')
    .values({ tenant_id: tenantId, next_index: 1 })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ next_index: sql<number>`certificate_status_lists.next_index + 1` }))
    .returning('next_index')
    .executeTakeFirstOrThrow();
  return row.next_index - 1;
}

async function insertCertificate(db: Kysely<Schema>, values: { tenantId: string; personId: string; kind: CertificateKind; completionId: string | null; holdingId: string | null; attests: Attests }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const statusIndex = await nextStatusIndex(trx, values.tenantId);
    await trx
      .insertInto('certificates')
      .values({
        tenant_id: values.tenantId,
        person_id: values.personId,
        kind: values.kind,
        path_completion_id: values.completionId,
        holding_id: values.holdingId,
        code: newVerificationCode(),
        status_index: statusIndex,
        attests: JSON.stringify(values.attests),
        subject_salt: randomBytes(16).toString('base64url'),
      })
      // Two requests issuing the same certificate at once: the second writes nothing (its index stays unused).
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}

/**
 * Issues the certificates a person is due and does not have yet: one for each path completion
 * (once its competences are documented as holdings) and one for each registered holding.
 * Safe to call on every view: each completion and holding has at most one certificate. None for an
 * erased person.
 */
export async function issueDueCertificates(db: Kysely<Schema>, tenantId: string, personId: string): Promise<number> {
  // An erased person is issued nothing new: what was issued before stays verifiable, nameless.
  const erased = await db.selectFrom('people').select('erased_at').where('id', '=', personId).where('erased_at', 'is not', null).executeTakeFirst();
  if (erased) return 0;
  const completions = await db
    .selectFrom('path_completions as pc')
    .leftJoin('certificates as c', 'c.path_completion_id', 'pc.id')
    .select(['pc.id'])
    .where('pc.tenant_id', '=', tenantId)
    .where('pc.person_id', '=', personId)
    .where('c.id', 'is', null)
    .execute();
  const registered = await db
    .selectFrom('competence_holdings as h')
    .leftJoin('certificates as c', 'c.holding_id', 'h.id')
    .select(['h.id'])
    .where('h.tenant_id', '=', tenantId)
    .where('h.person_id', '=', personId)
    .where('h.source', '=', 'registered')
    .where('c.id', 'is', null)
    .execute();
  if (completions.length === 0 && registered.length === 0) return 0;
  const issuer = await issuerOf(db, tenantId);
  let issued = 0;
  for (const { id } of completions) if (await issueForCompletion(db, tenantId, personId, id, issuer)) issued++;
  for (const { id } of registered) {
    const holding = await holdingsQuery(db).where('h.id', '=', id).executeTakeFirstOrThrow();
    const number = holding.evidence['number'];
    const documentedBy = holding.evidence['issuer'];
    await insertCertificate(db, {
      tenantId, personId, kind: 'holding', completionId: null, holdingId: id,
      attests: {
        kind: 'holding', path: null, competences: [competenceOf(holding)], achievedOn: holding.achieved_on, issuer,
        documented: { number: typeof number === 'string' ? number : null, issuer: typeof documentedBy === 'string' ? documentedBy : null },
      },
    });
    issued++;
  }
  return issued;
}

async function issueForCompletion(db: Kysely<Schema>, tenantId: string, personId: string, completionId: string, issuer: Attests['issuer']): Promise<boolean> {
  const record = await findCompletionRecord(db, completionId);
  if (!record) return false;
  const holdings = await holdingsQuery(db).where('h.path_completion_id', '=', completionId).orderBy('c.code').execute();
  // The competences are documented by the holdings subscriber a moment after the completion: wait for them.
  if (record.grants.length > 0 && holdings.length === 0) return false;
  const version = await loadPublishedVersion(db, record.versionId);
  await insertCertificate(db, {
    tenantId, personId, kind: 'path-completion', completionId, holdingId: null,
    attests: {
      kind: 'path-completion',
      path: { id: record.pathId, versionId: record.versionId, title: version.definition.title, versionNumber: version.number, steps: version.definition.steps.map((s) => s.title) },
      competences: holdings.map(competenceOf),
      achievedOn: osloDate(record.completedAt),
      documented: null,
      issuer,
    },
  });
  return true;
}

export async function listPersonCertificates(db: Kysely<Schema>, tenantId: string, personId: string): Promise<Certificate[]> {
  const rows = await db.selectFrom('certificates').select(COLUMNS).where('tenant_id', '=', tenantId).where('person_id', '=', personId).orderBy('issued_at', 'desc').execute();
  return rows.map(toCertificate);
}

export async function findCertificateByCode(db: Kysely<Schema>, code: string): Promise<Certificate | undefined> {
  const row = await db.selectFrom('certificates').select(COLUMNS).where('code', '=', code).executeTakeFirst();
  return row ? toCertificate(row) : undefined;
}

export async function findCertificate(db: Kysely<Schema>, id: string): Promise<Certificate | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const row = await db.selectFrom('certificates').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toCertificate(row) : undefined;
}

/** The certificate of a path completion, if issued. */
export async function findCompletionCertificate(db: Kysely<Schema>, tenantId: string, completionId: string): Promise<Certificate | undefined> {
  const row = await db.selectFrom('certificates').select(COLUMNS).where('tenant_id', '=', tenantId).where('path_completion_id', '=', completionId).executeTakeFirst();
  return row ? toCertificate(row) : undefined;
}

/**
 * Where a certificate stands on `onDate`: revoked when a holding it attests was revoked (revoking a
 * holding revokes its certificates), else expired from the first expiry of its competences.
 */
export async function certificateStanding(db: Kysely<Schema>, certificate: Certificate, onDate: string = osloDate()): Promise<Standing> {
  const holdings = await db
    .selectFrom('competence_holdings as h')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select(['h.expires_on', 'r.revoked_at', 'r.reason'])
    .$if(certificate.holdingId !== null, (q) => q.where('h.id', '=', certificate.holdingId!))
    .$if(certificate.holdingId === null, (q) => q.where('h.path_completion_id', '=', certificate.completionId!))
    .execute();
  return standingOf(holdings, onDate);
}

/** The standing from the attested holdings' expiry and revocation (revoked_at as a Date or as JSON's string). */
export function standingOf(holdings: readonly { expires_on: string | null; revoked_at: Date | string | null; reason: string | null }[], onDate: string): Standing {
  const revoked = holdings
    .filter((h) => h.revoked_at !== null)
    .map((h) => ({ at: new Date(h.revoked_at!), reason: h.reason }))
    .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  const expiries = holdings.map((h) => h.expires_on).filter((e): e is string => e !== null).sort();
  const expiresOn = expiries[0] ?? null;
  if (revoked) return { status: 'revoked', expiresOn, revokedAt: revoked.at, revocationReason: revoked.reason };
  return { status: expiresOn !== null && expiresOn <= onDate ? 'expired' : 'valid', expiresOn, revokedAt: null, revocationReason: null };
}

/**
 * What verification reads, in one statement (it is the public, busiest read): the certificate by
 * its code or id, whom it names (the name, or that the person was erased), and the attested
 * holdings' expiry and revocation.
 */
export async function findForVerification(db: Kysely<Schema>, by: { code: string } | { id: string }, onDate: string = osloDate()): Promise<{ certificate: Certificate; holder: Holder; standing: Standing } | undefined> {
  const { rows } = await sql<CertificateRow & { printed: string | null; pseudonym: string | null; holdings: { expires_on: string | null; revoked_at: string | null; reason: string | null }[] }>`
    select c.id, c.tenant_id, c.person_id, c.kind, c.path_completion_id, c.holding_id, c.code, c.status_index, c.attests, c.subject_salt, c.issued_at,
           coalesce(p.name, nullif(concat_ws(' ', p.given_name, p.family_name), '')) as printed, p.pseudonym,
           coalesce((select json_agg(json_build_object('expires_on', h.expires_on::text, 'revoked_at', r.revoked_at, 'reason', r.reason))
                       from competence_holdings h left join competence_holding_revocations r on r.holding_id = h.id
                      where (c.holding_id is not null and h.id = c.holding_id)
                         or (c.path_completion_id is not null and h.path_completion_id = c.path_completion_id)), '[]'::json) as holdings
      from certificates c join people p on p.id = c.person_id
     where ${'code' in by ? sql`c.code = ${by.code}` : sql`c.id = ${by.id}::uuid`}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return { certificate: toCertificate(row), holder: holderOf(row.printed, row.pseudonym), standing: standingOf(row.holdings, onDate) };
}

/** The status-list indexes of a municipality's revoked certificates. */
export async function revokedStatusIndexes(db: Kysely<Schema>, tenantId: string): Promise<number[]> {
  const { rows } = await sql<{ status_index: number }>`
    select c.status_index from certificates c
     where c.tenant_id = ${tenantId}
       and exists (select 1 from competence_holdings h join competence_holding_revocations r on r.holding_id = h.id
                    where h.id = c.holding_id or h.path_completion_id = c.path_completion_id)`.execute(db);
  return rows.map((r) => r.status_index);
}

// Only an erased person has a pseudonym (migrations/0540_privacy.sql).
const holderOf = (name: string | null, pseudonym: string | null): Holder => (pseudonym !== null ? { erased: true, pseudonym } : { erased: false, name: name ?? '' });

/** Whom the certificate names: the person's name now, or that they were erased. */
export async function certificateHolder(db: Kysely<Schema>, personId: string): Promise<Holder> {
  const person = await db.selectFrom('people').select(['name', 'given_name', 'family_name', 'pseudonym']).where('id', '=', personId).executeTakeFirst();
  return holderOf(person ? (person.name ?? ([person.given_name, person.family_name].filter(Boolean).join(' ') || null)) : null, person?.pseudonym ?? null);
}
