import fs from 'node:fs';
import { OPERATOR } from '../audit/audit-log.js';
import { listCatalogue } from '../competence/catalogue.js';
import { catalogueToCsv } from '../competence/catalogue-csv.js';
import { applyCatalogueImport, CatalogueImportRefused, previewCatalogueImport, type CataloguePlan } from '../competence/catalogue-import.js';
import { catalogueProblemText } from '../competence/catalogue-messages.js';
import { today } from '../competence/holdings.js';
import { applyHoldingsImport, HoldingsImportRefused, previewHoldingsImport, type HoldingsPlan } from '../competence/holdings-import.js';
import { holdingsProblemText } from '../competence/holdings-messages.js';
import type { Database } from '../db/database.js';
import { decodeCsv } from '../tenants/municipality-csv.js';
import { findMunicipality, listTenants } from '../tenants/tenants.js';

export const COMPETENCE_USAGE = `  competence import --tenant <kommunenummer|region name|tenant id> <file.csv> [--dry-run]
                                          import competence areas and competences into the tenant's own
                                          catalogue (all or nothing; adds and updates by code, never removes);
                                          --dry-run shows what would change
  competence export --tenant <…> [--out <file.csv>]
                                          the tenant's own catalogue as CSV (UTF-8 with BOM, ";")
  competence list --tenant <…>            the catalogue the tenant sees (its own and its regions')
  competence holdings-import --tenant <kommunenummer|tenant id> <file.csv> [--dry-run]
                                          import holdings (formal education, authorisations) for the
                                          municipality's people (all or nothing; rows already recorded
                                          are left as they are); --dry-run shows what would be added`;

export class CompetenceUsageError extends Error {}

type Output = (line: string) => void;

async function resolveTenant(database: Database, value: string | undefined): Promise<string> {
  if (!value) throw new CompetenceUsageError('--tenant is required (a kommunenummer, a region name or a tenant id)');
  if (/^\d{4}$/.test(value)) {
    const municipality = await findMunicipality(database.db, value);
    if (!municipality) throw new CompetenceUsageError(`no municipality has kommunenummer ${value}`);
    return municipality.id;
  }
  const tenants = await listTenants(database.db);
  const tenant = tenants.find((t) => t.id === value) ?? tenants.find((t) => t.kind === 'region' && t.name.toLowerCase() === value.toLowerCase());
  if (!tenant) throw new CompetenceUsageError(`no region or tenant is named ${value}`);
  return tenant.id;
}

function describePlan(plan: CataloguePlan, out: Output): void {
  out(`${plan.competencesAdded.length} competence(s) to add, ${plan.competencesChanged.length} to change, ${plan.unchanged} unchanged; ${plan.areasAdded.length} new area(s)`);
  if (plan.competencesAdded.length) out(`added: ${plan.competencesAdded.join(', ')}`);
  if (plan.competencesChanged.length) out(`changed: ${plan.competencesChanged.join(', ')}`);
  if (plan.areasRenamed.length) out(`areas renamed: ${plan.areasRenamed.join(', ')}`);
  if (plan.notInFile.length) out(`not in the file, kept as they are: ${plan.notInFile.join(', ')}`);
  if (plan.ignoredColumns.length) out(`columns not used by the catalogue: ${plan.ignoredColumns.join(', ')}`);
}

function describeHoldingsPlan(plan: HoldingsPlan, out: Output): void {
  out(`${plan.added} holding(s) to add for ${plan.people} person(s), ${plan.renewals} of them renewals; ${plan.unchanged} already recorded`);
  if (plan.ignoredColumns.length) out(`columns not used: ${plan.ignoredColumns.join(', ')}`);
}

async function importHoldings(database: Database, tenantId: string, file: string | undefined, dryRun: boolean, out: Output): Promise<void> {
  if (!file) throw new CompetenceUsageError('name the CSV file');
  const tenant = await database.db.selectFrom('tenants').select('kind').where('id', '=', tenantId).executeTakeFirstOrThrow();
  if (tenant.kind !== 'municipality') throw new CompetenceUsageError('holdings belong to a municipality\'s people: name a municipality');
  const text = decodeCsv(fs.readFileSync(file));
  if (dryRun) {
    const plan = await previewHoldingsImport(database.db, tenantId, text, today());
    describeHoldingsPlan(plan, out);
    for (const problem of plan.problems) out(`line ${problem.line}: ${holdingsProblemText(problem, 'en')}`);
    if (plan.problems.length) throw new CompetenceUsageError(`${plan.problems.length} problem(s): the import would be refused`);
    out('dry run: nothing was written');
    return;
  }
  try {
    describeHoldingsPlan(await applyHoldingsImport(database.db, tenantId, text, OPERATOR, today()), out);
    out('imported');
  } catch (error) {
    if (!(error instanceof HoldingsImportRefused)) throw error;
    for (const problem of error.problems) out(`line ${problem.line}: ${holdingsProblemText(problem, 'en')}`);
    throw new CompetenceUsageError(`${error.problems.length} problem(s): nothing was imported`);
  }
}

export async function runCompetenceCommand(
  database: Database,
  sub: string | undefined,
  args: readonly string[],
  options: { tenant: string | undefined; dryRun: boolean; out: string | undefined },
  out: Output,
): Promise<void> {
  const tenantId = await resolveTenant(database, options.tenant);
  if (sub === 'holdings-import') {
    await importHoldings(database, tenantId, args[0], options.dryRun, out);
    return;
  }
  if (sub === 'import') {
    if (!args[0]) throw new CompetenceUsageError('name the CSV file');
    const text = decodeCsv(fs.readFileSync(args[0]));
    if (options.dryRun) {
      const plan = await previewCatalogueImport(database.db, tenantId, text);
      describePlan(plan, out);
      for (const problem of plan.problems) out(`line ${problem.line}: ${catalogueProblemText(problem, 'en')}`);
      if (plan.problems.length) throw new CompetenceUsageError(`${plan.problems.length} problem(s): the import would be refused`);
      out('dry run: nothing was written');
      return;
    }
    try {
      describePlan(await applyCatalogueImport(database.db, tenantId, text, OPERATOR), out);
      out('imported');
    } catch (error) {
      if (!(error instanceof CatalogueImportRefused)) throw error;
      for (const problem of error.problems) out(`line ${problem.line}: ${catalogueProblemText(problem, 'en')}`);
      throw new CompetenceUsageError(`${error.problems.length} problem(s): nothing was imported`);
    }
    return;
  }
  if (sub === 'export') {
    const csv = catalogueToCsv(await listCatalogue(database.db, tenantId, { ownOnly: true, includeRetired: true }));
    if (options.out) fs.writeFileSync(options.out, csv);
    else out(csv.replace(/\r\n$/, ''));
    return;
  }
  if (sub === 'list') {
    for (const area of await listCatalogue(database.db, tenantId)) {
      out(`${area.name.nb} (${area.code})${area.ownerTenantId === tenantId ? '' : ' [shared by the region]'}`);
      for (const c of area.competences) out(`  ${c.code}\t${c.name.nb}\t${c.kind}\t${c.defaultValidityMonths === null ? 'no expiry' : `${c.defaultValidityMonths} months`}`);
    }
    return;
  }
  throw new CompetenceUsageError(`unknown competence command: ${sub ?? '(none)'}`);
}
