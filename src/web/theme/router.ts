import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { findLogo, getCertificateSignatory, getTenantLook, setCertificateSignatory, LOGO_LIMIT_BYTES, removeLogo, setAccentColor, setLogo, ThemeError, type LogoRefusal } from '../../tenants/themes.js';
import { readFormFile } from '../design-transfer/multipart-file.js';
import { alert, button, buttonRow } from '../ds/components.js';
import { errorSummary, input, type FormState } from '../ds/fields.js';
import { accentContrast, MINIMUM_CONTRAST, normaliseHex } from '../ds/theme.js';
import { html } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { fillIn, tt, type ThemeMessageId } from './messages.js';
import { logoHref, pageTheme } from './page-theme.js';
import { tcert } from '../certificates/messages.js';

export const THEME_PAGE = '/admin/theme';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const NOTICES = ['accent', 'reset', 'logo', 'logo-removed', 'certificate'] as const;

interface AdminContext {
  session: LtiSession;
  token: string;
  locale: Locale;
  lang: Locale | undefined;
  href(path: string, query?: Record<string, string>): string;
}

async function adminContext(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<AdminContext> {
  // Only a municipality's administrator, and only for the municipality of the session.
  const session = await requireSession(req, sessions, ['admin']);
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const href = (path: string, query: Record<string, string> = {}) =>
    `${path}?${new URLSearchParams({ session: token, ...(lang ? { lang } : {}), ...query }).toString()}`;
  return { session, token, locale, lang, href };
}

interface Problems {
  accent?: { value: string; message: string };
  logo?: string;
}

async function themePage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, problems: Problems = {}, notice?: string): Promise<void> {
  const { locale } = ctx;
  const look = await getTenantLook(db, ctx.session.tenantId);
  const accentNow = look?.theme.accentColor ?? null;
  const logoNow = look?.theme.logo ?? null;
  const errors = new Map<string, string>();
  if (problems.accent) errors.set('accent', problems.accent.message);
  if (problems.logo) errors.set('logo', problems.logo);
  const state: FormState = { locale, values: { accent: problems.accent?.value ?? accentNow ?? '' }, errors };
  const hidden = html`<input type="hidden" name="session" value="${ctx.token}">${ctx.lang ? html`<input type="hidden" name="lang" value="${ctx.lang}">` : ''}`;
  const body = html`<h1>${tt(locale, 'theme.title')}</h1>
<p>${fillIn(tt(locale, 'theme.intro'), { tenant: look?.name ?? '' })}</p>
${notice ? alert('success', notice, { live: 'status', attrs: html` data-theme-notice` }) : ''}
${errorSummary(state, { accent: tt(locale, 'theme.accent.heading'), logo: tt(locale, 'theme.logo') })}
<section aria-labelledby="accent-heading">
<h2 id="accent-heading">${tt(locale, 'theme.accent.heading')}</h2>
<p data-accent-now="${accentNow ?? ''}">${fillIn(tt(locale, 'theme.accent.current'), { value: accentNow ?? tt(locale, 'theme.accent.default') })}</p>
<form method="post" action="${THEME_PAGE}" novalidate>
${hidden}
${input(state, 'accent', tt(locale, 'theme.accent'), { hint: tt(locale, 'theme.accent.hint'), autocomplete: 'off' })}
${buttonRow(button(tt(locale, 'theme.accent.save'), { name: 'action', value: 'accent' }), accentNow ? button(tt(locale, 'theme.accent.reset'), { name: 'action', value: 'reset', variant: 'secondary' }) : '')}
</form>
</section>
<section aria-labelledby="logo-heading">
<h2 id="logo-heading">${tt(locale, 'theme.logo.heading')}</h2>
${logoNow
    ? html`<figure class="app-logo-preview"><img src="${logoHref(ctx.session.tenantId, logoNow.sha256)}" alt="${look?.name ?? ''}" data-logo-now><figcaption>${tt(locale, 'theme.logo.current')}</figcaption></figure>`
    : html`<p data-no-logo>${tt(locale, 'theme.logo.none')}</p>`}
<form method="post" action="${ctx.href(`${THEME_PAGE}/logo`)}" enctype="multipart/form-data">
<div class="ds-field">
<label class="ds-label" data-weight="medium" for="logo">${tt(locale, 'theme.logo')}</label>
<p class="ds-paragraph" data-field="description" id="logo-hint">${tt(locale, 'theme.logo.hint')}</p>
<input class="ds-input" id="logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp"${errors.has('logo') ? html` aria-invalid="true" aria-describedby="logo-hint logo-error"` : html` aria-describedby="logo-hint"`}>
${errors.has('logo') ? html`<p class="ds-validation-message" data-field="validation" id="logo-error">${errors.get('logo')}</p>` : ''}
</div>
${button(tt(locale, 'theme.logo.save'))}
</form>
${logoNow ? html`<form method="post" action="${THEME_PAGE}/logo/remove">${hidden}${button(tt(locale, 'theme.logo.remove'), { variant: 'secondary', danger: true })}</form>` : ''}
</section>
<section aria-labelledby="certificate-heading" data-theme-certificate>
<h2 id="certificate-heading">${tcert(locale, 'theme.heading')}</h2>
<p>${tcert(locale, 'theme.intro')}</p>
<form method="post" action="${THEME_PAGE}/certificate" novalidate>
${hidden}
${input({ locale, values: { signatory: (await getCertificateSignatory(db, ctx.session.tenantId)) ?? '' }, errors: new Map() }, 'signatory', tcert(locale, 'theme.signatory'), { hint: tcert(locale, 'theme.signatory.hint'), optional: true, wide: true })}
${button(tcert(locale, 'theme.save'))}
</form>
</section>`;
  sendPage(res, status, page({ locale, title: tt(locale, 'theme.title'), body, path: THEME_PAGE, keep: { session: ctx.token }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

/** The uploaded logo's bytes, at most the logo limit; a larger file is refused, never stored cut short. */
async function readLogo(req: Request): Promise<Buffer> {
  const file = await readFormFile(req, LOGO_LIMIT_BYTES);
  if (file === 'too-large') throw new ThemeError('logo-too-large');
  if (file === 'missing') throw new ThemeError('logo-empty');
  return file.bytes;
}

export interface ThemeRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
}

/** The admin's page for the municipality's look (`/admin/theme`) and the logos it serves. */
export function themeRouter({ db, sessions }: ThemeRouterDeps): Router {
  const router = Router();

  router.get(THEME_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    const notice = NOTICES.find((n) => n === param(req, 'notice'));
    await themePage(res, db, ctx, 200, {}, notice === 'certificate' ? tcert(ctx.locale, 'theme.saved') : notice ? tt(ctx.locale, `theme.saved.${notice}` as ThemeMessageId) : undefined);
  });

  router.post(THEME_PAGE, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    if (param(req, 'action') === 'reset') {
      await setAccentColor(db, ctx.session.tenantId, null, ctx.session.personId);
      res.redirect(303, ctx.href(THEME_PAGE, { notice: 'reset' }));
      return;
    }
    const value = (param(req, 'accent') ?? '').slice(0, 100);
    const hex = normaliseHex(value);
    if (!hex) {
      await themePage(res, db, ctx, 400, { accent: { value, message: tt(ctx.locale, 'theme.accent.invalid') } });
      return;
    }
    const contrast = await accentContrast(hex);
    if (contrast < MINIMUM_CONTRAST) {
      // Rounded down, so a colour just under the limit never reads as 4.5:1.
      const ratio = (Math.floor(contrast * 100) / 100).toLocaleString(ctx.locale === 'en' ? 'en-GB' : 'nb-NO');
      await themePage(res, db, ctx, 400, { accent: { value, message: fillIn(tt(ctx.locale, 'theme.accent.contrast'), { ratio }) } });
      return;
    }
    await setAccentColor(db, ctx.session.tenantId, hex, ctx.session.personId);
    req.log.info({ tenant: ctx.session.tenantId, accent: hex }, 'tenant accent colour set');
    res.redirect(303, ctx.href(THEME_PAGE, { notice: 'accent' }));
  });

  router.post(`${THEME_PAGE}/logo`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    try {
      await setLogo(db, ctx.session.tenantId, await readLogo(req), ctx.session.personId);
    } catch (error) {
      if (!(error instanceof ThemeError)) throw error;
      req.log.info({ refusal: error.code }, 'tenant logo refused');
      await themePage(res, db, ctx, error.code === 'logo-too-large' ? 413 : 400, { logo: tt(ctx.locale, `theme.logo.${error.code satisfies LogoRefusal}`) });
      return;
    }
    req.log.info({ tenant: ctx.session.tenantId }, 'tenant logo set');
    res.redirect(303, ctx.href(THEME_PAGE, { notice: 'logo' }));
  });

  router.post(`${THEME_PAGE}/logo/remove`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    await removeLogo(db, ctx.session.tenantId, ctx.session.personId);
    res.redirect(303, ctx.href(THEME_PAGE, { notice: 'logo-removed' }));
  });

  // The signatory's title printed on the municipality's certificates (docs/certificates.md).
  router.post(`${THEME_PAGE}/certificate`, async (req, res) => {
    const ctx = await adminContext(req, res, db, sessions);
    await setCertificateSignatory(db, ctx.session.tenantId, param(req, 'signatory') ?? '', ctx.session.personId);
    res.redirect(303, ctx.href(THEME_PAGE, { notice: 'certificate' }));
  });

  // A logo is public (it is in the header of every page of the municipality), addressed by its hash.
  router.get('/tenants/:tenantId/logo/:sha256', async (req, res) => {
    const { tenantId = '', sha256 = '' } = req.params;
    const logo = UUID.test(tenantId) && SHA256.test(sha256) ? await findLogo(db, tenantId, sha256) : undefined;
    if (!logo) throw new ProblemError('not-found', 'No such logo.');
    res.setHeader('Content-Type', logo.type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.end(logo.bytes);
  });

  router.use(refusalHandler);
  return router;
}
