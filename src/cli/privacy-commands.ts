import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { OPERATOR } from '../audit/audit-log.js';
import { EvidenceStore, evidenceDir } from '../competence/evidence-files.js';
import { erasePerson } from '../privacy/erase.js';
import { exportPerson } from '../privacy/export.js';
import { keepPath, KeptPathError, keptPaths, releasePath } from '../privacy/kept-paths.js';
import { runRetention } from '../privacy/retention.js';
import { findMunicipality } from '../tenants/tenants.js';
import { UsageError } from './usage-error.js';

export const PRIVACY_USAGE = `
  privacy retention [--dry-run] [--months N]
                                          erase people with no active employment and no activity for
                                          RETENTION_MONTHS (default 36); --dry-run only counts them
  privacy export <kommunenummer> <person-id>
                                          everything the tool holds about a person, as JSON (audited)
  privacy erase <kommunenummer> <person-id>
                                          erase a person on request (audited; docs/privacy.md)
  privacy keep-path <kommunenummer> <path-id> --years N
                                          keep proof of a mandatory path's completions N years after erasure
  privacy release-path <kommunenummer> <path-id>
  privacy kept-paths <kommunenummer>`;

type Output = (line: string) => void;

async function municipality(database: Database, kommunenummer: string | undefined): Promise<string> {
  if (!kommunenummer || !/^\d{4}$/.test(kommunenummer)) throw new UsageError('name the municipality by its kommunenummer (four digits)');
  const tenant = await findMunicipality(database.db, kommunenummer);
  if (!tenant) throw new UsageError(`no municipality has kommunenummer ${kommunenummer}`);
  return tenant.id;
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  return Number(value);
}

export async function runPrivacyCommand(
  database: Database,
  config: Config,
  sub: string | undefined,
  args: readonly string[],
  options: { 'dry-run': boolean; months?: string | undefined; years?: string | undefined },
  out: Output,
): Promise<void> {
  if (sub === 'retention') {
    const months = wholeNumber(options.months, '--months') ?? config.retentionMonths;
    if (months < 1) throw new UsageError('--months must be at least 1');
    const report = await runRetention(database.db, { months, publicUrl: config.publicUrl, evidence: new EvidenceStore(evidenceDir(config.dataDir)), dryRun: options['dry-run'] });
    const since = report.cutoff.toISOString().slice(0, 10);
    if (options['dry-run']) {
      out(`dry run: ${report.candidates.length} people with no active employment and no activity since ${since} would be erased; ${report.proofsDue} kept proofs are past their keep-until date`);
    } else {
      out(`${report.erased} people with no active employment and no activity since ${since} erased; ${report.proofsRemoved} kept proofs removed; ${report.evidenceFilesRemoved} evidence files removed from disk`);
      if (report.evidenceFilesLeft > 0) out(`${report.evidenceFilesLeft} evidence files of erased people could not be removed from disk (${evidenceDir(config.dataDir)}); run again`);
    }
    return;
  }
  if (sub === 'export' || sub === 'erase') {
    const tenantId = await municipality(database, args[0]);
    const personId = args[1] ?? '';
    if (sub === 'export') {
      const data = await exportPerson(database.db, { tenantId, personId, publicUrl: config.publicUrl, actor: OPERATOR, format: 'json' });
      if (!data) throw new UsageError(`the municipality has no person ${personId}`);
      out(JSON.stringify(data, null, 2));
      return;
    }
    const result = await erasePerson(database.db, { tenantId, personId, actor: OPERATOR, reason: 'request', publicUrl: config.publicUrl, evidence: new EvidenceStore(evidenceDir(config.dataDir)) });
    if (!result) throw new UsageError(`the municipality has no person ${personId}`);
    out(result.erased ? `erased: now "Slettet person ${result.pseudonym}" (${result.keptProofs} proofs of mandatory training kept, ${result.evidenceFiles} evidence files removed)` : `already erased ("Slettet person ${result.pseudonym}")`);
    if (result.evidenceFilesLeft > 0) out(`${result.evidenceFilesLeft} evidence files could not be removed from disk yet; \`privacy retention\` removes them`);
    return;
  }
  if (sub === 'keep-path' || sub === 'release-path' || sub === 'kept-paths') {
    const tenantId = await municipality(database, args[0]);
    if (sub === 'kept-paths') {
      for (const p of await keptPaths(database.db, tenantId)) out(`${p.pathId}\t${p.keepYears} years\t${p.title}`);
      return;
    }
    const pathId = args[1] ?? '';
    if (sub === 'release-path') {
      out((await releasePath(database.db, tenantId, pathId, OPERATOR)) ? 'no longer kept' : 'the path was not kept');
      return;
    }
    const years = wholeNumber(options.years, '--years');
    if (years === undefined) throw new UsageError('--years is required');
    try {
      await keepPath(database.db, tenantId, pathId, years, OPERATOR);
    } catch (error) {
      if (error instanceof KeptPathError) throw new UsageError(error.code === 'bad-years' ? '--years must be between 1 and 50' : `the municipality sees no path ${pathId}`);
      throw error;
    }
    out(`completions of the path are kept as proof ${years} years after erasure`);
    return;
  }
  throw new UsageError(`unknown command: privacy ${sub ?? ''}`);
}
