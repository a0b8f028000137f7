/**
 * 1EdTech Security Framework 1.0 §5.1.3 (authentication response validation) and LTI 1.3 Core §5.3
 * (required message claims): each attack is performed over HTTP against the tool and must be refused
 * with a bokmål page carrying a reference id, and a log line naming the refusal.
 */
import { createHmac } from 'node:crypto';
import { exportSPKI, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.js';
import { savePlatform } from '../../../src/lti/platforms.js';
import { capturingLogger } from '../../support/app.js';
import { BACKEND, type TestDatabase } from '../../support/database.js';
import { initiateLogin, newKey, postLaunch, type PlatformKey, type TestPlatform } from '../../lti/support/attack-platform.js';
import { startAttackedTool, type AttackedTool } from '../../lti/support/attacked-tool.js';

describe.each(['direct', 'app'] as const)(`LTI id_token validation refusals (${BACKEND}, login and launch served %s)`, (served) => {
  let tool: AttackedTool;
  let testDb: TestDatabase;
  let toolUrl: string;
  let platform: TestPlatform;
  let key: PlatformKey;
  const captured = capturingLogger('info');

  beforeAll(async () => {
    // Unknown kids refetch the JWKS at once here, so rotation is visible without waiting.
    tool = await startAttackedTool(captured.logger, { kid: 'platform-key-1', platformKeys: { refetchIntervalMs: 0 }, served });
    ({ testDb, toolUrl, platform, key } = tool);
  });
  afterAll(async () => {
    await tool.stop();
  });

  /** A login, then an id_token built from valid claims changed by `mutate`, signed by `sign`. */
  async function attack(
    mutate: (claims: Record<string, unknown>) => void,
    sign: (claims: Record<string, unknown>) => Promise<string> = (claims) => platform.sign(claims, key),
  ) {
    const login = await initiateLogin(toolUrl, platform);
    const claims = platform.claims(login.nonce, toolUrl);
    mutate(claims);
    const idToken = await sign(claims);
    return { login, idToken, result: await postLaunch(toolUrl, { id_token: idToken, state: login.state }, login.cookie) };
  }

  function expectRefused(result: { status: number; body: string }, code: string, status = 400) {
    expect(result.status).toBe(status);
    expect(result.body).toContain(`data-refusal="${code}"`);
    expect(result.body).toContain('<html lang="nb" data-color-scheme="auto">');
    expect(result.body).toContain('Oppstarten ble avvist');
    const reference = /Referanse: ([\w-]+)/.exec(result.body)?.[1];
    expect(reference).toBeTruthy();
    const line = captured.lines().find((l) => l['refusal'] === code && l['reference'] === reference);
    expect(line, `log line for ${code}`).toBeDefined();
    expect(line!['msg']).toBe('lti request refused');
  }

  it('accepts the valid launch the attacks start from', async () => {
    const { result } = await attack(() => {});
    expect(result.status).toBe(303);
    expect(result.location).toMatch(/^\/learn\?session=/);
  });

  it("does not raise a learner's role through a custom parameter the course sets", async () => {
    const { result } = await attack((c) => {
      c['sub'] = 'custom-role-user';
      c[CLAIM.custom] = { laeringslop_role: 'manager' };
    });
    expect(result.status).toBe(303);
    expect(result.location).toMatch(/^\/learn\?session=/);
    const admin = await attack((c) => (c[CLAIM.custom] = { laeringslop_role: 'admin', role: 'manager' }));
    expect(admin.result.location).toMatch(/^\/learn\?session=/);
  });

  it('refuses a login initiation whose target link is not this tool, or from an unknown issuer', async () => {
    const login = (params: Record<string, string>) => fetch(`${toolUrl}/lti/login?${new URLSearchParams({ iss: platform.issuer, login_hint: 'u', client_id: platform.clientId, target_link_uri: `${toolUrl}/lti/launch`, ...params })}`, { redirect: 'manual', headers: { 'accept-language': 'nb' } });
    const elsewhere = await login({ target_link_uri: 'https://evil.example/lti/launch' });
    expectRefused({ status: elsewhere.status, body: await elsewhere.text() }, 'bad-login-request');
    const unknown = await login({ iss: 'https://unknown.example' });
    expectRefused({ status: unknown.status, body: await unknown.text() }, 'unknown-platform');
    const undeployed = await login({ lti_deployment_id: 'not-ours' });
    expectRefused({ status: undeployed.status, body: await undeployed.text() }, 'unknown-deployment');
    // The base URL of the tool is accepted as its own (Moodle's "Tool URL" is sometimes entered so).
    expect((await login({ target_link_uri: `${toolUrl}/` })).status).toBe(302);
  });

  it('answers a deep-linking request only when the platform accepts ltiResourceLink items (Deep Linking 2.0 §4.4.1)', async () => {
    const deepLinking = (acceptTypes: string[]) => (c: Record<string, unknown>) => {
      c[CLAIM.messageType] = 'LtiDeepLinkingRequest';
      c[CLAIM.roles] = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'];
      delete c[CLAIM.resourceLink];
      c[CLAIM.deepLinkingSettings] = { deep_link_return_url: `${platform.issuer}/dl-return`, accept_types: acceptTypes, accept_presentation_document_targets: ['iframe'] };
    };
    const accepted = await attack(deepLinking(['link', 'ltiResourceLink']));
    expect(accepted.result.status).toBe(200);
    expect(accepted.result.body).toContain('Velg læringsløp');
    expectRefused((await attack(deepLinking(['file']))).result, 'wrong-message-type');
    expectRefused((await attack((c) => {
      deepLinking(['ltiResourceLink'])(c);
      delete c[CLAIM.deepLinkingSettings];
    })).result, 'missing-claims');
  });

  it('records person, course and link; a repeated launch writes only what changed and keeps a created line item', async () => {
    const db = testDb.database.db;
    const person = () => db.selectFrom('lti_users as u').innerJoin('people as p', 'p.id', 'u.person_id').select(['p.id', 'p.name', 'p.updated_at']).where('u.subject', '=', 'repeat-user').executeTakeFirstOrThrow();
    const launchAs = (name: string) => attack((c) => {
      c['sub'] = 'repeat-user';
      c['name'] = name;
      c[CLAIM.resourceLink] = { id: 'link-repeat', title: 'Lenke' };
    });
    expect((await launchAs('Åse Ødegård')).result.status).toBe(303);
    const first = await person();
    await db.updateTable('lti_resource_links').set({ lineitem_url: 'https://lms.kommune.example/lineitems/9/lineitem?type_id=1' }).where('resource_link_id', '=', 'link-repeat').execute();
    expect((await launchAs('Åse Ødegård')).result.status).toBe(303);
    expect((await person()).updated_at).toEqual(first.updated_at);
    expect((await launchAs('Åse Ødegård Berg')).result.status).toBe(303);
    expect(await person()).toMatchObject({ id: first.id, name: 'Åse Ødegård Berg' });
    const link = await db.selectFrom('lti_resource_links').select(['lineitem_url', 'title']).where('resource_link_id', '=', 'link-repeat').executeTakeFirstOrThrow();
    expect(link.lineitem_url).toBe('https://lms.kommune.example/lineitems/9/lineitem?type_id=1');
  });

  it('knows a person again through a second registration of the same platform (a new client id and deployment)', async () => {
    const db = testDb.database.db;
    const again = await savePlatform(db, { ...platform.platform, clientId: 'tool-client-re-registered', deploymentIds: ['deployment-2'] });
    const first = await attack((c) => (c['sub'] = 'moved-user'));
    expect(first.result.status).toBe(303);
    // Twice: the first launch through the new registration records its course and link, the second only reads.
    for (let i = 0; i < 2; i += 1) {
      const login = await initiateLogin(toolUrl, platform, again.clientId);
      const claims = { ...platform.claims(login.nonce, toolUrl), sub: 'moved-user', aud: again.clientId, [CLAIM.deploymentId]: 'deployment-2' };
      const second = await postLaunch(toolUrl, { id_token: await platform.sign(claims, key), state: login.state }, login.cookie);
      expect(second.status).toBe(303);
      expect(await personOf(second)).toBe(await personOf(first.result));
    }
    const accounts = await db.selectFrom('lti_users').select(['person_id', 'issuer']).where('subject', '=', 'moved-user').execute();
    expect(accounts).toEqual([{ person_id: await personOf(first.result), issuer: platform.issuer }]);
    await db.deleteFrom('lti_platforms').where('id', '=', again.id).execute();
  });

  /** The person of the session the launch led on with. */
  const personOf = async (launched: { location: string | null }) => {
    const token = new URL(launched.location ?? '', toolUrl).searchParams.get('session');
    return ((await (await fetch(`${toolUrl}/lti/session?session=${token}`)).json()) as { personId: string }).personId;
  };

  it('makes one person when the same new user launches twice at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => attack((c) => (c['sub'] = 'simultaneous-user'))));
    expect(results.map((r) => r.result.status)).toEqual([303, 303, 303]);
    const rows = await testDb.database.db.selectFrom('lti_users').select('person_id').where('subject', '=', 'simultaneous-user').execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a bad signature (another key under the published kid)', async () => {
    const impostor = await newKey(key.kid);
    const { result } = await attack(() => {}, (claims) => platform.sign(claims, impostor));
    expectRefused(result, 'bad-signature');
  });

  it('refuses an unknown kid after refetching the JWKS', async () => {
    const before = platform.jwksRequests;
    const stranger = await newKey('never-published');
    const { result } = await attack(() => {}, (claims) => platform.sign(claims, stranger));
    expectRefused(result, 'unknown-kid');
    expect(platform.jwksRequests).toBeGreaterThan(before);
  });

  it('refuses alg none', async () => {
    const { result } = await attack(() => {}, async (claims) => {
      const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${encode({ alg: 'none', typ: 'JWT', kid: key.kid })}.${encode(claims)}.`;
    });
    expectRefused(result, 'bad-algorithm');
  });

  it('refuses HS256 signed with the platform public key as the HMAC secret', async () => {
    const pem = await exportSPKI((await importJWK(key.publicJwk, 'RS256', { extractable: true })) as CryptoKey);
    const { result } = await attack(() => {}, async (claims) => {
      const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${encode({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${encode(claims)}`;
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    });
    expectRefused(result, 'bad-algorithm');
  });

  it('refuses a wrong iss', async () => {
    expectRefused((await attack((c) => (c['iss'] = 'https://evil.example'))).result, 'wrong-issuer');
  });

  it('refuses a wrong aud', async () => {
    expectRefused((await attack((c) => (c['aud'] = 'another-tool'))).result, 'wrong-audience');
  });

  it('refuses azp naming another party when aud has several audiences', async () => {
    expectRefused((await attack((c) => {
      c['aud'] = [platform.clientId, 'another-tool'];
      c['azp'] = 'another-tool';
    })).result, 'azp-mismatch');
  });

  it('refuses several audiences without azp', async () => {
    expectRefused((await attack((c) => (c['aud'] = [platform.clientId, 'another-tool']))).result, 'azp-mismatch');
  });

  it('accepts several audiences when azp is the tool', async () => {
    const { result } = await attack((c) => {
      c['aud'] = [platform.clientId, 'another-tool'];
      c['azp'] = platform.clientId;
    });
    expect(result.status).toBe(303);
  });

  it('refuses an expired token (Moodle tokens live 60 s)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectRefused((await attack((c) => {
      c['iat'] = now - 120;
      c['exp'] = now - 60;
    })).result, 'expired');
  });

  it('refuses iat in the future beyond the skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectRefused((await attack((c) => {
      c['iat'] = now + 120;
      c['exp'] = now + 180;
    })).result, 'issued-in-future');
  });

  it('refuses a replayed nonce (the same response posted twice)', async () => {
    const { login, idToken, result } = await attack(() => {});
    expect(result.status).toBe(303);
    const replay = await postLaunch(toolUrl, { id_token: idToken, state: login.state }, login.cookie);
    expectRefused(replay, 'replayed-nonce');
  });

  it('refuses a nonce that is not the one sent with the login', async () => {
    expectRefused((await attack((c) => (c['nonce'] = 'made-up-nonce'))).result, 'nonce-mismatch');
  });

  it('refuses a missing state', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    expectRefused(await postLaunch(toolUrl, { id_token: idToken }, login.cookie), 'missing-state');
  });

  it('refuses an unknown state', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    expectRefused(await postLaunch(toolUrl, { id_token: idToken, state: 'forged-state' }, login.cookie), 'state-mismatch');
  });

  it("refuses a state bound to another browser (login CSRF: the attacker's cookie)", async () => {
    const victim = await initiateLogin(toolUrl, platform);
    const attacker = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(victim.nonce, toolUrl), key);
    const cookieForVictimState = `lti_b_${victim.nonce}=${attacker.cookie.split('=')[1]}`;
    expectRefused(await postLaunch(toolUrl, { id_token: idToken, state: victim.state }, cookieForVictimState), 'state-mismatch');
  });

  it('refuses an unknown deployment id', async () => {
    expectRefused((await attack((c) => (c[CLAIM.deploymentId] = 'deployment-unknown'))).result, 'unknown-deployment');
  });

  it('refuses a wrong message type', async () => {
    expectRefused((await attack((c) => (c[CLAIM.messageType] = 'LtiSubmissionReviewRequest'))).result, 'wrong-message-type');
  });

  it('refuses a wrong LTI version', async () => {
    expectRefused((await attack((c) => (c[CLAIM.version] = '1.1'))).result, 'wrong-version');
  });

  it.each([['sub'], [CLAIM.resourceLink], [CLAIM.roles], [CLAIM.targetLinkUri], [CLAIM.deploymentId]])('refuses a launch without %s', async (claim) => {
    expectRefused((await attack((c) => delete c[claim])).result, 'missing-claims');
  });

  it('keeps verifying with cached keys while the platform JWKS is down, and refuses clearly when no cached key fits', async () => {
    expect((await attack(() => {})).result.status).toBe(303);
    platform.up = false;
    try {
      const cached = await attack(() => {});
      expect(cached.result.status).toBe(303);
      const rotated = await newKey('platform-key-2');
      expectRefused((await attack(() => {}, (claims) => platform.sign(claims, rotated))).result, 'jwks-unavailable', 503);
      expect(captured.lines().some((l) => l['msg'] === 'platform JWKS unreachable; using cached keys')).toBe(true);
    } finally {
      platform.up = true;
    }
  });

  it('follows a platform key rotation: a new kid triggers a refetch', async () => {
    const rotated = await newKey('platform-key-3');
    platform.published = [rotated, key];
    const { result } = await attack(() => {}, (claims) => platform.sign(claims, rotated));
    expect(result.status).toBe(303);
  });
});
