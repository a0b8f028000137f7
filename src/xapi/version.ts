/**
 * The xAPI versions this LRS speaks: 1.0.x (xAPI 1.0.3) and 2.0.x (xAPI 2.0, IEEE 9274.1.1).
 * A request names its version in X-Experience-API-Version; the rules that differ between the two
 * follow that header, and the answer names the latest patch of the same version.
 */
export type XapiVersion = '1.0' | '2.0';

export const SUPPORTED_VERSIONS = ['1.0.3', '2.0.0'] as const;

const LATEST_PATCH: Record<XapiVersion, string> = { '1.0': '1.0.3', '2.0': '2.0.0' };

/** "1.0", "1.0.x", "2.0", "2.0.x" (Communication §3.3 in both); anything else is not spoken here. */
export function parseVersion(header: string | undefined): XapiVersion | undefined {
  const match = /^(1\.0|2\.0)(?:\.\d+)?$/.exec(header?.trim() ?? '');
  return match ? (match[1] as XapiVersion) : undefined;
}

/**
 * The X-Experience-API-Version of an answer: the latest patch of the request's version. A request
 * that names no version we speak (no header, or one like 0.9 or 3.0.0) is answered by the newest,
 * 2.0.0: both specifications (Communication §3.3.s3) hand a request to an older implementation only
 * when its header names that older version, and 1.0.3 clients must tolerate any answer ≥ 1.0.0
 * (§3.3.s4.b3). docs/xapi.md "Conformance" says which suite tests this costs.
 */
export function responseVersionHeader(requestHeader: string | undefined): string {
  return LATEST_PATCH[parseVersion(requestHeader) ?? '2.0'];
}

/** What `version` a statement may carry: 1.0.x always; 2.0.x only in a 2.0 request. */
export function isStatementVersion(value: unknown, version: XapiVersion): boolean {
  if (typeof value !== 'string') return false;
  return version === '2.0' ? /^(1\.0|2\.0)(\.\d+)?$/.test(value) : /^1\.0(\.\d+)?$/.test(value);
}

/** The `version` the LRS sets on a statement sent without one. */
export function defaultStatementVersion(version: XapiVersion): string {
  return version === '2.0' ? '2.0.0' : '1.0.0';
}
