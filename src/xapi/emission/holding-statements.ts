import { sql, type Kysely } from 'kysely';
import type { HoldingEventType, HoldingSource } from '../../competence/tables.js';
import type { Schema } from '../../db/schema.js';
import { agent, municipalityExtension, pathActivities, uuidV5, verbJson, type EmissionFacts } from './statements.js';
import { activityBase, vocabulary } from './vocabulary.js';

type Json = Record<string, unknown>;

/** A holding event from the outbox of migration 0740. */
export interface HoldingEvent {
  readonly id: number;
  readonly type: HoldingEventType;
  readonly tenantId: string;
  readonly holdingId: string;
}

/** What a holding event's statement says, read after the commit (one query per batch). */
export interface HoldingFacts {
  readonly actor: EmissionFacts['actor'];
  readonly municipality: EmissionFacts['municipality'];
  readonly competence: { readonly id: string; readonly code: string; readonly names: Readonly<Record<'nb' | 'nn' | 'en', string | null>> };
  readonly holding: {
    readonly level: number | null;
    readonly source: HoldingSource;
    readonly achievedOn: string;
    readonly expiresOn: string | null;
    readonly renewsId: string | null;
    readonly recordedAt: Date;
    /** Certificate or authorisation number and issuer of a registered or imported holding. */
    readonly evidence: Readonly<Record<string, unknown>>;
    readonly completionId: string | null;
    readonly declarationId: string | null;
  };
  /** The path the holding was earned on (a completion's or a declaration's), with the enrolment of a completion. */
  readonly path: { readonly id: string; readonly title: string; readonly language: string; readonly versionNumber: number; readonly enrolmentId: string | null } | null;
  readonly revokedAt: Date | null;
  /** The first moment of the expiry day in Europe/Oslo. */
  readonly expiresAt: Date | null;
}

/** The namespace of holding statements' ids (UUID v5): a holding is granted, revoked and expired once each. */
const HOLDING_STATEMENT_NAMESPACE = '6a0c5e2b-93d4-4f1e-8b7a-2d5f0c4e9b13';

export function holdingStatementId(holdingId: string, type: HoldingEventType): string {
  return uuidV5(HOLDING_STATEMENT_NAMESPACE, `holding/${holdingId.toLowerCase()}/${type}`);
}

/** Facts for a batch of holding events; undefined for an event whose holding is gone. */
export async function loadHoldingFacts(db: Kysely<Schema>, events: readonly HoldingEvent[], publicUrl: string): Promise<(HoldingFacts | undefined)[]> {
  if (events.length === 0) return [];
  const input = events.map((e, i) => ({ i, holding_id: e.holdingId }));
  const { rows } = await sql<HoldingFactsRow>`
    select e.i, h.person_id, h.competence_id, h.level, h.source, h.achieved_on::text as achieved_on, h.expires_on::text as expires_on,
      h.renews_id, h.recorded_at, h.evidence, h.path_completion_id, h.declaration_id,
      (h.expires_on::timestamp at time zone 'Europe/Oslo') as expires_at,
      c.code, c.name_nb, c.name_nn, c.name_en, t.id as tenant_id, t.name as tenant_name, t.kommunenummer, r.revoked_at,
      (select jsonb_build_object('issuer', u.issuer, 'subject', u.subject) from lti_users u
        where u.person_id = h.person_id order by u.issuer, u.subject limit 1) as account,
      coalesce(pc.path_id, d.path_id) as path_id, pc.enrolment_id, p.title, p.language, v.number as version_number
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as e (i int, holding_id uuid)
    join competence_holdings h on h.id = e.holding_id
    join competences c on c.id = h.competence_id
    join tenants t on t.id = h.tenant_id
    left join competence_holding_revocations r on r.holding_id = h.id
    left join path_completions pc on pc.id = h.path_completion_id
    left join path_declared_competences d on d.id = h.declaration_id
    left join paths p on p.id = coalesce(pc.path_id, d.path_id)
    left join path_versions v on v.id = coalesce(pc.version_id, d.version_id)`.execute(db);
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return events.map((_, i) => {
    const row = byIndex.get(i);
    return row && toHoldingFacts(row, publicUrl);
  });
}

function toHoldingFacts(row: HoldingFactsRow, publicUrl: string): HoldingFacts {
  const evidence = row.evidence && typeof row.evidence === 'object' ? row.evidence as Record<string, unknown> : {};
  return {
    actor: row.account ? { homePage: row.account.issuer, name: row.account.subject } : { homePage: publicUrl, name: row.person_id },
    municipality: { id: row.tenant_id, kommunenummer: row.kommunenummer, name: row.tenant_name },
    competence: { id: row.competence_id, code: row.code, names: { nb: row.name_nb, nn: row.name_nn, en: row.name_en } },
    holding: {
      level: row.level,
      source: row.source,
      achievedOn: row.achieved_on,
      expiresOn: row.expires_on,
      renewsId: row.renews_id,
      recordedAt: new Date(row.recorded_at),
      // Only the documented fields: a registration's evidence holds numbers and an issuer, never free text about the person.
      evidence: Object.fromEntries(['number', 'issuer'].flatMap((key) => (typeof evidence[key] === 'string' && evidence[key] ? [[key, evidence[key]]] : []))),
      completionId: row.path_completion_id,
      declarationId: row.declaration_id,
    },
    path: row.path_id && row.title !== null && row.language !== null && row.version_number !== null
      ? { id: row.path_id, title: row.title, language: row.language, versionNumber: Number(row.version_number), enrolmentId: row.enrolment_id }
      : null,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  };
}

/**
 * The statement a holding event becomes (docs/xapi-profile.md, "Competence holdings"): the person
 * granted, revoked or expired the competence, with the holding and its evidence in the context.
 * Deterministic: the holding and its revocation are never changed, so the same event always gives
 * the same statement (the actor follows the person's current LMS account, as for path events).
 */
export function statementForHoldingEvent(event: HoldingEvent, facts: HoldingFacts, publicUrl: string): Json | undefined {
  const v = vocabulary(publicUrl);
  const timestamp = event.type === 'granted' ? facts.holding.recordedAt : event.type === 'revoked' ? facts.revokedAt : facts.expiresAt;
  if (!timestamp) return undefined;
  const names = Object.fromEntries(Object.entries(facts.competence.names).filter(([, name]) => name));
  const object: Json = {
    objectType: 'Activity',
    id: `${activityBase(publicUrl)}/competences/${facts.competence.id}`,
    definition: { type: v.activityTypes.competence.id, name: names },
  };
  const h = facts.holding;
  const evidence: Json = h.source === 'path-completion' ? { source: h.source, completionId: h.completionId }
    : h.source === 'declared' ? { source: h.source, declarationId: h.declarationId }
    : { source: h.source, ...h.evidence };
  const path = facts.path && pathActivities(publicUrl, facts.path.id, facts.path, facts.path.versionNumber);
  const context: Json = {
    ...(facts.path?.enrolmentId ? { registration: facts.path.enrolmentId } : {}),
    platform: 'Læringsløp',
    ...(path ? { contextActivities: { grouping: [path.pathActivity, path.versionActivity] } } : {}),
    extensions: {
      ...municipalityExtension(v, facts.municipality),
      [v.extensions.holding.id]: {
        id: event.holdingId, competence: facts.competence.code, level: h.level, achievedOn: h.achievedOn, expiresOn: h.expiresOn, renews: h.renewsId,
      },
      [v.extensions.evidence.id]: evidence,
    },
  };
  const verb = { granted: v.verbs.granted, revoked: v.verbs.revoked, expired: v.verbs.expired }[event.type];
  return {
    id: holdingStatementId(event.holdingId, event.type),
    actor: agent(facts.actor),
    verb: verbJson(verb),
    object,
    context,
    timestamp: timestamp.toISOString(),
  };
}

interface HoldingFactsRow {
  i: number;
  person_id: string;
  competence_id: string;
  level: number | null;
  source: HoldingSource;
  achieved_on: string;
  expires_on: string | null;
  renews_id: string | null;
  recorded_at: Date | string;
  evidence: unknown;
  path_completion_id: string | null;
  declaration_id: string | null;
  expires_at: Date | string | null;
  code: string;
  name_nb: string;
  name_nn: string | null;
  name_en: string | null;
  tenant_id: string;
  tenant_name: string;
  kommunenummer: string | null;
  revoked_at: Date | string | null;
  account: { issuer: string; subject: string } | null;
  path_id: string | null;
  enrolment_id: string | null;
  title: string | null;
  language: string | null;
  version_number: number | null;
}
