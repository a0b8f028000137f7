import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { findCompletionRecord } from '../paths/completion-records.js';
import { loadPublishedVersion } from '../paths/paths.js';
import { addMonths, osloDate } from './calendar.js';
import { findCompetence, findCompetencesForGrants, type Texts } from './catalogue.js';
import type { HoldingSource } from './tables.js';

export type HoldingStatus = 'valid' | 'expired' | 'revoked';

export interface Holding {
  readonly id: string;
  readonly personId: string;
  readonly competence: { readonly id: string; readonly code: string; readonly name: Texts };
  readonly level: number | null;
  readonly source: HoldingSource;
  readonly achievedOn: string;
  /** The first day the holding is no longer valid; null: never expires. */
  readonly expiresOn: string | null;
  /** For a holding from a path completion: the path's title and version, and the completion record. */
  readonly path: { readonly completionId: string; readonly title: string; readonly versionNumber: number } | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly renewsId: string | null;
  readonly revocation: { readonly at: Date; readonly reason: string } | null;
}

export function holdingStatus(holding: Pick<Holding, 'expiresOn' | 'revocation'>, onDate: string): HoldingStatus {
  if (holding.revocation) return 'revoked';
  return holding.expiresOn !== null && holding.expiresOn <= onDate ? 'expired' : 'valid';
}

export interface CompletionGrantResult {
  /** Holdings written now (none when the completion's holdings exist already). */
  readonly granted: number;
  /** Competences the path grants that the person's catalogue does not have. */
  readonly unknown: readonly string[];
}

/**
 * The first day a competence granted on `achievedOn` no longer counts: after the grant's validity,
 * else the competence's default validity; null when neither is set (it does not expire). The one
 * rule for a completion's holdings and for the expiry the completions pull reports.
 */
export function grantExpiry(achievedOn: string, grantMonths: number | null, defaultMonths: number | null): string | null {
  const months = grantMonths ?? defaultMonths;
  return months === null ? null : addMonths(achievedOn, months);
}

/**
 * Turns a path completion into holdings: each competence the completed version grants, achieved on
 * the completion's day in Europe/Oslo, expiring after the grant's validity (or else the competence's
 * default validity). Exactly once per completion and competence (the database's unique key): a
 * second call writes nothing. A holding the person already had for the competence is renewed: the
 * new one points to it, and the old record stays as it was.
 */
export async function grantFromCompletion(db: Kysely<Schema>, completionId: string): Promise<CompletionGrantResult> {
  const record = await findCompletionRecord(db, completionId);
  if (!record || record.grants.length === 0) return { granted: 0, unknown: [] };
  const person = await db.selectFrom('people').select('tenant_id').where('id', '=', record.personId).executeTakeFirstOrThrow();
  const achievedOn = osloDate(record.completedAt);
  // A few statements whatever the number of grants: the subscriber keeps up with completions under load (bench/competence).
  const found = await findCompetencesForGrants(db, person.tenant_id, record.grants.map((g) => g.competence));
  const unknown: string[] = [];
  const wanted = new Map<string, { competenceId: string; expiresOn: string | null }>();
  for (const grant of record.grants) {
    const competence = found.get(grant.competence.trim().toLowerCase());
    if (!competence) {
      unknown.push(grant.competence);
      continue;
    }
    // Two grants naming one competence document it once (the first grant's validity), as the unique key would.
    if (!wanted.has(competence.id)) wanted.set(competence.id, { competenceId: competence.id, expiresOn: grantExpiry(achievedOn, grant.validMonths, competence.defaultValidityMonths) });
  }
  if (wanted.size === 0) return { granted: 0, unknown };
  // The holding each one renews: the person's newest unrevoked one of the competence up to this day, not from this completion.
  const previous = await db
    .selectFrom('competence_holdings as h')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select(['h.competence_id', 'h.id'])
    .distinctOn('h.competence_id')
    .where('h.person_id', '=', record.personId)
    .where('h.competence_id', 'in', [...wanted.keys()])
    .where('h.achieved_on', '<=', achievedOn)
    .where('r.holding_id', 'is', null)
    .where((eb) => eb.or([eb('h.path_completion_id', 'is', null), eb('h.path_completion_id', '<>', record.id)]))
    .orderBy('h.competence_id')
    .orderBy('h.achieved_on', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .execute();
  const renews = new Map(previous.map((p) => [p.competence_id, p.id]));
  const written = await db
    .insertInto('competence_holdings')
    .values([...wanted.values()].map(({ competenceId, expiresOn }) => ({
      tenant_id: person.tenant_id,
      person_id: record.personId,
      competence_id: competenceId,
      level: null,
      source: 'path-completion' as const,
      achieved_on: achievedOn,
      expires_on: expiresOn,
      path_completion_id: record.id,
      path_version_id: record.versionId,
      declaration_id: null,
      evidence: JSON.stringify({ pathId: record.pathId, versionNumber: record.versionNumber, score: record.score }),
      renews_id: renews.get(competenceId) ?? null,
      recorded_by_kind: 'system' as const,
      recorded_by_id: null,
    })))
    .onConflict((oc) => oc.columns(['path_completion_id', 'competence_id']).where('path_completion_id', 'is not', null).doNothing())
    .returning('id')
    .execute();
  return { granted: written.length, unknown };
}

export interface DeclarationGrantResult {
  /** Holdings written now (none when every declaration is documented already). */
  readonly granted: number;
  /** Declared competences the person's catalogue does not have (tried again at their next declaration). */
  readonly unknown: readonly string[];
}

/**
 * Turns a person's self-assessment declarations (path_declared_competences) into holdings with the
 * source 'declared': the declared level, achieved on the declaration's day in Europe/Oslo, expiring
 * after the competence's default validity. Exactly once per declaration (the database's unique key
 * on declaration_id): a second call writes nothing. A later declaration of the same competence
 * renews the earlier declared holding; documented holdings are never renewed by a declaration.
 * Declarations naming a competence the catalogue lacks are left for a later call.
 */
export async function grantFromDeclarations(db: Kysely<Schema>, tenantId: string, personId: string): Promise<DeclarationGrantResult> {
  const declarations = await db
    .selectFrom('path_declared_competences as d')
    .leftJoin('competence_holdings as h', 'h.declaration_id', 'd.id')
    .select(['d.id', 'd.competence', 'd.level', 'd.path_id', 'd.version_id', 'd.step_id', 'd.declared_at'])
    .where('d.tenant_id', '=', tenantId)
    .where('d.person_id', '=', personId)
    .where('h.id', 'is', null)
    .orderBy('d.declared_at')
    .orderBy('d.id')
    .execute();
  let granted = 0;
  const unknown = new Set<string>();
  for (const declaration of declarations) {
    const competence = await findCompetence(db, tenantId, declaration.competence);
    if (!competence) {
      unknown.add(declaration.competence);
      continue;
    }
    const achievedOn = osloDate(declaration.declared_at);
    const previous = await db
      .selectFrom('competence_holdings as h')
      .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
      .select('h.id')
      .where('h.person_id', '=', personId)
      .where('h.competence_id', '=', competence.id)
      .where('h.source', '=', 'declared')
      .where('h.achieved_on', '<=', achievedOn)
      .where('r.holding_id', 'is', null)
      .orderBy('h.achieved_on', 'desc')
      .orderBy('h.recorded_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const written = await db
      .insertInto('competence_holdings')
      .values({
        tenant_id: tenantId,
        person_id: personId,
        competence_id: competence.id,
        level: declaration.level,
        source: 'declared',
        achieved_on: achievedOn,
        expires_on: competence.defaultValidityMonths === null ? null : addMonths(achievedOn, competence.defaultValidityMonths),
        path_completion_id: null,
        path_version_id: null,
        declaration_id: declaration.id,
        evidence: JSON.stringify({ pathId: declaration.path_id, versionId: declaration.version_id, stepId: declaration.step_id }),
        renews_id: previous?.id ?? null,
        recorded_by_kind: 'system',
        recorded_by_id: null,
      })
      .onConflict((oc) => oc.column('declaration_id').where('declaration_id', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (written) granted++;
  }
  return { granted, unknown: [...unknown] };
}

/** People whose events the holdings subscriber handles at the same time (each person's in order). */
const HOLDINGS_CONCURRENCY = 8;

/** What the holdings subscriber reads of a path event. */
export interface HoldingEvent {
  readonly id?: number;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly personId?: string;
}

/**
 * The path-events subscriber that documents completions and self-assessments as holdings, a batch
 * at a time. Delivery is at least once; the holdings' unique keys (completion × competence,
 * declaration) make it exactly once. A completed step may be a self-assessment: the person's
 * declarations not yet documented (this step's, and any earlier ones whose competence the catalogue
 * has since gained) become holdings. Most completed steps are not self-assessments: one statement
 * per batch finds the few people with declarations still to document, so the subscriber keeps up
 * with every step completion of a busy day (bench/scenarios/completion-to-holding.ts).
 */
export function competenceHoldingsBatchSubscriber(db: Kysely<Schema>, logger: Logger) {
  return async (events: readonly HoldingEvent[]): Promise<void> => {
    const stepPeople = [...new Set(events.flatMap((e) => (e.type === 'step-completed' && e.personId ? [e.personId] : [])))];
    const declaring = new Map<string, string>();
    if (stepPeople.length > 0) {
      const rows = await db
        .selectFrom('path_declared_competences as d')
        .select(['d.person_id', 'd.tenant_id'])
        .distinct()
        .where('d.person_id', 'in', stepPeople)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('competence_holdings as h').select('h.id').whereRef('h.declaration_id', '=', 'd.id'))))
        .execute();
      for (const r of rows) declaring.set(r.person_id, r.tenant_id);
    }
    // What is left to do, per person in event order; up to 8 people's at once.
    const work = new Map<string, (() => Promise<void>)[]>();
    const add = (personId: string, job: () => Promise<void>) => {
      const list = work.get(personId);
      if (list) list.push(job);
      else work.set(personId, [job]);
    };
    for (const event of events) {
      if (event.type === 'step-completed' && event.personId) {
        const personId = event.personId;
        const tenantId = declaring.get(personId);
        if (tenantId === undefined) continue;
        // Every declaration of the person not yet documented is documented now: once per batch.
        declaring.delete(personId);
        add(personId, async () => {
          const result = await grantFromDeclarations(db, tenantId, personId);
          if (result.unknown.length) logger.warn({ person: personId, competences: result.unknown }, 'self-assessment declares competences that are not in the catalogue');
        });
        continue;
      }
      if (event.type !== 'path-completed') continue;
      const completionId = event.payload['completionId'];
      if (typeof completionId !== 'string') continue;
      add(event.personId ?? completionId, async () => {
        const result = await grantFromCompletion(db, completionId);
        // The path names competences the learner's catalogue lacks: nothing to document them against.
        if (result.unknown.length) logger.warn({ completion: completionId, competences: result.unknown }, 'path grants competences that are not in the catalogue');
      });
    }
    const queue = [...work.values()];
    let next = 0;
    // Every worker ends before the batch fails (it then comes again whole; the unique keys keep it once).
    const settled = await Promise.allSettled(Array.from({ length: Math.min(HOLDINGS_CONCURRENCY, queue.length) }, async () => {
      while (next < queue.length) {
        for (const job of queue[next++]!) await job();
      }
    }));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
}

/** The same for one event at a time. */
export function competenceHoldingsSubscriber(db: Kysely<Schema>, logger: Logger) {
  const batch = competenceHoldingsBatchSubscriber(db, logger);
  return (event: HoldingEvent): Promise<void> => batch([event]);
}

/** A holding record as the queries select it: the holding, its competence and its revocation (left-joined). */
export interface HoldingRow {
  readonly id: string;
  readonly person_id: string;
  readonly competence_id: string;
  readonly code: string;
  readonly name_nb: string;
  readonly name_nn: string | null;
  readonly name_en: string | null;
  readonly level: number | null;
  readonly source: HoldingSource;
  readonly achieved_on: string;
  readonly expires_on: string | null;
  readonly evidence?: Record<string, unknown>;
  readonly renews_id: string | null;
  readonly revoked_at: Date | null;
  readonly reason: string | null;
}

/** A Holding from its row; `path` when the caller has looked up the completed path's title. */
export function toHolding(row: HoldingRow, path: Holding['path'] = null): Holding {
  return {
    id: row.id,
    personId: row.person_id,
    competence: { id: row.competence_id, code: row.code, name: { nb: row.name_nb, nn: row.name_nn, en: row.name_en } },
    level: row.level,
    source: row.source,
    achievedOn: row.achieved_on,
    expiresOn: row.expires_on,
    path,
    evidence: row.evidence ?? {},
    renewsId: row.renews_id,
    revocation: row.revoked_at ? { at: row.revoked_at, reason: row.reason ?? '' } : null,
  };
}

/** A person's holdings (every record, newest first), with the competence and the path they came from. */
export async function listPersonHoldings(db: Kysely<Schema>, tenantId: string, personId: string): Promise<Holding[]> {
  const rows = await db
    .selectFrom('competence_holdings as h')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select([
      'h.id', 'h.person_id', 'h.competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'h.level', 'h.source', 'h.achieved_on',
      'h.expires_on', 'h.path_completion_id', 'h.path_version_id', 'h.evidence', 'h.renews_id', 'r.revoked_at', 'r.reason',
    ])
    .where('h.tenant_id', '=', tenantId)
    .where('h.person_id', '=', personId)
    .orderBy('h.achieved_on', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .execute();
  const titles = new Map<string, { title: string; number: number }>();
  for (const versionId of new Set(rows.map((r) => r.path_version_id).filter((v): v is string => v !== null))) {
    const version = await loadPublishedVersion(db, versionId);
    titles.set(versionId, { title: version.definition.title, number: version.number });
  }
  return rows.map((row) => {
    const version = row.path_version_id ? titles.get(row.path_version_id) : undefined;
    return toHolding(row, row.path_completion_id && version ? { completionId: row.path_completion_id, title: version.title, versionNumber: version.number } : null);
  });
}

const STATUS_RANK: Record<HoldingStatus, number> = { valid: 0, expired: 1, revoked: 2 };

/**
 * The holding that counts on a day for each competence: the newest valid one, else the newest
 * expired one, else the newest revoked one. `holdings` newest first, as listPersonHoldings gives them.
 */
export function currentHoldings(holdings: readonly Holding[], onDate: string): Holding[] {
  const byCompetence = new Map<string, Holding>();
  for (const holding of holdings) {
    const kept = byCompetence.get(holding.competence.id);
    if (!kept || STATUS_RANK[holdingStatus(holding, onDate)] < STATUS_RANK[holdingStatus(kept, onDate)]) byCompetence.set(holding.competence.id, holding);
  }
  return [...byCompetence.values()];
}

export class HoldingNotFound extends Error {}

/** Revokes a holding with a reason (recorded, audited); the holding itself stays as it was. */
export async function revokeHolding(db: Kysely<Schema>, tenantId: string, holdingId: string, actor: AuditActor, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const holding = await trx.selectFrom('competence_holdings').select(['id', 'person_id']).where('id', '=', holdingId).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!holding) throw new HoldingNotFound('no such holding');
    const written = await trx
      .insertInto('competence_holding_revocations')
      .values({ holding_id: holdingId, revoked_by_kind: actor.kind, revoked_by_id: actor.id, reason: reason.trim().slice(0, 1000) })
      .onConflict((oc) => oc.column('holding_id').doNothing())
      .returning('holding_id')
      .executeTakeFirst();
    if (written) {
      await recordAudit(trx, { tenantId, actor, action: 'competence.holding.revoked', subjectPersonId: holding.person_id, object: { kind: 'competence-holding', id: holdingId } });
    }
  });
}

/** For tests and pages that need "today" in the municipalities' calendar. */
export function today(now: Date = new Date()): string {
  return osloDate(now);
}

