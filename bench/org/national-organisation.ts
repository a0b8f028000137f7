/**
 * A national-scale municipal organisation for benchmarks: about 450,000 employees in the 357
 * municipalities of ../shared/data/kommuner.csv, with roles and part-time shares distributed as
 * in ../shared/data/stillinger-helse-omsorg.csv (Kompetanseløftet Nord-Troms).
 *
 * Size distribution (heavy-tailed, documented in docs/hr-import.md): municipality sizes follow a
 * Zipf law, employees(rank) = 52,000 × rank^-0.9, at least 90; the rank order puts the largest
 * municipalities by population first (Oslo, Bergen, Trondheim, Stavanger, Bærum, …) and the
 * rest in a seeded pseudo-random order. That gives 445,754 employees in all: Oslo 52,000, Bergen
 * 27,300, a median municipality of 488 and the smallest of 262 (90th percentile 2,067).
 *
 * Units: a root per municipality, 5 sectors, units of about 70 employees, and departments below
 * units of more than 120: 8,881 units in all. 8 % of employees hold a second, part-time employment.
 *
 * The files are read from ../shared/data/ (beside the project); the generator says so and stops
 * when they are absent. Nothing here runs in tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { applyPlan } from '../../src/organisation/hr-import/apply-plan.js';
import { readCurrentState } from '../../src/organisation/hr-import/current-state.js';
import { planImport } from '../../src/organisation/hr-import/plan.js';
import { readHrFile } from '../../src/organisation/hr-import/read-file.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

export const SHARED_DATA = path.resolve(PROJECT_ROOT, '..', 'shared', 'data');

export interface MunicipalitySpec {
  readonly kommunenummer: string;
  readonly name: string;
  readonly countyNumber: string;
  readonly countyName: string;
  readonly employees: number;
}

interface Role {
  readonly title: string;
  readonly weight: number;
  /** Shares of under 50 %, 50–75 %, 76–99 %, 100 %. */
  readonly shares: readonly [number, number, number, number];
}

const LARGEST_FIRST = ['0301', '4601', '5001', '1103', '3201', '4204', '3301', '3205', '3107', '1108', '5501', '3203', '1804'];
const SECTORS = ['Helse og omsorg', 'Oppvekst og utdanning', 'Teknisk drift', 'Kultur og fritid', 'Administrasjon og økonomi'];
const SECTOR_WEIGHTS = [0.45, 0.3, 0.1, 0.05, 0.1];
const GIVEN = ['Kari', 'Ola', 'Ingrid', 'Nils', 'Åse', 'Jørgen', 'Sigrid', 'Mohammed', 'Fatima', 'Lars', 'Eva', 'Per', 'Marte', 'Ali', 'Hanne', 'Bjørn'];
const FAMILY = ['Nordmann', 'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Berg', 'Dahl', 'Lie', 'Bråten', 'Øvrebø', 'Haugen', 'Hagen', 'Ali'];

/** A small seeded generator (mulberry32): the same seed gives the same organisation. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requireSharedFile(name: string): string {
  const file = path.join(SHARED_DATA, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is not there: the national organisation is generated from ../shared/data/ beside the project`);
  return fs.readFileSync(file, 'utf8');
}

function readRoles(): Role[] {
  const [, ...lines] = requireSharedFile('stillinger-helse-omsorg.csv').trim().split(/\r?\n/);
  return lines.map((line) => {
    const [title, count, a, b, c, d] = line.split(',');
    return { title: title!, weight: Number(count), shares: [Number(a), Number(b), Number(c), Number(d)] };
  });
}

/** The 357 municipalities with their generated number of employees (see the file's comment). */
export function nationalMunicipalities(seed = 14): MunicipalitySpec[] {
  const [, ...lines] = requireSharedFile('kommuner.csv').trim().split(/\r?\n/);
  const all = lines.map((line) => {
    const [kommunenummer, name, countyNumber, countyName] = line.split(',');
    return { kommunenummer: kommunenummer!, name: name!, countyNumber: countyNumber!, countyName: countyName! };
  });
  const rnd = random(seed);
  const rest = all.filter((m) => !LARGEST_FIRST.includes(m.kommunenummer)).map((m) => ({ m, key: rnd() })).sort((a, b) => a.key - b.key).map((x) => x.m);
  const ordered = [...LARGEST_FIRST.map((n) => all.find((m) => m.kommunenummer === n)!).filter(Boolean), ...rest];
  return ordered.map((m, i) => ({ ...m, employees: Math.max(90, Math.round(52_000 * (i + 1) ** -0.9)) }));
}

function pick<T>(rnd: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let at = rnd() * total;
  for (const item of items) {
    at -= weight(item);
    if (at < 0) return item;
  }
  return items[items.length - 1]!;
}

/** A percentage in the role's part-time bucket, with a decimal now and then (as payroll has them). */
function percentageFor(rnd: () => number, role: Role): string {
  const bucket = pick(rnd, [0, 1, 2, 3], (i) => role.shares[i]!);
  const [low, high] = ([[10, 49], [50, 75], [76, 99], [100, 100]] as const)[bucket]!;
  const whole = low + Math.floor(rnd() * (high - low + 1));
  return whole < 100 && rnd() < 0.15 ? `${whole},5` : String(whole);
}

const HEADER = 'ansattnummer;fornavn;etternavn;e-post;enhetskode;enhetsnavn;overordnet enhet;stillingstittel;stillingskode;stillingsprosent;startdato;sluttdato;leder;person_sourcedid';

/** One municipality's HR export (UTF-8, `;`), as lines; `seed` varies who works where. */
export function municipalityCsvLines(spec: MunicipalitySpec, seed = 1): string[] {
  const rnd = random(Number(spec.kommunenummer) * 7919 + seed);
  const roles = readRoles();
  const k = spec.kommunenummer;
  const lines = [HEADER, `;;;;${k};${spec.name} kommune;;;;;;;;`];
  // Units of about 70 employees under the sectors; large units get departments.
  const leaves: { code: string; name: string; parent: string }[] = [];
  SECTORS.forEach((sector, s) => {
    const sectorCode = `${k}-${s + 1}`;
    lines.push(`;;;;${sectorCode};${sector};${k};;;;;;;`);
    const people = Math.round(spec.employees * SECTOR_WEIGHTS[s]!);
    const units = Math.max(1, Math.round(people / 70));
    for (let u = 1; u <= units; u += 1) {
      const unitCode = `${sectorCode}-${String(u).padStart(3, '0')}`;
      const unitName = `${sector} enhet ${u}`;
      const parentName = `${sector}`;
      if (people / units > 120) {
        lines.push(`;;;;${unitCode};${unitName};${sectorCode};;;;;;;`);
        for (const d of ['A', 'B']) leaves.push({ code: `${unitCode}-${d}`, name: `${unitName} avdeling ${d}`, parent: unitCode });
      } else {
        leaves.push({ code: unitCode, name: unitName, parent: sectorCode });
      }
      void parentName;
    }
  });
  const leader = roles.find((r) => r.title.startsWith('Leder'))!;
  const staff = roles.filter((r) => r !== leader);
  const led = new Set<string>();
  for (let e = 1; e <= spec.employees; e += 1) {
    const number = `${k}${String(e).padStart(6, '0')}`;
    const given = GIVEN[Math.floor(rnd() * GIVEN.length)]!;
    const family = FAMILY[Math.floor(rnd() * FAMILY.length)]!;
    const email = `${number}@${k}.kommune.example`;
    const employments = rnd() < 0.08 ? 2 : 1;
    const used = new Set<string>();
    for (let n = 0; n < employments; n += 1) {
      const unit = leaves[Math.floor(rnd() * leaves.length)]!;
      if (used.has(unit.code)) continue;
      used.add(unit.code);
      const leads = !led.has(unit.code) && n === 0;
      if (leads) led.add(unit.code);
      const role = leads ? leader : pick(rnd, staff, (r) => r.weight);
      const percentage = employments === 2 ? String(20 + Math.floor(rnd() * 30)) : percentageFor(rnd, role);
      const start = `${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}.${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}.${2000 + Math.floor(rnd() * 26)}`;
      lines.push(`${number};${given};${family};${email};${unit.code};${unit.name};${unit.parent};${role.title};;${percentage};${start};;${leads ? 'ja' : 'nei'};`);
    }
  }
  return lines;
}

/** Writes one municipality's HR export to `file`; answers the number of data rows. */
export function writeMunicipalityCsv(file: string, spec: MunicipalitySpec, seed = 1): number {
  const lines = municipalityCsvLines(spec, seed);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

/** Creates (or finds) the municipality's tenant without disturbing an official one already there. */
export async function ensureMunicipality(db: Kysely<Schema>, spec: MunicipalitySpec): Promise<string> {
  const row = await db
    .insertInto('tenants')
    .values({ kind: 'municipality', kommunenummer: spec.kommunenummer, name: spec.name, county_number: spec.countyNumber, county_name: spec.countyName })
    .onConflict((oc) => oc.column('kommunenummer').doUpdateSet({ updated_at: sql`tenants.updated_at` }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Writes the national organisation into a database, one municipality per transaction, through the
 * import's own reading, planning and batched writing (without recording imports). `skip` leaves
 * municipalities out (e.g. the one a benchmark then imports itself).
 */
export async function writeNationalOrganisation(db: Kysely<Schema>, options: { skip?: readonly string[]; progress?: (done: number, total: number) => void } = {}): Promise<{ municipalities: number; employees: number; units: number; employments: number }> {
  const specs = nationalMunicipalities().filter((m) => !options.skip?.includes(m.kommunenummer));
  const totals = { municipalities: 0, employees: 0, units: 0, employments: 0 };
  const today = new Date().toISOString().slice(0, 10);
  for (const spec of specs) {
    const tenantId = await ensureMunicipality(db, spec);
    const file = readHrFile(Buffer.from(`${municipalityCsvLines(spec).join('\n')}\n`));
    if (file.problems.length > 0) throw new Error(`generated file for ${spec.kommunenummer} has problems: ${JSON.stringify(file.problems.slice(0, 3))}`);
    await db.transaction().execute(async (trx) => {
      const plan = planImport(file, await readCurrentState(trx, tenantId), today);
      await applyPlan(trx, tenantId, plan);
      totals.units += plan.counts.unitsAdded;
      totals.employees += plan.counts.employeesAdded;
      totals.employments += plan.counts.employmentsAdded;
    });
    totals.municipalities += 1;
    options.progress?.(totals.municipalities, specs.length);
  }
  return totals;
}
