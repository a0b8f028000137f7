import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../../audit/audit-log.js';
import type { Schema } from '../../db/schema.js';
import { listTenants } from '../../tenants/tenants.js';
import { applyPlan } from './apply-plan.js';
import { readCurrentState } from './current-state.js';
import { planImport, type ImportPlan } from './plan.js';
import type { RowProblem } from './problems.js';
import { readHrFile, type FileEncoding } from './read-file.js';
import type { ImportCounts, OrgImportStatus } from './tables.js';

/** How long an uploaded file waits for its preview to be applied. */
export const PREVIEW_LIFETIME_MS = 60 * 60 * 1000;

export type ImportActor = AuditActor & { kind: 'person' | 'operator' };

export interface ImportRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly byteCount: number;
  readonly status: OrgImportStatus;
  readonly importDate: string;
  readonly counts: ImportCounts;
  readonly createdAt: Date;
  readonly appliedAt: Date | null;
  readonly expiresAt: Date;
  /** Whether the uploaded bytes are still kept (previewed, not yet applied or expired). */
  readonly fileKept: boolean;
}

/** A file compared with the organisation: what applying it would change, or why it cannot be applied. */
export interface ImportPreview {
  readonly record: ImportRecord;
  readonly encoding: FileEncoding;
  readonly delimiter: string;
  /** Every bad row, in line order; when there is one, nothing can be applied. */
  readonly problems: readonly RowProblem[];
  readonly plan: ImportPlan;
  /** The organisation changed since the preview was recorded: applying would be refused. */
  readonly stale: boolean;
}

export type ImportRefusalCode = 'not-found' | 'already-applied' | 'expired' | 'has-problems' | 'stale' | 'file-mismatch';

/** Applying was refused; nothing was changed. */
export class ImportRefusal extends Error {
  constructor(readonly code: ImportRefusalCode) {
    super(code);
    this.name = 'ImportRefusal';
  }
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The calendar day in Norway: employments of people who disappear end on this day. */
export function norwegianDate(at: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const IMPORT_COLUMNS = ['id', 'tenant_id', 'file_name', 'sha256', 'byte_count', 'status', 'import_date', 'counts', 'created_at', 'applied_at', 'expires_at'] as const;

type ImportRow = { id: string; tenant_id: string; file_name: string; sha256: string; byte_count: number; status: OrgImportStatus; import_date: string; counts: ImportCounts; created_at: Date; applied_at: Date | null; expires_at: Date };

function toRecord(row: ImportRow, fileKept: boolean): ImportRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    fileName: row.file_name,
    sha256: row.sha256,
    byteCount: row.byte_count,
    status: row.status,
    importDate: row.import_date,
    counts: row.counts,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
    expiresAt: row.expires_at,
    fileKept,
  };
}

/** HR data belongs to a municipality (a region has none of its own), and not to a retired one. */
export async function canImportInto(db: Kysely<Schema>, tenantId: string): Promise<boolean> {
  const municipalities = await listTenants(db, { kind: 'municipality' });
  return municipalities.some((t) => t.id === tenantId && t.retiredAt === null);
}

/** One import's lock: two applies of one municipality's organisation never interleave. */
async function lockOrganisation(trx: Kysely<Schema>, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`org-import:${tenantId}`}, 0))`.execute(trx);
}

async function compare(db: Kysely<Schema>, tenantId: string, bytes: Uint8Array, importDate: string) {
  const file = readHrFile(bytes);
  const plan = planImport(file, await readCurrentState(db, tenantId), importDate);
  return { file, plan };
}

export interface PreviewInput {
  readonly tenantId: string;
  readonly actor: ImportActor;
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** Defaults to now. */
  readonly now?: Date;
}

/**
 * Reads the file, compares it with the organisation and records the preview (with the file's
 * bytes, kept for PREVIEW_LIFETIME_MS). Changes nothing in the organisation.
 */
export async function previewImport(db: Kysely<Schema>, input: PreviewInput): Promise<ImportPreview> {
  const now = input.now ?? new Date();
  const importDate = norwegianDate(now);
  const { file, plan } = await compare(db, input.tenantId, input.bytes, importDate);
  const fileName = cleanFileName(input.fileName);
  const record = await db.transaction().execute(async (trx) => {
    // Files of previews nobody applied are not kept past their time.
    await trx.updateTable('org_imports').set({ file: null }).where('tenant_id', '=', input.tenantId).where('file', 'is not', null).where('expires_at', '<', now).execute();
    const row = await trx
      .insertInto('org_imports')
      .values({
        tenant_id: input.tenantId,
        actor_kind: input.actor.kind,
        actor_id: input.actor.id,
        file_name: fileName,
        sha256: sha256Of(input.bytes),
        byte_count: input.bytes.byteLength,
        status: 'previewed',
        import_date: importDate,
        counts: JSON.stringify(plan.counts),
        plan_digest: plan.digest,
        file: Buffer.isBuffer(input.bytes) ? input.bytes : Buffer.from(input.bytes),
        expires_at: new Date(now.getTime() + PREVIEW_LIFETIME_MS),
      })
      .returning(IMPORT_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId: input.tenantId, actor: input.actor, action: 'org.import.previewed', object: { kind: 'org-import', id: row.id }, details: { ...plan.counts } });
    return row;
  });
  return { record: toRecord(record, true), encoding: file.encoding, delimiter: file.delimiter, problems: file.problems, plan, stale: false };
}

/**
 * Previews and, unless `dryRun` or the file has bad rows, applies in the same transaction: the
 * operator's command, which shows the preview and applies it without anyone to confirm in between.
 * The file is read and compared once. Recorded as an import like the page's (its file is not kept).
 */
export async function importNow(db: Kysely<Schema>, input: PreviewInput & { readonly dryRun?: boolean }): Promise<ImportPreview & { readonly applied: boolean }> {
  const now = input.now ?? new Date();
  const importDate = norwegianDate(now);
  const file = readHrFile(input.bytes);
  const sha256 = sha256Of(input.bytes);
  return db.transaction().execute(async (trx) => {
    await lockOrganisation(trx, input.tenantId);
    const plan = planImport(file, await readCurrentState(trx, input.tenantId), importDate);
    const apply = !input.dryRun && file.problems.length === 0;
    const row = await trx
      .insertInto('org_imports')
      .values({
        tenant_id: input.tenantId,
        actor_kind: input.actor.kind,
        actor_id: input.actor.id,
        file_name: cleanFileName(input.fileName),
        sha256,
        byte_count: input.bytes.byteLength,
        status: apply ? 'applied' : 'previewed',
        applied_at: apply ? now : null,
        import_date: importDate,
        counts: JSON.stringify(plan.counts),
        plan_digest: plan.digest,
        file: null,
        expires_at: now,
      })
      .returning(IMPORT_COLUMNS)
      .executeTakeFirstOrThrow();
    const object = { kind: 'org-import', id: row.id };
    await recordAudit(trx, { tenantId: input.tenantId, actor: input.actor, action: 'org.import.previewed', object, details: { ...plan.counts } });
    if (apply) {
      await applyPlan(trx, input.tenantId, plan);
      await recordAudit(trx, { tenantId: input.tenantId, actor: input.actor, action: 'org.import.applied', object, details: { ...plan.counts } });
    }
    return { record: toRecord(row, false), encoding: file.encoding, delimiter: file.delimiter, problems: file.problems, plan, stale: false, applied: apply };
  });
}

function cleanFileName(name: string): string {
  return (name.replace(/[\\/]/g, '_').trim() || 'hr.csv').slice(0, 255);
}

/** The preview of a recorded import again, while its file is kept; undefined for another tenant's or an unknown id. */
export async function showImport(db: Kysely<Schema>, tenantId: string, importId: string, now = new Date()): Promise<{ record: ImportRecord; preview: ImportPreview | undefined } | undefined> {
  const row = await db.selectFrom('org_imports').select([...IMPORT_COLUMNS, 'file', 'plan_digest']).where('tenant_id', '=', tenantId).where('id', '=', importId).executeTakeFirst();
  if (!row) return undefined;
  const live = row.file !== null && row.status === 'previewed' && row.expires_at > now;
  const record = toRecord(row, live);
  if (!live) return { record, preview: undefined };
  const { file, plan } = await compare(db, tenantId, row.file!, row.import_date);
  return { record, preview: { record, encoding: file.encoding, delimiter: file.delimiter, problems: file.problems, plan, stale: plan.digest !== row.plan_digest } };
}

export async function listImports(db: Kysely<Schema>, tenantId: string, limit = 20): Promise<ImportRecord[]> {
  const rows = await db
    .selectFrom('org_imports')
    .select([...IMPORT_COLUMNS, sql<boolean>`file is not null`.as('kept')])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => toRecord(r, r.kept && r.status === 'previewed' && r.expires_at > new Date()));
}

export interface ApplyInput {
  readonly tenantId: string;
  readonly importId: string;
  readonly actor: ImportActor;
  /** The sha256 the person confirmed (from the preview page): the bytes applied are the bytes they saw. */
  readonly sha256: string;
  readonly now?: Date;
}

/**
 * Applies a previewed import, all or nothing, in one transaction. Refused (ImportRefusal) when the
 * import is not the tenant's, was applied, expired, has bad rows, or when the organisation changed
 * since the preview so that the file would now do something else than the preview showed.
 */
export async function applyImport(db: Kysely<Schema>, input: ApplyInput): Promise<{ record: ImportRecord; plan: ImportPlan }> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    await lockOrganisation(trx, input.tenantId);
    const row = await trx
      .selectFrom('org_imports')
      .select([...IMPORT_COLUMNS, 'file', 'plan_digest'])
      .where('tenant_id', '=', input.tenantId)
      .where('id', '=', input.importId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new ImportRefusal('not-found');
    if (row.status === 'applied') throw new ImportRefusal('already-applied');
    if (row.file === null || row.expires_at <= now) throw new ImportRefusal('expired');
    if (input.sha256 !== row.sha256 || sha256Of(row.file) !== row.sha256) throw new ImportRefusal('file-mismatch');
    const { file, plan } = await compare(trx, input.tenantId, row.file, row.import_date);
    if (file.problems.length > 0) throw new ImportRefusal('has-problems');
    if (plan.digest !== row.plan_digest) throw new ImportRefusal('stale');
    await applyPlan(trx, input.tenantId, plan);
    const applied = await trx
      .updateTable('org_imports')
      .set({ status: 'applied', applied_at: now, file: null, counts: JSON.stringify(plan.counts) })
      .where('id', '=', row.id)
      .returning(IMPORT_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId: input.tenantId, actor: input.actor, action: 'org.import.applied', object: { kind: 'org-import', id: row.id }, details: { ...plan.counts } });
    return { record: toRecord(applied, false), plan };
  });
}
