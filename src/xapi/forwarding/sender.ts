import type { ForwardingCredentials } from './targets.js';

/**
 * A statement on its way: its place in the tenant's queue, its id and the statement as forwarded, as
 * JSON text: the stored statement without `stored` and `authority`, which are the receiving LRS's to
 * set (xAPI 1.0.3 §2.4.8, §2.4.9). Text straight from the database, so a batch is never parsed and
 * serialised again on its way through.
 */
export interface Outgoing {
  readonly seq: number;
  readonly statementId: string;
  readonly json: string;
}

/**
 * What became of a run of statements, in order: the first `settled` were stored by the target (or
 * already held there) or parked; `stop` says why the rest were not sent and what happens next.
 */
export interface SendOutcome {
  readonly settled: number;
  readonly delivered: number;
  readonly parked: readonly { readonly item: Outgoing; readonly reason: string }[];
  readonly stop?: { readonly kind: 'retry' | 'pause'; readonly reason: string; readonly retryAfterMs?: number };
}

type Verdict = 'delivered' | 'statement' | 'retry' | 'pause';

/**
 * 2xx is stored. No answer (a timeout, a refused connection) is retried. 409 (a statement with the id is already there) counts as delivered when sent one by
 * one; in a batch it says only that one of them was there, so the batch goes again one by one, as
 * after a 400, 413 or 422 (one bad statement refuses its whole batch). 408, 429, 5xx are the
 * target's passing trouble: retried. Any other 4xx (401, 403, 404, 405…) is about the target
 * itself, wrong for every statement alike: forwarding pauses until re-driven.
 */
function verdictOf(status: number): Verdict {
  if (status < 200) return 'retry'; // no answer at all (0): a timeout or the network
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 400 || status === 409 || status === 413 || status === 422) return 'statement';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'pause';
}

export interface SenderOptions {
  readonly endpoint: string;
  readonly credentials: ForwardingCredentials;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly retryAfterMs?: number;
}

/** Talks to one target LRS (xAPI 1.0.3 statements resource) with HTTP Basic credentials. */
export class StatementSender {
  readonly #statementsUrl: string;
  readonly #authorization: string;
  readonly #secrets: readonly string[];
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: SenderOptions) {
    this.#statementsUrl = `${options.endpoint}statements`;
    const token = Buffer.from(`${options.credentials.key}:${options.credentials.secret}`).toString('base64');
    this.#authorization = `Basic ${token}`;
    // What a target might echo back into a reason that pages and logs show: never kept.
    this.#secrets = [token, options.credentials.secret, options.credentials.key].filter((s) => s.length >= 4);
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends the statements in order: one POST of the batch, one by one (PUT) when the batch is refused. */
  async send(items: readonly Outgoing[]): Promise<SendOutcome> {
    if (items.length === 0) return { settled: 0, delivered: 0, parked: [] };
    if (items.length > 1) {
      const answer = await this.#request('POST', this.#statementsUrl, `[${items.map((i) => i.json).join(',')}]`);
      const verdict = verdictOf(answer.status);
      if (verdict === 'delivered') return { settled: items.length, delivered: items.length, parked: [] };
      if (verdict !== 'statement') return { settled: 0, delivered: 0, parked: [], stop: this.#stop(verdict, answer) };
    }
    return this.#oneByOne(items);
  }

  async #oneByOne(items: readonly Outgoing[]): Promise<SendOutcome> {
    const parked: { item: Outgoing; reason: string }[] = [];
    let delivered = 0;
    for (const [index, item] of items.entries()) {
      const answer = await this.#request('PUT', `${this.#statementsUrl}?statementId=${encodeURIComponent(item.statementId)}`, item.json);
      const verdict = answer.status === 409 ? 'delivered' : verdictOf(answer.status);
      if (verdict === 'delivered') delivered += 1;
      else if (verdict === 'statement') parked.push({ item, reason: answer.reason });
      else return { settled: index, delivered, parked, stop: this.#stop(verdict, answer) };
    }
    return { settled: items.length, delivered, parked };
  }

  #stop(verdict: 'retry' | 'pause', answer: Answer): NonNullable<SendOutcome['stop']> {
    return { kind: verdict, reason: answer.reason, ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}) };
  }

  async #request(method: 'POST' | 'PUT', url: string, body: string): Promise<Answer> {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: { authorization: this.#authorization, 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { status: 0, reason: `no answer within ${this.#timeoutMs / 1000} s` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { status: 0, reason: this.#scrub(`no connection: ${cause?.code ?? cause?.message ?? (error as Error).message}`) };
    }
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The status is what counts; a body cut off is no reason to send again.
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      reason: this.#scrub(`${response.status} ${response.statusText}${text ? `: ${oneLine(text)}` : ''}`),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter, 3600) * 1000 } : {}),
    };
  }

  #scrub(text: string): string {
    let scrubbed = text;
    for (const secret of this.#secrets) scrubbed = scrubbed.split(secret).join('[redacted]');
    return scrubbed;
  }
}

/** A response body as one short line: a problem's detail, not a page of HTML. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
