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
}

export interface PeopleTables {
  people: PeopleTable;
}
