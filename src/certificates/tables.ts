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

export interface CertificateWalletOffersTable {
  id: Generated<string>;
  tenant_id: string;
  certificate_id: string;
  person_id: string;
  offer_hash: string;
  code_hash: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
  redeemed_at: Date | null;
  /** HMAC of the transaction code (tx_code) bound to the pre-authorized code; null on offers made before 0811. */
  tx_code_hmac: string | null;
  tx_code_failures: Generated<number>;
  issued_to: string | null;
  issued_at: Date | null;
}

export interface CertificateWalletTokensTable {
  token_hash: string;
  offer_id: string;
  expires_at: Date;
}

export interface CertificateWalletUsedNoncesTable {
  nonce_hash: string;
  expires_at: Date;
}

export interface CertificateTables {
  certificate_keys: CertificateKeysTable;
  certificate_wallet_offers: CertificateWalletOffersTable;
  certificate_wallet_tokens: CertificateWalletTokensTable;
  certificate_wallet_used_nonces: CertificateWalletUsedNoncesTable;
  certificate_status_lists: CertificateStatusListsTable;
  certificates: CertificatesTable;
}
