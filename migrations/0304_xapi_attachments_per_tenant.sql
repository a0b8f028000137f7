-- Attachments belong to the municipality that uploaded their bytes (issue 13). The bytes were shared by
-- SHA-2, so a statement of another tenant that merely named the hash (with any fileUrl) got them
-- back, with the first uploader's Content-Type. Now the bytes are kept per (tenant, sha2) and read
-- only for statements of that tenant; the content type is each statement's own, so none is kept here.

alter table xapi_attachments rename to xapi_attachments_shared;

create table xapi_attachments (
  tenant_id uuid not null references tenants (id),
  sha2 text not null check (sha2 ~ '^[0-9a-f]{64,128}$'),
  content bytea not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, sha2)
);

-- Existing bytes go to the tenants that provably uploaded them, and to no one else:
--  * a tenant with a statement that carries the hash without a fileUrl (such a statement was only
--    accepted with the bytes in its request);
--  * the tenant of the statement carrying the hash that was stored nearest to the moment the row was
--    created (the write that created it; its `stored` is taken just before its transaction began).
-- A tenant whose statements only named the hash with a fileUrl keeps those statements, without bytes.
insert into xapi_attachments (tenant_id, sha2, content, created_at)
select distinct owner.tenant_id, a.sha2, a.content, a.created_at
from xapi_attachments_shared a
join lateral (
  select s.tenant_id from xapi_statements s
  where a.sha2 = any (s.attachment_hashes)
    and exists (
      select 1 from jsonb_array_elements(case when jsonb_typeof(s.statement -> 'attachments') = 'array' then s.statement -> 'attachments' else '[]'::jsonb end) as e
      where lower(e ->> 'sha2') = a.sha2 and not (e ? 'fileUrl'))
  union
  (select s.tenant_id from xapi_statements s
    where a.sha2 = any (s.attachment_hashes)
    order by abs(extract(epoch from (s.stored - a.created_at))), s.seq
    limit 1)
) as owner on true;

drop table xapi_attachments_shared;
