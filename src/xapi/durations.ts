import { isPlainObject } from './validation/primitives.js';
import type { XapiVersion } from './version.js';

type Json = Record<string, unknown>;

/** A duration's seconds to exactly 0.01 s, truncated (never rounded): "PT0.12567S" and "PT0.12S" compare equal. */
export function durationToHundredths(duration: string): string {
  return duration.replace(/(\d+)[.,](\d+)S$/, (_, whole: string, fraction: string) => {
    const hundredths = `${fraction}00`.slice(0, 2);
    return hundredths === '00' ? `${whole}S` : `${whole}.${hundredths}S`;
  });
}

function withComparableDuration(statement: Json): Json {
  const result = statement['result'];
  if (!isPlainObject(result) || typeof result['duration'] !== 'string') return statement;
  return { ...statement, result: { ...result, duration: durationToHundredths(result['duration']) } };
}

/**
 * The form of a statement used to compare it with another (a re-sent statement with a stored one, a
 * signed payload with its statement). xAPI 2.0 §4.2.7: precision beyond 0.01 s in a Duration is not
 * part of the comparison; 1.0.3 compares as sent.
 */
export function comparableStatement(statement: Json, version: XapiVersion): Json {
  if (version !== '2.0') return statement;
  const top = withComparableDuration(statement);
  const object = top['object'];
  return isPlainObject(object) && object['objectType'] === 'SubStatement' ? { ...top, object: withComparableDuration(object) } : top;
}
