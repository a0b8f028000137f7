import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCliFailure } from '../../src/cli/cli-errors.js';
import { ToolNotReachableError } from '../../src/cli/open-cli-database.js';
import { runCli } from '../../src/cli/run-cli.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

/** What the operator reads when a command fails: one line, the exit code sysexits.h gives it. */
describe(`CLI failures as the operator reads them (${BACKEND})`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false });
    await sql`create table cli_failure_probe_parent (id uuid primary key)`.execute(testDb.database.db);
    await sql`create table cli_failure_probe (name text primary key, tenant_id uuid references cli_failure_probe_parent (id))`.execute(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  const refusal = async (statement: ReturnType<typeof sql>) => {
    const error = await statement.execute(testDb.database.db).then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    return describeCliFailure(error, false);
  };

  it('turns the database refusals an operator can cause into sentences', async () => {
    await sql`insert into cli_failure_probe (name) values ('HR')`.execute(testDb.database.db);
    const duplicate = await refusal(sql`insert into cli_failure_probe (name) values ('HR')`);
    expect(duplicate).toEqual({ text: 'Nothing was changed: that already exists (Key (name)=(HR) already exists.).', exitCode: 1 });
    const dangling = await refusal(sql`insert into cli_failure_probe (name, tenant_id) values ('x', '00000000-0000-4000-8000-000000000000')`);
    expect(dangling.text).toMatch(/^Nothing was changed: it refers to something that does not exist, or something else still refers to it \(Key \(tenant_id\)=/);
    const badValue = await refusal(sql`select * from cli_failure_probe where tenant_id = ${'not-a-uuid'}`);
    expect(badValue.text).toMatch(/^Nothing was changed: a value is not valid here \(invalid input syntax for type uuid/);
    for (const failure of [duplicate, dangling, badValue]) expect(failure.text).not.toContain('\n');
  });

  it('makes usage mistakes one line with exit code 64, pointing to --help', async () => {
    const unknownOption = describeCliFailure(await runCli(['tenant', 'list', '--colour'], () => {}).catch((e: unknown) => e), false);
    expect(unknownOption.exitCode).toBe(64);
    expect(unknownOption.text).toMatch(/^Unknown option '--colour'.*npm run cli -- --help/);
    const missingValue = describeCliFailure(await runCli(['tenant', 'list', '--kind'], () => {}).catch((e: unknown) => e), false);
    expect(missingValue).toMatchObject({ exitCode: 64, text: expect.stringContaining('--kind') });
    const unknownCommand = describeCliFailure(await runCli(['frobnicate'], () => {}).catch((e: unknown) => e), false);
    expect(unknownCommand).toEqual({ text: 'unknown command: frobnicate (npm run cli -- --help lists the commands and their options)', exitCode: 64 });
  });

  it('says when the running tool cannot be reached or the connection was lost', () => {
    expect(describeCliFailure(new ToolNotReachableError('The embedded database in /srv/data is in use by process 7, and no running tool answers'), false)).toEqual({
      text: 'The embedded database in /srv/data is in use by process 7, and no running tool answers',
      exitCode: 1,
    });
    expect(describeCliFailure(new Error('Connection terminated unexpectedly'), false).text).toBe(
      'The connection to the database was lost (did the tool stop?): Connection terminated unexpectedly',
    );
  });

  it('shows the stack of an unexpected error only with DEBUG', () => {
    const error = new TypeError('Cannot read properties of undefined');
    expect(describeCliFailure(error, false)).toEqual({ text: 'Unexpected error: Cannot read properties of undefined (run with DEBUG=1 to see where it happened)', exitCode: 70 });
    const debug = describeCliFailure(error, true);
    expect(debug.text).toContain('TypeError: Cannot read properties of undefined\n    at ');
  });
});
