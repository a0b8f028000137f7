import { createHash } from 'node:crypto';

/**
 * Statement texts that run on every launch or commit. On server PostgreSQL each is planned once
 * per pooled connection (a named prepared statement) instead of on every execution: for the
 * launch's claim statement, planning was two thirds of the server's CPU time for it.
 *
 * Only fixed texts whose parameters do not change which plan is good belong here (lookups by key,
 * writes); a search whose best plan depends on its values is left to be planned each time.
 */
const names = new Map<string, string>();

/** Marks `text` as prepared and returns it unchanged, for use in a CompiledQuery. */
export function prepared(text: string): string {
  if (!names.has(text)) names.set(text, `lp_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`);
  return text;
}

/** The statement name of a prepared text (the same on every connection and process). */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}
