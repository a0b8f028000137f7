import type { ColumnType, Generated } from 'kysely';
import type { Locale } from '../web/i18n.js';

export interface PeopleTable {
  id: Generated<string>;
  tenant_id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  locale: Locale | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** Set when the person was erased (src/privacy/): the personal fields are gone, the pseudonym shows. */
  erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The code of "Slettet person 7F3K" (only for an erased person). */
  pseudonym: ColumnType<string | null, string | null | undefined, string | null>;
}

export type LinkMethod = 'employee-number' | 'sourcedid' | 'email';
export type LinkConflictReason = 'email-ambiguous' | 'sourcedid-ambiguous' | 'employee-number-unknown' | 'employee-number-disagrees' | 'employee-linked-elsewhere';

/** A launcher whose link to an employee could not be decided (migrations/0520_launch_links.sql). */
export interface PersonLinkConflictsTable {
  tenant_id: string;
  issuer: string;
  subject: string;
  person_id: string;
  reason: LinkConflictReason;
  method: LinkMethod;
  employee_ids: string[];
  first_seen_at: ColumnType<Date, Date | undefined, Date>;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  launches: ColumnType<number, number | undefined, number>;
}

/** Issuers whose custom parameter `ansattnummer` the platform itself substitutes. */
export interface EmployeeNumberTrustedIssuersTable {
  issuer: string;
  trusted_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PeopleTables {
  people: PeopleTable;
  person_link_conflicts: PersonLinkConflictsTable;
  employee_number_trusted_issuers: EmployeeNumberTrustedIssuersTable;
}
