/** The values of an HR file as Norwegian payroll systems write them. */

const NORWEGIAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `31.12.2026`, `1.2.2026` or `2026-12-31` (an ISO time after the date is ignored) → 'YYYY-MM-DD', or undefined. */
export function parseDate(text: string): string | undefined {
  const value = text.trim().replace(/[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, '');
  let year: number, month: number, day: number;
  const norwegian = NORWEGIAN_DATE.exec(value);
  const iso = ISO_DATE.exec(value);
  if (norwegian) [day, month, year] = [Number(norwegian[1]), Number(norwegian[2]), Number(norwegian[3])];
  else if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 2200 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * `50,5`, `50.5`, `50,50 %`, `100` → '50.50' (two decimals, as numeric(5,2) reads back), or
 * undefined when it is not above 0 and at most 100 with at most two decimals.
 */
export function parsePercentage(text: string): string | undefined {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim().replace(/\s*%$/, ''));
  if (!match) return undefined;
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (hundredths <= 0 || hundredths > 10_000) return undefined;
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

const YES = new Set(['ja', 'j', 'yes', 'y', 'true', 'sann', '1', 'x', 'leder', 'leiar']);
const NO = new Set(['nei', 'n', 'no', 'false', 'usann', '0', '']);

export function parseYesNo(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (YES.has(value)) return true;
  if (NO.has(value)) return false;
  return undefined;
}

export function looksLikeEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}
