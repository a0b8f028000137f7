import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { APP_CSS } from './app-css.js';

const require = createRequire(import.meta.url);

/** A stylesheet served under a name that carries its content hash, so browsers may keep it for good. */
export interface Stylesheet {
  readonly href: string;
  readonly body: string;
  readonly etag: string;
}

function hashed(name: string, body: string): Stylesheet {
  const hash = createHash('sha256').update(body).digest('hex');
  return { href: `/assets/${name}.${hash.slice(0, 12)}.css`, body, etag: `"${hash}"` };
}

// Read once when the service starts, from the pinned @digdir/designsystemet-css in node_modules:
// no copy step in the build and no CDN.
const fromPackage = (specifier: string, name: string) => hashed(name, fs.readFileSync(require.resolve(specifier), 'utf8'));

/** In the order the page links them: the default theme (tokens), the components, then our own few rules. */
export const STYLESHEETS: readonly Stylesheet[] = [
  fromPackage('@digdir/designsystemet-css/theme', 'designsystemet-theme'),
  fromPackage('@digdir/designsystemet-css', 'designsystemet'),
  hashed('app', APP_CSS),
];
