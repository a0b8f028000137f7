/**
 * The value formats of xAPI 1.0.3 (Part Two §4.2 and the data types it refers to). Each predicate is
 * total: any input gives true or false, never an exception.
 */

/** RFC 3987 absolute IRI: a scheme, a colon, and no whitespace or characters IRIs exclude. */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/u;

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function isIri(value: unknown): value is string {
  return typeof value === 'string' && IRI.test(value) && !hasControlCharacter(value);
}

/** An IRL is an IRI meant to be looked up; we accept any absolute IRI (the spec does not constrain the scheme). */
export const isIrl = isIri;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * RFC 5646 language tag (langtag, private use and the irregular grandfathered forms are rare in
 * statements; regular langtags and private use are accepted).
 */
const LANGTAG =
  /^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wyz](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$|^x(?:-[a-z\d]{1,8})+$/i;

export function isLanguageTag(value: unknown): value is string {
  return typeof value === 'string' && LANGTAG.test(value);
}

/** ISO 8601 duration (§4.6 result.duration): PnYnMnDTnHnMnS, or PnW; at least one part. */
const DURATION = /^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$|^P\d+(?:[.,]\d+)?W$/;

export function isDuration(value: unknown): value is string {
  return typeof value === 'string' && DURATION.test(value);
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** What differs between the versions: xAPI 2.0 wants the time zone, and allows RFC 3339's space for the T. */
export interface TimestampRules {
  readonly requireZone?: boolean;
  readonly allowSpace?: boolean;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * ISO 8601 date and time (§4.5 timestamp). The offset "-00:00" is refused: RFC 3339 gives it the
 * meaning "unknown offset", which the spec forbids.
 */
export function isTimestamp(value: unknown, rules: TimestampRules = {}): value is string {
  if (typeof value !== 'string') return false;
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [, y, mo, d, separator, h, mi, s, , zone] = match;
  if (separator === ' ' && !rules.allowSpace) return false;
  if (!zone && rules.requireZone) return false;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 60) return false;
  if (zone && zone !== 'Z') {
    if (/^-00(?::?00)?$/.test(zone)) return false;
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.replace(':', '').slice(3, 5) || 0);
    if (hours > 23 || minutes > 59) return false;
  }
  return true;
}

/** The instant a timestamp names; a timestamp without offset is read as UTC (§4.5). */
export function timestampToDate(value: string): Date {
  const match = TIMESTAMP.exec(value);
  if (!match) return new Date(Number.NaN);
  const zone = match[9];
  const base = value.replace(',', '.').replace(' ', 'T');
  return new Date(zone ? base : `${base}Z`);
}

export function isMailto(value: unknown): value is string {
  return typeof value === 'string' && /^mailto:[^@\s:/]+@[^@\s]+$/i.test(value);
}

export function isSha1Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/i.test(value);
}

export function isSha2Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$|^[0-9a-f]{96}$|^[0-9a-f]{128}$/i.test(value);
}

/** RFC 2046 media type: type/subtype with optional parameters. */
export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.+-]+\/[\w.+-]+(?:\s*;.*)?$/.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
