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

export interface PeopleTables {
  people: PeopleTable;
}
