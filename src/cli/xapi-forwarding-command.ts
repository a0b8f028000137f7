import type { Database } from '../db/database.js';
import { isForwardingFilter } from '../xapi/forwarding/filter.js';
import { forwardingBox, forwardingStatus, ForwardingSettingsError, redriveForwarding, removeForwardingTarget, saveForwardingTarget } from '../xapi/forwarding/targets.js';
import { resolveTenant, XapiClientUsageError } from './xapi-client-command.js';

/** The secret comes from the environment, never from the command line (shell history, ps). */
export const FORWARDING_SECRET_VARIABLE = 'LRS_FORWARDING_SECRET';

export const XAPI_FORWARDING_USAGE = `  xapi-forwarding set --tenant <kommunenummer|tenant id> --endpoint <url> [--key <key>] [--filter all|completions] [--history]
                                          forward the tenant's statements to its own LRS (secret in ${FORWARDING_SECRET_VARIABLE};
                                          left unset on a change, the stored one stays, as does the key); --history also sends those already stored
  xapi-forwarding status --tenant <…> [--json]
                                          the queue: waiting, sent, parked statements with the receiver's reasons, paused or retrying
  xapi-forwarding redrive --tenant <…>    send the parked statements again and resume a paused target
  xapi-forwarding remove --tenant <…>     stop forwarding (the statements stay in the tool's LRS)`;

type Output = (line: string) => void;

export interface ForwardingCommandOptions {
  tenant?: string | undefined;
  endpoint?: string | undefined;
  key?: string | undefined;
  filter?: string | undefined;
  history: boolean;
  json: boolean;
  /** The tool's PUBLIC_URL: its own verbs of holdings count as completions when the waiting are counted. */
  publicUrl?: string | undefined;
}

const PROBLEMS: Record<ForwardingSettingsError['problem'], string> = {
  'endpoint-invalid': '--endpoint must be a full http(s) address without ? or #, e.g. https://lrs.kommune.no/xapi/',
  'endpoint-credentials': '--endpoint must not hold a user name or password: give --key, and the secret in ' + FORWARDING_SECRET_VARIABLE,
  'key-missing': '--key is required (1 to 500 characters, no colon)',
  'secret-missing': `set the secret in ${FORWARDING_SECRET_VARIABLE}`,
  'filter-invalid': '--filter must be all or completions',
};

export async function runXapiForwardingCommand(
  database: Database,
  keyEncryptionSecret: string,
  sub: string | undefined,
  options: ForwardingCommandOptions,
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const known = ['set', 'status', 'redrive', 'remove'];
  if (!sub || !known.includes(sub)) throw new XapiClientUsageError('xapi-forwarding needs set, status, redrive or remove');
  const tenantId = await resolveTenant(database, options.tenant);
  const db = database.db;
  if (sub === 'set') {
    const filter = options.filter ?? 'all';
    if (!isForwardingFilter(filter)) throw new XapiClientUsageError(PROBLEMS['filter-invalid']);
    try {
      const outcome = await saveForwardingTarget(db, forwardingBox(keyEncryptionSecret), tenantId, {
        endpoint: options.endpoint ?? '',
        key: options.key ?? '',
        secret: env[FORWARDING_SECRET_VARIABLE],
        filter,
        history: options.history,
      });
      out(`forwarding ${outcome} for tenant ${tenantId} (${filter})`);
    } catch (error) {
      if (error instanceof ForwardingSettingsError) throw new XapiClientUsageError(PROBLEMS[error.problem]);
      throw error;
    }
    return;
  }
  if (sub === 'status') {
    const status = await forwardingStatus(db, tenantId, options.publicUrl ? { publicUrl: options.publicUrl } : {});
    if (!status) {
      out(options.json ? 'null' : `tenant ${tenantId} forwards nothing`);
      return;
    }
    if (options.json) {
      out(JSON.stringify(status, null, 2));
      return;
    }
    const state = status.pausedReason ? `paused since ${status.pausedAt?.toISOString()}: ${status.pausedReason}`
      : status.retryAt && status.lastError ? `retrying at ${status.retryAt.toISOString()} (attempt ${status.attempts}): ${status.lastError}` : 'sending';
    out(`endpoint:  ${status.endpoint}`);
    out(`filter:    ${status.filter}`);
    out(`state:     ${state}`);
    out(`waiting:   ${status.pendingAtLeast ? 'at least ' : ''}${status.pending}`);
    out(`sent:      ${status.delivered}${status.deliveredAt ? ` (last ${status.deliveredAt.toISOString()})` : ''}`);
    out(`parked:    ${status.parkedCount}`);
    for (const p of status.parked) out(`  ${p.statementId}\t${p.parkedAt.toISOString()}\t${p.redrive ? '(to be sent again)' : p.reason}`);
    return;
  }
  if (sub === 'redrive') {
    const outcome = await redriveForwarding(db, tenantId);
    out(outcome ? `${outcome.redriven} parked statement(s) to be sent again${outcome.resumed ? '; forwarding resumed' : ''}` : `tenant ${tenantId} forwards nothing`);
    return;
  }
  out((await removeForwardingTarget(db, tenantId)) ? `forwarding removed for tenant ${tenantId}` : `tenant ${tenantId} forwards nothing`);
}
