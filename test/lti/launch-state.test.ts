/**
 * The login state travels sealed in the state parameter; a launch claims it (records its nonce) in
 * the statement that reads the platform: only the browser holding its binding secret, once. An
 * altered, foreign or expired state is refused. A platform removed between login and launch (or
 * before a login) is refused at once: nothing about platforms is cached outside the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginStates } from '../../src/lti/oidc-login.js';
import { removePlatform } from '../../src/lti/platforms.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, type TestDatabase } from '../support/database.js';
import { initiateLogin, postLaunch, type PlatformKey, type TestPlatform } from './support/attack-platform.js';
import { startAttackedTool, type AttackedTool } from './support/attacked-tool.js';
import { SECRET } from './support/lti-http.js';

describe.each(['direct', 'app'] as const)(`LTI login state claiming and platform removal (${BACKEND}, served %s)`, (served) => {
  let tool: AttackedTool;
  let testDb: TestDatabase;
  let toolUrl: string;
  let platform: TestPlatform;
  let key: PlatformKey;
  const captured = capturingLogger('info');

  beforeAll(async () => {
    tool = await startAttackedTool(captured.logger, { kid: 'state-key-1', served });
    ({ testDb, toolUrl, platform, key } = tool);
  });
  afterAll(async () => {
    await tool.stop();
  });

  const nonceRows = (nonce: string) => testDb.database.db.selectFrom('lti_nonces').select('nonce').where('nonce', '=', nonce).execute();

  it('a post with another browser binding neither launches nor uses up the login; its own browser then launches once', async () => {
    const victim = await initiateLogin(toolUrl, platform);
    const attacker = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(victim.nonce, toolUrl), key);
    const foreign = await postLaunch(toolUrl, { id_token: idToken, state: victim.state }, `lti_b_${victim.nonce}=${attacker.cookie.split('=')[1]}`);
    expect(foreign.body).toContain('data-refusal="state-mismatch"');
    expect(await nonceRows(victim.nonce)).toHaveLength(0);

    const own = await postLaunch(toolUrl, { id_token: idToken, state: victim.state }, victim.cookie);
    expect(own.status).toBe(303);
    expect(await nonceRows(victim.nonce)).toHaveLength(1);
    expect((await postLaunch(toolUrl, { id_token: idToken, state: victim.state }, victim.cookie)).body).toContain('data-refusal="replayed-nonce"');
  });

  it('a post without any binding (cookie blocked, no platform storage) leaves the login unused', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    const blocked = await postLaunch(toolUrl, { id_token: idToken, state: login.state });
    expect(blocked.status).toBe(400);
    expect(blocked.body).toContain('data-launch-lost');
    expect(blocked.body).not.toContain('/lti/login');
    expect(await nonceRows(login.nonce)).toHaveLength(0);
  });

  it('a refused id_token uses up the login: the same state cannot be tried again with another token', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const wrong = await platform.sign({ ...platform.claims(login.nonce, toolUrl), iss: 'https://evil.example' }, key);
    expect((await postLaunch(toolUrl, { id_token: wrong, state: login.state }, login.cookie)).body).toContain('data-refusal="wrong-issuer"');
    const right = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    expect((await postLaunch(toolUrl, { id_token: right, state: login.state }, login.cookie)).body).toContain('data-refusal="replayed-nonce"');
  });

  it('refuses a state altered by one character, one sealed with another secret, and one past its time', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    // A character inside the ciphertext (the very last one may carry only padding bits).
    const at = login.state.length - 10;
    const altered = await postLaunch(toolUrl, { id_token: idToken, state: login.state.slice(0, at) + (login.state[at] === 'g' ? 'A' : 'g') + login.state.slice(at + 1) }, login.cookie);
    expect(altered.body).toContain('data-refusal="state-mismatch"');

    const genuine = new LoginStates(SECRET).open(login.state)!;
    expect(genuine.nonce).toBe(login.nonce);
    const otherSecret = new LoginStates('another-secret-'.padEnd(48, 'y')).seal(genuine);
    expect((await postLaunch(toolUrl, { id_token: idToken, state: otherSecret }, login.cookie)).body).toContain('data-refusal="state-mismatch"');
    const expired = new LoginStates(SECRET).seal({ ...genuine, expiresAt: Date.now() - 1000 });
    expect((await postLaunch(toolUrl, { id_token: idToken, state: expired }, login.cookie)).body).toContain('data-refusal="state-mismatch"');
    expect(await nonceRows(login.nonce)).toHaveLength(0);

    // None of that used the login up.
    expect((await postLaunch(toolUrl, { id_token: idToken, state: login.state }, login.cookie)).status).toBe(303);
  });

  it('refuses a platform removed after the login, and a login for it afterwards', async () => {
    const login = await initiateLogin(toolUrl, platform);
    const idToken = await platform.sign(platform.claims(login.nonce, toolUrl), key);
    expect(await removePlatform(testDb.database.db, platform.issuer, platform.clientId)).toBe(true);
    const launch = await postLaunch(toolUrl, { id_token: idToken, state: login.state }, login.cookie);
    expect(launch.body).toContain('data-refusal="unknown-platform"');
    const blocked = await postLaunch(toolUrl, { id_token: idToken, state: login.state });
    expect(blocked.body).toContain('data-refusal="unknown-platform"');
    await expect(initiateLogin(toolUrl, platform)).rejects.toThrow(/login answered 400/);
    expect(captured.lines().some((l) => l['refusal'] === 'unknown-platform')).toBe(true);
  });
});
