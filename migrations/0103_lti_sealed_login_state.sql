-- Login states travel sealed in the OIDC state parameter instead of being stored: a login
-- initiation writes nothing, and a launch's single use is kept by its nonce in lti_nonces.
-- Logins started before this migration are refused at their launch (they can be started again).
drop table lti_oidc_states;
