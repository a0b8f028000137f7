import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root.js';

export const SAMPLE_PATH = path.join(PROJECT_ROOT, 'docs', 'samples', 'hr-import-eksempel.csv');

export function sampleBytes(): Buffer {
  return fs.readFileSync(SAMPLE_PATH);
}

/** Splits a `;` line of the sample (it has no quoted fields). */
function fieldsOf(line: string): string[] {
  return line.split(';');
}

/**
 * The sample as Excel in Norway saves it: windows-1252, with `separator` (`,` or `;`), every
 * percentage with a decimal comma (quoted when the separator is `,`), dates in the other format.
 */
export function windows1252Variant(separator: ',' | ';'): Buffer {
  const lines = sampleBytes().toString('utf8').trim().split('\n');
  const header = fieldsOf(lines[0]!);
  const at = (name: string) => header.indexOf(name);
  const out = lines.map((line, i) => {
    const fields = fieldsOf(line);
    if (i > 0) {
      const p = fields[at('stillingsprosent')]!;
      if (p) fields[at('stillingsprosent')] = p.includes(',') ? p : `${p},00`;
      for (const column of ['startdato', 'sluttdato']) {
        const d = fields[at(column)]!;
        const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
        const nor = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(d);
        if (iso) fields[at(column)] = `${iso[3]}.${iso[2]}.${iso[1]}`;
        if (nor) fields[at(column)] = `${nor[3]}-${nor[2]}-${nor[1]}`;
      }
    }
    return fields.map((f) => (f.includes(separator) ? `"${f}"` : f)).join(separator);
  });
  // æ, ø, å and their capitals are the same bytes in latin1 and windows-1252.
  return Buffer.from(`${out.join('\r\n')}\r\n`, 'latin1');
}

/** A `;` file of units and employments from rows of values in the sample's column order. */
export const HEADER = 'ansattnummer;fornavn;etternavn;e-post;enhetskode;enhetsnavn;overordnet enhet;stillingstittel;stillingskode;stillingsprosent;startdato;sluttdato;leder;person_sourcedid';

export function csv(...rows: string[]): Buffer {
  return Buffer.from([HEADER, ...rows].join('\n') + '\n', 'utf8');
}
