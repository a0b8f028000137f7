import nodemailer from 'nodemailer';
import type { MailConfig } from '../config.js';
import type { MailSender } from './outbox.js';

/** How long one SMTP exchange may take before it counts as failed (and is tried again later). */
const TIMEOUT_MS = 30_000;

/**
 * Sends through the configured SMTP server with nodemailer: STARTTLS when the server offers it,
 * TLS from the first byte with SMTP_SECURE=on or port 465. A refusal or a lost connection throws,
 * and the outbox tries again.
 */
export function smtpSender(config: MailConfig): MailSender & { close(): void } {
  const timeouts = { connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS };
  const transport = config.url
    ? nodemailer.createTransport({ url: config.url, ...timeouts })
    : nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
      ...timeouts,
    });
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
