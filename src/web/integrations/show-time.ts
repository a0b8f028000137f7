import type { Locale } from '../i18n.js';

/** A moment as a date people read, in Norway's time zone. */
export function showTime(locale: Locale, date: Date): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(date);
}
