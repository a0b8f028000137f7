import type { Response } from 'express';
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
}

export function page({ locale, title, body, path = '', keep = {} }: PageOptions): SafeHtml {
  const languageLinks = LOCALES.map((l) =>
    l === locale
      ? html`<li><span aria-current="true" lang="${l}">${LANGUAGE_NAMES[l]}</span></li>`
      : html`<li><a href="${path}?${new URLSearchParams({ ...keep, lang: l }).toString()}" lang="${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a></li>`,
  );
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title === t(locale, 'app.name') ? title : `${title} – ${t(locale, 'app.name')}`}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip-link" href="#main">${t(locale, 'nav.skip')}</a>
<header class="site-header">
<p class="brand"><a href="/">${t(locale, 'app.name')}</a></p>
<nav aria-label="${t(locale, 'nav.language')}"><ul class="languages">${languageLinks}</ul></nav>
</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

export function sendPage(res: Response, status: number, markup: SafeHtml): void {
  res.status(status).type('html').send(markup.value);
}
