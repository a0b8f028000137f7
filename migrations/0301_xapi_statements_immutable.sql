-- xAPI 1.0.3 Part Two §2.3.1: a stored statement never changes. The only update the LRS makes is
-- setting `voided` when a voiding statement arrives; anything else is refused by the database itself.
create function xapi_statements_immutable() returns trigger language plpgsql as $$
begin
  if new.statement is distinct from old.statement
     or new.statement_id is distinct from old.statement_id
     or new.stored is distinct from old.stored
     or new.client_id is distinct from old.client_id
     or new.tenant_id is distinct from old.tenant_id
     or (old.voided and not new.voided) then
    raise exception 'xAPI statements are immutable once stored (statement %)', old.statement_id
      using errcode = 'integrity_constraint_violation';
  end if;
  return new;
end
$$;

create trigger xapi_statements_immutable before update on xapi_statements
  for each row execute function xapi_statements_immutable();
