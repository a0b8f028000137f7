import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { addMonths } from './calendar.js';
import { listCatalogue, type Competence } from './catalogue.js';
import { EVIDENCE_FILE_LIMIT, sha256Hex, sniffEvidence, type EvidenceStore } from './evidence-files.js';
import type { EvidenceMediaType, HoldingSource, RecorderKind } from './tables.js';

/** The fields of a registration, as the forms name them. */
export const REGISTRATION_FIELDS = ['competence', 'level', 'achieved-on', 'expires-on', 'number', 'issuer', 'file'] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

export type RegistrationProblem =
  | 'required'
  | 'unknown-competence'
  | 'bad-level'
  | 'no-levels'
  | 'bad-date'
  | 'future-date'
  | 'expiry-not-after'
  | 'too-long'
  | 'file-too-large'
  | 'file-type'
  /** The person was erased (docs/privacy.md): nothing new is recorded about them, no file kept. */
  | 'person-erased';

export class RegistrationRefused extends Error {
  constructor(readonly problems: ReadonlyMap<RegistrationField, RegistrationProblem>) {
    super(`the registration was refused: ${[...problems].map(([f, p]) => `${f} ${p}`).join(', ')}`);
    this.name = 'RegistrationRefused';
  }
}

export const NUMBER_LIMIT = 100;
export const ISSUER_LIMIT = 200;

/** A calendar day from ISO (2026-12-31) or Norwegian (31.12.2026) writing; undefined when it is no real day. */
export function parseDay(value: string): string | undefined {
  const text = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const norwegian = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3]] : norwegian ? [norwegian[3], norwegian[2], norwegian[1]] : undefined;
  if (!parts) return undefined;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1900 || year > 2200) return undefined;
  return date.toISOString().slice(0, 10);
}

/** What a registration or an import row says, checked: the holding it becomes. */
export interface HoldingFacts {
  readonly competence: Competence;
  readonly level: number | null;
  readonly achievedOn: string;
  /** The first day the holding is no longer valid (given, or the competence's default validity); null: never. */
  readonly expiresOn: string | null;
  readonly number: string | null;
  readonly issuer: string | null;
}

export interface FactsInput {
  readonly level: string;
  readonly achievedOn: string;
  readonly expiresOn: string;
  readonly number: string;
  readonly issuer: string;
}

/**
 * Checks a holding's level, dates, number and issuer against its competence. The expiry given is the
 * first day the holding no longer counts; left empty, it is the achieved day plus the competence's
 * default validity (none: it does not expire).
 */
export function checkFacts(competence: Competence, input: FactsInput, today: string, options: { issuerRequired: boolean }): { facts?: HoldingFacts; problems: Map<RegistrationField, RegistrationProblem> } {
  const problems = new Map<RegistrationField, RegistrationProblem>();
  const levelText = input.level.trim();
  let level: number | null = null;
  if (levelText) {
    if (competence.levels.length === 0) problems.set('level', 'no-levels');
    else if (!/^\d$/.test(levelText) || !competence.levels.some((l) => l.level === Number(levelText))) problems.set('level', 'bad-level');
    else level = Number(levelText);
  }
  const achievedOn = input.achievedOn.trim() ? parseDay(input.achievedOn) : undefined;
  if (!input.achievedOn.trim()) problems.set('achieved-on', 'required');
  else if (!achievedOn) problems.set('achieved-on', 'bad-date');
  else if (achievedOn > today) problems.set('achieved-on', 'future-date');
  let expiresOn: string | null = null;
  if (input.expiresOn.trim()) {
    const given = parseDay(input.expiresOn);
    if (!given) problems.set('expires-on', 'bad-date');
    else if (achievedOn && given <= achievedOn) problems.set('expires-on', 'expiry-not-after');
    else expiresOn = given;
  } else if (achievedOn && competence.defaultValidityMonths !== null) {
    expiresOn = addMonths(achievedOn, competence.defaultValidityMonths);
  }
  const number = input.number.trim();
  const issuer = input.issuer.trim();
  if (number.length > NUMBER_LIMIT) problems.set('number', 'too-long');
  if (issuer.length > ISSUER_LIMIT) problems.set('issuer', 'too-long');
  else if (!issuer && options.issuerRequired) problems.set('issuer', 'required');
  if (problems.size > 0 || !achievedOn) return { problems };
  return { facts: { competence, level, achievedOn, expiresOn, number: number || null, issuer: issuer || null }, problems };
}

/**
 * The holding a new documented holding renews: the person's newest holding of the competence that
 * is not revoked, not a self-assessment, and achieved on or before the new one.
 */
export async function renewedHolding(db: Kysely<Schema>, personId: string, competenceId: string, achievedOn: string): Promise<string | null> {
  const previous = await db
    .selectFrom('competence_holdings as h')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select('h.id')
    .where('h.person_id', '=', personId)
    .where('h.competence_id', '=', competenceId)
    .where('h.achieved_on', '<=', achievedOn)
    .where('h.source', '<>', 'declared')
    .where('r.holding_id', 'is', null)
    .orderBy('h.achieved_on', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return previous?.id ?? null;
}

/** Writes one registered or imported holding (the caller's transaction); returns its id. */
export async function insertDocumentedHolding(
  db: Kysely<Schema>,
  values: { tenantId: string; personId: string; source: Extract<HoldingSource, 'registered' | 'imported'>; facts: HoldingFacts; renewsId: string | null; recordedBy: { kind: RecorderKind; id: string | null }; evidence?: Record<string, unknown> },
): Promise<string> {
  const { facts } = values;
  const row = await db
    .insertInto('competence_holdings')
    .values({
      tenant_id: values.tenantId,
      person_id: values.personId,
      competence_id: facts.competence.id,
      level: facts.level,
      source: values.source,
      achieved_on: facts.achievedOn,
      expires_on: facts.expiresOn,
      path_completion_id: null,
      path_version_id: null,
      declaration_id: null,
      evidence: JSON.stringify({ number: facts.number, issuer: facts.issuer, ...(values.evidence ?? {}) }),
      renews_id: values.renewsId,
      recorded_by_kind: values.recordedBy.kind,
      recorded_by_id: values.recordedBy.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface RegistrationInput extends FactsInput {
  /** The competence's id, as the form's list gives it. */
  readonly competence: string;
  /** The evidence file's bytes; 'too-large' when the upload was over the limit; undefined: none. */
  readonly file?: Buffer | 'too-large' | undefined;
}

export interface Registered {
  readonly holdingId: string;
  readonly renewsId: string | null;
  readonly fileId: string | null;
}

/**
 * Registers a holding for a person of the tenant (a municipality's administrator or a manager with
 * the person in scope: the caller decides who may), with its number, issuer and an optional
 * evidence file (PDF, PNG or JPEG by its bytes, at most 10 MB). A competence the person already holds
 * is renewed: the new record points to the old, which stays as it was. Audited.
 */
export async function registerHolding(
  db: Kysely<Schema>,
  store: EvidenceStore,
  tenantId: string,
  personId: string,
  input: RegistrationInput,
  actor: AuditActor,
  today: string,
): Promise<Registered> {
  const catalogue = (await listCatalogue(db, tenantId)).flatMap((a) => a.competences).filter((c) => !c.retired);
  const competence = catalogue.find((c) => c.id === input.competence.trim());
  const problems = new Map<RegistrationField, RegistrationProblem>();
  let facts: HoldingFacts | undefined;
  if (!input.competence.trim()) problems.set('competence', 'required');
  else if (!competence) problems.set('competence', 'unknown-competence');
  else {
    const checked = checkFacts(competence, input, today, { issuerRequired: true });
    for (const [field, problem] of checked.problems) problems.set(field, problem);
    facts = checked.facts;
  }
  let file: { bytes: Buffer; mediaType: EvidenceMediaType } | undefined;
  if (input.file === 'too-large' || (input.file && input.file.length > EVIDENCE_FILE_LIMIT)) problems.set('file', 'file-too-large');
  else if (input.file) {
    const mediaType = sniffEvidence(input.file);
    if (!mediaType) problems.set('file', 'file-type');
    else file = { bytes: input.file, mediaType };
  }
  if (problems.size > 0 || !facts) throw new RegistrationRefused(problems);
  const checked = facts;

  const fileId = file ? store.newId() : null;
  if (file && fileId) await store.put(fileId, file.bytes);
  try {
    return await db.transaction().execute(async (trx) => {
      // Shared lock: an erasure of the person (which locks the row for update) finishes first, and is seen.
      const person = await trx.selectFrom('people').select('erased_at').where('id', '=', personId).where('tenant_id', '=', tenantId).forShare().executeTakeFirst();
      if (person?.erased_at) throw new RegistrationRefused(new Map([['competence', 'person-erased']]));
      const renewsId = await renewedHolding(trx, personId, checked.competence.id, checked.achievedOn);
      const holdingId = await insertDocumentedHolding(trx, { tenantId, personId, source: 'registered', facts: checked, renewsId, recordedBy: actor });
      if (file && fileId) {
        await trx
          .insertInto('competence_holding_files')
          .values({ id: fileId, tenant_id: tenantId, holding_id: holdingId, media_type: file.mediaType, size_bytes: file.bytes.length, sha256: sha256Hex(file.bytes) })
          .execute();
      }
      await recordAudit(trx, {
        tenantId,
        actor,
        action: 'competence.holding.registered',
        subjectPersonId: personId,
        object: { kind: 'competence-holding', id: holdingId },
        details: { competence: checked.competence.code, renews: renewsId, file: fileId !== null },
      });
      return { holdingId, renewsId, fileId };
    });
  } catch (error) {
    if (fileId) await store.discard(fileId);
    throw error;
  }
}

export interface HoldingFile {
  readonly id: string;
  readonly holdingId: string;
  readonly mediaType: EvidenceMediaType;
  readonly sizeBytes: number;
}

/** The evidence files of the given holdings, by holding id. */
export async function holdingFiles(db: Kysely<Schema>, tenantId: string, holdingIds: readonly string[]): Promise<Map<string, HoldingFile>> {
  if (holdingIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('competence_holding_files')
    .select(['id', 'holding_id', 'media_type', 'size_bytes'])
    .where('tenant_id', '=', tenantId)
    .where('holding_id', 'in', [...holdingIds])
    .execute();
  return new Map(rows.map((r) => [r.holding_id, { id: r.id, holdingId: r.holding_id, mediaType: r.media_type, sizeBytes: r.size_bytes }]));
}

/** One evidence file of a person of the tenant (for a download); undefined for anyone else's or no file. */
export async function findPersonFile(db: Kysely<Schema>, tenantId: string, personId: string, fileId: string): Promise<(HoldingFile & { competenceCode: string; achievedOn: string }) | undefined> {
  const row = await db
    .selectFrom('competence_holding_files as f')
    .innerJoin('competence_holdings as h', 'h.id', 'f.holding_id')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .select(['f.id', 'f.holding_id', 'f.media_type', 'f.size_bytes', 'c.code', 'h.achieved_on'])
    .where('f.id', '=', fileId)
    .where('f.tenant_id', '=', tenantId)
    .where('h.tenant_id', '=', tenantId)
    .where('h.person_id', '=', personId)
    .executeTakeFirst();
  return row ? { id: row.id, holdingId: row.holding_id, mediaType: row.media_type, sizeBytes: row.size_bytes, competenceCode: row.code, achievedOn: row.achieved_on } : undefined;
}

/** Whether the holding is the person's (in the tenant): a revocation through a person's page touches only their own. */
export async function isPersonHolding(db: Kysely<Schema>, tenantId: string, personId: string, holdingId: string): Promise<boolean> {
  const row = await db.selectFrom('competence_holdings').select('id').where('id', '=', holdingId).where('tenant_id', '=', tenantId).where('person_id', '=', personId).executeTakeFirst();
  return row !== undefined;
}
