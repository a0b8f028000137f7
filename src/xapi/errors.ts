/** xAPI answers errors with the HTTP status the spec names (Part Three §2.2, §3.1); these carry it. */
export type XapiErrorKind =
  | 'bad-request' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'precondition-failed' | 'payload-too-large'
  | 'unsupported-media-type' | 'method-not-allowed' | 'too-many-requests';

export const XAPI_ERROR_STATUS: Record<XapiErrorKind, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
};

export class XapiError extends Error {
  constructor(
    readonly kind: XapiErrorKind,
    message: string,
    /** For 'too-many-requests': whole seconds until a new attempt can be made (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'XapiError';
  }

  get status(): number {
    return XAPI_ERROR_STATUS[this.kind];
  }
}
