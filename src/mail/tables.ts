import type { ColumnType, Generated } from 'kysely';

export interface MailOutboxTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  kind: string;
  subject_id: string;
  recipient_email: string;
  subject: string;
  body: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  locked_until: Date | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface MailTables {
  mail_outbox: MailOutboxTable;
}
