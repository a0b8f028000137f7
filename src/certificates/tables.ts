import type { ColumnType, Generated } from 'kysely';

export type CertificateKind = 'path-completion' | 'holding';

export interface CertificateKeysTable {
  kid: string;
  public_jwk: ColumnType<Record<string, unknown>, string, never>;
  private_key_encrypted: string;
  created_at: ColumnType<Date, never, never>;
  retired_at: Date | null;
  published_until: Date | null;
}

export interface CertificateStatusListsTable {
  tenant_id: string;
  next_index: ColumnType<number, number | undefined, number>;
}

export interface CertificatesTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  kind: CertificateKind;
  path_completion_id: string | null;
  holding_id: string | null;
  code: string;
  status_index: number;
  attests: ColumnType<unknown, string, never>;
  subject_salt: string;
  issued_at: ColumnType<Date, Date | undefined, never>;
}

export interface CertificateTables {
  certificate_keys: CertificateKeysTable;
  certificate_status_lists: CertificateStatusListsTable;
  certificates: CertificatesTable;
}
