import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { assignPath, withdrawAssignment } from '../../src/competence/assignments.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { addRequirement } from '../../src/competence/requirements.js';
import { ConfigError, loadConfig, type MailConfig } from '../../src/config.js';
import { MailOutbox } from '../../src/mail/outbox.js';
import { smtpSender } from '../../src/mail/smtp.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { publishPath } from '../learner/support.js';
import { writtenDay } from '../../src/competence/assignment-mail.js';
import { addDays } from '../../src/competence/calendar.js';
import { today } from '../../src/competence/holdings.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { waitFor } from '../scorm/support/wait.js';
import { freePort, SECRET } from '../lti/support/lti-http.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const web: NewStep = { type: 'web', title: 'Film', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
const DAY = '2027-01-10';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server (smtp-server) on a free port. `refuse` makes it answer every message with a
 * temporary failure (451), as a server that is busy or misconfigured does.
 */
async function startSmtp(port: number): Promise<{ received: Received[]; refuse: { on: boolean }; close(): Promise<void> }> {
  const received: Received[] = [];
  const refuse = { on: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refuse.on) {
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { received, refuse, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The text part of a received message, decoded (nodemailer writes quoted-printable or base64). */
function bodyOf(raw: string): string {
  const [headers, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(headers!)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers!)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/\r\n/g, '\n');
    return Buffer.from(bytes.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return body.replace(/\r\n/g, '\n');
}

/** The Subject header, RFC 2047 encoded-words decoded. */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1] ?? '';
  return header.replace(/\r?\n[ \t]/g, ' ').replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'));
}

describe('SMTP settings', () => {
  const base = { NODE_ENV: 'test', PORT: '0' };
  it('sends no e-mail when SMTP is not configured', () => {
    expect(loadConfig(base).mail).toBeUndefined();
    // A sender alone configures nothing.
    expect(loadConfig({ ...base, SMTP_FROM: 'laering@as.kommune.no' }).mail).toBeUndefined();
  });

  it('reads SMTP_URL, or SMTP_HOST with port, TLS and credentials', () => {
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://u:p@smtp.example.no:2525', SMTP_FROM: 'Læringsløp <laering@as.kommune.no>' }).mail)
      .toEqual({ url: 'smtp://u:p@smtp.example.no:2525', host: undefined, port: 587, secure: false, user: undefined, password: undefined, from: 'Læringsløp <laering@as.kommune.no>' });
    expect(loadConfig({ ...base, SMTP_HOST: 'smtp.example.no', SMTP_USER: 'u', SMTP_PASSWORD: 'p', SMTP_FROM: 'laering@as.kommune.no' }).mail)
      .toMatchObject({ host: 'smtp.example.no', port: 587, secure: false, user: 'u', password: 'p' });
    expect(loadConfig({ ...base, SMTP_HOST: 'smtp.example.no', SMTP_PORT: '465', SMTP_FROM: 'laering@as.kommune.no' }).mail).toMatchObject({ port: 465, secure: true });
    expect(loadConfig({ ...base, SMTP_HOST: 'smtp.example.no', SMTP_SECURE: 'on', SMTP_FROM: 'laering@as.kommune.no' }).mail).toMatchObject({ port: 465, secure: true });
  });

  it('refuses incomplete or contradictory settings, naming each variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.map((p) => p.variable).sort();
        throw error;
      }
      return [];
    };
    expect(problems({ SMTP_HOST: 'smtp.example.no' })).toEqual(['SMTP_FROM']);
    expect(problems({ SMTP_URL: 'http://smtp.example.no', SMTP_FROM: 'a@b.no' })).toEqual(['SMTP_URL']);
    expect(problems({ SMTP_URL: 'smtp://smtp.example.no', SMTP_HOST: 'smtp.example.no', SMTP_FROM: 'a@b.no' })).toEqual(['SMTP_HOST']);
    expect(problems({ SMTP_HOST: 'smtp.example.no', SMTP_PASSWORD: 'p', SMTP_FROM: 'a@b.no' })).toEqual(['SMTP_USER']);
    expect(problems({ SMTP_HOST: 'smtp.example.no', SMTP_PORT: '99999', SMTP_FROM: 'a@b.no' })).toEqual(['SMTP_PORT']);
  });
});

describe(`assignment e-mail through the mail outbox (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: OrgWorld;
  let fireId: string;
  let firePath: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mail: MailConfig;
  const db = () => testDb.database.db;
  const manager = () => ({ role: 'manager' as const, personId: world.people.ingrid });
  const notify = { publicUrl: 'https://laering.example.no' };
  const outboxOf = async (personId: string) => db().selectFrom('mail_outbox').selectAll().where('person_id', '=', personId).execute();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await orgWorld(db());
    await applyCatalogueImport(db(), world.as, 'område;kode;kompetanse;navn_nn;gyldighet_måneder\nFelles;brannvern;Brannvern;Brannvern (nn);24\n', OPERATOR);
    fireId = (await findCompetence(db(), world.as, 'brannvern'))!.id;
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Sykepleier', mandatory: 'mandatory' }, OPERATOR);
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory' }, OPERATOR);
    firePath = (await publishPath(testDb.database, world.as, [web], { title: 'Brannvern – øvelse på avdelingen', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
    await db().updateTable('people').set({ email: 'anne@as.kommune.no', locale: null }).where('id', '=', world.people.anne).execute();
    await db().updateTable('people').set({ email: 'bjorn@as.kommune.no', locale: 'nn' }).where('id', '=', world.people.bjorn).execute();
    await db().updateTable('people').set({ email: null }).where('id', '=', world.people.cecilie).execute();
    const port = await freePort();
    smtp = await startSmtp(port);
    mail = loadConfig({ NODE_ENV: 'test', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: 'Læringsløp <laering@as.kommune.no>' }).mail!;
  });
  afterAll(async () => {
    await smtp?.close();
    await testDb?.dispose();
  });

  it('queues nothing when the tool sends no e-mail', async () => {
    const { id } = await assignPath(db(), world.as, world.people.anne, { competence: fireId, path: firePath, due: '2027-02-01' }, manager(), DAY);
    expect(await outboxOf(world.people.anne)).toEqual([]);
    // Withdrawn again, so that the next test assigns anew.
    await withdrawAssignment(db(), world.as, world.people.anne, id, manager());
  });

  it('queues one notice in the person’s language with the path, the due date and where to go; none for a person without e-mail', async () => {
    const { id } = await assignPath(db(), world.as, world.people.anne, { competence: fireId, path: firePath, due: '2027-03-01', note: 'Før\nsommeren' }, manager(), DAY, { notify });
    const [queued] = await outboxOf(world.people.anne);
    expect(queued).toMatchObject({ kind: 'competence-assignment', subject_id: id, recipient_email: 'anne@as.kommune.no', sent_at: null, attempts: 0 });
    expect(queued!.subject).toBe('Du har fått et læringsløp: Brannvern – øvelse på avdelingen');
    expect(queued!.body).toContain('Hei Anne Sykepleier,');
    expect(queued!.body).toContain('Lederen din har gitt deg læringsløpet «Brannvern – øvelse på avdelingen», som gir kompetansen «Brannvern».');
    expect(queued!.body).toContain('Fristen er 1. mars 2027.');
    expect(queued!.body).toContain('Melding: Før\nsommeren');
    // No LMS known for Anne or the path: the tool's own address.
    expect(queued!.body).toContain('Du finner læringsløpet i læringsplattformen din:\nhttps://laering.example.no\n');
    // Assigning the same path again (still open) queues nothing more.
    expect((await assignPath(db(), world.as, world.people.anne, { competence: fireId, path: firePath, due: '2027-03-01' }, manager(), DAY, { notify })).created).toBe(false);
    expect(await outboxOf(world.people.anne)).toHaveLength(1);

    await assignPath(db(), world.as, world.people.bjorn, { competence: fireId, path: firePath, due: '2027-03-01' }, { role: 'municipality-admin', personId: world.asAdmin }, DAY, { notify });
    const [nynorsk] = await outboxOf(world.people.bjorn);
    expect(nynorsk!.subject).toBe('Du har fått eit læringsløp: Brannvern – øvelse på avdelingen');
    expect(nynorsk!.body).toMatch(/har gjeve deg læringsløpet «Brannvern – øvelse på avdelingen», som gjev kompetansen «Brannvern \(nn\)»\./);
    expect(nynorsk!.body).toContain('Fristen er 1. mars 2027.');

    // Cecilie has no address: assigned, and no mail.
    expect((await assignPath(db(), world.as, world.people.cecilie, { competence: fireId, path: firePath, due: '2027-03-01' }, manager(), DAY, { notify })).created).toBe(true);
    expect(await outboxOf(world.people.cecilie)).toEqual([]);
  });

  it('sends through SMTP once; a refusing server keeps the mail and it is sent when the server takes it', async () => {
    const log = capturingLogger();
    const sender = smtpSender(mail);
    // Long enough that a loaded machine still checks before it is due, short enough to wait for.
    const outbox = new MailOutbox({ db: db(), sender, logger: log.logger, baseDelayMs: 1500, maxDelayMs: 3000 });
    try {
      smtp.refuse.on = true;
      expect(await outbox.runOnce()).toBe(0);
      const failed = await db().selectFrom('mail_outbox').selectAll().orderBy('created_at').execute();
      expect(failed.map((m) => [m.attempts, m.sent_at])).toEqual([[1, null], [1, null]]);
      expect(failed[0]!.last_error).toMatch(/451/);
      expect(failed.every((m) => m.next_attempt_at.getTime() > Date.now())).toBe(true);
      expect(log.lines().filter((l) => l['msg'] === 'mail not sent; will retry')).toHaveLength(2);
      // Not due yet: nothing is tried.
      expect(await outbox.runOnce()).toBe(0);
      expect((await db().selectFrom('mail_outbox').select('attempts').execute()).map((m) => m.attempts)).toEqual([1, 1]);

      smtp.refuse.on = false;
      await vi.waitFor(async () => {
        const due = await db().selectFrom('mail_outbox').select('next_attempt_at').execute();
        if (!due.every((m) => m.next_attempt_at.getTime() < Date.now())) throw new Error('not due yet');
      }, { timeout: 5_000, interval: 100 });
      expect(await outbox.runOnce()).toBe(2);
      expect(smtp.received.map((r) => r.to).sort()).toEqual([['anne@as.kommune.no'], ['bjorn@as.kommune.no']]);
      const anne = smtp.received.find((r) => r.to[0] === 'anne@as.kommune.no')!;
      expect(anne.from).toBe('laering@as.kommune.no');
      expect(subjectOf(anne.raw)).toBe('Du har fått et læringsløp: Brannvern – øvelse på avdelingen');
      expect(bodyOf(anne.raw)).toContain('Lederen din har gitt deg læringsløpet «Brannvern – øvelse på avdelingen»');
      expect(bodyOf(anne.raw)).toContain('Fristen er 1. mars 2027.');
      const sent = await db().selectFrom('mail_outbox').select(['attempts', 'sent_at', 'last_error']).execute();
      expect(sent.every((m) => m.attempts === 2 && m.sent_at !== null && m.last_error === null)).toBe(true);
      // A sent mail is never sent again.
      expect(await outbox.runOnce()).toBe(0);
      expect(smtp.received).toHaveLength(2);
    } finally {
      sender.close();
    }
  });

  it('keeps a mail while the server cannot be reached at all', async () => {
    // Cecilie now has an address; her assignment is withdrawn and given again.
    await db().updateTable('people').set({ email: 'cecilie@as.kommune.no' }).where('id', '=', world.people.cecilie).execute();
    const [open] = await db().selectFrom('competence_assignments').select('id').where('person_id', '=', world.people.cecilie).where('withdrawn_at', 'is', null).execute();
    await withdrawAssignment(db(), world.as, world.people.cecilie, open!.id, manager());
    await assignPath(db(), world.as, world.people.cecilie, { competence: fireId, path: firePath, due: '2027-03-01' }, manager(), DAY, { notify });
    const down = smtpSender({ ...mail, port: await freePort() });
    const log = capturingLogger();
    try {
      const outbox = new MailOutbox({ db: db(), sender: down, logger: log.logger, baseDelayMs: 60_000 });
      expect(await outbox.runOnce()).toBe(0);
      const [kept] = await outboxOf(world.people.cecilie);
      expect(kept).toMatchObject({ attempts: 1, sent_at: null });
      expect(kept!.last_error).toMatch(/ECONNREFUSED|connect/i);
      // Tried again after the back-off, not before.
      expect(kept!.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 50_000);
    } finally {
      down.close();
    }
  });
});

/** The running tool with SMTP configured: a manager's assignment over HTTP reaches the SMTP server. */
describe(`assignment e-mail from the running tool (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let url: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const smtpPort = await freePort();
    smtp = await startSmtp(smtpPort);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServer({
      config: testConfig({ PORT: String(port), PUBLIC_URL: url, KEY_ENCRYPTION_SECRET: SECRET, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort), SMTP_FROM: 'laering@as.kommune.no' }),
      logger: capturingLogger().logger,
      database: testDb.database,
    });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await testDb?.dispose();
  });

  it('sends the notice of an assignment made on the manager’s person page', async () => {
    const world = await orgWorld(db());
    await applyCatalogueImport(db(), world.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\n', OPERATOR);
    const fireId = (await findCompetence(db(), world.as, 'brannvern'))!.id;
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory' }, OPERATOR);
    const firePath = (await publishPath(testDb.database, world.as, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
    await db().updateTable('people').set({ email: 'bjorn@as.kommune.no', locale: 'en' }).where('id', '=', world.people.bjorn).execute();
    const manager = await new SessionTokens(SECRET).issue({ personId: world.people.ingrid, tenantId: world.as, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    const due = addDays(today(), 14);
    const response = await fetch(`${url}/manage/people/${world.people.bjorn}/assignments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session: manager, competence: fireId, [`a-${fireId}-path`]: firePath, [`a-${fireId}-due`]: due }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    // The tool's mail outbox looks every 5 s; on a loaded machine a pass may come late.
    await waitFor('the mail reaches the SMTP server', async () => smtp.received.length === 1, 30_000);
    expect(smtp.received[0]!.to).toEqual(['bjorn@as.kommune.no']);
    expect(subjectOf(smtp.received[0]!.raw)).toBe('A learning path has been assigned to you: Brannvern for alle');
    expect(bodyOf(smtp.received[0]!.raw)).toContain(`It is due on ${writtenDay('en', due)}.`);
    expect((await db().selectFrom('mail_outbox').select('sent_at').executeTakeFirstOrThrow()).sent_at).not.toBeNull();
  });
});
