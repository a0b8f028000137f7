-- Every launch records its nonce. The foreign key to lti_platforms made each insert lock the
-- platform's row (FOR KEY SHARE), so concurrent launches of one platform all locked the same row,
-- sharing it through multixacts: a third of the launch statement's time in PostgreSQL. A nonce
-- needs no such guard: platform ids are never reused, and a removed platform's nonces are purged
-- with the others when they expire.
alter table lti_nonces drop constraint lti_nonces_platform_id_fkey;
