import path from 'node:path/posix';

/** True for hrefs that name another site (http:, https:, mailto: …) rather than a package file. */
export function isExternalHref(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) && !/^[a-z]:[\\/]/i.test(href);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The package file an href names: query and fragment cut, percent-decoding applied (manifests write
 * `my%20file.html`), resolved against the xml:base chain, normalised. Undefined when it leaves the
 * package root.
 */
export function resolvePackagePath(href: string, ...bases: (string | null | undefined)[]): string | undefined {
  const bare = href.split(/[?#]/, 1)[0] ?? '';
  const joined = path.join(...bases.filter((b): b is string => !!b).map((b) => decode(b).replace(/\\/g, '/')), decode(bare).replace(/\\/g, '/'));
  const normal = path.normalize(joined);
  if (normal === '..' || normal.startsWith('../') || normal.startsWith('/')) return undefined;
  return normal === '.' ? '' : normal;
}

/** Launch href with the xml:base chain applied, keeping query and fragment as written. */
export function launchHref(href: string, ...bases: (string | null | undefined)[]): string | undefined {
  const cut = href.search(/[?#]/);
  const tail = cut >= 0 ? href.slice(cut) : '';
  const file = resolvePackagePath(href, ...bases);
  return file === undefined ? undefined : file + tail;
}
