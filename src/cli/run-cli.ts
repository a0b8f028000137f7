import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrate, readMigrationFiles } from '../db/migrations.js';
import type { Database } from '../db/database.js';
import { decodeCsv, parseMunicipalityCsv, parseRegionCsv } from '../tenants/municipality-csv.js';
import { importMunicipalities, importRegions, listTenants } from '../tenants/tenants.js';
import { COMPETENCE_USAGE, CompetenceUsageError, runCompetenceCommand } from './competence-commands.js';
import { CERTIFICATE_USAGE, runCertificateCommand } from './certificate-commands.js';
import { runContentCommand } from './content-commands.js';
import { PRIVACY_USAGE, runPrivacyCommand } from './privacy-commands.js';
import { openCliDatabase } from './open-cli-database.js';
import { ORG_USAGE, runOrgCommand } from './org-commands.js';
import { UsageError } from './usage-error.js';
import { LTI_USAGE, LtiCliError, runLtiCommand } from './lti-commands.js';
import { LINK_USAGE, runLinkCommand } from './link-commands.js';
import { runXapiClientCommand, XAPI_CLIENT_USAGE, XapiClientUsageError } from './xapi-client-command.js';
import { runXapiForwardingCommand, XAPI_FORWARDING_USAGE } from './xapi-forwarding-command.js';
import { runXapiEmissionCommand, XAPI_EMISSION_USAGE } from './xapi-emission-command.js';

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                 apply pending database migrations
  tenant import-municipalities <file.csv> [--retire-missing]
                                          create or update municipalities from a CSV in the shape of
                                          Statistics Norway's classification (kommunenummer, name, county)
  tenant import-regions <file.csv>        create regions from "region,kommunenummer" lines
  tenant list [--kind region|municipality] [--json]
  content import <tenant-id> <package.zip>
                                          import a SCORM 1.2 / 2004 package into the tenant's content
  content list <tenant-id>                list the tenant's content packages${ORG_USAGE}${LTI_USAGE}${LINK_USAGE}
${XAPI_CLIENT_USAGE}
${XAPI_FORWARDING_USAGE}
${XAPI_EMISSION_USAGE}${PRIVACY_USAGE}
${COMPETENCE_USAGE}${CERTIFICATE_USAGE}

The database is the one the tool uses: DATABASE_URL, or the embedded database in DATA_DIR. While the
tool runs on the embedded database, commands reach it through its socket in DATA_DIR/cli.`;

type Output = (line: string) => void;

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openCliDatabase(loadConfig());
  try {
    await migrate(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

function readCsvFile(file: string | undefined): string {
  if (!file) throw new UsageError('name the CSV file');
  return decodeCsv(fs.readFileSync(file));
}

export async function runCli(argv: readonly string[], out: Output = console.log): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'retire-missing': { type: 'boolean', default: false },
      kind: { type: 'string' },
      json: { type: 'boolean', default: false },
      scopes: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      tenant: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      'deployment-id': { type: 'string', multiple: true },
      name: { type: 'string' },
      'grace-days': { type: 'string' },
      days: { type: 'string' },
      all: { type: 'boolean', default: false },
      kommune: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      off: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      out: { type: 'string' },
      months: { type: 'string' },
      years: { type: 'string' },
      endpoint: { type: 'string' },
      key: { type: 'string' },
      filter: { type: 'string' },
      history: { type: 'boolean', default: false },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return;
  }

  if (command === 'migrate') {
    const database = await openCliDatabase(loadConfig());
    try {
      const applied = await migrate(database, readMigrationFiles(), (name) => out(`applied ${name}`));
      out(applied.length ? `${applied.length} migration(s) applied` : 'the database is up to date');
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'tenant' && sub === 'import-municipalities') {
    const rows = parseMunicipalityCsv(readCsvFile(rest[0]));
    const report = await withDatabase((database) =>
      importMunicipalities(database.db, rows, { retireMissing: values['retire-missing'] }),
    );
    out(`${rows.length} municipalities in the file: ${report.created.length} created, ${report.updated.length} updated, ${report.unchanged} unchanged`);
    if (report.updated.length) out(`updated: ${report.updated.join(', ')}`);
    if (report.retired.length) out(`retired (not in the file): ${report.retired.join(', ')}`);
    else if (report.notInFile.length) {
      out(`not in the file, left as they are (use --retire-missing to retire them): ${report.notInFile.join(', ')}`);
    }
    return;
  }

  if (command === 'tenant' && sub === 'import-regions') {
    const rows = parseRegionCsv(readCsvFile(rest[0]));
    const report = await withDatabase((database) => importRegions(database.db, rows));
    for (const region of report.regions) {
      out(`${region.created ? 'created' : 'updated'} region ${region.name} with ${region.municipalities} municipalities`);
    }
    return;
  }

  if (command === 'tenant' && sub === 'list') {
    const kind = values.kind;
    if (kind !== undefined && kind !== 'region' && kind !== 'municipality') {
      throw new UsageError('--kind must be region or municipality');
    }
    const tenants = await withDatabase((database) => listTenants(database.db, kind ? { kind } : {}));
    if (values.json) out(JSON.stringify(tenants, null, 2));
    else for (const tenant of tenants) out(`${tenant.kind}\t${tenant.kommunenummer ?? ''}\t${tenant.name}${tenant.retiredAt ? '\t(retired)' : ''}`);
    return;
  }

  if (command === 'content') {
    await runContentCommand(sub, rest, out);
    return;
  }

  if (command === 'org') {
    await withDatabase((database) => runOrgCommand(database.db, sub, rest, { kommune: values.kommune, 'dry-run': values['dry-run'] }, out));
    return;
  }

  if (command === 'privacy') {
    const config = loadConfig();
    await withDatabase((database) => runPrivacyCommand(database, config, sub, rest, { 'dry-run': values['dry-run'], months: values.months, years: values.years }, out));
    return;
  }

  if (command === 'xapi-client') {
    try {
      await withDatabase((database) =>
        runXapiClientCommand(database, sub, rest, { tenant: values.tenant, name: values.name, scopes: values.scopes, json: values.json }, out),
      );
    } catch (error) {
      if (error instanceof XapiClientUsageError) throw new UsageError(error.message);
      throw error;
    }
    return;
  }

  if (command === 'xapi-emission') {
    const config = loadConfig();
    try {
      await withDatabase((database) => runXapiEmissionCommand(database, config.publicUrl, sub, { tenant: values.tenant, json: values.json }, out));
    } catch (error) {
      if (error instanceof XapiClientUsageError) throw new UsageError(error.message);
      throw error;
    }
    return;
  }

  if (command === 'xapi-forwarding') {
    const config = loadConfig();
    try {
      await withDatabase((database) =>
        runXapiForwardingCommand(database, config.keyEncryptionSecret, sub, { tenant: values.tenant, endpoint: values.endpoint, key: values.key, filter: values.filter, history: values.history, json: values.json, publicUrl: config.publicUrl }, out),
      );
    } catch (error) {
      if (error instanceof XapiClientUsageError) throw new UsageError(error.message);
      throw error;
    }
    return;
  }

  if (await runLinkCommand(command, sub, rest, values, (work) => withDatabase((database) => work(database.db)), out)) return;
  if (command === 'competence') {
    try {
      await withDatabase((database) =>
        runCompetenceCommand(database, sub, rest, { tenant: values.tenant, dryRun: values['dry-run'], out: values.out }, out),
      );
    } catch (error) {
      if (error instanceof CompetenceUsageError) throw new UsageError(error.message);
      throw error;
    }
    return;
  }

  if (command === 'certificate-key') {
    await runCertificateCommand(sub, values, (work) => withDatabase((database) => work(database.db)), out);
    return;
  }

  try {
    if (await runLtiCommand(command, sub, rest, values, (work) => withDatabase((database) => work(database.db)), out)) return;
  } catch (error) {
    if (error instanceof LtiCliError) throw new UsageError(error.message);
    throw error;
  }

  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

