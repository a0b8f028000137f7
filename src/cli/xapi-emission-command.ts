import type { Database } from '../db/database.js';
import { redriveParkedEmission } from '../xapi/emission/redrive.js';
import { parkedEmissions } from '../xapi/emission/writer.js';
import { OwnStatements } from '../xapi/own-statements.js';
import { resolveTenant, XapiClientUsageError } from './xapi-client-command.js';

export const XAPI_EMISSION_USAGE = `  xapi-emission parked --tenant <kommunenummer|tenant id> [--json]
                                          the tool's own statements that could not be stored, with the reasons
  xapi-emission redrive --tenant <…>      make them again from their events and store them (those refused again stay parked)`;

type Output = (line: string) => void;

/** `npm run cli -- xapi-emission …`: the parked statements of the tool's emission (docs/xapi-profile.md). */
export async function runXapiEmissionCommand(
  database: Database,
  publicUrl: string,
  sub: string | undefined,
  options: { tenant?: string | undefined; json: boolean },
  out: Output,
): Promise<void> {
  if (sub !== 'parked' && sub !== 'redrive') throw new XapiClientUsageError('xapi-emission needs parked or redrive');
  const tenantId = await resolveTenant(database, options.tenant);
  const db = database.db;
  if (sub === 'parked') {
    const { count, parked } = await parkedEmissions(db, tenantId, 1000);
    if (options.json) {
      out(JSON.stringify({ count, parked }, null, 2));
      return;
    }
    out(`parked: ${count}`);
    for (const p of parked) out(`  ${p.statementId}\t${p.source} event ${p.eventId}\t${p.parkedAt.toISOString()}\t${p.reason}`);
    return;
  }
  const outcome = await redriveParkedEmission(db, new OwnStatements(db, publicUrl), publicUrl, tenantId);
  out(options.json ? JSON.stringify(outcome) : `${outcome.stored} statement(s) stored; ${outcome.stillParked} still parked`);
}
