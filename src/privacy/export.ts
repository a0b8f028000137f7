import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { PERSON_REFERENCES } from './person-data.js';
import { agentKeys, findPersonRecord, jsonRows, ltiAccountKeys, ltiSubjects, type PersonRecord } from './person-keys.js';

/** Everything the tool holds about one person, as the export gives it. */
export interface PersonExport {
  readonly format: 'laeringslop-person-export/1';
  readonly exportedAt: string;
  readonly person: PersonRecord;
  /** One list of rows per kind of data (see src/privacy/person-data.ts for what each is). */
  readonly sections: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly notes: readonly string[];
}

/** Columns left out of the export because they are large and say nothing about the person. */
const LEFT_OUT: Readonly<Record<string, readonly string[]>> = { path_versions: ['definition'], paths: ['description'] };

const NOTES = [
  'Evaluation answers are anonymous: the export shows which evaluations the person answered, never what. Released answers carry no link to anyone (docs/paths.md, "Anonymous evaluations").',
  'xAPI documents are listed without their content bytes; their size and type are given.',
  "Evidence files of holdings (scanned certificates, authorisations) are listed without their bytes; the municipality's administrator downloads them on the person's competence page.",
];

function byPerson(table: string, column: string, personId: string) {
  const leftOut = (LEFT_OUT[table] ?? []).map((c) => ` - '${c}'`).join('');
  return sql`select to_jsonb(t)${sql.raw(leftOut)} as row from ${sql.table(table)} t where ${sql.ref(`t.${column}`)} = ${personId}::uuid`;
}

/**
 * Reads everything about `personId` of `tenantId`, or undefined when the tenant has no such person.
 * Recording the export in the audit log is `exportPerson`'s job.
 */
export async function collectPersonData(db: Kysely<Schema>, tenantId: string, personId: string, publicUrl: string, now = new Date()): Promise<PersonExport | undefined> {
  const person = await findPersonRecord(db, tenantId, personId);
  if (!person) return undefined;
  const sections: Record<string, Record<string, unknown>[]> = {};
  for (const ref of PERSON_REFERENCES) {
    if (!ref.section) continue;
    sections[ref.section] = [...(sections[ref.section] ?? []), ...(await jsonRows(db, byPerson(ref.table, ref.column, personId)))];
  }
  const enrolments = sql`(select id from path_enrolments where person_id = ${personId}::uuid)`;
  const attempts = sql`(select id from scorm_attempts where person_id = ${personId}::uuid)`;
  const employee = sql`(select id from employees where person_id = ${personId}::uuid)`;
  sections['employments'] = await jsonRows(db, sql`select to_jsonb(t) as row from employments t where employee_id in ${employee} order by start_date`);
  sections['stepProgress'] = await jsonRows(db, sql`select to_jsonb(t) as row from path_step_progress t where enrolment_id in ${enrolments} order by started_at`);
  sections['sessionSignups'] = await jsonRows(db, sql`select to_jsonb(t) as row from path_session_signups t where enrolment_id in ${enrolments}`);
  sections['enrolmentLaunches'] = await jsonRows(db, sql`select to_jsonb(t) as row from path_enrolment_links t where enrolment_id in ${enrolments}`);
  sections['outcomeReceipts'] = await jsonRows(db, sql`select to_jsonb(t) as row from path_outcome_receipts t where enrolment_id in ${enrolments}`);
  sections['evidenceFiles'] = await jsonRows(db, sql`select to_jsonb(f) as row from competence_holding_files f
    where f.tenant_id = ${tenantId}::uuid and f.holding_id in (select id from competence_holdings where person_id = ${personId}::uuid) order by f.stored_at, f.id`);
  sections['scormData'] = await jsonRows(db, sql`select to_jsonb(t) as row from scorm_sco_states t where attempt_id in ${attempts}`);
  sections['scormCommits'] = await jsonRows(db, sql`select to_jsonb(t) as row from scorm_commits t where attempt_id in ${attempts} order by id`);
  const accounts = await ltiSubjects(db, personId);
  const keys = [...agentKeys(publicUrl, person), ...ltiAccountKeys(accounts)];
  sections['xapiStatements'] = await jsonRows(db, sql`select jsonb_build_object('statement', statement, 'stored', stored, 'voided', voided) as row
    from xapi_statements where tenant_id = ${tenantId}::uuid and actor_key = any(${keys}::text[]) order by seq`);
  sections['xapiForwardingParked'] = await jsonRows(db, sql`select jsonb_build_object('statement_id', p.statement_id, 'reason', p.reason, 'parked_at', p.parked_at, 'redrive', p.redrive) as row
    from xapi_forwarding_parked p join xapi_statements s on s.seq = p.seq
    where p.tenant_id = ${tenantId}::uuid and s.tenant_id = ${tenantId}::uuid and s.actor_key = any(${keys}::text[]) order by p.seq`);
  sections['xapiDocuments'] = await jsonRows(db, sql`select to_jsonb(d) - 'content' || jsonb_build_object('bytes', octet_length(content)) as row
    from xapi_documents d where tenant_id = ${tenantId}::uuid and agent_key = any(${keys}::text[]) order by id`);
  const subjects = accounts.map((s) => s.subject);
  sections['courseMembers'] = subjects.length === 0 ? [] : await jsonRows(db, sql`select jsonb_build_object('context_id', c.context_id, 'fetched_at', c.fetched_at, 'member', m.member) as row
    from lti_nrps_cache c cross join lateral jsonb_array_elements(c.members) as m(member)
    where c.tenant_id = ${tenantId}::uuid and m.member->>'userId' = any(${subjects}::text[])`);
  sections['auditEvents'] = await jsonRows(db, sql`select to_jsonb(a) as row from audit_events a
    where a.tenant_id = ${tenantId}::uuid and (a.subject_person_id = ${personId}::uuid or (a.actor_kind = 'person' and a.actor_id = ${personId})) order by a.at, a.id`);
  return { format: 'laeringslop-person-export/1', exportedAt: now.toISOString(), person, sections, notes: NOTES };
}

/** The export, recorded in the audit log as `person.exported` (who asked, in which form). */
export async function exportPerson(db: Kysely<Schema>, options: { tenantId: string; personId: string; publicUrl: string; actor: AuditActor; format: 'json' | 'page' }): Promise<PersonExport | undefined> {
  return db.transaction().execute(async (trx) => {
    const data = await collectPersonData(trx, options.tenantId, options.personId, options.publicUrl);
    if (!data) return undefined;
    await recordAudit(trx, { tenantId: options.tenantId, actor: options.actor, action: 'person.exported', subjectPersonId: options.personId, details: { format: options.format } });
    return data;
  });
}
