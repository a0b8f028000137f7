import type { Locale } from '../web/i18n.js';

/** Why a package was refused. Each code has a text in every language we speak. */
export const IMPORT_MESSAGES = {
  'not-a-zip': {
    nb: 'Filen er ikke en gyldig zip-fil ({detail})',
    nn: 'Fila er ikkje ei gyldig zip-fil ({detail})',
    en: 'The file is not a valid zip file ({detail})',
  },
  'upload-too-large': {
    nb: 'Pakken er større enn grensen på {limit} byte',
    nn: 'Pakken er større enn grensa på {limit} byte',
    en: 'The package is larger than the limit of {limit} bytes',
  },
  'too-many-entries': {
    nb: 'Pakken har flere enn {limit} filer',
    nn: 'Pakken har fleire enn {limit} filer',
    en: 'The package has more than {limit} files',
  },
  'too-large-uncompressed': {
    nb: 'Pakken er større enn {limit} byte når den pakkes ut',
    nn: 'Pakken er større enn {limit} byte når han blir pakka ut',
    en: 'The package is larger than {limit} bytes when unpacked',
  },
  'entry-too-large': {
    nb: "Filen '{file}' er større enn {limit} byte når den pakkes ut",
    nn: "Fila '{file}' er større enn {limit} byte når ho blir pakka ut",
    en: "The file '{file}' is larger than {limit} bytes when unpacked",
  },
  'compression-ratio': {
    nb: "Filen '{file}' er komprimert mistenkelig mye (forhold {ratio}:1, grensen er {limit}:1); pakken ser ut som en zip-bombe",
    nn: "Fila '{file}' er komprimert mistenkeleg mykje (forhold {ratio}:1, grensa er {limit}:1); pakken ser ut som ei zip-bombe",
    en: "The file '{file}' is compressed suspiciously much (ratio {ratio}:1, the limit is {limit}:1); the package looks like a zip bomb",
  },
  'path-escapes': {
    nb: "Filstien '{file}' peker ut av pakken (zip slip)",
    nn: "Filstien '{file}' peikar ut av pakken (zip slip)",
    en: "The path '{file}' points outside the package (zip slip)",
  },
  'absolute-path': {
    nb: "Filstien '{file}' er absolutt; alle stier i pakken må være relative",
    nn: "Filstien '{file}' er absolutt; alle stiar i pakken må vere relative",
    en: "The path '{file}' is absolute; every path in the package must be relative",
  },
  'duplicate-path': {
    nb: "Filen '{file}' finnes mer enn én gang i pakken",
    nn: "Fila '{file}' finst meir enn éin gong i pakken",
    en: "The file '{file}' occurs more than once in the package",
  },
  'symlink': {
    nb: "Filen '{file}' er en symbolsk lenke; lenker godtas ikke",
    nn: "Fila '{file}' er ei symbolsk lenkje; lenkjer blir ikkje godtekne",
    en: "The file '{file}' is a symbolic link; links are not accepted",
  },
  'encrypted-entry': {
    nb: "Filen '{file}' er kryptert; pakken kan ikke leses",
    nn: "Fila '{file}' er kryptert; pakken kan ikkje lesast",
    en: "The file '{file}' is encrypted; the package cannot be read",
  },
  'corrupt-entry': {
    nb: "Filen '{file}' i pakken er skadet ({detail})",
    nn: "Fila '{file}' i pakken er skadd ({detail})",
    en: "The file '{file}' in the package is damaged ({detail})",
  },
  'manifest-missing': {
    nb: 'imsmanifest.xml mangler i roten av pakken',
    nn: 'imsmanifest.xml manglar i rota av pakken',
    en: 'imsmanifest.xml is missing from the root of the package',
  },
  'manifest-in-subfolder': {
    nb: "imsmanifest.xml ligger i mappen '{file}', men må ligge i roten av pakken; pakk innholdet av mappen på nytt",
    nn: "imsmanifest.xml ligg i mappa '{file}', men må liggje i rota av pakken; pakk innhaldet av mappa på nytt",
    en: "imsmanifest.xml is in the folder '{file}' but must be at the root of the package; zip the folder's contents again",
  },
  'manifest-dtd': {
    nb: 'imsmanifest.xml inneholder en DTD eller entitetsdeklarasjon, som ikke godtas av sikkerhetshensyn',
    nn: 'imsmanifest.xml inneheld ein DTD eller entitetsdeklarasjon, som ikkje blir godteken av tryggleiksomsyn',
    en: 'imsmanifest.xml contains a DTD or entity declaration, which is refused for security reasons',
  },
  'manifest-not-xml': {
    nb: 'imsmanifest.xml er ikke gyldig XML: {detail}',
    nn: 'imsmanifest.xml er ikkje gyldig XML: {detail}',
    en: 'imsmanifest.xml is not valid XML: {detail}',
  },
  'manifest-invalid': {
    nb: 'imsmanifest.xml er ikke et gyldig SCORM-manifest: {detail}',
    nn: 'imsmanifest.xml er ikkje eit gyldig SCORM-manifest: {detail}',
    en: 'imsmanifest.xml is not a valid SCORM manifest: {detail}',
  },
  'unsupported-version': {
    nb: 'Pakken bruker en SCORM-versjon vi ikke støtter ({detail}); vi støtter SCORM 1.2 og SCORM 2004 2., 3. og 4. utgave',
    nn: 'Pakken brukar ein SCORM-versjon vi ikkje støttar ({detail}); vi støttar SCORM 1.2 og SCORM 2004 2., 3. og 4. utgåve',
    en: 'The package uses a SCORM version we do not support ({detail}); we support SCORM 1.2 and SCORM 2004 2nd, 3rd and 4th edition',
  },
  'href-missing': {
    nb: "Filen '{file}' som manifestet peker på finnes ikke",
    nn: "Fila '{file}' som manifestet peikar på, finst ikkje",
    en: "The file '{file}' that the manifest points to does not exist",
  },
  'nothing-to-launch': {
    nb: 'Manifestet har ingen elementer som kan startes',
    nn: 'Manifestet har ingen element som kan startast',
    en: 'The manifest has no items that can be launched',
  },
} as const;

export type ImportErrorCode = keyof typeof IMPORT_MESSAGES;

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** A package refused for a reason a designer can act on. */
export class ContentImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(fill(IMPORT_MESSAGES[code].en, params));
    this.name = 'ContentImportError';
  }

  /** The file the problem is about, when there is one. */
  get file(): string | undefined {
    const file = this.params['file'];
    return file === undefined ? undefined : String(file);
  }

  text(locale: Locale): string {
    return fill(IMPORT_MESSAGES[this.code][locale], this.params);
  }

  texts(): Record<Locale, string> {
    return { nb: this.text('nb'), nn: this.text('nn'), en: this.text('en') };
  }
}
