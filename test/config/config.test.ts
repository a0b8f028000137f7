import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_KEY_ENCRYPTION_SECRET, loadConfig } from '../../src/config.js';
import { isLoopbackAddress, isLoopbackHost } from '../../src/loopback.js';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://laering.example.kommune.no',
  DATABASE_URL: 'postgres://app@db:5432/laeringslop',
  KEY_ENCRYPTION_SECRET: 'a-real-secret-that-is-long-enough-0123456789',
  CONTENT_ORIGIN: 'https://innhald.example.kommune.no',
};

describe('configuration', () => {
  it('runs with no variables at all, on development defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      keyEncryptionSecret: DEVELOPMENT_KEY_ENCRYPTION_SECRET,
      logLevel: 'info',
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('plans hot statements once per connection unless told not to, and names a bad setting', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).databasePreparedStatements).toBe(false);
    expect(problemsOf({ DATABASE_PREPARED_STATEMENTS: 'nei' })).toEqual([{ variable: 'DATABASE_PREPARED_STATEMENTS', message: expect.stringContaining('on or off') }]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://laering.example.no/tool/' }).publicUrl).toBe('https://laering.example.no/tool');
  });

  it('names every invalid variable at once', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL']);
    expect(problems.find((p) => p.variable === 'PORT')!.message).toMatch(/whole number/);
  });

  it('refuses a port outside 0–65535 and a secret that is too short', () => {
    const problems = problemsOf({ PORT: '70000', KEY_ENCRYPTION_SECRET: 'short' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['KEY_ENCRYPTION_SECRET', 'PORT']);
  });

  it('accepts a complete production configuration', () => {
    expect(loadConfig(PRODUCTION).nodeEnv).toBe('production');
  });

  it('requires PUBLIC_URL, DATABASE_URL and KEY_ENCRYPTION_SECRET in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['CONTENT_ORIGIN', 'DATABASE_URL', 'KEY_ENCRYPTION_SECRET', 'PUBLIC_URL']);
  });

  it("refuses production without a content origin unless the risk is accepted explicitly, and a content origin that is the tool's", () => {
    const { CONTENT_ORIGIN: _, ...sameOrigin } = PRODUCTION;
    expect(problemsOf(sameOrigin)).toEqual([{ variable: 'CONTENT_ORIGIN', message: expect.stringMatching(/required in production.*CONTENT_SAME_ORIGIN=allow/) }]);
    expect(loadConfig({ ...sameOrigin, CONTENT_SAME_ORIGIN: 'allow' }).contentOrigin).toBeUndefined();
    expect(problemsOf({ ...sameOrigin, CONTENT_SAME_ORIGIN: 'yes' })).toEqual([{ variable: 'CONTENT_SAME_ORIGIN', message: expect.stringContaining('allow') }]);
    expect(problemsOf({ ...PRODUCTION, CONTENT_ORIGIN: 'https://laering.example.kommune.no/innhald' })).toEqual([{ variable: 'CONTENT_ORIGIN', message: expect.stringMatching(/another origin/) }]);
    expect(loadConfig({ ...PRODUCTION, CONTENT_ORIGIN: 'https://laering.example.kommune.no:8443' }).contentOrigin).toBe('https://laering.example.kommune.no:8443');
  });

  it('in development on a loopback PUBLIC_URL, serves content from the next port by default', () => {
    expect(loadConfig({})).toMatchObject({ contentOrigin: 'http://localhost:3001', contentPort: 3001 });
    expect(loadConfig({ PORT: '4000', PUBLIC_URL: 'http://127.0.0.1:4000' })).toMatchObject({ contentOrigin: 'http://127.0.0.1:4001', contentPort: 4001 });
    expect(loadConfig({ PUBLIC_URL: 'http://[::1]:3000' }).contentOrigin).toBe('http://[::1]:3001');
    for (const env of [
      { CONTENT_SAME_ORIGIN: 'allow' },
      { NODE_ENV: 'test' },
      { PUBLIC_URL: 'https://laering.test.example' },
      { PORT: '0' },
    ]) expect(loadConfig(env), JSON.stringify(env)).toMatchObject({ contentOrigin: undefined, contentPort: undefined });
    expect(loadConfig({ CONTENT_ORIGIN: 'http://innhald.localhost:3000' })).toMatchObject({ contentOrigin: 'http://innhald.localhost:3000', contentPort: undefined });
  });

  it('refuses the development key-encryption secret in production', () => {
    const problems = problemsOf({ ...PRODUCTION, KEY_ENCRYPTION_SECRET: DEVELOPMENT_KEY_ENCRYPTION_SECRET });
    expect(problems).toEqual([{ variable: 'KEY_ENCRYPTION_SECRET', message: expect.stringMatching(/development default/) }]);
  });

  it('serves the development LMS by default only on a loopback PUBLIC_URL, and never in production', () => {
    expect(loadConfig({}).devLms).toBe('loopback');
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }).devLms).toBe('loopback');
    expect(loadConfig({ PUBLIC_URL: 'https://laering.kongsberg.kommune.no' }).devLms).toBe('off');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost.evil.example' }).devLms).toBe('off');
    expect(loadConfig({ PUBLIC_URL: 'https://laering.test.example', DEV_LMS: 'on' }).devLms).toBe('on');
    expect(loadConfig({ DEV_LMS: 'off' }).devLms).toBe('off');
    expect(loadConfig({ ...PRODUCTION, PUBLIC_URL: 'http://localhost:3000' }).devLms).toBe('off');
    expect(problemsOf({ ...PRODUCTION, DEV_LMS: 'on' })).toEqual([{ variable: 'DEV_LMS', message: expect.stringMatching(/cannot be on in production/) }]);
    expect(problemsOf({ DEV_LMS: 'yes' })).toEqual([{ variable: 'DEV_LMS', message: expect.stringContaining('on or off') }]);
  });

  it('tells loopback host names and addresses from others', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'localhost.']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['localhost.evil.example', 'example.com', '10.0.0.1', '[::2]', '128.0.0.1', '0.0.0.0']) expect(isLoopbackHost(host), host).toBe(false);
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of [undefined, '', '192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '::']) expect(isLoopbackAddress(address), address).toBe(false);
  });
});
