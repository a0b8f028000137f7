import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/moodle/nrps-course-7.json');
/** The site the fixture was written for; served from wherever the test server listens. */
const FIXTURE_SITE = 'https://moodle.kommune.example';
export const MEMBERSHIPS_PATH = '/mod/lti/services.php/CourseSection/7/bindings/3/memberships';

interface Container {
  id: string;
  context: { id: string; label: string; title: string };
  members: Record<string, unknown>[];
}

/** PHP's json_encode without flags: `/` as `\/` and everything outside ASCII as `\uXXXX`. */
function phpJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface MoodleNrps {
  /** The site's root, e.g. http://127.0.0.1:4711 (Moodle's wwwroot). */
  url: string;
  /** The context membership URL Moodle puts in its launches. */
  membershipsUrl: string;
  tokenUrl: string;
  /** The membership requests received (their path and query), in order. */
  requests: string[];
  /** The container as the fixture has it (members as Moodle sends them). */
  container: Container;
  /** Answer the membership requests with this status instead (Moodle's own errors are bare codes). */
  failWith: number | undefined;
  close(): Promise<void>;
}

/**
 * The membership service of a Moodle 4.x site serving the fixture exactly as Moodle's
 * `users_to_json` does: one answer without `limit`, pages of `limit` from `from` with a
 * `Link: <…>; rel="next"` header otherwise. Its token endpoint hands out a bearer token to any
 * client assertion (the tool's ServiceClient signing it is tested in test/lti).
 */
export async function startMoodleNrps(): Promise<MoodleNrps> {
  const container = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Container;
  const token = `moodle-${Math.random().toString(36).slice(2)}`;
  const state = { requests: [] as string[], failWith: undefined as number | undefined };
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'POST' && url.pathname === '/mod/lti/token.php') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly' }));
      return;
    }
    if (req.method === 'GET' && url.pathname === MEMBERSHIPS_PATH) {
      state.requests.push(`${url.pathname}${url.search}`);
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end();
        return;
      }
      if (state.failWith) {
        res.writeHead(state.failWith).end();
        return;
      }
      const endpoint = `${base}${MEMBERSHIPS_PATH}`;
      const limit = Number(url.searchParams.get('limit') ?? 0) || 0;
      const from = limit > 0 ? Number(url.searchParams.get('from') ?? 0) || 0 : 0;
      const members = limit > 0 ? container.members.slice(from, from + limit) : container.members;
      const headers: Record<string, string> = { 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' };
      if (limit > 0 && from + limit < container.members.length) headers['link'] = `<${endpoint}?limit=${limit}&from=${from + limit}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(phpJson({ id: endpoint, context: container.context, members }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    membershipsUrl: `${base}${MEMBERSHIPS_PATH}`,
    tokenUrl: `${base}/mod/lti/token.php`,
    get requests() {
      return state.requests;
    },
    container: { ...container, id: container.id.replace(FIXTURE_SITE, base) },
    get failWith() {
      return state.failWith;
    },
    set failWith(status: number | undefined) {
      state.failWith = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
