/** One CSV cell for spreadsheet programs: quoted when needed, and a leading =, +, - or @ made text
 *  so a name or a detail can never run as a formula (CSV injection). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV line with `;` between cells (what Norwegian Excel opens directly), ended by CRLF. */
export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(';')}\r\n`;

/** UTF-8's byte order mark: Excel reads æøå right only with it. */
export const BOM = '\uFEFF';
