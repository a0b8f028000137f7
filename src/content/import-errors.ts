import type { Locale } from '../web/i18n.js';

/** Why a package was refused. Each code has a text in every language we speak. */
export const IMPORT_MESSAGES = {
  'empty-file': {
    nb: 'Filen er tom (0 byte). Velg zip-filen på nytt; ble den kanskje ikke ferdig lagret?',
    nn: 'Fila er tom (0 byte). Vel zip-fila på nytt; vart ho kanskje ikkje ferdig lagra?',
    en: 'The file is empty (0 bytes). Choose the zip file again; perhaps it was not fully saved?',
  },
  'not-a-zip': {
    nb: 'Filen er ikke en zip-fil, eller den er ufullstendig. Velg en zip-fil, eksportert på nytt hvis det trengs.',
    nn: 'Fila er ikkje ei zip-fil, eller ho er ufullstendig. Vel ei zip-fil, eksportert på nytt om det trengst.',
    en: 'The file is not a zip file, or it is incomplete. Choose a zip file, exported again if need be.',
  },
  'damaged-zip': {
    nb: 'Zip-filen er skadet og kan ikke leses. Lag eller eksporter zip-filen på nytt.',
    nn: 'Zip-fila er skadd og kan ikkje lesast. Lag eller eksporter zip-fila på nytt.',
    en: 'The zip file is damaged and cannot be read. Make or export the zip file again.',
  },
  'upload-too-large': {
    nb: 'Filen er større enn grensen på {limit}',
    nn: 'Fila er større enn grensa på {limit}',
    en: 'The file is larger than the limit of {limit}',
  },
  'too-many-entries': {
    nb: 'Pakken har flere enn {limit} filer',
    nn: 'Pakken har fleire enn {limit} filer',
    en: 'The package has more than {limit} files',
  },
  'too-large-uncompressed': {
    nb: 'Pakken er større enn {limit} når den pakkes ut',
    nn: 'Pakken er større enn {limit} når han blir pakka ut',
    en: 'The package is larger than {limit} when unpacked',
  },
  'entry-too-large': {
    nb: "Filen '{file}' er større enn {limit} når den pakkes ut",
    nn: "Fila '{file}' er større enn {limit} når ho blir pakka ut",
    en: "The file '{file}' is larger than {limit} when unpacked",
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
    nb: "Filen '{file}' i pakken er skadet og kan ikke pakkes ut",
    nn: "Fila '{file}' i pakken er skadd og kan ikkje pakkast ut",
    en: "The file '{file}' in the package is damaged and cannot be unpacked",
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
    nb: 'imsmanifest.xml er ikke gyldig XML (feil på linje {line})',
    nn: 'imsmanifest.xml er ikkje gyldig XML (feil på linje {line})',
    en: 'imsmanifest.xml is not valid XML (error on line {line})',
  },
  'manifest-missing-element': {
    nb: 'imsmanifest.xml er ikke et gyldig SCORM-manifest: elementet {element} mangler',
    nn: 'imsmanifest.xml er ikkje eit gyldig SCORM-manifest: elementet {element} manglar',
    en: 'imsmanifest.xml is not a valid SCORM manifest: the element {element} is missing',
  },
  'manifest-missing-identifier': {
    nb: 'imsmanifest.xml er ikke et gyldig SCORM-manifest: et {element}-element mangler attributtet identifier',
    nn: 'imsmanifest.xml er ikkje eit gyldig SCORM-manifest: eit {element}-element manglar attributtet identifier',
    en: 'imsmanifest.xml is not a valid SCORM manifest: an {element} element has no identifier attribute',
  },
  'manifest-bad-value': {
    nb: 'imsmanifest.xml er ikke et gyldig SCORM-manifest: verdien i {element} er ikke tillatt',
    nn: 'imsmanifest.xml er ikkje eit gyldig SCORM-manifest: verdien i {element} er ikkje tillaten',
    en: 'imsmanifest.xml is not a valid SCORM manifest: the value in {element} is not allowed',
  },
  'manifest-unknown-reference': {
    nb: 'imsmanifest.xml er ikke et gyldig SCORM-manifest: {element} viser til noe som ikke finnes i manifestet',
    nn: 'imsmanifest.xml er ikkje eit gyldig SCORM-manifest: {element} viser til noko som ikkje finst i manifestet',
    en: 'imsmanifest.xml is not a valid SCORM manifest: {element} refers to something the manifest does not have',
  },
  'unsupported-version': {
    nb: 'Pakken bruker en SCORM-versjon vi ikke støtter ({version}); vi støtter SCORM 1.2 og SCORM 2004 2., 3. og 4. utgave',
    nn: 'Pakken brukar ein SCORM-versjon vi ikkje støttar ({version}); vi støttar SCORM 1.2 og SCORM 2004 2., 3. og 4. utgåve',
    en: 'The package uses a SCORM version we do not support ({version}); we support SCORM 1.2 and SCORM 2004 2nd, 3rd and 4th edition',
  },
  'version-unknown': {
    nb: 'imsmanifest.xml sier ikke hvilken SCORM-versjon pakken bruker (verken <schemaversion> eller adlcp:scormType er oppgitt)',
    nn: 'imsmanifest.xml seier ikkje kva SCORM-versjon pakken brukar (verken <schemaversion> eller adlcp:scormType er oppgitt)',
    en: 'imsmanifest.xml does not say which SCORM version the package uses (neither <schemaversion> nor adlcp:scormType is given)',
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
  'tincan-dtd': {
    nb: 'tincan.xml inneholder en DTD eller entitetsdeklarasjon, som ikke godtas av sikkerhetshensyn',
    nn: 'tincan.xml inneheld ein DTD eller entitetsdeklarasjon, som ikkje blir godteken av tryggleiksomsyn',
    en: 'tincan.xml contains a DTD or entity declaration, which is refused for security reasons',
  },
  'tincan-not-xml': {
    nb: 'tincan.xml er ikke gyldig XML (feil på linje {line})',
    nn: 'tincan.xml er ikkje gyldig XML (feil på linje {line})',
    en: 'tincan.xml is not valid XML (error on line {line})',
  },
  'tincan-missing-element': {
    nb: 'tincan.xml er ikke en gyldig xAPI-pakkebeskrivelse: {element} mangler eller mangler attributtet id',
    nn: 'tincan.xml er ikkje ei gyldig xAPI-pakkeskildring: {element} manglar eller manglar attributtet id',
    en: 'tincan.xml is not a valid xAPI package description: {element} is missing or has no id attribute',
  },
  'tincan-bad-value': {
    nb: 'tincan.xml er ikke en gyldig xAPI-pakkebeskrivelse: verdien i {element} er ikke tillatt (aktivitets-id-er må være unike IRI-er, og launch må være en fil i pakken)',
    nn: 'tincan.xml er ikkje ei gyldig xAPI-pakkeskildring: verdien i {element} er ikkje tillaten (aktivitets-id-ar må vere unike IRI-ar, og launch må vere ei fil i pakken)',
    en: 'tincan.xml is not a valid xAPI package description: the value in {element} is not allowed (activity ids must be unique IRIs, and launch must be a file of the package)',
  },
  'tincan-nothing-to-launch': {
    nb: 'tincan.xml har ingen aktivitet med <launch>, så kurset kan ikke startes',
    nn: 'tincan.xml har ingen aktivitet med <launch>, så kurset kan ikkje startast',
    en: 'tincan.xml has no activity with <launch>, so the course cannot be launched',
  },
  'cmi5-dtd': {
    nb: 'cmi5.xml inneholder en DTD eller entitetsdeklarasjon, som ikke godtas av sikkerhetshensyn',
    nn: 'cmi5.xml inneheld ein DTD eller entitetsdeklarasjon, som ikkje blir godteken av tryggleiksomsyn',
    en: 'cmi5.xml contains a DTD or entity declaration, which is refused for security reasons',
  },
  'cmi5-not-xml': {
    nb: 'cmi5.xml er ikke gyldig XML (feil på linje {line})',
    nn: 'cmi5.xml er ikkje gyldig XML (feil på linje {line})',
    en: 'cmi5.xml is not valid XML (error on line {line})',
  },
  'cmi5-missing-element': {
    nb: 'cmi5.xml er ikke en gyldig cmi5-kursstruktur: {element} mangler',
    nn: 'cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: {element} manglar',
    en: 'cmi5.xml is not a valid cmi5 course structure: {element} is missing',
  },
  'cmi5-bad-value': {
    nb: 'cmi5.xml er ikke en gyldig cmi5-kursstruktur: verdien i {element} er ikke tillatt',
    nn: 'cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: verdien i {element} er ikkje tillaten',
    en: 'cmi5.xml is not a valid cmi5 course structure: the value in {element} is not allowed',
  },
  'cmi5-duplicate-id': {
    nb: 'cmi5.xml er ikke en gyldig cmi5-kursstruktur: id-en i {element} er brukt mer enn én gang',
    nn: 'cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: id-en i {element} er brukt meir enn éin gong',
    en: 'cmi5.xml is not a valid cmi5 course structure: the id in {element} is used more than once',
  },
  'cmi5-misplaced-element': {
    nb: 'cmi5.xml er ikke en gyldig cmi5-kursstruktur: {element} står på feil plass (rekkefølgen er gitt av CourseStructure.xsd)',
    nn: 'cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: {element} står på feil plass (rekkjefølgja er gitt av CourseStructure.xsd)',
    en: 'cmi5.xml is not a valid cmi5 course structure: {element} is out of place (CourseStructure.xsd gives the order)',
  },
  'cmi5-unknown-objective': {
    nb: 'cmi5.xml er ikke en gyldig cmi5-kursstruktur: {element} viser til et mål som ikke finnes i kursstrukturen',
    nn: 'cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: {element} viser til eit mål som ikkje finst i kursstrukturen',
    en: 'cmi5.xml is not a valid cmi5 course structure: {element} refers to an objective the course structure does not have',
  },
  'cmi5-relative-url': {
    nb: 'cmi5.xml uten zip-pakke må ha fullstendige nettadresser: {element} er relativ (last opp zip-filen med innholdet, eller skriv hele adressen)',
    nn: 'cmi5.xml utan zip-pakke må ha fullstendige nettadresser: {element} er relativ (last opp zip-fila med innhaldet, eller skriv heile adressa)',
    en: 'cmi5.xml without a zip package needs fully qualified URLs: {element} is relative (upload the zip file with the content, or write the whole URL)',
  },
  'cmi5-url-parameter': {
    nb: "cmi5.xml er ikke en gyldig cmi5-kursstruktur: adressen i {element} har parameteren '{name}', som cmi5-starten selv setter",
    nn: "cmi5.xml er ikkje ein gyldig cmi5-kursstruktur: adressa i {element} har parameteren '{name}', som cmi5-starten sjølv set",
    en: "cmi5.xml is not a valid cmi5 course structure: the URL in {element} has the parameter '{name}', which the cmi5 launch sets itself",
  },
  'cmi5-no-au': {
    nb: 'cmi5.xml har ingen AU (<au>), så kurset kan ikke startes',
    nn: 'cmi5.xml har ingen AU (<au>), så kurset kan ikkje startast',
    en: 'cmi5.xml has no AU (<au>), so the course cannot be launched',
  },
} as const;

export type ImportErrorCode = keyof typeof IMPORT_MESSAGES;

/** Codes whose `limit` is a number of bytes, shown as people read sizes. */
const BYTE_LIMITS: ReadonlySet<ImportErrorCode> = new Set(['upload-too-large', 'too-large-uncompressed', 'entry-too-large']);

export function formatBytes(locale: Locale, bytes: number): string {
  const units = [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024]] as const;
  const [unit, size] = units.find(([, size]) => bytes >= size) ?? ['byte', 1];
  const number = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 1 }).format(bytes / size);
  return `${number} ${unit}`;
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * A package refused for a reason a designer can act on. The texts are ours in every language; what
 * a library said (`technical`) goes to the log, never to the page or the API answer.
 */
export class ContentImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly technical?: string,
  ) {
    super(fill(IMPORT_MESSAGES[code].en, BYTE_LIMITS.has(code) && typeof params['limit'] === 'number' ? { ...params, limit: formatBytes('en', params['limit']) } : params));
    this.name = 'ContentImportError';
  }

  /** The file the problem is about, when there is one. */
  get file(): string | undefined {
    const file = this.params['file'];
    return file === undefined ? undefined : String(file);
  }

  text(locale: Locale): string {
    const limit = this.params['limit'];
    const params = BYTE_LIMITS.has(this.code) && typeof limit === 'number' ? { ...this.params, limit: formatBytes(locale, limit) } : this.params;
    return fill(IMPORT_MESSAGES[this.code][locale], params);
  }

  texts(): Record<Locale, string> {
    return { nb: this.text('nb'), nn: this.text('nn'), en: this.text('en') };
  }
}
