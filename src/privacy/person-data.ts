// Every place the tool keeps data about a person, and what the export and the erasure do with it.
// The export and the erasure are driven by this list, and test/privacy/coverage.test.ts reads the
// database catalogue (every column referencing people(id), every column named like a name or an
// e-mail) and fails when one is missing here: a new table cannot be forgotten.

/** What an erasure does to a column's data. */
export type Erasure =
  /** The rows are deleted. */
  | { readonly kind: 'deleted'; readonly why: string }
  /** The value is blanked or replaced. */
  | { readonly kind: 'replaced'; readonly why: string }
  /** The row stays, pointing at the erased person's id, which no longer names anyone. */
  | { readonly kind: 'pseudonymised'; readonly why: string }
  /** Kept by a documented exception (docs/privacy.md). */
  | { readonly kind: 'kept-by-exception'; readonly why: string }
  /** Not about a person at all (a municipality's or a path's name). */
  | { readonly kind: 'not-personal'; readonly why: string };

export interface PersonColumn {
  readonly table: string;
  readonly column: string;
  /** The export section its rows appear in; null when the column holds nothing about people. */
  readonly section: string | null;
  readonly erasure: Erasure;
}

const keep = (why: string): Erasure => ({ kind: 'pseudonymised', why });

/** Columns that reference people(id): the export selects the person's rows of each. */
export const PERSON_REFERENCES: readonly PersonColumn[] = [
  { table: 'lti_users', column: 'person_id', section: 'ltiIdentities', erasure: { kind: 'deleted', why: 'the link from the LMS account to the person: a later launch by the same LMS user becomes a new person' } },
  { table: 'lti_ags_outbox', column: 'person_id', section: 'gradePassback', erasure: { kind: 'deleted', why: 'scores addressed to the LMS user id' } },
  { table: 'mail_outbox', column: 'person_id', section: 'mails', erasure: { kind: 'deleted', why: 'e-mail notices to the person (address, subject, text), sent or waiting' } },
  { table: 'tenant_themes', column: 'updated_by', section: 'themeChanges', erasure: keep('who last changed the look, now a pseudonym') },
  { table: 'scorm_attempts', column: 'person_id', section: 'scormAttempts', erasure: keep('attempts stay for the completion rules; commit bodies are deleted and name, id and comment fields removed from the CMI data') },
  { table: 'paths', column: 'created_by', section: 'pathsCreated', erasure: keep('the author of a path, now a pseudonym') },
  { table: 'path_versions', column: 'published_by', section: 'versionsPublished', erasure: keep('the publisher of a version, now a pseudonym') },
  { table: 'path_enrolments', column: 'person_id', section: 'enrolments', erasure: keep('enrolments count in completion figures') },
  { table: 'path_completions', column: 'person_id', section: 'completions', erasure: keep('completion records are immutable documentation; counts per path stay right') },
  { table: 'cmi5_registrations', column: 'person_id', section: 'cmi5Registrations', erasure: keep('the registration of a cmi5 step (or a designer\'s preview) the AU statements and satisfied statements are counted in: ids and dates only') },
  { table: 'path_declared_competences', column: 'person_id', section: 'declaredCompetences', erasure: keep('holdings roll up per unit') },
  { table: 'path_evaluation_respondents', column: 'person_id', section: 'evaluationsAnswered', erasure: keep('that the person answered (never what: released answers are not linkable)') },
  { table: 'path_events', column: 'person_id', section: 'pathEvents', erasure: keep('the outbox of path events, ids and scores only') },
  { table: 'employees', column: 'person_id', section: 'employee', erasure: { kind: 'replaced', why: 'employee number replaced by "slettet-<pseudonym>", HR identifier removed; employments stay for unit figures' } },
  { table: 'competence_holdings', column: 'person_id', section: 'competenceHoldings', erasure: keep('holdings are the documentation counted per unit and requirement; their evidence keeps ids, dates and the issuer; the certificate or authorisation number is removed (it finds the person in a public register), and the evidence files go (see evidenceFiles)') },
  { table: 'competence_status_rows', column: 'person_id', section: 'competenceStatusRows', erasure: keep('where the person stood against each requirement, computed from the holdings and employments that stay; no names') },
  { table: 'competence_status_dirty', column: 'person_id', section: 'competenceStatusDirty', erasure: keep('a mark that the person\'s holdings changed since their status rows were computed') },
  { table: 'competence_assignments', column: 'person_id', section: 'competenceAssignments', erasure: keep("paths a manager assigned with due dates, for the unit's follow-up; the note is the manager's words") },
  { table: 'manager_grants', column: 'person_id', section: 'managerGrants', erasure: keep('which units the person was granted, with its history') },
  { table: 'manager_grants', column: 'granted_by', section: 'managerGrantsGiven', erasure: keep('who granted a unit, now a pseudonym') },
  { table: 'manager_grants', column: 'revoked_by', section: 'managerGrantsRevoked', erasure: keep('who revoked a grant, now a pseudonym') },
  { table: 'person_link_conflicts', column: 'person_id', section: 'linkConflicts', erasure: { kind: 'deleted', why: 'an unresolved link names the LMS account (issuer and subject): deleted with the account' } },
  { table: 'certificate_wallet_offers', column: 'person_id', section: 'certificateWalletOffers', erasure: { kind: 'deleted', why: 'offers to add a certificate to a wallet and the wallet key (did:jwk) a credential went to; the certificate itself stays verifiable' } },
  { table: 'certificates', column: 'person_id', section: 'certificates', erasure: keep('a certificate others may have been shown stays verifiable as what it attests, "issued to a person who has been erased" (no name, no pseudonym); the number of a registered holding goes from what it attests; nothing new is issued to the erased person') },
  { table: 'privacy_kept_proofs', column: 'person_id', section: 'keptProofs', erasure: { kind: 'kept-by-exception', why: 'proof of mandatory training, until its keep-until date' } },
];

/** Columns named like a name or an e-mail address. */
export const NAMED_COLUMNS: readonly PersonColumn[] = [
  { table: 'people', column: 'name', section: 'person', erasure: { kind: 'replaced', why: 'replaced by the pseudonym' } },
  { table: 'people', column: 'given_name', section: 'person', erasure: { kind: 'replaced', why: 'removed' } },
  { table: 'people', column: 'family_name', section: 'person', erasure: { kind: 'replaced', why: 'removed' } },
  { table: 'people', column: 'email', section: 'person', erasure: { kind: 'replaced', why: 'removed' } },
  { table: 'mail_outbox', column: 'recipient_email', section: 'mails', erasure: { kind: 'deleted', why: 'the address a notice was sent to: deleted with the notice' } },
  { table: 'privacy_kept_proofs', column: 'name', section: 'keptProofs', erasure: { kind: 'kept-by-exception', why: 'the name on a proof of mandatory training, until its keep-until date' } },
  { table: 'schema_migrations', column: 'name', section: null, erasure: { kind: 'not-personal', why: 'a migration file name' } },
  { table: 'tenants', column: 'name', section: null, erasure: { kind: 'not-personal', why: "a municipality's or region's name" } },
  { table: 'tenants', column: 'county_name', section: null, erasure: { kind: 'not-personal', why: "a county's name" } },
  { table: 'lti_platforms', column: 'name', section: null, erasure: { kind: 'not-personal', why: "an LMS registration's name" } },
  { table: 'content_packages', column: 'original_name', section: null, erasure: { kind: 'not-personal', why: "an uploaded package's file name" } },
  { table: 'xapi_clients', column: 'name', section: null, erasure: { kind: 'not-personal', why: "an API client's name" } },
  { table: 'org_units', column: 'name', section: null, erasure: { kind: 'not-personal', why: "an org unit's name" } },
  ...(['competence_areas', 'competences'] as const).flatMap((table) =>
    (['name_nb', 'name_nn', 'name_en'] as const).map((column): PersonColumn => ({ table, column, section: null, erasure: { kind: 'not-personal', why: "a competence catalogue's name" } })),
  ),
  { table: 'org_imports', column: 'file_name', section: null, erasure: { kind: 'not-personal', why: "an HR import file's name, as the administrator's computer called it" } },
];

/**
 * Data about the person found by other keys than a people(id) column: through their enrolments and
 * attempts, their LMS account, their xAPI agent, or the audit log.
 */
export const INDIRECT_SECTIONS = {
  stepProgress: 'path_step_progress, path_session_signups, path_enrolment_links, path_outcome_receipts: by enrolment; pseudonymised with it',
  evidenceFiles: 'competence_holding_files (scanned certificates and authorisations, which show the name) by holding: the records deleted in the erasure, the files under DATA_DIR removed once it commits (privacy_evidence_removals holds them until then; the retention job takes any a crash left)',
  scormData: 'scorm_sco_states (CMI data) and scorm_commits: by attempt; commits deleted, CMI name, id and comment fields removed',
  xapiStatements: "xapi_statements where the person is the actor (their account, their LMS account (the tool's own statements) or e-mail): the actor replaced by the pseudonymous account",
  xapiForwardingParked: "xapi_forwarding_parked entries of their statements (refused by the municipality's own LRS): the target's reason, which may quote the statement, replaced; the entry stays, so a re-drive sends the pseudonymous statement",
  xapiDocuments: 'xapi_documents (state, agent profiles) of their agent: deleted',
  courseMembers: "lti_nrps_cache member lists naming their LMS account: deleted (fetched again when needed)",
  auditEvents: 'audit_events about them or by them: kept (ids only, append-only)',
} as const;
