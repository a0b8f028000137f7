import type { ContentImportError } from '../../content/import-errors.js';
import type { Locale } from '../../web/i18n.js';

/** Why a path archive was refused, in every language we speak; `{reason}` is a package's own refusal. */
export const ARCHIVE_MESSAGES = {
  'archive-unreadable': {
    nb: "Arkivet '{file}' ble ikke godtatt: {reason}",
    nn: "Arkivet '{file}' vart ikkje godteke: {reason}",
    en: "The archive '{file}' was refused: {reason}",
  },
  'manifest-missing': {
    nb: "path.json mangler i roten av arkivet '{file}'; er dette et arkiv eksportert fra Læringsløp?",
    nn: "path.json manglar i rota av arkivet '{file}'; er dette eit arkiv eksportert frå Læringsløp?",
    en: "path.json is missing from the root of the archive '{file}'; is this an archive exported from Læringsløp?",
  },
  'manifest-not-json': {
    nb: "path.json i arkivet '{file}' er ikke gyldig JSON; arkivet er endret eller skadet",
    nn: "path.json i arkivet '{file}' er ikkje gyldig JSON; arkivet er endra eller skadd",
    en: "path.json in the archive '{file}' is not valid JSON; the archive was changed or damaged",
  },
  'wrong-format': {
    nb: "path.json i arkivet '{file}' er ikke et læringsløp-arkiv (format {found})",
    nn: "path.json i arkivet '{file}' er ikkje eit læringsløp-arkiv (format {found})",
    en: "path.json in the archive '{file}' is not a learning path archive (format {found})",
  },
  'unsupported-version': {
    nb: "Arkivet '{file}' har formatversjon {found}; denne installasjonen leser versjon {supported}",
    nn: "Arkivet '{file}' har formatversjon {found}; denne installasjonen les versjon {supported}",
    en: "The archive '{file}' has format version {found}; this installation reads version {supported}",
  },
  'manifest-invalid': {
    nb: "path.json i arkivet '{file}' har feil i {fields}; arkivet er endret eller skadet",
    nn: "path.json i arkivet '{file}' har feil i {fields}; arkivet er endra eller skadd",
    en: "path.json in the archive '{file}' has errors in {fields}; the archive was changed or damaged",
  },
  'definition-invalid': {
    nb: "Læringsløpet i path.json i arkivet '{file}' er ikke gyldig; feil i {fields}",
    nn: "Læringsløpet i path.json i arkivet '{file}' er ikkje gyldig; feil i {fields}",
    en: "The learning path in path.json in the archive '{file}' is not valid; errors in {fields}",
  },
  'package-unlisted': {
    nb: "Steget «{step}» viser til pakken {package}, som ikke er oppført i path.json",
    nn: "Steget «{step}» viser til pakken {package}, som ikkje er ført opp i path.json",
    en: "The step “{step}” names the package {package}, which path.json does not list",
  },
  'package-missing': {
    nb: "Pakkefilen '{file}' som path.json viser til, finnes ikke i arkivet",
    nn: "Pakkefila '{file}' som path.json viser til, finst ikkje i arkivet",
    en: "The package file '{file}' that path.json names is not in the archive",
  },
  'package-kind': {
    nb: "Steget «{step}» trenger en {kind}-pakke, men '{file}' i arkivet er ikke det",
    nn: "Steget «{step}» treng ein {kind}-pakke, men '{file}' i arkivet er ikkje det",
    en: "The step “{step}” needs a {kind} package, but '{file}' in the archive is not one",
  },
  'package-invalid': {
    nb: "Pakkefilen '{file}' er ikke en gyldig SCORM-pakke: {reason}",
    nn: "Pakkefila '{file}' er ikkje ein gyldig SCORM-pakke: {reason}",
    en: "The package file '{file}' is not a valid SCORM package: {reason}",
  },
  'package-checksum': {
    nb: "Pakkefilen '{file}' er endret eller skadet: kontrollsummen stemmer ikke med path.json",
    nn: "Pakkefila '{file}' er endra eller skadd: kontrollsummen stemmer ikkje med path.json",
    en: "The package file '{file}' was changed or damaged: its checksum does not match path.json",
  },
} as const;

export type ArchiveErrorCode = keyof typeof ARCHIVE_MESSAGES;

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * An archive refused for a reason the designer can act on; `reason` is a package's or zip's own
 * refusal; `technical` what a library said, for the log only.
 */
export class ArchiveError extends Error {
  constructor(
    readonly code: ArchiveErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly reason?: ContentImportError,
    readonly technical?: string,
  ) {
    super(fill(ARCHIVE_MESSAGES[code].en, { ...params, ...(reason ? { reason: reason.text('en') } : {}) }));
    this.name = 'ArchiveError';
  }

  /** The file the problem is about: the archive, or a package file inside it. */
  get file(): string | undefined {
    const file = this.params['file'];
    return file === undefined ? undefined : String(file);
  }

  text(locale: Locale): string {
    return fill(ARCHIVE_MESSAGES[this.code][locale], { ...this.params, ...(this.reason ? { reason: this.reason.text(locale) } : {}) });
  }

  texts(): Record<Locale, string> {
    return { nb: this.text('nb'), nn: this.text('nn'), en: this.text('en') };
  }
}
