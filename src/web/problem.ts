/**
 * API errors as RFC 9457 problem details. `type` is a stable relative URI under /problems/ that
 * resolves to a page explaining the problem; clients switch on it, never on `title` or `detail`.
 */
export const PROBLEM_TYPES = {
  'not-found': { status: 404, title: 'Resource not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'malformed-request-body': { status: 400, title: 'The request body could not be parsed' },
  'payload-too-large': { status: 413, title: 'The request body is larger than allowed' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'xapi-invalid': { status: 400, title: 'The xAPI request or statement is not valid' },
  'xapi-unauthorized': { status: 401, title: 'xAPI credentials are missing or wrong' },
  'xapi-forbidden': { status: 403, title: 'The xAPI credentials lack the scope for this request' },
  'xapi-conflict': { status: 409, title: 'The request conflicts with what the LRS holds' },
  'xapi-precondition-failed': { status: 412, title: 'A precondition (If-Match / If-None-Match) failed' },
  'xapi-too-many-requests': { status: 429, title: 'Too many failed xAPI authentications: wait before trying again' },
  'content-package-invalid': { status: 422, title: 'The content package was refused' },
  'path-archive-invalid': { status: 422, title: 'The path archive was refused' },
  'path-export-refused': { status: 409, title: 'The path cannot be exported as it is' },
  'cmi5-action-refused': { status: 409, title: 'The cmi5 action does not fit what the learner has done' },
  'sco-locked': { status: 403, title: 'This part of the course is not available yet' },
  'attempt-token-invalid': { status: 403, title: 'The attempt token is missing, expired or not valid' },
  'verification-too-many-requests': { status: 429, title: 'Too many failed certificate verifications: wait before trying again' },
  'not-ready': { status: 503, title: 'The service is not ready' },
  'internal-error': { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemTypeUri(type: string): string {
  return `/problems/${type}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly type: ProblemType,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? PROBLEM_TYPES[type].title);
    this.name = 'ProblemError';
    this.status = PROBLEM_TYPES[type].status;
    this.title = PROBLEM_TYPES[type].title;
  }

  toBody(instance?: string): ProblemBody {
    return {
      ...this.extensions,
      type: problemTypeUri(this.type),
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
    };
  }
}

/** The most fields a form may have (the form parser's parameterLimit); more are refused as too large. */
export const FORM_FIELD_LIMIT = 1000;
export const tooManyFormFields = () => new ProblemError('payload-too-large', `The form has more than ${FORM_FIELD_LIMIT} fields.`);
