import { ConfigError } from './config.js';
import { MigrationError } from './db/migrations.js';
import { DataDirInUseError } from './db/pglite.js';
import { ContentCommandError } from './cli/content-commands.js';
import { runCli, USAGE, UsageError } from './cli/run-cli.js';
import { CsvImportError } from './tenants/municipality-csv.js';

/** Exits once what was written has reached the pipe: a bare process.exit cuts a long listing short. */
function exitWhenWritten(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

runCli(process.argv.slice(2)).then(
  () => exitWhenWritten(0),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else if (error instanceof CsvImportError) process.stderr.write(`The file was not imported; nothing was changed:\n${error.message}\n`);
    else if (error instanceof ContentCommandError) process.stderr.write(`The package was not imported:\n${error.message}\n`);
    else if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DataDirInUseError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof Error && 'code' in error && error.code === 'ENOENT') process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    exitWhenWritten(error instanceof ConfigError ? 78 : error instanceof UsageError ? 64 : 1);
  },
);
