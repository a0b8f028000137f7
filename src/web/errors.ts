import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { alert } from './ds/components.js';
import { html } from './html.js';
import { requestLocale, t, type MessageId } from './i18n.js';
import { page, sendPage } from './layout.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, tooManyFormFields, type ProblemType } from './problem.js';

/** Machine clients get problem+json: API paths always, elsewhere when they do not ask for HTML. */
function wantsProblemJson(req: Request): boolean {
  if (/^\/(api|xapi)(\/|$)/.test(req.path)) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** Body-parser and other http-errors carry `type`/`status`; map the ones a client can cause. */
function toProblem(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  const e = error as { type?: string; status?: number; expose?: boolean; message?: string; limit?: number };
  switch (e?.type) {
    case 'entity.too.large':
      return new ProblemError('payload-too-large', `The body is larger than the limit of ${e.limit} bytes.`);
    case 'parameters.too.many':
      return tooManyFormFields();
    case 'entity.parse.failed':
      return new ProblemError('malformed-request-body', 'The body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError('unsupported-media-type', e.message);
    case 'request.aborted':
      return new ProblemError('malformed-request-body', 'The request was aborted before the body was complete.');
  }
  return undefined;
}

const PAGE_TEXT: Partial<Record<ProblemType, { title: MessageId; body: MessageId }>> = {
  'not-found': { title: 'error.not-found.title', body: 'error.not-found.body' },
  'not-ready': { title: 'error.unavailable.title', body: 'error.unavailable.body' },
  'payload-too-large': { title: 'error.too-large.title', body: 'error.too-large.body' },
  'internal-error': { title: 'error.internal.title', body: 'error.internal.body' },
};

function sendError(req: Request, res: Parameters<RequestHandler>[1], problem: ProblemError): void {
  const reference = String(req.id ?? '');
  if (res.headersSent) return;
  if (wantsProblemJson(req)) {
    res
      .status(problem.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify({ ...problem.toBody(req.originalUrl), reference }));
    return;
  }
  const locale = requestLocale(req);
  const text = PAGE_TEXT[problem.type] ?? { title: 'error.bad-request.title', body: 'error.bad-request.body' };
  sendPage(
    res,
    problem.status,
    page({
      locale,
      title: t(locale, text.title),
      body: html`<div data-error-page>
<h1>${t(locale, text.title)}</h1>
${alert('danger', t(locale, text.body))}
<p class="app-reference">${t(locale, 'error.reference')}: ${reference}</p>
<p><a class="ds-link" href="/">${t(locale, 'error.home')}</a></p>
</div>`,
    }),
  );
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(req, res, new ProblemError('not-found', `Nothing is at ${req.method} ${req.path}.`));
};

/**
 * The one error handler. Client errors are answered as what they are; anything else is logged with
 * its stack and answered as a 500 that shows only the request's reference id, never the stack.
 */
export function errorHandler(options: { exposeDetails: boolean }): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem) {
      if (problem.status >= 500) req.log.error({ err: error }, problem.message);
      else req.log.info({ problem: problem.type }, problem.message);
      sendError(req, res, problem);
      return;
    }
    req.log.error({ err: error }, 'unhandled error');
    const detail = options.exposeDetails && error instanceof Error ? error.stack ?? error.message : undefined;
    sendError(req, res, new ProblemError('internal-error', detail));
  };
}
