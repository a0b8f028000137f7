import { beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_MUNICIPALITIES_FILE } from '../../src/tenants/official-municipalities.js';
import { cliHarness } from '../support/cli.js';
import { BACKEND } from '../support/database.js';

/** The operator's commands for e-mail domains and ansattnummer trust, run as `npm run cli` runs them. */
describe(`e-mail domain and ansattnummer CLI (${BACKEND})`, { timeout: 180_000 }, () => {
  const { run } = cliHarness({ name: 'link-cli' });
  beforeAll(() => run('tenant', 'import-municipalities', OFFICIAL_MUNICIPALITIES_FILE));

  it('adds, lists and removes a municipality\'s domains; refuses bad ones and another\'s', async () => {
    expect(await run('tenant', 'email-domain', 'add', '3303', 'Kongsberg.Kommune.no')).toBe('added kongsberg.kommune.no to Kongsberg');
    expect(await run('tenant', 'email-domain', 'add', '3334', 'flesberg.kommune.no')).toBe('added flesberg.kommune.no to Flesberg');
    expect(await run('tenant', 'email-domain', 'list')).toBe('flesberg.kommune.no\tFlesberg\nkongsberg.kommune.no\tKongsberg');
    expect(JSON.parse(await run('tenant', 'email-domain', 'list', '3303', '--json'))).toEqual([{ municipality: 'Kongsberg', domain: 'kongsberg.kommune.no' }]);
    await expect(run('tenant', 'email-domain', 'add', '3334', 'kongsberg.kommune.no')).rejects.toThrow(/another municipality/);
    await expect(run('tenant', 'email-domain', 'add', '3303', 'not a domain')).rejects.toThrow(/not a domain/);
    await expect(run('tenant', 'email-domain', 'add', '9999', 'x.no')).rejects.toThrow(/no municipality 9999/);
    await expect(run('tenant', 'email-domain', 'remove', '3334', 'kongsberg.kommune.no')).rejects.toThrow(/not one of the municipality's domains/);
    expect(await run('tenant', 'email-domain', 'remove', '3303', 'kongsberg.kommune.no')).toBe('removed kongsberg.kommune.no from Kongsberg');
    expect(await run('tenant', 'email-domain', 'list')).toBe('flesberg.kommune.no\tFlesberg');
  });

  it('marks a registered platform as trusted to substitute ansattnummer, and takes it back', async () => {
    await expect(run('platform', 'trust-ansattnummer', '--issuer', 'https://moodle.cli.example')).rejects.toThrow(/no platform/);
    await run('platform', 'add', '--tenant', '3303', '--issuer', 'https://moodle.cli.example', '--client-id', 'c', '--auth-url', 'https://moodle.cli.example/mod/lti/auth.php',
      '--token-url', 'https://moodle.cli.example/mod/lti/token.php', '--jwks-url', 'https://moodle.cli.example/mod/lti/certs.php', '--deployment-id', '1');
    expect(await run('platform', 'trust-ansattnummer', '--issuer', 'https://moodle.cli.example')).toContain('ansattnummer links launches');
    expect(await run('platform', 'trust-ansattnummer', '--list')).toBe('https://moodle.cli.example');
    expect(await run('platform', 'trust-ansattnummer', '--issuer', 'https://moodle.cli.example', '--off')).toContain('ignored again');
    expect(await run('platform', 'trust-ansattnummer', '--list')).toBe('');
  });
});
