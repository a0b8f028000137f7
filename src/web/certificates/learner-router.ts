import { Router, type Response } from 'express';
import { groupedCode } from '../../certificates/codes.js';
import { certificateFileName, type Certificates, type CertificateWithStanding } from '../../certificates/service.js';
import type { Certificate } from '../../certificates/certificates.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { link, table } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { requireSession } from '../session.js';
import { tcert } from './messages.js';

export const LEARNER_PDF = '/learn/certificates/:certificateId/kursbevis.pdf';
export const LEARNER_CREDENTIAL = '/learn/certificates/:certificateId/credential.json';
/** The wallet offer's page (wallet-router.ts). */
export const LEARNER_WALLET = '/learn/certificates/:certificateId/wallet';

export function certificateTitle(locale: Locale, certificate: Certificate): string {
  const { attests } = certificate;
  if (attests.path) return tcert(locale, 'mine.kind.path', { title: attests.path.title });
  const competence = attests.competences[0];
  return tcert(locale, 'mine.kind.holding', { name: competence ? (competence.name[locale] ?? competence.name.nb) : '' });
}

/** The person's certificates on "Min kompetanse": download as PDF or credential, share the verification page. */
export function certificatesSection(locale: Locale, href: (path: string) => string, list: readonly CertificateWithStanding[], verifyUrl: (code: string) => string): SafeHtml {
  const title = tcert(locale, 'mine.title');
  return html`<section aria-labelledby="certificates-heading" data-certificates>
<h2 id="certificates-heading">${title}</h2>
<p>${tcert(locale, 'mine.intro')}</p>
${list.length === 0 ? html`<p data-no-certificates>${tcert(locale, 'mine.empty')}</p>` : table({
    label: title,
    rowHeader: true,
    columns: [{ label: tcert(locale, 'mine.col.what') }, { label: tcert(locale, 'mine.col.status') }, { label: tcert(locale, 'mine.col.download') }, { label: tcert(locale, 'mine.col.share') }],
    rows: list.map(({ certificate, standing }) => {
      const what = certificateTitle(locale, certificate);
      return {
        attrs: html` data-certificate="${certificate.id}" data-certificate-status="${standing.status}"`,
        cells: [
          what,
          tcert(locale, `mine.state.${standing.status}`),
          html`${link(href(LEARNER_PDF.replace(':certificateId', certificate.id)), tcert(locale, 'mine.pdf', { what }), html` download data-certificate-pdf`)}<br>${link(href(LEARNER_CREDENTIAL.replace(':certificateId', certificate.id)), tcert(locale, 'mine.credential', { what }), html` download data-certificate-credential`)}${standing.status === 'valid' ? html`<br>${link(href(LEARNER_WALLET.replace(':certificateId', certificate.id)), tcert(locale, 'mine.wallet', { what }), html` data-certificate-wallet`)}` : ''}`,
          html`${link(verifyUrl(certificate.code), tcert(locale, 'mine.share', { what }), html` data-certificate-share`)}<br><code>${groupedCode(certificate.code)}</code>`,
        ],
      };
    }),
  })}
</section>`;
}

export function sendPdf(res: Response, certificate: Certificate, pdf: Buffer): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Disposition', `attachment; filename="${certificateFileName(certificate, 'pdf')}"`);
  res.type('application/pdf').send(pdf);
}

/** The learner's own downloads: only their own certificates (another's id is not found, alike). */
export function learnerCertificatesRouter({ sessions, certificates }: { sessions: SessionTokens; certificates: Certificates }): Router {
  const router = Router();
  const own = async (personTenant: { tenantId: string; personId: string }, id: string) => {
    const certificate = await certificates.findOf(personTenant.tenantId, personTenant.personId, id);
    if (!certificate) throw new ProblemError('not-found', 'No such certificate of yours.');
    return certificate;
  };

  router.get(LEARNER_PDF, async (req, res) => {
    const session = await requireSession(req, sessions);
    const certificate = await own(session, String(req.params['certificateId'] ?? ''));
    const locale = toLocale(param(req, 'lang')) ?? toLocale(session.locale) ?? requestLocale(req);
    sendPdf(res, certificate, await certificates.pdf(certificate, locale));
  });

  router.get(LEARNER_CREDENTIAL, async (req, res) => {
    const session = await requireSession(req, sessions);
    const certificate = await own(session, String(req.params['certificateId'] ?? ''));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${certificateFileName(certificate, 'json')}"`);
    // The VC-JWT as a JSON string: what wallets that import Open Badges 3.0 files read.
    res.type('application/json').send(JSON.stringify(await certificates.credentialJwt(certificate)));
  });

  router.use(refusalHandler);
  return router;
}
