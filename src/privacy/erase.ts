import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { EvidenceStore } from '../competence/evidence-files.js';
import type { Schema } from '../db/schema.js';
import { queueEvidenceRemoval, removeQueuedEvidence } from './evidence-removal.js';
import { agentKeys, findPersonRecord, ltiAccountKeys, ltiSubjects } from './person-keys.js';
import { erasedEmployeeNumber, pseudonymCode } from './pseudonym.js';

export type ErasureReason = 'request' | 'retention';

export interface ErasureOptions {
  readonly tenantId: string;
  readonly personId: string;
  readonly actor: AuditActor;
  readonly reason: ErasureReason;
  /** The tool's PUBLIC_URL: its learners' xAPI accounts are named under it. */
  readonly publicUrl: string;
  /** Where the evidence files of holdings are kept: the person's are removed once the erasure commits. */
  readonly evidence: EvidenceStore;
  readonly now?: Date;
}

export interface ErasureResult {
  readonly personId: string;
  readonly pseudonym: string;
  /** False when the person had been erased before (nothing changed). */
  readonly erased: boolean;
  /** Completion records of kept paths whose proof was kept (docs/privacy.md). */
  readonly keptProofs: number;
  readonly ltiAccounts: number;
  readonly xapiStatements: number;
  /** Evidence files of the person's holdings (scanned certificates, authorisations) whose records went. */
  readonly evidenceFiles: number;
  /** Of those, files still on disk because removing them failed: the retention job's next run takes them. */
  readonly evidenceFilesLeft: number;
}

/** What a parked statement's reason becomes when its actor is erased (the target's own words may have quoted them). */
export const ERASED_REASON = "the target's reason was removed when the person was erased";

/** CMI elements that name or identify the learner, or hold their free-text comments. */
const CMI_PERSONAL = /(^|\.)(student_name|learner_name|student_id|learner_id|comments|comments_from_learner)(\.|$)/;

/**
 * Erases a person: their name, e-mail, LMS accounts and employee number are removed, the person
 * becomes "Slettet person <code>" and everything that counted them (completions, enrolments,
 * holdings, employments) keeps counting the same id. Completions of paths the municipality keeps
 * proof of are copied, with the name and employee number, to privacy_kept_proofs until their
 * keep-until date. One transaction, with the `person.erased` audit event; the person's evidence files
 * leave the disk after it commits (a rolled-back erasure deletes none). Undefined when the tenant has
 * no such person.
 */
export async function erasePerson(db: Kysely<Schema>, options: ErasureOptions): Promise<ErasureResult | undefined> {
  const erased = await eraseInTransaction(db, options);
  if (!erased) return undefined;
  const { queuedFiles, ...result } = erased;
  return { ...result, evidenceFilesLeft: await removeAfterCommit(db, options.evidence, queuedFiles) };
}

/** The erasure has committed whatever happens here: what cannot be removed now stays queued for the retention job. */
async function removeAfterCommit(db: Kysely<Schema>, evidence: EvidenceStore, fileIds: readonly string[]): Promise<number> {
  if (fileIds.length === 0) return 0;
  try {
    return (await removeQueuedEvidence(db, evidence, fileIds)).left;
  } catch {
    return fileIds.length;
  }
}

type Erased = Omit<ErasureResult, 'evidenceFilesLeft'> & { readonly queuedFiles: readonly string[] };

async function eraseInTransaction(db: Kysely<Schema>, options: ErasureOptions): Promise<Erased | undefined> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const person = await findPersonRecord(trx, options.tenantId, options.personId, true);
    if (!person) return undefined;
    if (person.erasedAt) {
      return { personId: person.id, pseudonym: person.pseudonym ?? '', erased: false, keptProofs: 0, ltiAccounts: 0, xapiStatements: 0, evidenceFiles: 0, queuedFiles: [] };
    }
    const id = person.id;
    const code = await freeCode(trx, options.tenantId);
    const employee = await trx.selectFrom('employees').select(['id', 'employee_number']).where('person_id', '=', id).executeTakeFirst();

    const keptProofs = await keepProofs(trx, options.tenantId, id, person.name ?? ([person.givenName, person.familyName].filter(Boolean).join(' ') || null), employee?.employee_number ?? null, now);

    // xAPI: the actor's name and e-mail go; the pseudonymous account stays, so counts stay right.
    // The LMS accounts go below: the statements naming them (the tool's own) are found first.
    const accounts = await ltiSubjects(trx, id);
    const keys = [...agentKeys(options.publicUrl, person), ...ltiAccountKeys(accounts)];
    const accountKey = keys[0]!;
    await sql`select set_config('laeringslop.erasing', 'on', true)`.execute(trx);
    const statements = await sql`update xapi_statements
        set statement = jsonb_set(statement, '{actor}', jsonb_build_object('objectType', 'Agent', 'account', jsonb_build_object('homePage', ${options.publicUrl}::text, 'name', ${id}::text))),
            actor_key = ${accountKey},
            related_agent_keys = array(select distinct case when k = any(${keys}::text[]) then ${accountKey} else k end from unnest(related_agent_keys) as k)
      where tenant_id = ${options.tenantId}::uuid and actor_key = any(${keys}::text[])`.execute(trx);
    // Evidence files (a scanned certificate shows the name): records now, bytes after the commit.
    const queuedFiles = await queueEvidenceRemoval(trx, options.tenantId, id);
    await sql`select set_config('laeringslop.erasing', '', true)`.execute(trx);
    await trx.deleteFrom('xapi_documents').where('tenant_id', '=', options.tenantId).where('agent_key', 'in', keys).execute();
    // A forwarding target's refusal, kept with a parked statement, may quote it (name, e-mail): it
    // goes. The entry stays, so a re-drive sends the statement, now pseudonymous.
    await sql`update xapi_forwarding_parked p set reason = ${ERASED_REASON}
      from xapi_statements s where s.seq = p.seq and s.tenant_id = ${options.tenantId}::uuid and s.actor_key = ${accountKey} and p.reason <> ${ERASED_REASON}`.execute(trx);

    // The LMS accounts: course member lists naming them, queued scores, and the accounts themselves.
    const subjects = accounts.map((s) => s.subject);
    if (subjects.length > 0) {
      await sql`delete from lti_nrps_cache c where c.tenant_id = ${options.tenantId}::uuid
        and exists (select 1 from jsonb_array_elements(c.members) m where m->>'userId' = any(${subjects}::text[]))`.execute(trx);
    }
    await trx.deleteFrom('lti_ags_outbox').where('person_id', '=', id).execute();
    await trx.deleteFrom('mail_outbox').where('person_id', '=', id).execute();
    // Offers to add a certificate to a wallet, with the wallet's key they went to (their tokens go with them).
    await trx.deleteFrom('certificate_wallet_offers').where('person_id', '=', id).execute();
    const deletedAccounts = await trx.deleteFrom('lti_users').where('person_id', '=', id).executeTakeFirst();
    // Unresolved links name the LMS account (issuer and subject): gone with the account.
    await trx.deleteFrom('person_link_conflicts').where('person_id', '=', id).execute();

    // SCORM: commit bodies (kept for support) go; the CMI keeps what the completion rules read.
    const attempts = trx.selectFrom('scorm_attempts').select('id').where('person_id', '=', id);
    await trx.deleteFrom('scorm_commits').where('attempt_id', 'in', attempts).execute();
    const states = await trx.selectFrom('scorm_sco_states').select(['attempt_id', 'sco_id', 'cmi']).where('attempt_id', 'in', attempts).execute();
    for (const state of states) {
      const cmi = state.cmi as Record<string, unknown>;
      const kept = Object.fromEntries(Object.entries(cmi).filter(([key]) => !CMI_PERSONAL.test(key)));
      if (Object.keys(kept).length === Object.keys(cmi).length) continue;
      await trx.updateTable('scorm_sco_states').set({ cmi: JSON.stringify(kept) }).where('attempt_id', '=', state.attempt_id).where('sco_id', '=', state.sco_id).execute();
    }

    if (employee) {
      await trx.updateTable('employees').set({ employee_number: erasedEmployeeNumber(code), sourced_id: null, updated_at: now }).where('id', '=', employee.id).execute();
    }
    await trx.updateTable('people')
      .set({ name: null, given_name: null, family_name: null, email: null, locale: null, erased_at: now, pseudonym: code, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      tenantId: options.tenantId,
      actor: options.actor,
      action: 'person.erased',
      subjectPersonId: id,
      details: {
        reason: options.reason, keptProofs, ltiAccounts: Number(deletedAccounts.numDeletedRows),
        xapiStatements: statements.numAffectedRows === undefined ? 0 : Number(statements.numAffectedRows), evidenceFiles: queuedFiles.length,
      },
    });
    return {
      personId: id, pseudonym: code, erased: true, keptProofs, ltiAccounts: Number(deletedAccounts.numDeletedRows),
      xapiStatements: Number(statements.numAffectedRows ?? 0), evidenceFiles: queuedFiles.length, queuedFiles,
    };
  });
}

async function freeCode(db: Kysely<Schema>, tenantId: string): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    // Longer codes once four characters keep colliding (a very large municipality).
    const code = pseudonymCode(attempt < 5 ? 4 : 6);
    const taken = await db.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('pseudonym', '=', code).executeTakeFirst();
    if (!taken) return code;
  }
}

/** Copies the proof of the person's completions of kept paths; returns how many. */
async function keepProofs(db: Kysely<Schema>, tenantId: string, personId: string, name: string | null, employeeNumber: string | null, now: Date): Promise<number> {
  const result = await sql`insert into privacy_kept_proofs (tenant_id, person_id, completion_id, path_id, path_title, completed_at, name, employee_number, kept_at, keep_until)
    select ${tenantId}::uuid, c.person_id, c.id, c.path_id, p.title, c.completed_at, ${name}, ${employeeNumber}, ${now}::timestamptz,
           (c.completed_at + make_interval(years => k.keep_years))::date
      from path_completions c
      join privacy_kept_paths k on k.tenant_id = ${tenantId}::uuid and k.path_id = c.path_id
      join paths p on p.id = c.path_id
     where c.person_id = ${personId}::uuid
       and (c.completed_at + make_interval(years => k.keep_years))::date >= ${now}::date
    on conflict (completion_id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
