/** A calendar day as people write it (31.12.2026 or 2026-12-31), or undefined when it is none. */
export function parseDay(text: string): { y: number; m: number; d: number } | undefined {
  const t = text.trim();
  const match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (!match) return undefined;
  const [y, m, d] = t.includes('.') ? [Number(match[3]), Number(match[2]), Number(match[1])] : [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return { y, m, d };
}

const OSLO = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

function osloParts(instant: Date): Record<string, number> {
  return Object.fromEntries(OSLO.formatToParts(instant).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** The instant a day starts in Norway (the municipality's day, summer time included). */
export function osloMidnight(day: { y: number; m: number; d: number }): Date {
  const guess = Date.UTC(day.y, day.m - 1, day.d);
  const p = osloParts(new Date(guess));
  const shownAsUtc = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!);
  return new Date(guess - (shownAsUtc - guess));
}

/** "2026-12-05 23:11:02", Norwegian time: how the log shows an instant. */
export function osloTime(instant: Date): string {
  const p = osloParts(instant);
  const two = (n: number | undefined) => String(n).padStart(2, '0');
  return `${p['year']}-${two(p['month'])}-${two(p['day'])} ${two(p['hour'])}:${two(p['minute'])}:${two(p['second'])}`;
}
