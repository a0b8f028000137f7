import { describe, expect, it } from 'vitest';
import { cliHarness } from '../support/cli.js';
import { BACKEND } from '../support/database.js';
import { OFFICIAL_MUNICIPALITIES_FILE } from '../../src/tenants/official-municipalities.js';

/** The operator's LTI commands, run as `npm run cli` runs them, against a database of their own. */
// Each command opens the database as `npm run cli` does (PGlite from disk is slow to open).
describe(`LTI admin CLI (${BACKEND})`, { timeout: 180_000 }, () => {
  const { run } = cliHarness({ name: 'lti-cli', env: { PUBLIC_URL: 'https://laering.kongsberg.kommune.example' } });

  it('prints the tool configuration for Moodle and Canvas', async () => {
    const out = await run('tool-config');
    expect(out).toContain('Initiate login URL:           https://laering.kongsberg.kommune.example/lti/login');
    expect(out).toContain('https://laering.kongsberg.kommune.example/lti/jwks');
    expect(out).toContain('"oidc_initiation_url": "https://laering.kongsberg.kommune.example/lti/login"');
  });

  it('adds, lists and removes a Moodle platform bound to a municipality', async () => {
    await run('tenant', 'import-municipalities', OFFICIAL_MUNICIPALITIES_FILE);
    const moodle = 'https://kslaring.example.no';
    const added = await run('platform', 'add', '--tenant', '3303', '--issuer', moodle, '--client-id', 'abc123',
      '--auth-url', `${moodle}/mod/lti/auth.php`, '--token-url', `${moodle}/mod/lti/token.php`, '--jwks-url', `${moodle}/mod/lti/certs.php`,
      '--deployment-id', '1', '--deployment-id', '2', '--name', 'KS Læring');
    expect(added).toContain('registered https://kslaring.example.no (client abc123) for Kongsberg; deployments: 1, 2');
    const listed = JSON.parse(await run('platform', 'list', '--json')) as { issuer: string; deploymentIds: string[] }[];
    expect(listed).toMatchObject([{ issuer: moodle, deploymentIds: ['1', '2'] }]);
    await expect(run('platform', 'add', '--tenant', '9999', '--issuer', moodle)).rejects.toThrow(/no municipality 9999/);
    await expect(run('platform', 'add', '--tenant', '3303', '--issuer', 'ftp://x', '--client-id', 'c', '--auth-url', 'x', '--token-url', 'x', '--jwks-url', 'x', '--deployment-id', '1')).rejects.toThrow(/issuer/);
    expect(await run('platform', 'remove', '--issuer', moodle, '--client-id', 'abc123')).toBe('removed');
    expect(await run('platform', 'list')).toBe('');
  });

  it('rotates the tool key, keeping the old one published for the grace period', async () => {
    await run('lti-key', 'rotate');
    const rotated = await run('lti-key', 'rotate', '--grace-days', '3');
    expect(rotated).toMatch(/^new signing key [\w-]+\nretired [\w-]+; published until /);
    const listed = (await run('lti-key', 'list')).split('\n');
    expect(listed.filter((l) => l.endsWith('current'))).toHaveLength(1);
    expect(listed.filter((l) => l.includes('retired, published until'))).toHaveLength(1);
  });

  it('issues, lists and revokes registration invitations, and lists the score outbox', async () => {
    expect(await run('lti-invite', 'list')).toBe('no open invitations');
    expect(await run('lti-invite', '--tenant', '3303')).toMatch(/^https:\/\/laering\.kongsberg\.kommune\.example\/lti\/register\?invite=[\w-]+\.[\w-]+\.[\w-]+$/);
    await run('lti-invite', '--tenant', '3303', '--days', '1');
    const open = (await run('lti-invite', 'list')).split('\n');
    expect(open).toHaveLength(2);
    expect(open[0]).toMatch(/^[\da-f-]{36}\tKongsberg\topen\tcreated /);
    const id = open[0]!.split('\t')[0]!;
    expect(await run('lti-invite', 'revoke', id)).toBe(`revoked ${id}`);
    await expect(run('lti-invite', 'revoke', id)).resolves.toBe(`revoked ${id}`);
    expect((await run('lti-invite', 'list')).split('\n')).toHaveLength(1);
    const all = JSON.parse(await run('lti-invite', 'list', '--all', '--json')) as { id: string; state: string }[];
    expect(all.find((i) => i.id === id)).toMatchObject({ state: 'revoked' });
    await expect(run('lti-invite', 'revoke', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/no invitation/);
    await expect(run('lti-invite', 'revoke')).rejects.toThrow(/invitation id/);
    await expect(run('lti-invite', '--tenant', '3303', '--days', 'x')).rejects.toThrow(/--days/);
    expect(await run('lti-outbox')).toBe('nothing waiting');
  });
});
