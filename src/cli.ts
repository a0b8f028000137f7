import { describeCliFailure } from './cli/cli-errors.js';
import { runCli } from './cli/run-cli.js';

/** Exits once what was written has reached the pipe: a bare process.exit cuts a long listing short. */
function exitWhenWritten(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

const debug = ['1', 'true', 'yes'].includes((process.env['DEBUG'] ?? '').toLowerCase());

runCli(process.argv.slice(2)).then(
  () => exitWhenWritten(0),
  (error: unknown) => {
    const failure = describeCliFailure(error, debug);
    process.stderr.write(`${failure.text}\n`);
    exitWhenWritten(failure.exitCode);
  },
);
