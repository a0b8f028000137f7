-- The offer's transaction code (OpenID4VCI 1.0 §4.1.1 tx_code, docs/certificates.md): six digits shown
-- on the person's page beside the QR code, asked for by the wallet and sent with the pre-authorized
-- code, so that the QR code or its address alone (a shared screen, a photo, a forwarded link) gets
-- no one the credential. Kept as an HMAC keyed from KEY_ENCRYPTION_SECRET and bound to the offer's
-- code; a wrong code counts, and after 5 the offer is used up. Offers made before have none.
alter table certificate_wallet_offers
  add column tx_code_hmac text,
  add column tx_code_failures integer not null default 0;
