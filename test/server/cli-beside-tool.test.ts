import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliSocketDirectory, cliSocketPath } from '../../src/db/cli-socket.js';
import { BACKEND } from '../support/database.js';
import { runToCompletion, startToolProcess, type ToolProcess } from '../support/process.js';

// The operator's CLI while `npm start` runs on the embedded database: every command goes through
// the running tool's socket, and the tool sees the effect at once, without a restart.
const running: ToolProcess[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop('SIGKILL');
});

/** A platform's OpenID configuration for dynamic registration, served from this test. */
let platform: http.Server | undefined;
afterAll(() => platform?.close());
async function platformConfigurationUrl(): Promise<string> {
  platform = http.createServer((_req, res) => {
    const origin = `http://127.0.0.1:${(platform!.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ issuer: origin, authorization_endpoint: `${origin}/auth`, token_endpoint: `${origin}/token`, jwks_uri: `${origin}/jwks`, registration_endpoint: `${origin}/register` }));
  });
  await new Promise<void>((resolve) => platform!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(platform.address() as AddressInfo).port}/openid-configuration`;
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

// The socket exists only for the embedded database; with DATABASE_URL the CLI and the tool share the server.
describe.skipIf(BACKEND === 'postgres')('the admin CLI beside the running tool on the embedded database', { timeout: 300_000 }, () => {
  it('runs every kind of command through the running tool, whose pages and APIs show the effect at once', async () => {
    const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-beside-'));
    // The tool's own address is known only once it listens (PORT=0); the public URL is what LMSs are told.
    const env = { DATA_DIR, PUBLIC_URL: 'https://laering.kongsberg.example' };
    const tool = await startToolProcess(env);
    running.push(tool);
    const cli = (...args: string[]) => runToCompletion('cli.ts', args, env);

    expect(fs.statSync(cliSocketDirectory(DATA_DIR)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(cliSocketPath(DATA_DIR)).mode & 0o777).toBe(0o600);

    // Reading what the tool created at its first start.
    const listed = await cli('tenant', 'list', '--kind', 'municipality', '--json');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(357);

    // An LMS registered by hand: the tool's login now sends its users to the platform.
    const moodle = 'https://moodle.kongsberg.example';
    const login = () =>
      fetch(`${tool.url}/lti/login?${new URLSearchParams({ iss: moodle, client_id: 'moodle-1', login_hint: '42', target_link_uri: `${env.PUBLIC_URL}/lti/launch` })}`, { redirect: 'manual' });
    expect((await login()).status).not.toBe(302);
    const added = await cli('platform', 'add', '--tenant', '3303', '--issuer', moodle, '--client-id', 'moodle-1',
      '--auth-url', `${moodle}/mod/lti/auth.php`, '--token-url', `${moodle}/mod/lti/token.php`, '--jwks-url', `${moodle}/mod/lti/certs.php`, '--deployment-id', '1');
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`registered ${moodle} (client moodle-1) for Kongsberg`);
    const redirected = await login();
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toMatch(new RegExp(`^${moodle}/mod/lti/auth\\.php\\?`));

    // A registration invitation: the running tool's registration page accepts it.
    const invite = await cli('lti-invite', '--tenant', '3303');
    expect(invite.stderr).toBe('');
    const printed = new URL(invite.stdout.trim());
    expect(printed.origin).toBe(env.PUBLIC_URL);
    const inviteUrl = new URL(`${printed.pathname}${printed.search}`, tool.url);
    const configuration = await platformConfigurationUrl();
    inviteUrl.searchParams.set('openid_configuration', configuration);
    inviteUrl.searchParams.set('lang', 'en');
    const registration = await fetch(inviteUrl);
    expect(registration.status).toBe(200);
    expect(await registration.text()).toContain(`data-issuer>${new URL(configuration).origin}<`);
    inviteUrl.searchParams.set('invite', `${inviteUrl.searchParams.get('invite')}x`);
    expect((await fetch(inviteUrl)).status).toBe(403);
    expect((await cli('lti-invite', 'list')).stdout).toMatch(/\tKongsberg\topen\t/);

    // LRS credentials for the municipality's HR system: the tool's LRS lets them in.
    const created = await cli('xapi-client', 'add', '--tenant', '3303', '--name', 'HR', '--scopes', 'statements/read', '--json');
    expect(created.stderr).toBe('');
    const { key, secret } = JSON.parse(created.stdout) as { key: string; secret: string };
    const statements = await fetch(`${tool.url}/xapi/statements`, {
      headers: { 'X-Experience-API-Version': '1.0.3', authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` },
    });
    expect(statements.status).toBe(200);

    // Migrations through the socket: the tool migrated at start, so nothing is pending.
    const migrated = await cli('migrate');
    expect(migrated.stdout.trim()).toBe('the database is up to date');

    // Expected errors beside the tool: one line each, no stack trace, non-zero exit.
    const unknownPlatform = await cli('platform', 'remove', '--issuer', 'https://nowhere.example', '--client-id', 'x');
    expect(unknownPlatform.code).toBe(64);
    expect(oneLine(unknownPlatform.stderr)).toEqual([expect.stringContaining('no such platform')]);
    const badId = await cli('content', 'list', 'not-a-tenant-id');
    expect(badId.code).toBe(1);
    expect(oneLine(badId.stderr)).toEqual([expect.stringMatching(/^Nothing was changed: a value is not valid here \(invalid input syntax for type uuid/)]);
    const unknownOption = await cli('tenant', 'list', '--colour');
    expect(unknownOption.code).toBe(64);
    expect(oneLine(unknownOption.stderr)).toEqual([expect.stringContaining(`Unknown option '--colour'`)]);

    // All the while the tool served, and it stops cleanly, taking its socket with it.
    expect((await fetch(`${tool.url}/readyz`)).status).toBe(200);
    expect(await tool.stop('SIGTERM')).toBe(0);
    expect(fs.existsSync(cliSocketPath(DATA_DIR))).toBe(false);

    // After the stop, the CLI opens the data directory itself, as before.
    const afterStop = await cli('platform', 'list');
    expect(afterStop.code).toBe(0);
    expect(afterStop.stdout).toContain(moodle);
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
  });

  it('replaces the socket of a killed tool, and says in one line when a data directory is held by a process without one', async () => {
    const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-beside-'));
    const killed = await startToolProcess({ DATA_DIR });
    await killed.stop('SIGKILL');
    expect(fs.existsSync(cliSocketPath(DATA_DIR))).toBe(true);

    const next = await startToolProcess({ DATA_DIR });
    running.push(next);
    expect(next.logLines.some((line) => line.includes('replaced the CLI socket left by an earlier run'))).toBe(true);
    const listed = await runToCompletion('cli.ts', ['tenant', 'list', '--kind', 'region'], { DATA_DIR });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    await next.stop('SIGTERM');

    // A live process that holds the data directory but serves no socket (here: this test's own).
    fs.writeFileSync(path.join(DATA_DIR, 'laeringslop.lock'), String(process.pid));
    try {
      const refused = await runToCompletion('cli.ts', ['tenant', 'list'], { DATA_DIR });
      expect(refused.code).toBe(1);
      expect(oneLine(refused.stderr)).toEqual([expect.stringContaining(`is in use by process ${process.pid}, and no running tool answers on ${cliSocketPath(DATA_DIR)}`)]);
    } finally {
      fs.rmSync(DATA_DIR, { recursive: true, force: true });
    }
  });
});
