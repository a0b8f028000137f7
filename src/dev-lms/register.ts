import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { savePlatform, type Platform } from '../lti/platforms.js';
import { createMissingMunicipalities } from '../tenants/official-municipalities.js';
import { findMunicipality, importRegions, listTenants } from '../tenants/tenants.js';
import { DEV_CLIENT_ID, DEV_DEFAULT_KOMMUNENUMMER, DEV_DEPLOYMENT_ID, DEV_REGION_CHOICE, devClientId, type DevLms } from './dev-lms.js';

const DEV_REGION = 'Kongsbergregionen';

/** Kongsbergregionen's municipalities in Buskerud, named here so development needs no data files. */
const DEV_MUNICIPALITIES = [
  { kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: 'Buskerud' },
  { kommunenummer: '3334', name: 'Flesberg', countyNumber: '33', countyName: 'Buskerud' },
  { kommunenummer: '3336', name: 'Rollag', countyNumber: '33', countyName: 'Buskerud' },
  { kommunenummer: '3338', name: 'Nore og Uvdal', countyNumber: '33', countyName: 'Buskerud' },
] as const;

/**
 * Registers the development LMS with the tool, bound to Kongsberg (the region Kongsbergregionen is
 * created too, so a launch may name another member municipality). Safe to run on every start.
 */
export async function registerDevLms(db: Kysely<Schema>, lms: DevLms): Promise<Platform> {
  await createMissingMunicipalities(db, DEV_MUNICIPALITIES);
  const regions = await listTenants(db, { kind: 'region' });
  if (!regions.some((region) => region.name === DEV_REGION)) {
    await importRegions(db, DEV_MUNICIPALITIES.map((m) => ({ region: DEV_REGION, kommunenummer: m.kommunenummer })));
  }
  const kongsberg = await findMunicipality(db, DEV_DEFAULT_KOMMUNENUMMER);
  return savePlatform(db, devRegistration(lms, kongsberg!.id, DEV_CLIENT_ID, 'Utviklings-LMS'));
}

function devRegistration(lms: DevLms, tenantId: string, clientId: string, name: string) {
  const e = lms.endpoints;
  return { tenantId, name, issuer: lms.issuer, clientId, authEndpoint: e.auth, tokenEndpoint: e.token, jwksUrl: e.jwks, deploymentIds: [DEV_DEPLOYMENT_ID] };
}

/**
 * Registers the development LMS for the municipality chosen on its page before it launches there
 * (Kongsberg's registration is made at start-up). Undefined for a number the database does not know.
 */
export async function registerDevLmsFor(db: Kysely<Schema>, lms: DevLms, kommunenummer: string): Promise<Platform | undefined> {
  const municipality = await findMunicipality(db, kommunenummer);
  if (!municipality) return undefined;
  if (kommunenummer === DEV_DEFAULT_KOMMUNENUMMER) return registerDevLms(db, lms);
  return savePlatform(db, devRegistration(lms, municipality.id, devClientId(kommunenummer), `Utviklings-LMS (${municipality.name})`));
}

/** The registration bound to the region Kongsbergregionen, shared by its municipalities (like KS Læring). */
export async function registerDevLmsForRegion(db: Kysely<Schema>, lms: DevLms): Promise<Platform> {
  await registerDevLms(db, lms);
  const region = (await listTenants(db, { kind: 'region' })).find((r) => r.name === DEV_REGION)!;
  return savePlatform(db, devRegistration(lms, region.id, devClientId(DEV_REGION_CHOICE), `Utviklings-LMS (${DEV_REGION})`));
}
