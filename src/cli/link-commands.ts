import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { listEmployeeNumberTrust, setEmployeeNumberTrust } from '../people/link-conflicts.js';
import { addEmailDomain, EmailDomainError, listEmailDomains, removeEmailDomain } from '../tenants/email-domains.js';
import { findMunicipality } from '../tenants/tenants.js';
import { UsageError } from './usage-error.js';

export const LINK_USAGE = `
  tenant email-domain add|remove <kommunenummer> <domain>
                                          a municipality's e-mail domain (kongsberg.kommune.no): a
                                          region's shared platform places launches by it
  tenant email-domain list [<kommunenummer>] [--json]
  platform trust-ansattnummer --issuer URL [--off]
                                          the platform substitutes the custom parameter ansattnummer
                                          itself (Moodle: ansattnummer=$User.idnumber in the tool's
                                          settings), so launches may be linked to employees by it
  platform trust-ansattnummer --list`;

type Output = (line: string) => void;
type WithDb = <T>(work: (db: Kysely<Schema>) => Promise<T>) => Promise<T>;

export interface LinkCliValues {
  issuer?: string | undefined;
  off?: boolean | undefined;
  list?: boolean | undefined;
  json?: boolean | undefined;
}

async function municipality(db: Kysely<Schema>, kommunenummer: string | undefined): Promise<{ id: string; name: string }> {
  if (!kommunenummer || !/^\d{4}$/.test(kommunenummer)) throw new UsageError('name the municipality by its kommunenummer (four digits)');
  const found = await findMunicipality(db, kommunenummer);
  if (!found) throw new UsageError(`no municipality ${kommunenummer}; import municipalities first (tenant import-municipalities)`);
  return found;
}

/** Runs an e-mail-domain or ansattnummer-trust command; false when the command is not one of these. */
export async function runLinkCommand(command: string, sub: string | undefined, rest: readonly string[], values: LinkCliValues, withDb: WithDb, out: Output): Promise<boolean> {
  if (command === 'tenant' && sub === 'email-domain') {
    const [action, kommunenummer, domain] = rest;
    if (action === 'list') {
      await withDb(async (db) => {
        const tenants = kommunenummer
          ? [await municipality(db, kommunenummer)]
          : await db.selectFrom('tenants').select(['id', 'name']).where('kind', '=', 'municipality').orderBy('name').execute();
        const rows: { kommunenummer?: string; municipality: string; domain: string }[] = [];
        for (const t of tenants) for (const d of await listEmailDomains(db, t.id)) rows.push({ municipality: t.name, domain: d.domain });
        if (values.json) out(JSON.stringify(rows, null, 2));
        else for (const r of rows) out(`${r.domain}\t${r.municipality}`);
      });
      return true;
    }
    if (action !== 'add' && action !== 'remove') throw new UsageError('tenant email-domain add|remove <kommunenummer> <domain>, or tenant email-domain list');
    if (!domain) throw new UsageError('name the domain, e.g. kongsberg.kommune.no');
    await withDb(async (db) => {
      const tenant = await municipality(db, kommunenummer);
      try {
        const done = action === 'add' ? await addEmailDomain(db, tenant.id, domain) : await removeEmailDomain(db, tenant.id, domain);
        out(`${action === 'add' ? 'added' : 'removed'} ${done} ${action === 'add' ? 'to' : 'from'} ${tenant.name}`);
      } catch (error) {
        if (error instanceof EmailDomainError) throw new UsageError(error.message);
        throw error;
      }
    });
    return true;
  }
  if (command === 'platform' && sub === 'trust-ansattnummer') {
    await withDb(async (db) => {
      if (values.list) {
        for (const issuer of await listEmployeeNumberTrust(db)) out(issuer);
        return;
      }
      const issuer = values.issuer;
      if (!issuer) throw new UsageError('--issuer is required (or --list)');
      const known = await db.selectFrom('lti_platforms').select('id').where('issuer', '=', issuer).executeTakeFirst();
      if (!known) throw new UsageError(`no platform with issuer ${issuer} (platform list shows them)`);
      await setEmployeeNumberTrust(db, issuer, !values.off);
      out(values.off ? `${issuer}: ansattnummer is ignored again` : `${issuer}: ansattnummer links launches to employees (when e-mail and sourcedid agree)`);
    });
    return true;
  }
  return false;
}
