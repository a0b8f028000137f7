/**
 * npx tsx bench/org/import-cpu.ts: the CPU a 50,000-employee import costs, on the Node side and in
 * its PostgreSQL backend (read from /proc, so PostgreSQL must run on this machine), for the first
 * import and an unchanged re-import. On a machine shared with other work the wall-clock figures of
 * the org-import scenario mostly measure waiting for a core; these figures do not.
 * BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { createServerDatabase } from '../../test/support/server-database.js';
import { openPostgres } from '../../src/db/postgres.js';
import { migrate } from '../../src/db/migrations.js';
import { importNow } from '../../src/organisation/hr-import/hr-import.js';
import { ensureMunicipality, nationalMunicipalities, municipalityCsvLines } from './national-organisation.js';
const server = await createServerDatabase(process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const database = openPostgres({ connectionString: server.url, poolMax: 1 });
await migrate(database);
const oslo = { ...nationalMunicipalities().find((m) => m.kommunenummer === '0301')!, employees: 50_000 };
const tenantId = await ensureMunicipality(database.db, oslo);
const bytes = Buffer.from(municipalityCsvLines(oslo).join('\n'));
const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]!.pid;
const ticks = (p: number | 'self') => { const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
for (const round of ['first import', 'unchanged re-import']) {
  const [pg0, me0, t0] = [ticks(pid), process.cpuUsage(), Date.now()];
  await importNow(database.db, { tenantId, actor: { kind: 'operator', id: 'cli' }, fileName: 'x.csv', bytes });
  const me = process.cpuUsage(me0);
  console.log(`${round}: wall ${Date.now() - t0} ms, Node CPU ${((me.user + me.system) / 1e6).toFixed(1)} s, PostgreSQL backend CPU ${(ticks(pid) - pg0).toFixed(1)} s`);
}
await database.close();
await server.drop();
