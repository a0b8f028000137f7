import type { ColumnType, Generated } from 'kysely';
import type { ExtractedColumns } from './extract.js';

export interface XapiClientsTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  key: string;
  secret_hash: string;
  scopes: string[];
  created_at: ColumnType<Date, never, never>;
  revoked_at: Date | null;
  reads_member_statements: ColumnType<boolean, boolean | undefined, boolean>;
}

/** A credential handed to xAPI content at launch (launch-credentials.ts). */
export interface XapiLaunchCredentialsTable {
  id: Generated<string>;
  tenant_id: string;
  client_id: string;
  actor_key: string;
  registration: string;
  course_activity_id: string;
  activity_ids: string[];
  issued_at: ColumnType<Date, Date | undefined, never>;
  idle_until: Date;
  expires_at: Date;
  closes_at: Date | null;
  /** Set for the credential of a cmi5 AU session (src/cmi5/): the cmi5 statement rules apply. */
  cmi5_session_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The statement as received plus the columns `extractColumns` derives for the filters. */
export interface XapiStatementsTable extends Omit<ExtractedColumns, 'attachment_hashes'> {
  seq: Generated<number>;
  /** The writing transaction's id (migration 0720): forwarding walks statements in commit order. */
  xid: Generated<number>;
  statement_id: string;
  tenant_id: string;
  client_id: string;
  statement: ColumnType<unknown, string, string>;
  stored: Date;
  voided: ColumnType<boolean, boolean | undefined, boolean>;
  attachment_hashes: ColumnType<string[], string[] | undefined, string[]>;
}

/** Attachment bytes per tenant (migration 0304); a statement's own attachment object says its type. */
export interface XapiAttachmentsTable {
  tenant_id: string;
  sha2: string;
  content: Buffer;
  created_at: ColumnType<Date, never, never>;
}

export type XapiDocumentKind = 'state' | 'activity-profile' | 'agent-profile';

export interface XapiDocumentsTable {
  id: Generated<number>;
  tenant_id: string;
  kind: XapiDocumentKind;
  activity_id: string;
  agent_key: string;
  registration: string;
  document_id: string;
  content_type: string;
  content: Buffer;
  sha1: string;
  updated: Date;
}

export interface XapiActivitiesTable {
  tenant_id: string;
  activity_id: string;
  definition: ColumnType<unknown, string, string>;
}

export interface XapiTables {
  xapi_clients: XapiClientsTable;
  xapi_statements: XapiStatementsTable;
  xapi_attachments: XapiAttachmentsTable;
  xapi_documents: XapiDocumentsTable;
  xapi_activities: XapiActivitiesTable;
  xapi_launch_credentials: XapiLaunchCredentialsTable;
}
