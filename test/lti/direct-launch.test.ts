/**
 * The login and the launch served ahead of Express (src/web/lti/direct-launch.ts) answer exactly as
 * the LTI router does. Each request is sent twice: as platforms send it (served directly) and to the
 * same path with a trailing slash, which the direct route leaves to the app (Express routes it to the
 * same handler). Express adds an ETag to the pages it sends and the direct route does not, which shows
 * that each path really served its request. Values made anew for each request (state, nonce,
 * binding, session token, request id, dates) are masked before the answers are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND } from '../support/database.js';
import type { PlatformKey, TestPlatform } from './support/attack-platform.js';
import { startAttackedTool, type AttackedTool } from './support/attacked-tool.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  etag: string | null;
  requestId: string | null;
}

const FRESH_HEADERS = ['date', 'etag', 'x-request-id', 'content-length', 'keep-alive', 'connection'];

/** What must be equal both ways: fresh values masked, the cookie's name and expiry too. */
function comparable(answer: Answer): Omit<Answer, 'etag' | 'requestId'> {
  const mask = (text: string) =>
    text
      .replace(/(state|nonce|session|binding|value|context|cookie_check)=[^&"\s;]+/g, '$1=…')
      .replace(/lti_b_[A-Za-z0-9_-]+=[A-Za-z0-9_-]*/g, 'lti_b_…=…')
      .replace(/Expires=[^;]+/g, 'Expires=…')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/data-(value|key|next)="[^"]*"/g, 'data-$1="…"')
      .replace(/&quot;(nonce|iat|exp)&quot;: (&quot;[\w-]*&quot;|\d+)/g, '&quot;$1&quot;: …');
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !FRESH_HEADERS.includes(name)).map(([name, value]) => [name, mask(value)]));
  return { status: answer.status, headers, body: mask(answer.body) };
}

describe(`the LTI login and launch served ahead of Express (${BACKEND})`, () => {
  let tool: AttackedTool;
  let toolUrl: string;
  let platform: TestPlatform;
  let key: PlatformKey;
  const captured = capturingLogger('info');

  beforeAll(async () => {
    tool = await startAttackedTool(captured.logger, { kid: 'direct-key-1' });
    ({ toolUrl, platform, key } = tool);
  });
  afterAll(async () => {
    await tool.stop();
  });

  async function send(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${toolUrl}${path}`, { redirect: 'manual', ...init, headers: { 'accept-language': 'nb', ...init.headers } });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length > 0) headers['set-cookie'] = setCookies.join(' | ');
    // Express writes a short text under a redirect (typed, and varying by Accept), the direct route
    // none: browsers never show it.
    const redirect = response.status === 302 || response.status === 303;
    const body = redirect ? '' : await response.text();
    if (redirect) {
      delete headers['content-type'];
      delete headers['vary'];
    }
    return { status: response.status, headers, body, etag: response.headers.get('etag'), requestId: response.headers.get('x-request-id') };
  }

  const loginQuery = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ iss: platform.issuer, login_hint: 'user-42', target_link_uri: `${toolUrl}/lti/launch`, client_id: platform.clientId, lti_message_hint: '{"cmid":7}', ...extra }).toString();

  /** A login by the given path; what the platform then gets (state, nonce) and the binding cookie. */
  async function login(path: '/lti/login' | '/lti/login/', extra: Record<string, string> = {}) {
    const answer = await send(`${path}?${loginQuery(extra)}`);
    const location = new URL(answer.headers['location'] ?? 'http://none/');
    return { answer, state: location.searchParams.get('state') ?? '', nonce: location.searchParams.get('nonce') ?? '', cookie: (answer.headers['set-cookie'] ?? '').split(';')[0]! };
  }

  /** A launch form posted by the given path. */
  function launch(path: '/lti/launch' | '/lti/launch/', fields: Record<string, string>, headers: Record<string, string> = {}) {
    return send(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  }

  /** A login and an accepted launch, both by the direct route or both by the app. */
  async function fullLaunch(by: 'direct' | 'app', claims: (c: Record<string, unknown>) => void = () => {}) {
    const started = await login(by === 'direct' ? '/lti/login' : '/lti/login/');
    const c = platform.claims(started.nonce, toolUrl);
    claims(c);
    const idToken = await platform.sign(c, key);
    return { started, idToken, answer: await launch(by === 'direct' ? '/lti/launch' : '/lti/launch/', { id_token: idToken, state: started.state }, { cookie: started.cookie }) };
  }

  it('answers a login and a launch as the app does, with the same security headers', async () => {
    const direct = await fullLaunch('direct');
    const app = await fullLaunch('app');

    expect(direct.started.answer.status).toBe(302);
    expect(direct.started.answer.headers['location']).toMatch(/^https:\/\/lms\.kommune\.example\/auth\?/);
    expect(direct.started.answer.headers['set-cookie']).toMatch(/^lti_b_[\w-]+=[\w-]+; Max-Age=600; Expires=[^;]+; Path=\/lti\/launch; HttpOnly; Secure; SameSite=None; Partitioned$/);
    expect(comparable(direct.started.answer)).toEqual(comparable(app.started.answer));

    expect(direct.answer.status).toBe(303);
    expect(direct.answer.headers['location']).toMatch(/^\/learn\?session=/);
    expect(direct.answer.headers['content-security-policy']).toContain('frame-ancestors \'self\' https://lms.kommune.example');
    expect(direct.answer.headers['cache-control']).toBe('no-store');
    expect(direct.answer.headers['set-cookie']).toMatch(/^lti_b_[\w-]+=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/lti\/launch; HttpOnly; Secure; SameSite=None; Partitioned$/);
    expect(comparable(direct.answer)).toEqual(comparable(app.answer));

    // Which path served: Express writes a short text under its redirect, the direct route none; the request id both ways.
    expect(direct.answer.headers['content-length']).toBe('0');
    expect(Number(app.answer.headers['content-length'])).toBeGreaterThan(0);
    expect(direct.answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const accepted = captured.lines().filter((l) => l['msg'] === 'lti launch accepted');
    expect(accepted.some((l) => l['requestId'] === direct.answer.requestId)).toBe(true);
  });

  it('keeps the caller\'s request id, and answers in the language asked for', async () => {
    const asked = await send(`/lti/login?${loginQuery()}&lang=en`, { headers: { 'x-request-id': 'lb-1234' } });
    expect(asked.requestId).toBe('lb-1234');
    const refusedDirect = await send(`/lti/login?${loginQuery({ iss: 'https://unknown.example' })}`, { headers: { 'accept-language': 'nn-NO;q=0.9, en;q=0.8' } });
    const refusedApp = await send(`/lti/login/?${loginQuery({ iss: 'https://unknown.example' })}`, { headers: { 'accept-language': 'nn-NO;q=0.9, en;q=0.8' } });
    expect(refusedDirect.body).toContain('<html lang="nn" data-color-scheme="auto">');
    expect(comparable(refusedDirect)).toEqual(comparable(refusedApp));
  });

  it('refuses what the app refuses, with the same page, the same headers and a log line', async () => {
    const started = await login('/lti/login');
    const idToken = await platform.sign(platform.claims(started.nonce, toolUrl), key);
    const forged = await platform.sign({ ...platform.claims(started.nonce, toolUrl), iss: 'https://evil.example' }, key);
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ['missing-state', { id_token: idToken }, {}],
      ['malformed-token', { state: started.state }, {}],
      ['bad-login-request', { error: 'login_required', error_description: 'no session', state: started.state }, {}],
      ['state-mismatch', { id_token: idToken, state: `${started.state.slice(0, -12)}AAAAAAAAAAAA` }, { cookie: started.cookie }],
      ['state-mismatch', { id_token: idToken, state: started.state, binding: 'from-another-site' }, { origin: 'https://evil.example' }],
      ['state-mismatch', { id_token: idToken, state: started.state }, { cookie: `${started.cookie.split('=')[0]}=someone-else` }],
    ];
    for (const [code, fields, headers] of cases) {
      const direct = await launch('/lti/launch', fields, headers);
      const app = await launch('/lti/launch/', fields, headers);
      expect(direct.body, code).toContain(`data-refusal="${code}"`);
      expect(direct.etag, code).toBeNull();
      expect(comparable(direct), code).toEqual(comparable(app));
      expect(captured.lines().some((l) => l['refusal'] === code && l['reference'] === direct.requestId), code).toBe(true);
    }

    // After the claim: a token the tool refuses uses the login up; the same login again is a replay.
    const wrongIssuer = await launch('/lti/launch', { id_token: forged, state: started.state }, { cookie: started.cookie });
    expect(wrongIssuer.status).toBe(400);
    expect(wrongIssuer.body).toContain('data-refusal="wrong-issuer"');
    expect(wrongIssuer.headers['content-security-policy']).toContain('frame-ancestors *');
    const replayDirect = await launch('/lti/launch', { id_token: idToken, state: started.state }, { cookie: started.cookie });
    const replayApp = await launch('/lti/launch/', { id_token: idToken, state: started.state }, { cookie: started.cookie });
    expect(replayDirect.body).toContain('data-refusal="replayed-nonce"');
    expect(comparable(replayDirect)).toEqual(comparable(replayApp));
  });

  it('shows the storage page and the new-window page as the app does', async () => {
    const storageDirect = await login('/lti/login', { lti_storage_target: '_parent' });
    const storageApp = await login('/lti/login/', { lti_storage_target: '_parent' });
    expect(storageDirect.answer.status).toBe(200);
    expect(storageDirect.answer.body).toContain('data-mode="put"');
    expect(comparable(storageDirect.answer)).toEqual(comparable(storageApp.answer));

    const started = await login('/lti/login');
    const idToken = await platform.sign(platform.claims(started.nonce, toolUrl), key);
    const blockedDirect = await launch('/lti/launch', { id_token: idToken, state: started.state });
    const blockedApp = await launch('/lti/launch/', { id_token: idToken, state: started.state });
    expect(blockedDirect.status).toBe(400);
    expect(blockedDirect.body).toContain('data-launch-lost');
    expect(comparable(blockedDirect)).toEqual(comparable(blockedApp));
  });

  it('checks a framed login\'s cookie before the platform sees the login, as the app does', async () => {
    const framed = { 'sec-fetch-dest': 'iframe' };
    const askedDirect = await send(`/lti/login?${loginQuery()}`, { headers: framed });
    const askedApp = await send(`/lti/login/?${loginQuery()}`, { headers: framed });
    expect(askedDirect.status).toBe(303);
    expect(askedDirect.headers['set-cookie']).toMatch(/^lti_cookie_check=[\w-]+; Max-Age=60; Expires=[^;]+; Path=\/lti\/login; HttpOnly; Secure; SameSite=None; Partitioned$/);
    expect(comparable(askedDirect)).toEqual(comparable(askedApp));
    const next = askedDirect.headers['location']!;
    expect(next).toMatch(/^\/lti\/login\?iss=/);
    const check = /lti_cookie_check=([\w-]+)/.exec(askedDirect.headers['set-cookie']!)![1]!;
    expect(new URL(next, toolUrl).searchParams.get('cookie_check')).toBe(check);

    // The cookie came back: on to the platform.
    const keptDirect = await send(next, { headers: { ...framed, cookie: `lti_cookie_check=${check}` } });
    const keptApp = await send(next.replace('/lti/login?', '/lti/login/?'), { headers: { ...framed, cookie: `lti_cookie_check=${check}` } });
    expect(keptDirect.status).toBe(302);
    expect(keptDirect.headers['location']).toMatch(/^https:\/\/lms\.kommune\.example\/auth\?/);
    expect(comparable(keptDirect)).toEqual(comparable(keptApp));

    // It did not (or another value did): the new-window page, and the platform is not asked.
    for (const cookie of [undefined, 'lti_cookie_check=another-value']) {
      const refusedDirect = await send(next, { headers: { ...framed, ...(cookie ? { cookie } : {}) } });
      const refusedApp = await send(next.replace('/lti/login?', '/lti/login/?'), { headers: { ...framed, ...(cookie ? { cookie } : {}) } });
      expect(refusedDirect.status).toBe(200);
      expect(refusedDirect.body).toContain('data-new-window');
      expect(refusedDirect.headers['set-cookie']).toBeUndefined();
      expect(refusedDirect.headers['content-security-policy']).toContain("frame-ancestors 'self' https://lms.kommune.example");
      expect(comparable(refusedDirect)).toEqual(comparable(refusedApp));
    }
  });

  it('refuses a deep-linking request from a learner as the app does', async () => {
    const deepLinking = (c: Record<string, unknown>) => {
      c[CLAIM.messageType] = 'LtiDeepLinkingRequest';
      delete c[CLAIM.resourceLink];
      c[CLAIM.deepLinkingSettings] = { deep_link_return_url: `${platform.issuer}/dl-return`, accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe'] };
    };
    const direct = await fullLaunch('direct', deepLinking);
    const app = await fullLaunch('app', deepLinking);
    expect(direct.answer.status).toBe(403);
    expect(direct.answer.body).toContain('data-refusal="not-permitted"');
    expect(comparable(direct.answer)).toEqual(comparable(app.answer));
  });

  it('leaves to the app what it does not take: JSON, other bodies, too many fields', async () => {
    const started = await login('/lti/login');
    const json = await launch('/lti/launch', { id_token: 'x', state: 'x' }, { accept: 'application/json' });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ refusal: 'state-mismatch' });

    const latin1 = await send('/lti/launch', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }, body: `state=${started.state}` });
    expect(latin1.etag).not.toBeNull();
    expect(latin1.body).toContain('data-refusal="malformed-token"');

    const fields = Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&');
    const tooMany = (path: string) => send(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
    const [direct, app] = [await tooMany('/lti/launch'), await tooMany('/lti/launch/')];
    expect(direct.status).toBe(413);
    expect(comparable(direct)).toEqual(comparable(app));
    // At the limit the form is taken.
    const atLimit = Array.from({ length: 999 }, (_, i) => `f${i}=1`).join('&');
    expect((await send('/lti/launch', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${atLimit}&state=${started.state}` })).body).toContain('data-refusal="malformed-token"');
  });
});
