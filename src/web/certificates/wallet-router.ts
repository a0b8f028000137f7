import express, { Router, type NextFunction, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { Certificates } from '../../certificates/service.js';
import type { WalletIssuer } from '../../certificates/wallet/issuance.js';
import { WalletError } from '../../certificates/wallet/protocol.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { alert, link, linkButton } from '../ds/components.js';
import { html } from '../html.js';
import { requestLocale, toLocale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { requireSession, sessionToken } from '../session.js';
import { certificateTitle, LEARNER_WALLET } from './learner-router.js';
import { tcert } from './messages.js';

const ISSUER = '/certificates/issuers/:tenantId';
const OFFER_TIME = {
  nb: new Intl.DateTimeFormat('nb-NO', { timeStyle: 'short', timeZone: 'Europe/Oslo' }),
  en: new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Europe/Oslo' }),
};

const tenantParam = (req: Request) => String(req.params['tenantId'] ?? '').toLowerCase();

function noStore(res: Response): Response {
  return res.setHeader('Cache-Control', 'no-store');
}

/**
 * The Credential Issuer's endpoints (OpenID4VCI 1.0, pre-authorized code), one issuer per
 * municipality: metadata at the well-known locations, the offer behind credential_offer_uri, token,
 * nonce and credential. Mounted with the machine clients' routers: it parses its own bodies and
 * answers every refusal as the protocol does ({"error": …} in JSON), never as a page.
 */
export function walletProtocolRouter({ wallet }: { wallet: WalletIssuer }): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  const json = express.json({ limit: '64kb', type: ['application/json'] });

  const issuerOr404 = async (req: Request) => {
    const tenant = await wallet.issuerTenant(tenantParam(req));
    if (!tenant) throw new ProblemError('not-found', 'No such credential issuer.');
    return tenant;
  };

  router.get(`/.well-known/openid-credential-issuer${ISSUER}`, async (req, res) => {
    const tenant = await issuerOr404(req);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(wallet.issuerMetadata(tenant));
  });

  router.get(`/.well-known/oauth-authorization-server${ISSUER}`, async (req, res) => {
    const tenant = await issuerOr404(req);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(wallet.authorizationServerMetadata(tenant.id));
  });

  router.get(`${ISSUER}/offers/:secret`, async (req, res) => {
    const tenant = await issuerOr404(req);
    const offer = await wallet.credentialOffer(tenant.id, String(req.params['secret'] ?? ''));
    noStore(res);
    if (!offer) {
      res.status(404).json({ error: 'invalid_request', error_description: 'The credential offer is unknown, expired or already used.' });
      return;
    }
    res.json(offer);
  });

  router.post(`${ISSUER}/token`, form, async (req, res) => {
    const tenant = await issuerOr404(req);
    if (!req.is('application/x-www-form-urlencoded')) throw new WalletError('invalid_request', 'The token request must be application/x-www-form-urlencoded.');
    noStore(res).json(await wallet.token(tenant.id, (req.body ?? {}) as Record<string, unknown>));
  });

  router.post(`${ISSUER}/nonce`, async (req, res) => {
    const tenant = await issuerOr404(req);
    noStore(res).json(wallet.nonce(tenant.id));
  });

  router.post(`${ISSUER}/credential`, json, async (req, res) => {
    const tenant = await issuerOr404(req);
    // RFC 6750 §2.1: the access token as a Bearer credential in the Authorization header.
    const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer && !req.is('application/json')) throw new WalletError('invalid_credential_request', 'The credential request must be application/json.');
    noStore(res).json(await wallet.credential(tenant.id, bearer, req.body));
  });

  // Refusals as the protocol answers them; a body that does not parse is the request's fault.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    let refusal = error instanceof WalletError ? error : undefined;
    const parserError = error as { type?: string; status?: number } | undefined;
    if (!refusal && typeof parserError?.type === 'string' && (parserError.type.startsWith('entity.') || parserError.type === 'parameters.too.many')) {
      refusal = new WalletError(req.path.endsWith('/credential') ? 'invalid_credential_request' : 'invalid_request', 'The request body could not be read.');
    }
    if (!refusal) return next(error);
    noStore(res);
    if (refusal.error === 'invalid_token') res.setHeader('WWW-Authenticate', `Bearer error="invalid_token", error_description="${refusal.description}"`);
    res.status(refusal.status).json(refusal.toBody());
  });

  return router;
}

/** "Legg i lommebok": a fresh offer for the person's own certificate, as a QR code, a link and its address. */
export function walletPageRouter({ sessions, certificates, wallet }: { sessions: SessionTokens; certificates: Certificates; wallet: WalletIssuer }): Router {
  const router = Router();

  router.get(LEARNER_WALLET, async (req, res) => {
    const session = await requireSession(req, sessions);
    const certificate = await certificates.findOf(session.tenantId, session.personId, String(req.params['certificateId'] ?? ''));
    if (!certificate) throw new ProblemError('not-found', 'No such certificate of yours.');
    const asked = toLocale(param(req, 'lang'));
    const locale = asked ?? toLocale(session.locale) ?? requestLocale(req);
    const keep = { session: sessionToken(req) ?? '' };
    const back = `/learn/competence?${new URLSearchParams({ ...keep, ...(asked ? { lang: asked } : {}) }).toString()}`;
    const title = tcert(locale, 'wallet.title');
    const what = certificateTitle(locale, certificate);
    noStore(res);
    if (!(await wallet.inForce(certificate))) {
      const body = html`<h1>${title}</h1>
${alert('warning', tcert(locale, 'wallet.not-in-force'), { attrs: html` data-wallet-refused` })}
<p>${link(back, tcert(locale, 'wallet.back'))}</p>`;
      return sendPage(res, 409, page({ locale, title, body, path: req.path, keep }));
    }
    const offer = await wallet.offer(certificate);
    const qr = await QRCode.toString(offer.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const time = OFFER_TIME[locale === 'en' ? 'en' : 'nb'].format(offer.expiresAt);
    const body = html`<h1>${title}</h1>
<p>${tcert(locale, 'wallet.intro', { what })}</p>
<section aria-labelledby="wallet-scan-heading" data-wallet-offer>
<h2 id="wallet-scan-heading">${tcert(locale, 'wallet.scan')}</h2>
<p>${tcert(locale, 'wallet.scan.help')}</p>
<p><img class="app-wallet-qr" src="data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}" alt="${tcert(locale, 'wallet.qr.alt')}" width="240" height="240" data-wallet-qr></p>
<p data-wallet-expires>${tcert(locale, 'wallet.expires', { time })}</p>
</section>
<section aria-labelledby="wallet-tx-code-heading">
<h2 id="wallet-tx-code-heading">${tcert(locale, 'wallet.tx-code')}</h2>
<p>${tcert(locale, 'wallet.tx-code.help')}</p>
<p class="app-wallet-tx-code"><code data-wallet-tx-code>${offer.txCode}</code></p>
</section>
<section aria-labelledby="wallet-no-scan-heading">
<h2 id="wallet-no-scan-heading">${tcert(locale, 'wallet.no-scan')}</h2>
<p>${tcert(locale, 'wallet.open.help')}</p>
<p>${linkButton(offer.link, tcert(locale, 'wallet.open'), { attrs: html` data-wallet-link` })}</p>
<p>${tcert(locale, 'wallet.copy')}</p>
<p class="app-wallet-address"><code data-wallet-address>${offer.link}</code></p>
</section>
<p>${tcert(locale, 'wallet.which')}</p>
<p>${link(back, tcert(locale, 'wallet.back'))}</p>`;
    sendPage(res, 200, page({ locale, title, body, path: req.path, keep }));
  });

  router.use(refusalHandler);
  return router;
}
