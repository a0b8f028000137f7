-- Erasure reaches the evidence files of a person's holdings (docs/privacy.md): a scanned
-- certificate or authorisation shows the person's name, so its record goes, and the certificate or
-- authorisation number goes from the holding's evidence (a number such as an HPR number finds the
-- person in a public register). The holding itself stays, pseudonymised, as it counts per unit.
--
-- Both are allowed only inside a transaction that set laeringslop.erasing (as for xAPI statements,
-- 0540); every other update or delete is refused as before.
create or replace function competence_holdings_unchanged() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (to_jsonb(new) - 'person_id') = (to_jsonb(old) - 'person_id') then
    return new;
  end if;
  if coalesce(current_setting('laeringslop.erasing', true), '') = 'on' then
    if tg_table_name = 'competence_holding_files' and tg_op = 'DELETE' then
      return old;
    end if;
    if tg_table_name = 'competence_holdings' and tg_op = 'UPDATE'
       and (to_jsonb(new) - 'evidence') = (to_jsonb(old) - 'evidence')
       and new.evidence = (old.evidence - 'number') then
      return new;
    end if;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end;
$$;

-- Evidence files whose records an erasure deleted, written in the erasure's transaction: the bytes
-- on disk go after it commits (a rolled-back erasure deletes nothing), then the entry. Entries left
-- by a crash between the two are taken by the retention job's next run.
create table privacy_evidence_removals (
  -- The file's id, which is its name under DATA_DIR/competence/evidence/ (its record is gone).
  file_id uuid primary key,
  tenant_id uuid not null references tenants (id),
  queued_at timestamptz not null default now()
);
