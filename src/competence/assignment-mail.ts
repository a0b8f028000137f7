import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { OutgoingMail } from '../mail/outbox.js';
import type { Locale } from '../web/i18n.js';
import type { AssignerRole } from './tables.js';

/** The mail kind of an assignment's notice (one per assignment). */
export const ASSIGNMENT_MAIL = 'competence-assignment';

type Texts = Readonly<Record<Locale, string>>;

const TEXTS = {
  subject: { nb: 'Du har fått et læringsløp: {path}', nn: 'Du har fått eit læringsløp: {path}', en: 'A learning path has been assigned to you: {path}' },
  greeting: { nb: 'Hei {name},', nn: 'Hei {name},', en: 'Hello {name},' },
  greetingNoName: { nb: 'Hei,', nn: 'Hei,', en: 'Hello,' },
  byManager: {
    nb: 'Lederen din har gitt deg læringsløpet «{path}», som gir kompetansen «{competence}».',
    nn: 'Leiaren din har gjeve deg læringsløpet «{path}», som gjev kompetansen «{competence}».',
    en: 'Your manager has assigned you the learning path "{path}", which gives the competence "{competence}".',
  },
  byAdmin: {
    nb: '{tenant} har gitt deg læringsløpet «{path}», som gir kompetansen «{competence}».',
    nn: '{tenant} har gjeve deg læringsløpet «{path}», som gjev kompetansen «{competence}».',
    en: '{tenant} has assigned you the learning path "{path}", which gives the competence "{competence}".',
  },
  due: { nb: 'Fristen er {date}.', nn: 'Fristen er {date}.', en: 'It is due on {date}.' },
  note: { nb: 'Melding: {note}', nn: 'Melding: {note}', en: 'Message: {note}' },
  whereCourse: {
    nb: 'Du finner læringsløpet i emnet «{course}» i læringsplattformen din:',
    nn: 'Du finn læringsløpet i emnet «{course}» i læringsplattforma di:',
    en: 'You find the learning path in the course "{course}" on your learning platform:',
  },
  where: {
    nb: 'Du finner læringsløpet i læringsplattformen din:',
    nn: 'Du finn læringsløpet i læringsplattforma di:',
    en: 'You find the learning path on your learning platform:',
  },
  signature: {
    nb: 'Denne e-posten er sendt av Læringsløp for {tenant}.',
    nn: 'Denne e-posten er send av Læringsløp for {tenant}.',
    en: 'This e-mail was sent by Læringsløp for {tenant}.',
  },
} satisfies Record<string, Texts>;

const DATE_LOCALES: Readonly<Record<Locale, string>> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** A calendar day ('YYYY-MM-DD') written out in the language, e.g. «1. mars 2027». */
export function writtenDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(DATE_LOCALES[locale], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

export interface AssignmentNotice {
  readonly assignmentId: string;
  readonly tenantId: string;
  readonly personId: string;
  readonly pathId: string;
  readonly pathTitle: string;
  readonly competenceName: Readonly<Record<Locale, string | null>>;
  readonly dueOn: string;
  readonly note: string | null;
  readonly assignedBy: AssignerRole;
  /** Where the mail leads when the tool knows no learning platform of the person (the tool's address). */
  readonly publicUrl: string;
}

/**
 * Where the person finds the path: the learning platform of a course link in the municipality that
 * opens the path (with the course's title), else the platform the person launched the tool from,
 * else the tool itself. A platform is named by its issuer, which LTI 1.3 makes its https address.
 */
async function whereToGo(db: Kysely<Schema>, notice: AssignmentNotice): Promise<{ url: string; course: string | null }> {
  const placed = await db
    .selectFrom('lti_resource_links as rl')
    .innerJoin('lti_platforms as p', 'p.id', 'rl.platform_id')
    .leftJoin('lti_contexts as cx', 'cx.id', 'rl.context_id')
    .select(['p.issuer', 'cx.title as course'])
    .where('rl.tenant_id', '=', notice.tenantId)
    .where(sql<string>`rl.custom->>'laeringslop_path'`, '=', notice.pathId)
    .orderBy('rl.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (placed && /^https?:\/\//.test(placed.issuer)) return { url: placed.issuer, course: placed.course };
  const account = await db
    .selectFrom('lti_users as u')
    .select('u.issuer')
    .where('u.person_id', '=', notice.personId)
    .orderBy('u.issuer')
    .limit(1)
    .executeTakeFirst();
  if (account && /^https?:\/\//.test(account.issuer)) return { url: account.issuer, course: null };
  return { url: notice.publicUrl, course: null };
}

/**
 * The notice of an assignment as a mail in the person's language (their LMS locale; bokmål when
 * unknown), or undefined when the person has no e-mail address: then nothing is sent.
 */
export async function assignmentMail(db: Kysely<Schema>, notice: AssignmentNotice): Promise<OutgoingMail | undefined> {
  const person = await db
    .selectFrom('people as p')
    .innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select(['p.name', 'p.email', 'p.locale', 't.name as tenant'])
    .where('p.id', '=', notice.personId)
    .where('p.tenant_id', '=', notice.tenantId)
    .executeTakeFirst();
  const to = person?.email?.trim();
  if (!person || !to || !to.includes('@')) return undefined;
  const locale: Locale = person.locale ?? 'nb';
  const where = await whereToGo(db, notice);
  const values = {
    name: person.name ?? '',
    path: notice.pathTitle,
    competence: notice.competenceName[locale] ?? notice.competenceName.nb ?? '',
    tenant: person.tenant,
    date: writtenDay(locale, notice.dueOn),
    course: where.course ?? '',
    note: notice.note ?? '',
  };
  const line = (texts: Texts) => fill(texts[locale], values);
  const text = [
    person.name ? line(TEXTS.greeting) : line(TEXTS.greetingNoName),
    '',
    line(notice.assignedBy === 'manager' ? TEXTS.byManager : TEXTS.byAdmin),
    line(TEXTS.due),
    ...(notice.note ? ['', line(TEXTS.note)] : []),
    '',
    line(where.course ? TEXTS.whereCourse : TEXTS.where),
    where.url,
    '',
    '-- ',
    line(TEXTS.signature),
    '',
  ].join('\n');
  return {
    tenantId: notice.tenantId,
    personId: notice.personId,
    kind: ASSIGNMENT_MAIL,
    subjectId: notice.assignmentId,
    to,
    // A subject is one line: a title with a line break must not add headers.
    subject: line(TEXTS.subject).replace(/[\r\n]+/g, ' '),
    text,
  };
}
