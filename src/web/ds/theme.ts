import type * as ColorModule from '@digdir/designsystemet/color';

// A municipality's accent colour as Designsystemet theme tokens. The colour scales come from
// Designsystemet's own generator (@digdir/designsystemet, its ./color entry only: colour maths, no
// CLI), loaded on first use so that starting the service does not pay for it.

let colorModule: Promise<typeof ColorModule> | undefined;
const colors = () => (colorModule ??= import('@digdir/designsystemet/color'));

/** The page background every theme keeps (Designsystemet's light background-default). */
export const PAGE_BACKGROUND = '#ffffff';
/** WCAG 2.1 AA for text (1.4.3): the accent colours buttons and is read as text on the page. */
export const MINIMUM_CONTRAST = 4.5;

const HEX = /^#[0-9a-f]{6}$/;

/** `#RRGGBB` in lower case, or undefined for anything else (names, short forms, alpha). */
export function normaliseHex(value: string): string | undefined {
  const hex = value.trim().toLowerCase();
  return HEX.test(hex) ? hex : undefined;
}

/** The contrast ratio of the accent against the page background, e.g. 6.67 for 6.67:1. */
export async function accentContrast(hex: string): Promise<number> {
  const { getContrastFromHex } = await colors();
  return getContrastFromHex(hex as `#${string}`, PAGE_BACKGROUND as `#${string}`);
}

const declarations = (scale: readonly { name: string; hex: string }[]) =>
  scale.map((c) => `--ds-color-accent-${c.name}:${c.hex};`).join('');

/**
 * The accent's scales for light and dark as CSS. Unlayered, so it wins over the default theme's
 * `@layer ds.theme.*` rules; dark applies to `data-color-scheme="dark"` and to "auto" when the
 * person's system asks for dark.
 */
export async function accentThemeCss(hex: string): Promise<string> {
  const { generateColorScale } = await colors();
  const light = declarations(generateColorScale(hex as `#${string}`, 'light'));
  const dark = declarations(generateColorScale(hex as `#${string}`, 'dark'));
  return [
    `/* Accent ${hex}: Designsystemet colour scales */`,
    `:root,[data-color-scheme=light]{${light}}`,
    `[data-color-scheme=dark]{${dark}}`,
    `@media (prefers-color-scheme:light){[data-color-scheme=auto]{${light}}}`,
    `@media (prefers-color-scheme:dark){[data-color-scheme=auto]{${dark}}}`,
    '',
  ].join('\n');
}
