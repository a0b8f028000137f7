-- A municipality's look on the pages of its sessions: an accent colour (checked for WCAG AA contrast
-- against the page background before it is stored) and a logo. Only raster images are kept (PNG,
-- JPEG, WebP): an SVG can carry script. The hash names the logo's URL, so it is cached for good.
create table tenant_themes (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  accent_color text check (accent_color ~ '^#[0-9a-f]{6}$'),
  logo bytea,
  logo_type text check (logo_type in ('image/png', 'image/jpeg', 'image/webp')),
  logo_sha256 text check (logo_sha256 ~ '^[0-9a-f]{64}$'),
  updated_by uuid references people (id) on delete set null,
  updated_at timestamptz not null default now(),
  check ((logo is null) = (logo_type is null) and (logo is null) = (logo_sha256 is null)),
  check (logo is null or octet_length(logo) <= 262144)
);
