import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Locale } from '../web/i18n.js';
import { groupedCode } from './codes.js';
import type { Certificate, Holder, Standing } from './certificates.js';

type Text = Record<Locale, string>;
const TEXTS = {
  'title.path': { nb: 'Kursbevis', nn: 'Kursbevis', en: 'Course certificate' },
  'title.holding': { nb: 'Kompetansebevis', nn: 'Kompetansebevis', en: 'Certificate of competence' },
  confirms: { nb: 'Dette bekrefter at', nn: 'Dette stadfestar at', en: 'This certifies that' },
  'completed.path': { nb: 'har fullført læringsløpet «{title}», versjon {version}, {date}.', nn: 'har fullført læringsløpet «{title}», versjon {version}, {date}.', en: 'completed the learning path “{title}”, version {version}, on {date}.' },
  'completed.holding': { nb: 'har dokumentert kompetanse registrert {date}.', nn: 'har dokumentert kompetanse registrert {date}.', en: 'has documented competence, registered on {date}.' },
  steps: { nb: 'Innhold i læringsløpet', nn: 'Innhald i læringsløpet', en: 'Contents of the learning path' },
  competences: { nb: 'Kompetanse', nn: 'Kompetanse', en: 'Competence' },
  'competences.none': { nb: 'Læringsløpet gir ingen kompetanse i katalogen.', nn: 'Læringsløpet gjev ingen kompetanse i katalogen.', en: 'The learning path grants no competence in the catalogue.' },
  'valid.until': { nb: 'gyldig til {date}', nn: 'gyldig til {date}', en: 'valid until {date}' },
  'valid.always': { nb: 'uten utløpsdato', nn: 'utan utløpsdato', en: 'does not expire' },
  level: { nb: 'nivå {level}', nn: 'nivå {level}', en: 'level {level}' },
  documented: { nb: 'Dokumentasjon: {what}', nn: 'Dokumentasjon: {what}', en: 'Documentation: {what}' },
  'documented.number': { nb: 'nummer {number}', nn: 'nummer {number}', en: 'number {number}' },
  'documented.issuer': { nb: 'utstedt av {issuer}', nn: 'utferda av {issuer}', en: 'issued by {issuer}' },
  issued: { nb: 'Utstedt av {issuer}', nn: 'Utferda av {issuer}', en: 'Issued by {issuer}' },
  'issued.region': { nb: 'Utstedt av {issuer} ({region})', nn: 'Utferda av {issuer} ({region})', en: 'Issued by {issuer} ({region})' },
  signatory: { nb: 'For kommunen: {title}', nn: 'For kommunen: {title}', en: 'For the municipality: {title}' },
  verify: { nb: 'Kontroller beviset', nn: 'Kontroller beviset', en: 'Verify this certificate' },
  'verify.how': { nb: 'Alle kan kontrollere at beviset er ekte og gyldig på {url}, eller ved å skrive inn koden på {page}.', nn: 'Alle kan kontrollere at beviset er ekte og gyldig på {url}, eller ved å skrive inn koden på {page}.', en: 'Anyone can check that this certificate is genuine and valid at {url}, or by entering the code at {page}.' },
  code: { nb: 'Kontrollkode: {code}', nn: 'Kontrollkode: {code}', en: 'Verification code: {code}' },
  qr: { nb: 'QR-kode som leder til kontrollsiden for beviset: {url}', nn: 'QR-kode som leier til kontrollsida for beviset: {url}', en: 'QR code leading to the verification page of this certificate: {url}' },
  logo: { nb: 'Logoen til {issuer}', nn: 'Logoen til {issuer}', en: 'The logo of {issuer}' },
  // Pages call an erased person so (src/web/privacy/admin-context.ts): the PDF does too.
  erased: { nb: 'Slettet person {code}', nn: 'Sletta person {code}', en: 'Erased person {code}' },
  revoked: { nb: 'Dette beviset er trukket tilbake.', nn: 'Dette beviset er trekt tilbake.', en: 'This certificate has been revoked.' },
} satisfies Record<string, Text>;

const LANG: Record<Locale, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

function say(locale: Locale, id: keyof typeof TEXTS, values: Record<string, string | number> = {}): string {
  return TEXTS[id][locale].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

function showDay(locale: Locale, date: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/** The municipality's look on its certificates: logo (PNG or JPEG: what PDF can show) and signatory title. */
export interface CertificateLook {
  readonly logo: Buffer | null;
  readonly signatory: string | null;
}

export async function certificateLook(db: Kysely<Schema>, tenantId: string): Promise<CertificateLook> {
  const row = await db.selectFrom('tenant_themes').select(['logo', 'logo_type', 'certificate_signatory']).where('tenant_id', '=', tenantId).executeTakeFirst();
  const logo = row?.logo && (row.logo_type === 'image/png' || row.logo_type === 'image/jpeg') ? row.logo : null;
  return { logo, signatory: row?.certificate_signatory ?? null };
}

export interface KursbevisInput {
  readonly certificate: Certificate;
  readonly standing: Standing;
  readonly holder: Holder;
  readonly locale: Locale;
  readonly verifyUrl: string;
  readonly verifyPage: string;
  readonly look: CertificateLook;
}

/**
 * The kursbevis as a tagged PDF (PDF/UA's needs as pdfkit meets them): a structure tree in reading
 * order (H1, P, H2, L/LI), the document's language and title shown as title, alternative text for
 * the logo and the QR code, and decoration marked as artifacts. Helvetica's encoding holds æøå.
 */
export function renderKursbevis(input: KursbevisInput): Promise<Buffer> {
  const { certificate, standing, holder, locale, look } = input;
  const { attests } = certificate;
  const name = holder.erased ? say(locale, 'erased', { code: holder.pseudonym }) : holder.name;
  const title = attests.path ? `${say(locale, 'title.path')}: ${attests.path.title}` : `${say(locale, 'title.holding')}: ${attests.competences[0]?.name[locale] ?? attests.competences[0]?.name.nb ?? ''}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    tagged: true,
    lang: LANG[locale],
    displayTitle: true,
    pdfVersion: '1.7',
    info: { Title: `${title} – ${name}`, Author: attests.issuer.name, Subject: say(locale, attests.path ? 'title.path' : 'title.holding'), Creator: 'Læringsløp',
      // The verification address in the document's properties (uncompressed): /verify reads it from an uploaded PDF.
      Keywords: input.verifyUrl },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  const block = (type: string, draw: () => void, options: { alt?: string } = {}) => root.add(doc.struct(type, options, draw));
  const width = doc.page.width - 112;

  if (look.logo) {
    block('Figure', () => doc.image(look.logo!, 56, 48, { fit: [160, 56] }), { alt: say(locale, 'logo', { issuer: attests.issuer.name }) });
    doc.y = 120;
  }
  // A rule under the heading is decoration: an artifact, not content.
  block('H1', () => doc.font('Helvetica-Bold').fontSize(26).text(say(locale, attests.path ? 'title.path' : 'title.holding'), 56, doc.y, { width }));
  doc.markContent('Artifact', { type: 'Layout' });
  doc.moveTo(56, doc.y + 4).lineTo(56 + width, doc.y + 4).lineWidth(1).strokeColor('#1e5aa0').stroke();
  doc.endMarkedContent();
  doc.moveDown(1);
  block('P', () => doc.font('Helvetica').fontSize(12).fillColor('black').text(say(locale, 'confirms'), { width }));
  block('P', () => doc.font('Helvetica-Bold').fontSize(20).text(name, { width }));
  block('P', () => doc.font('Helvetica').fontSize(12).text(
    attests.path
      ? say(locale, 'completed.path', { title: attests.path.title, version: attests.path.versionNumber, date: showDay(locale, attests.achievedOn) })
      : say(locale, 'completed.holding', { date: showDay(locale, attests.achievedOn) }),
    { width },
  ));
  if (standing.status === 'revoked') block('P', () => doc.font('Helvetica-Bold').fillColor('#b00020').text(say(locale, 'revoked'), { width }).fillColor('black').font('Helvetica'));

  const list = (heading: string, items: readonly string[]) => {
    doc.moveDown(0.8);
    block('H2', () => doc.font('Helvetica-Bold').fontSize(14).text(heading, { width }));
    const l = doc.struct('L');
    root.add(l);
    for (const item of items) l.add(doc.struct('LI', {}, [doc.struct('LBody', {}, () => doc.font('Helvetica').fontSize(11).text(`•  ${item}`, { width, indent: 8 }))]));
    l.end();
  };
  if (attests.path) list(say(locale, 'steps'), attests.path.steps);
  const competences = attests.competences.map((c) => {
    const parts = [c.name[locale] ?? c.name.nb];
    if (c.level !== null) parts.push(say(locale, 'level', { level: c.level }));
    parts.push(c.expiresOn ? say(locale, 'valid.until', { date: showDay(locale, c.expiresOn) }) : say(locale, 'valid.always'));
    return parts.join(', ');
  });
  if (competences.length) list(say(locale, 'competences'), competences);
  else {
    doc.moveDown(0.8);
    block('P', () => doc.font('Helvetica').fontSize(11).text(say(locale, 'competences.none'), { width }));
  }
  if (attests.documented && (attests.documented.number || attests.documented.issuer)) {
    const what = [attests.documented.number ? say(locale, 'documented.number', { number: attests.documented.number }) : '', attests.documented.issuer ? say(locale, 'documented.issuer', { issuer: attests.documented.issuer }) : ''].filter(Boolean).join(', ');
    block('P', () => doc.font('Helvetica').fontSize(11).text(say(locale, 'documented', { what }), { width }));
  }

  doc.moveDown(1.2);
  block('P', () => doc.font('Helvetica').fontSize(12).text(attests.issuer.region ? say(locale, 'issued.region', { issuer: attests.issuer.name, region: attests.issuer.region }) : say(locale, 'issued', { issuer: attests.issuer.name }), { width }));
  if (look.signatory) block('P', () => doc.font('Helvetica-Oblique').fontSize(12).text(say(locale, 'signatory', { title: look.signatory! }), { width }).font('Helvetica'));

  // The verification block at the foot of the page: the QR code beside the URL and the code.
  const qrSize = 96;
  const top = Math.max(doc.y + 24, doc.page.height - 56 - qrSize - 8);
  const textWidth = width - qrSize - 24;
  block('H2', () => doc.font('Helvetica-Bold').fontSize(13).text(say(locale, 'verify'), 56, top, { width: textWidth }));
  block('P', () => doc.font('Helvetica').fontSize(10).text(say(locale, 'verify.how', { url: input.verifyUrl, page: input.verifyPage }), { width: textWidth }));
  block('P', () => doc.font('Courier-Bold').fontSize(13).text(say(locale, 'code', { code: groupedCode(certificate.code) }), { width: textWidth }).font('Helvetica'));
  const qr = QRCode.create(input.verifyUrl, { errorCorrectionLevel: 'M' });
  const cells = qr.modules.size;
  const cell = qrSize / cells;
  const left = 56 + width - qrSize;
  block('Figure', () => {
    doc.save().fillColor('black');
    for (let row = 0; row < cells; row++) for (let col = 0; col < cells; col++) if (qr.modules.get(row, col)) doc.rect(left + col * cell, top + row * cell, cell + 0.05, cell + 0.05);
    doc.fill().restore();
  }, { alt: say(locale, 'qr', { url: input.verifyUrl }) });

  root.end();
  doc.end();
  return done;
}
