import { Router } from 'express';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { fetchPlatformConfiguration, registerWithPlatform } from '../../lti/dynamic-registration.js';
import { savePlatformIn, validateRegistration, writePlatform } from '../../lti/platforms.js';
import { consumeRegistrationInvite, openRegistrationInvite } from '../../lti/registration-invites.js';
import { LtiRefusal } from '../../lti/refusal.js';
import { alert, button } from '../ds/components.js';
import { html } from '../html.js';
import { requestLocale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { adjustCsp, param } from './http.js';
import { tl } from './messages.js';

/** Tells the platform's registration window that we are done (Dynamic Registration 1.0 §3.7). */
export const REGISTRATION_CLOSE_JS = `(function () {
  var target = window.opener || window.parent;
  if (target && target !== window) target.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
})();
`;

/**
 * LTI Dynamic Registration: the LMS opens /lti/register with its configuration URL; an operator's
 * invitation names the tenant; the person at the LMS confirms on our page before anything is saved.
 */
export function registerRouter({ config, database }: { config: Config; database: Database }): Router {
  const router = Router();

  router.get('/lti/assets/registration-close.js', (_req, res) => void res.type('text/javascript').send(REGISTRATION_CLOSE_JS));

  router.get('/lti/register', async (req, res) => {
    const locale = requestLocale(req);
    const invite = param(req, 'invite');
    const configurationUrl = param(req, 'openid_configuration');
    const registrationToken = param(req, 'registration_token');
    if (!invite) throw new LtiRefusal('not-permitted', 'no registration invitation (npm run cli -- lti-invite)');
    if (!configurationUrl) throw new LtiRefusal('bad-login-request', 'openid_configuration is required');
    const { tenantId } = await openRegistrationInvite(database.db, config.keyEncryptionSecret, invite);
    const configuration = await fetchPlatformConfiguration(configurationUrl, registrationToken);
    const tenant = await database.db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
    adjustCsp(res, { frameAncestors: ['*'] });
    const product = configuration['https://purl.imsglobal.org/spec/lti-platform-configuration']?.product_family_code ?? '';
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'register.title'),
        body: html`<h1>${tl(locale, 'register.title')}</h1>
<p>${tl(locale, 'register.intro')}</p>
<dl class="app-facts"><dt>${tl(locale, 'register.issuer')}</dt><dd data-issuer>${configuration.issuer}</dd>
<dt>${tl(locale, 'register.product')}</dt><dd>${product}</dd>
<dt>${tl(locale, 'landing.tenant')}</dt><dd>${tenant.name}</dd></dl>
<form method="post" action="/lti/register">
<input type="hidden" name="invite" value="${invite}">
<input type="hidden" name="openid_configuration" value="${configurationUrl}">
<input type="hidden" name="registration_token" value="${registrationToken ?? ''}">
${button(tl(locale, 'register.confirm'))}
</form>`,
      }),
    );
  });

  router.post('/lti/register', async (req, res) => {
    const locale = requestLocale(req);
    const invite = await openRegistrationInvite(database.db, config.keyEncryptionSecret, param(req, 'invite') ?? '');
    const tenantId = invite.tenantId;
    const configurationUrl = param(req, 'openid_configuration');
    if (!configurationUrl) throw new LtiRefusal('bad-login-request', 'openid_configuration is required');
    const registrationToken = param(req, 'registration_token') || undefined;
    const configuration = await fetchPlatformConfiguration(configurationUrl, registrationToken);
    const registration = await registerWithPlatform(config.publicUrl, configuration, registrationToken, tenantId);
    validateRegistration(registration, config.nodeEnv !== 'production');
    const platform = await savePlatformIn(database.db, async (trx) => {
      if (!(await consumeRegistrationInvite(trx, invite.id, registration))) {
        throw new LtiRefusal('invite-unusable', `registration invitation ${invite.id} was used or revoked while the platform answered`);
      }
      return writePlatform(trx, registration);
    });
    req.log.info({ platform: platform.issuer, clientId: platform.clientId, tenant: tenantId, invite: invite.id }, 'lti platform registered dynamically');
    adjustCsp(res, { frameAncestors: ['*'] });
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'register.title'),
        body: html`<h1>${tl(locale, 'register.title')}</h1>
${alert('success', tl(locale, 'register.done'), { attrs: html` data-registered` })}
<dl class="app-facts"><dt>${tl(locale, 'register.issuer')}</dt><dd>${platform.issuer}</dd><dt>${tl(locale, 'register.client-id')}</dt><dd>${platform.clientId}</dd></dl>
<script src="/lti/assets/registration-close.js"></script>`,
      }),
    );
  });

  return router;
}
