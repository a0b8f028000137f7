import { sql } from 'kysely';
import { CLAIM } from '../../src/lti/claims.js';
import { launchScenario } from './lti-launch.js';

/** Employees HR knows in the bench municipality; launchers 0…999 are among them, 1000…1999 are not. */
const EMPLOYEES = 50_000;
const emailOf = (n: number) => `ansatt-${n}@kongsberg.bench.example`;

/**
 * The launch scenario in a municipality whose HR data is imported: 50,000 employees (people with
 * e-mail addresses, employees with employee numbers and LIS sourcedids). Every launch sends an
 * e-mail address and a person_sourcedid, as Moodle does. Half the 2,000 launchers are employees
 * (their first launch links them, later launches are linked people); the other half are not, and
 * each of their launches looks for an employee and finds none.
 */
export const scenario = launchScenario({
  name: 'lti-launch-hr',
  description: `lti-launch in a municipality with ${EMPLOYEES.toLocaleString('en')} employees from HR; launches carry e-mail and person_sourcedid, half the launchers are employees`,
  async seed(db, tenantId) {
    await sql`
      with made as (
        insert into people (tenant_id, name, email)
        select ${tenantId}::uuid, 'Ansatt ' || n, 'ansatt-' || n || '@kongsberg.bench.example' from generate_series(0, ${EMPLOYEES - 1}) as n
        returning id, email
      )
      insert into employees (tenant_id, person_id, employee_number, sourced_id)
      select ${tenantId}::uuid, id, 'A' || split_part(split_part(email, '@', 1), '-', 2), 'SIS-' || split_part(split_part(email, '@', 1), '-', 2) from made`.execute(db);
    await sql`analyze people`.execute(db);
    await sql`analyze employees`.execute(db);
  },
  // Launchers 0…999 are employees 0…999; launchers 1000…1999 have addresses HR does not know.
  claims: (user) => ({
    email: user < 1000 ? emailOf(user) : `gjest-${user}@example.org`,
    [CLAIM.lis]: { person_sourcedid: user < 1000 ? `SIS-${user}` : `GUEST-${user}` },
  }),
  // Most launchers have launched before the timed run (each of the 2,000 is drawn about twice), as
  // in a municipality using the tool: what is timed is mostly the launch of a known person.
  warmUp: 4000,
  note: `${EMPLOYEES.toLocaleString('en')} employees in the municipality; launches carry e-mail and person_sourcedid, half the 2,000 launchers are employees (about 13 % of them are first launched, and linked, in the timed run)`,
});
