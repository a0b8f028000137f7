import type { Response } from 'express';
import { themeHref } from './assets.js';
import { STYLESHEETS } from './ds/stylesheets.js';
import { html, type SafeHtml } from './html.js';
import { LOCALES, t, type Locale } from './i18n.js';

const LANGUAGE_NAMES: Record<Locale, string> = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' };

export interface PageOptions {
  locale: Locale;
  title: string;
  body: SafeHtml;
  /** Path of this page, used for the language links. */
  path?: string;
  /** Query parameters the language links must keep (a session token inside an LMS iframe). */
  keep?: Readonly<Record<string, string>>;
  /** The municipality's look on the pages of its sessions; Designsystemet's default theme without. */
  theme?: PageTheme | undefined;
}

export interface PageTheme {
  /** `#rrggbb`, checked for contrast when it was set. */
  accent: string | null;
  /** Where the logo is served from (our own origin), and the municipality's name as its text. */
  logo: { href: string; alt: string } | null;
}

export function page({ locale, title, body, path = '', keep = {}, theme }: PageOptions): SafeHtml {
  const languageLinks = LOCALES.map((l) =>
    l === locale
      ? html`<li><span class="ds-button" data-variant="secondary" data-size="sm" aria-current="true" lang="${l}">${LANGUAGE_NAMES[l]}</span></li>`
      : html`<li><a class="ds-button" data-variant="tertiary" data-size="sm" href="${path}?${new URLSearchParams({ ...keep, lang: l }).toString()}" lang="${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a></li>`,
  );
  // data-color-scheme="auto": light or dark as the person's system asks (Designsystemet's colour schemes).
  return html`<!doctype html>
<html lang="${locale}" data-color-scheme="auto">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title === t(locale, 'app.name') ? title : `${title} – ${t(locale, 'app.name')}`}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${STYLESHEETS.map((sheet) => html`<link rel="stylesheet" href="${sheet.href}">\n`)}${theme?.accent ? html`<link rel="stylesheet" href="${themeHref(theme.accent)}">` : ''}
</head>
<body>
<a class="ds-skip-link" href="#main">${t(locale, 'nav.skip')}</a>
<header class="app-header">
<p class="app-brand"><a href="/">${theme?.logo ? html`<img src="${theme.logo.href}" alt="${theme.logo.alt}">` : ''}<span>${t(locale, 'app.name')}</span></a></p>
<nav aria-label="${t(locale, 'nav.language')}"><ul class="app-languages">${languageLinks}</ul></nav>
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}

export function sendPage(res: Response, status: number, markup: SafeHtml): void {
  res.status(status).type('html').send(markup.value);
}
