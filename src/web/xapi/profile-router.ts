import express, { type Router } from 'express';
import { xapiProfile } from '../../xapi/emission/profile.js';

/** Where the tool's xAPI Profile is served: its own IRI (src/xapi/emission/vocabulary.ts, profileIri). */
export const XAPI_PROFILE_PATH = '/profiles/xapi';

/** The xAPI Profile (JSON-LD) of the statements the tool emits, public like any vocabulary. */
export function xapiProfileRouter(publicUrl: string): Router {
  const router = express.Router();
  const body = JSON.stringify(xapiProfile(publicUrl), null, 2);
  router.get(XAPI_PROFILE_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.set('Access-Control-Allow-Origin', '*');
    res.type('application/ld+json; charset=utf-8');
    res.send(body);
  });
  return router;
}
