import type { Locale } from '../i18n.js';
import type { OrganisationError } from '../../organisation/organisation-error.js';
import { to, type OrgMessageId } from './messages.js';

/** 'YYYY-MM-DD' as people read it: 31.12.2026 in Norwegian, 31 Dec 2026 in English. */
export function showDate(locale: Locale, iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  if (locale !== 'en') return `${d}.${m}.${y}`;
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** A stored date as it goes back into a form field: dd.mm.yyyy. */
export function formDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** '50.50' → '50,5 %' (Norwegian) or '50.5 %'. */
export function showPercentage(locale: Locale, stored: string): string {
  const number = Number(stored);
  return `${number.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 2 })} %`;
}

/** A stored percentage as it goes back into a form field. */
export function formPercentage(locale: Locale, stored: string): string {
  const text = String(Number(stored));
  return locale === 'en' ? text : text.replace('.', ',');
}

/** The text of a refusal, in the page's language. */
export function refusalText(locale: Locale, error: OrganisationError): string {
  return to(locale, `refusal.${error.code}` as OrgMessageId, { count: error.count ?? 0 });
}
