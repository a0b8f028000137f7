import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { importNow, type ImportActor, type ImportPreview } from '../organisation/hr-import/hr-import.js';
import { problemText } from '../organisation/hr-import/problems.js';
import { findMunicipality } from '../tenants/tenants.js';
import { UsageError } from './usage-error.js';

export const ORG_USAGE = `
  org import --kommune <kommunenummer> <file.csv> [--dry-run]
                                          import the municipality's org units and employments from an HR
                                          export (docs/hr-import.md): prints the preview and applies it, all
                                          or nothing; --dry-run only prints. Exit code 1 when the file has
                                          bad rows (each listed with its line) or was not applied`;

type Output = (line: string) => void;

/** The file was read and refused (bad rows), or applying was refused: nothing was changed. */
export class OrgImportRefused extends Error {}

/** How many changes of each kind are listed in full; the rest are counted. */
const LISTED = 50;

function printPreview(preview: ImportPreview, out: Output): void {
  const { plan, problems } = preview;
  const c = plan.counts;
  out(`${preview.record.fileName}: ${c.rows} rows (${preview.encoding}, separator "${preview.delimiter === '\t' ? '\\t' : preview.delimiter}"), import date ${plan.importDate}`);
  out(`units:       ${c.unitsAdded} added, ${c.unitsChanged} changed, ${c.unitsEnded} ended`);
  out(`employments: ${c.employmentsAdded} added, ${c.employmentsChanged} changed, ${c.employmentsEnded} ended`);
  out(`employees:   ${c.employeesAdded} new, ${c.employeesChanged} with new details, ${c.peopleDisappeared} no longer in the file`);
  const list = <T>(title: string, items: readonly T[], line: (item: T) => string) => {
    if (items.length === 0) return;
    out(`${title}:`);
    for (const item of items.slice(0, LISTED)) out(`  ${line(item)}`);
    if (items.length > LISTED) out(`  … and ${items.length - LISTED} more`);
  };
  list('units added', plan.units.added, (u) => `${u.code} ${u.name}${u.parentCode ? ` (under ${u.parentCode})` : ''}`);
  list('units changed', plan.units.changed, (u) => `${u.code} ${u.name}${u.parentCode ? ` (under ${u.parentCode})` : ''}`);
  list('units ended', plan.units.ended, (u) => `${u.code} ${u.name}`);
  list('people who disappear (their employments end on the import date)', plan.disappeared, (p) => `${p.employeeNumber} ${p.name ?? ''} (${p.employments} employment(s))`);
  if (problems.length > 0) {
    out(`${problems.length} problem(s) in ${c.badRows} row(s):`);
    for (const p of problems) out(`  line ${p.line}: ${problemText(p, 'en')}`);
  }
}

export async function runOrgCommand(db: Kysely<Schema>, sub: string | undefined, args: readonly string[], options: { kommune?: string | undefined; 'dry-run'?: boolean | undefined }, out: Output): Promise<void> {
  if (sub !== 'import') throw new UsageError('org needs a subcommand: import');
  const file = args[0];
  if (!file) throw new UsageError('name the CSV file: org import --kommune <kommunenummer> <file.csv>');
  if (args.length > 1) throw new UsageError(`one file at a time (got ${args.join(', ')})`);
  if (!options.kommune || !/^\d{4}$/.test(options.kommune)) throw new UsageError('--kommune <kommunenummer> (four digits) is required');
  const municipality = await findMunicipality(db, options.kommune);
  if (!municipality) throw new UsageError(`no municipality has kommunenummer ${options.kommune} (npm run cli -- tenant list)`);
  const bytes = fs.readFileSync(file);
  const actor = OPERATOR as ImportActor;
  // Read, compared and applied in one transaction: nobody confirms in between on the command line.
  const result = await importNow(db, { tenantId: municipality.id, actor, fileName: path.basename(file), bytes, dryRun: options['dry-run'] === true });
  out(`${municipality.name} (${options.kommune})`);
  printPreview(result, out);
  if (result.problems.length > 0) throw new OrgImportRefused(`The file was not imported; nothing was changed: ${result.plan.counts.badRows} bad row(s), listed above.`);
  if (!result.applied) {
    out('--dry-run: nothing was changed.');
    return;
  }
  out(`applied (import ${result.record.id}).`);
}
