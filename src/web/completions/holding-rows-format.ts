import type { PulledHoldingRow } from '../../completions/holding-rows.js';
import { csvCell } from '../audit/csv.js';

/** The CSV columns of GET /api/completions?kind=holdings (docs/completions.md "Holding rows"). */
export const HOLDING_ROWS_CSV_COLUMNS = [
  'holding_id', 'event', 'changed_at', 'person_id', 'employee_number', 'name', 'email', 'competence_code', 'competence_name', 'level', 'source',
  'completion_id', 'path_id', 'path_title', 'version', 'achieved_on', 'expires_on', 'recorded_at', 'renews_id', 'revoked', 'revoked_at',
] as const;

/**
 * One CSV line. Ids, times, days, numbers and the fixed words (event, source, revoked) are written as
 * they are; the text cells (people, competence, path title) go through csvCell.
 */
export function holdingRowLine(h: PulledHoldingRow): string {
  const completion = h.source.completion;
  return [
    h.id, h.event, h.changedAt, h.person.id, csvCell(h.person.employeeNumber ?? ''), csvCell(h.person.name ?? ''), csvCell(h.person.email ?? ''),
    csvCell(h.competence.code), csvCell(h.competence.name), h.level === null ? '' : String(h.level), h.source.kind,
    completion?.id ?? '', completion?.path?.id ?? '', csvCell(completion?.path?.title ?? ''), completion?.version == null ? '' : String(completion.version),
    h.achievedOn, h.expiresOn ?? '', h.recordedAt, h.renewsId ?? '', h.revoked ? 'true' : 'false', h.revokedAt ?? '',
  ].join(';') + '\r\n';
}

/** The JSON shape of a row: the position stays inside the cursor. */
export function holdingRowJson(h: PulledHoldingRow) {
  const { position: _position, ...row } = h;
  return row;
}
