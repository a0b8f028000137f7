const OSLO_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Norway at `now`, as 'YYYY-MM-DD' (the form DATE columns are read in). */
export function osloDate(now: Date = new Date()): string {
  return OSLO_DATE.format(now);
}
