import { agentKey } from '../agents.js';
import { XapiError } from '../errors.js';
import { parseJsonText } from '../text-input.js';
import { validateActor } from '../validation/agent.js';
import { XapiInvalid } from '../validation/invalid.js';
import { isTimestamp, isUuid, timestampToDate } from '../validation/primitives.js';

export type XapiMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

/** One LRS request, after the alternate request syntax (if used) has been unfolded. */
export interface XapiRequest {
  readonly method: XapiMethod;
  /** The path below /xapi/, e.g. "statements", "activities/state". */
  readonly resource: string;
  readonly params: ReadonlyMap<string, string>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  /** Sent with the alternate request syntax (Part Three §1.3), which xAPI 2.0 no longer has. */
  readonly alternateSyntax?: boolean;
}

export interface XapiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): XapiResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** PostgreSQL text cannot hold U+0000, so nothing holding it can be stored or searched for. */
export const NUL_REASON = 'holds the character U+0000, which this LRS can neither store nor search for';

/** Parameter names are case-sensitive and closed per resource: anything else is a 400 (Part Three §1.2). */
export function checkParams(request: XapiRequest, allowed: readonly string[]): void {
  for (const name of request.params.keys()) {
    if (!allowed.includes(name)) {
      const near = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
      throw new XapiInvalid(name, near ? `unknown parameter (parameter names are case-sensitive: did you mean ${near}?)` : 'unknown parameter for this resource');
    }
  }
}

export function requiredParam(request: XapiRequest, name: string): string {
  const value = request.params.get(name);
  if (value === undefined) throw new XapiInvalid(name, 'parameter is required');
  return value;
}

export function uuidParam(request: XapiRequest, name: string): string | undefined {
  const value = request.params.get(name);
  if (value !== undefined && !isUuid(value)) throw new XapiInvalid(name, 'must be a UUID');
  return value?.toLowerCase();
}

export function timestampParam(request: XapiRequest, name: string): Date | undefined {
  const value = request.params.get(name);
  if (value === undefined) return undefined;
  if (!isTimestamp(value)) throw new XapiInvalid(name, 'must be an ISO 8601 timestamp');
  const date = timestampToDate(value);
  // PostgreSQL's timestamps have no year 0 (ISO 8601's 0000 is 1 BC).
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new XapiInvalid(name, 'must be a timestamp in the years 0001 to 9999');
  return date;
}

export function booleanParam(request: XapiRequest, name: string): boolean {
  const value = request.params.get(name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw new XapiInvalid(name, 'must be true or false');
  return value === 'true';
}

/** The agent parameter is an Agent (or identified Group) as JSON; we keep its IFI key. */
export function agentParam(request: XapiRequest, name: string): { key: string; agent: Record<string, unknown> } | undefined {
  const value = request.params.get(name);
  if (value === undefined) return undefined;
  let agent: unknown;
  try {
    agent = parseJsonText(value, `The ${name} parameter`, name);
  } catch (error) {
    if (error instanceof XapiError) throw new XapiInvalid(name, `must be an Agent as JSON (${error.message})`);
    throw error;
  }
  validateActor(agent, name);
  const key = agentKey(agent);
  if (!key) throw new XapiInvalid(name, 'must name an agent by an inverse functional identifier');
  if (key.includes('\0')) throw new XapiInvalid(name, NUL_REASON);
  return { key, agent: agent as Record<string, unknown> };
}

export function header(request: XapiRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

export function contentTypeOf(request: XapiRequest): string {
  return header(request, 'content-type') ?? '';
}

export function methodNotAllowed(request: XapiRequest): never {
  throw new XapiError('method-not-allowed', `${request.method} is not allowed on /xapi/${request.resource}.`);
}
