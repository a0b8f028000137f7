import { OrganisationError } from './organisation-error.js';

// Values as people type them on Norwegian forms and in HR exports: decimal comma, dd.mm.yyyy dates.

/** Stillingsprosent: more than 0, at most 100, at most two decimals; `50,5` and `50.5` alike. */
export function parsePercentage(value: string, field = 'percentage'): string {
  const text = value.trim().replace(/\s*%$/, '').replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) throw new OrganisationError('percentage-invalid', field);
  const number = Number(text);
  if (!(number > 0 && number <= 100)) throw new OrganisationError('percentage-invalid', field);
  return text;
}

/** A calendar date as 'YYYY-MM-DD', from ISO (2026-12-31) or Norwegian (31.12.2026) writing. */
export function parseDate(value: string, field: string): string {
  const text = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const norwegian = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : norwegian ? [norwegian[3], norwegian[2], norwegian[1]] : [];
  if (!year || !month || !day) throw new OrganisationError('date-invalid', field);
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day) || Number(year) < 1900 || Number(year) > 2200) {
    throw new OrganisationError('date-invalid', field);
  }
  return date.toISOString().slice(0, 10);
}

/** Today's date in Norway, as 'YYYY-MM-DD'. */
export function osloToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A trimmed text of 1…max characters, else the refusal given. */
export function requiredText(value: string, max: number, refusal: ConstructorParameters<typeof OrganisationError>[0], field: string): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max) throw new OrganisationError(refusal, field);
  return text;
}

/** A LIKE pattern matching `text` anywhere, its own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** PostgreSQL's unique_violation, on both backends. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
