import { sql, type Kysely } from 'kysely';
import type { EvidenceStore } from '../competence/evidence-files.js';
import type { Schema } from '../db/schema.js';

/**
 * Inside an erasure's transaction (laeringslop.erasing set): deletes the records of the person's
 * evidence files and queues the files for removal from disk, which only happens once the erasure has
 * committed (`removeQueuedEvidence`). The certificate or authorisation number goes from the person's
 * holdings and from the certificates that print it. Returns the queued file ids.
 */
export async function queueEvidenceRemoval(trx: Kysely<Schema>, tenantId: string, personId: string): Promise<string[]> {
  const holdings = trx.selectFrom('competence_holdings').select('id').where('tenant_id', '=', tenantId).where('person_id', '=', personId);
  const files = await trx.deleteFrom('competence_holding_files').where('tenant_id', '=', tenantId).where('holding_id', 'in', holdings).returning('id').execute();
  if (files.length > 0) {
    await trx.insertInto('privacy_evidence_removals').values(files.map((f) => ({ file_id: f.id, tenant_id: tenantId }))).execute();
  }
  await sql`update competence_holdings set evidence = evidence - 'number'
     where tenant_id = ${tenantId}::uuid and person_id = ${personId}::uuid and evidence ->> 'number' is not null`.execute(trx);
  await sql`update certificates set attests = jsonb_set(attests, '{documented,number}', 'null'::jsonb)
     where tenant_id = ${tenantId}::uuid and person_id = ${personId}::uuid and attests -> 'documented' ->> 'number' is not null`.execute(trx);
  return files.map((f) => f.id);
}

/**
 * Removes queued evidence files from disk, then their queue entries: the given ones (an erasure's,
 * right after it committed) or every one queued (the retention job, for entries a crash left behind).
 * A file that cannot be removed (the disk refuses) stays queued for the next run: `left` counts them.
 */
export async function removeQueuedEvidence(db: Kysely<Schema>, store: EvidenceStore, fileIds?: readonly string[]): Promise<{ removed: number; left: number }> {
  if (fileIds?.length === 0) return { removed: 0, left: 0 };
  const queued = await db.selectFrom('privacy_evidence_removals').select('file_id')
    .$if(fileIds !== undefined, (q) => q.where('file_id', 'in', [...fileIds!]))
    .orderBy('queued_at')
    .execute();
  let removed = 0;
  for (const { file_id: fileId } of queued) {
    try {
      await store.discard(fileId);
    } catch {
      continue;
    }
    await db.deleteFrom('privacy_evidence_removals').where('file_id', '=', fileId).execute();
    removed += 1;
  }
  return { removed, left: queued.length - removed };
}
