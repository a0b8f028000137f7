-- Blobs that an import in progress has put in the content store and will refer to. A failed import
-- removes the blobs it created only when no row and no other import's lease names them, so two
-- imports of the same files at once cannot pull blobs from under each other. An import removes its
-- leases when it writes its rows or gives up; a lease left by a crashed process is ignored after a day.
create table content_blob_leases (
  sha256 text not null,
  lease_id uuid not null,
  taken_at timestamptz not null default now(),
  primary key (sha256, lease_id)
);

create index content_blob_leases_lease_idx on content_blob_leases (lease_id);
