import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { PollingLoop } from '../background/polling-loop.js';

/** A mail as queued: plain text, to one person. */
export interface OutgoingMail {
  readonly tenantId: string;
  readonly personId: string;
  /** What the mail is about ('competence-assignment') and its id: a second queueing of the pair is ignored. */
  readonly kind: string;
  readonly subjectId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** What the worker hands a mail to (SMTP in production, src/mail/smtp.ts). Throws when not accepted. */
export interface MailSender {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

/**
 * Queues a mail in the caller's transaction (pass `trx`): it exists exactly when what it announces
 * does, and is sent by the worker. Queueing the same (kind, subject id) again changes nothing.
 */
export async function queueMail(db: Kysely<Schema>, mail: OutgoingMail): Promise<{ queued: boolean }> {
  const row = await db
    .insertInto('mail_outbox')
    .values({
      tenant_id: mail.tenantId, person_id: mail.personId, kind: mail.kind, subject_id: mail.subjectId,
      recipient_email: mail.to, subject: mail.subject, body: mail.text,
    })
    .onConflict((oc) => oc.columns(['kind', 'subject_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return { queued: row !== undefined };
}

export interface MailOutboxOptions {
  readonly db: Kysely<Schema>;
  readonly sender: MailSender;
  readonly logger: Logger;
  /** First retry after this long, doubling up to maxDelayMs. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long a claimed mail is held before another instance may try it (a crashed one). */
  readonly leaseMs?: number;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
}

/** After this many attempts a failing mail is logged as an error, for an operator to look at. */
const FAILING_AFTER_ATTEMPTS = 10;

/** Exponential back-off with a cap: 30 s, 1 min, 2 min … up to six hours by default. */
export function mailBackoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends queued mail. Mails are claimed with a lease (FOR UPDATE SKIP LOCKED, so several instances
 * work side by side), handed to the sender, and marked sent; a failure keeps the mail and schedules
 * the next attempt. A sent mail is never sent again; a mail the server never accepted is kept until
 * it is.
 */
export class MailOutbox {
  readonly #db: Kysely<Schema>;
  readonly #sender: MailSender;
  readonly #logger: Logger;
  readonly #base: number;
  readonly #max: number;
  readonly #lease: number;
  readonly #batch: number;
  readonly #loop: PollingLoop<number>;

  constructor(options: MailOutboxOptions) {
    this.#db = options.db;
    this.#sender = options.sender;
    this.#logger = options.logger;
    this.#base = options.baseDelayMs ?? 30_000;
    this.#max = options.maxDelayMs ?? 6 * 3600_000;
    this.#lease = options.leaseMs ?? 120_000;
    this.#batch = options.batchSize ?? 20;
    this.#loop = new PollingLoop({
      pass: () => this.#pass(),
      intervalMs: options.pollIntervalMs ?? 5_000,
      moreWaiting: (sent) => sent > 0,
      failure: { logger: this.#logger, message: 'mail outbox pass failed' },
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops polling and waits for the mails under way to be settled. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One pass over the mails due; returns how many were sent. */
  runOnce(): Promise<number> {
    return this.#loop.runOnce();
  }

  async #pass(): Promise<number> {
    const claimed = await this.#db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('mail_outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
        .orderBy('next_attempt_at')
        .limit(this.#batch)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('mail_outbox')
        .set({ locked_until: sql<Date>`now() + ${`${this.#lease} milliseconds`}::interval`, attempts: sql<number>`attempts + 1` })
        .where('id', 'in', due.map((d) => d.id))
        .returning(['id', 'recipient_email', 'subject', 'body', 'attempts'])
        .execute();
    });
    let sent = 0;
    for (const mail of claimed) {
      try {
        await this.#sender.send({ to: mail.recipient_email, subject: mail.subject, text: mail.body });
        await this.#db.updateTable('mail_outbox').set({ sent_at: sql<Date>`now()`, locked_until: null, last_error: null }).where('id', '=', mail.id).execute();
        sent += 1;
      } catch (error) {
        const delay = mailBackoffMs(mail.attempts, this.#base, this.#max);
        const message = (error as Error).message.slice(0, 500);
        await this.#db
          .updateTable('mail_outbox')
          .set({ last_error: message, locked_until: null, next_attempt_at: new Date(Date.now() + delay) })
          .where('id', '=', mail.id)
          .execute();
        const fields = { mail: mail.id, attempts: mail.attempts, retryInMs: delay, err: message };
        if (mail.attempts >= FAILING_AFTER_ATTEMPTS) this.#logger.error(fields, 'mail keeps failing; check the SMTP settings (docs/operations.md)');
        else this.#logger.warn(fields, 'mail not sent; will retry');
      }
    }
    return sent;
  }
}
