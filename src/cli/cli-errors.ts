import { ConfigError } from '../config.js';
import { CliSocketError } from '../db/cli-socket.js';
import { MigrationError } from '../db/migrations.js';
import { DataDirInUseError } from '../db/pglite.js';
import { CsvImportError } from '../tenants/municipality-csv.js';
import { ContentCommandError } from './content-commands.js';
import { ToolNotReachableError } from './open-cli-database.js';
import { OrgImportRefused } from './org-commands.js';
import { UsageError } from './usage-error.js';

/** sysexits.h: EX_USAGE, EX_SOFTWARE, EX_CONFIG. */
const EX_USAGE = 64;
const EX_SOFTWARE = 70;
const EX_CONFIG = 78;

export interface CliFailure {
  /** What to print on stderr: one line, except the lists of a CSV's or a configuration's problems. */
  readonly text: string;
  readonly exitCode: number;
}

/** A PostgreSQL error, from PGlite or from node-postgres (both carry the SQLSTATE and its fields). */
interface DatabaseErrorFields {
  message: string;
  code: string;
  detail?: string | undefined;
  constraint?: string | undefined;
}

function isDatabaseError(error: unknown): error is DatabaseErrorFields {
  if (!(error instanceof Error) || !('severity' in error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** PostgreSQL's refusal as a sentence an operator can act on (SQLSTATE classes, PostgreSQL manual appendix A). */
function describeDatabaseError(error: DatabaseErrorFields): string {
  const detail = error.detail ? ` (${error.detail})` : error.constraint ? ` (${error.constraint})` : '';
  switch (error.code) {
    case '23505':
      return `Nothing was changed: that already exists${detail}.`;
    case '23503':
      return `Nothing was changed: it refers to something that does not exist, or something else still refers to it${detail}.`;
    case '23502':
    case '23514':
      return `Nothing was changed: a value is missing or not allowed${detail}.`;
    case '25P03':
      return `The running tool disconnected this command: ${error.message}.`;
  }
  if (error.code.startsWith('22')) return `Nothing was changed: a value is not valid here (${error.message}).`;
  if (error.code.startsWith('08') || error.code.startsWith('57')) return `The connection to the database was lost: ${error.message}.`;
  return `The database refused the command: ${error.message} (SQLSTATE ${error.code}).`;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' / ');

/** Turns what a CLI command threw into what the operator reads, and the exit code. */
export function describeCliFailure(error: unknown, debug: boolean): CliFailure {
  if (error instanceof UsageError) return { text: `${error.message} (npm run cli -- --help lists the commands and their options)`, exitCode: EX_USAGE };
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code.startsWith('ERR_PARSE_ARGS_')) return { text: `${(error as Error).message} (npm run cli -- --help lists the commands and their options)`, exitCode: EX_USAGE };
  if (error instanceof ConfigError) return { text: error.message, exitCode: EX_CONFIG };
  if (error instanceof CsvImportError) return { text: `The file was not imported; nothing was changed:\n${error.message}`, exitCode: 1 };
  if (error instanceof OrgImportRefused) return { text: error.message, exitCode: 1 };
  if (error instanceof ContentCommandError) return { text: `The package was not imported: ${oneLine(error.message)}`, exitCode: 1 };
  if (error instanceof MigrationError || error instanceof DataDirInUseError || error instanceof ToolNotReachableError || error instanceof CliSocketError) {
    return { text: oneLine(error.message), exitCode: 1 };
  }
  if (isDatabaseError(error)) return { text: describeDatabaseError(error), exitCode: 1 };
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return { text: oneLine((error as Error).message), exitCode: 1 };
  if (error instanceof Error && /Connection terminated/i.test(error.message)) {
    return { text: `The connection to the database was lost (did the tool stop?): ${error.message}`, exitCode: 1 };
  }
  if (debug) return { text: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: EX_SOFTWARE };
  const message = error instanceof Error ? error.message : String(error);
  return { text: `Unexpected error: ${oneLine(message)} (run with DEBUG=1 to see where it happened)`, exitCode: EX_SOFTWARE };
}
