import { translator, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

export const tt = translator({
  'theme.title': m('Utseende for kommunen', 'Utsjånad for kommunen', 'Your municipality’s look'),
  'theme.intro': m(
    'Aksentfargen og logoen vises på sidene til alle i {tenant} som bruker Læringsløp. Uten egne valg brukes Designsystemets standard.',
    'Aksentfargen og logoen blir viste på sidene til alle i {tenant} som brukar Læringsløp. Utan eigne val blir standarden til Designsystemet brukt.',
    'The accent colour and logo are shown on the pages of everyone in {tenant} who uses Læringsløp. Without your own choice, Designsystemet’s default is used.',
  ),
  'theme.accent.heading': m('Aksentfarge', 'Aksentfarge', 'Accent colour'),
  'theme.accent': m('Aksentfarge (heksadesimal, for eksempel #0b5cad)', 'Aksentfarge (heksadesimal, til dømes #0b5cad)', 'Accent colour (hexadecimal, for example #0b5cad)'),
  'theme.accent.hint': m(
    'Fargen brukes på knapper og lenker og må ha kontrast minst 4,5:1 mot hvit bakgrunn (WCAG 2.1 AA). Mørk modus lages ut fra den.',
    'Fargen blir brukt på knappar og lenkjer og må ha kontrast minst 4,5:1 mot kvit bakgrunn (WCAG 2.1 AA). Mørk modus blir laga ut frå han.',
    'The colour is used on buttons and links and needs a contrast of at least 4.5:1 against a white background (WCAG 2.1 AA). Dark mode is made from it.',
  ),
  'theme.accent.current': m('Nå: {value}', 'No: {value}', 'Now: {value}'),
  'theme.accent.default': m('standardfargen', 'standardfargen', 'the default colour'),
  'theme.accent.save': m('Lagre fargen', 'Lagre fargen', 'Save the colour'),
  'theme.accent.reset': m('Bruk standardfargen', 'Bruk standardfargen', 'Use the default colour'),
  'theme.accent.invalid': m(
    'Skriv fargen som # og seks heksadesimale sifre, for eksempel #0b5cad.',
    'Skriv fargen som # og seks heksadesimale siffer, til dømes #0b5cad.',
    'Write the colour as # and six hexadecimal digits, for example #0b5cad.',
  ),
  'theme.accent.contrast': m(
    'Fargen har for lav kontrast mot hvit bakgrunn: {ratio}:1, minst 4,5:1 trengs. Velg en mørkere farge.',
    'Fargen har for låg kontrast mot kvit bakgrunn: {ratio}:1, minst 4,5:1 trengst. Vel ein mørkare farge.',
    'The colour has too little contrast against a white background: {ratio}:1, at least 4.5:1 is needed. Choose a darker colour.',
  ),
  'theme.logo.heading': m('Logo', 'Logo', 'Logo'),
  'theme.logo': m('Logofil', 'Logofil', 'Logo file'),
  'theme.logo.hint': m(
    'PNG, JPEG eller WebP, høyst 256 kB. Vises i toppen av sidene, med kommunenavnet som alternativ tekst.',
    'PNG, JPEG eller WebP, høgst 256 kB. Blir vist i toppen av sidene, med kommunenamnet som alternativ tekst.',
    'PNG, JPEG or WebP, at most 256 kB. Shown at the top of the pages, with the municipality’s name as its text alternative.',
  ),
  'theme.logo.current': m('Nåværende logo', 'Noverande logo', 'Current logo'),
  'theme.logo.none': m('Ingen logo er lastet opp.', 'Ingen logo er lasta opp.', 'No logo has been uploaded.'),
  'theme.logo.save': m('Last opp logoen', 'Last opp logoen', 'Upload the logo'),
  'theme.logo.remove': m('Fjern logoen', 'Fjern logoen', 'Remove the logo'),
  'theme.logo.logo-type': m(
    'Filen er ikke et PNG-, JPEG- eller WebP-bilde. SVG godtas ikke, fordi den kan inneholde skript.',
    'Fila er ikkje eit PNG-, JPEG- eller WebP-bilete. SVG blir ikkje godteke, fordi ho kan innehalde skript.',
    'The file is not a PNG, JPEG or WebP image. SVG is not accepted, as it can contain script.',
  ),
  'theme.logo.logo-too-large': m('Filen er større enn 256 kB. Lagre logoen mindre.', 'Fila er større enn 256 kB. Lagre logoen mindre.', 'The file is larger than 256 kB. Save the logo smaller.'),
  'theme.logo.logo-empty': m('Velg en fil å laste opp.', 'Vel ei fil å laste opp.', 'Choose a file to upload.'),
  'theme.saved.accent': m('Fargen er lagret.', 'Fargen er lagra.', 'The colour is saved.'),
  'theme.saved.reset': m('Standardfargen brukes igjen.', 'Standardfargen blir brukt att.', 'The default colour is used again.'),
  'theme.saved.logo': m('Logoen er lastet opp.', 'Logoen er lasta opp.', 'The logo is uploaded.'),
  'theme.saved.logo-removed': m('Logoen er fjernet.', 'Logoen er fjerna.', 'The logo is removed.'),
});

export type ThemeMessageId = Parameters<typeof tt>[1];

export const fillIn = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
