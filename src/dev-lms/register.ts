import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { savePlatform, type Platform } from '../lti/platforms.js';
import { findMunicipality, importMunicipalities, importRegions } from '../tenants/tenants.js';
import { DEV_CLIENT_ID, DEV_DEPLOYMENT_ID, type DevLms } from './dev-lms.js';

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
  const missing = [];
  for (const m of DEV_MUNICIPALITIES) if (!(await findMunicipality(db, m.kommunenummer))) missing.push(m);
  if (missing.length > 0) {
    await importMunicipalities(db, missing);
    await importRegions(db, DEV_MUNICIPALITIES.map((m) => ({ region: 'Kongsbergregionen', kommunenummer: m.kommunenummer })));
  }
  const kongsberg = await findMunicipality(db, '3303');
  const e = lms.endpoints;
  return savePlatform(db, {
    tenantId: kongsberg!.id,
    name: 'Utviklings-LMS',
    issuer: lms.issuer,
    clientId: DEV_CLIENT_ID,
    authEndpoint: e.auth,
    tokenEndpoint: e.token,
    jwksUrl: e.jwks,
    deploymentIds: [DEV_DEPLOYMENT_ID],
  });
}
