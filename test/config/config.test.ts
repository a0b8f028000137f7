import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_KEY_ENCRYPTION_SECRET, loadConfig } from '../../src/config.js';

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
    expect(problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'KEY_ENCRYPTION_SECRET', 'PUBLIC_URL']);
  });

  it('refuses the development key-encryption secret in production', () => {
    const problems = problemsOf({ ...PRODUCTION, KEY_ENCRYPTION_SECRET: DEVELOPMENT_KEY_ENCRYPTION_SECRET });
    expect(problems).toEqual([{ variable: 'KEY_ENCRYPTION_SECRET', message: expect.stringMatching(/development default/) }]);
  });
});
