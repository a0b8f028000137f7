/**
 * Why the LTI protocol engine is our own code on `jose` rather than ltijs (DESIGN.md allows the
 * switch when ltijs blocks a requirement). ltijs is a devDependency for this test only.
 */
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('ltijs 5.9 blocks requirements of issue 3', () => {
  it('depends on Express 4, helmet 6 and mongoose (MongoDB), while we run Express 5 on PostgreSQL', () => {
    const manifest = require('ltijs/package.json') as { version: string; dependencies: Record<string, string> };
    expect(manifest.version).toMatch(/^5\./);
    expect(manifest.dependencies['express']).toMatch(/^\^4\./);
    expect(manifest.dependencies['helmet']).toMatch(/^\^6\./);
    expect(manifest.dependencies['mongoose']).toBeDefined();
  });

  it('exports one Provider instance per process (a singleton), so tests cannot start several tools', () => {
    const { Provider } = require('ltijs') as { Provider: object };
    expect(typeof Provider).toBe('object');
    expect(require('ltijs').Provider).toBe(Provider);
  });

  it('refuses a launch whose state cookie is missing (blocked third-party cookies) unless devMode switches state validation off', async () => {
    const Auth = require('ltijs/dist/Utils/Auth.js') as {
      validateToken(token: string, devMode: boolean, params: { iss?: string | undefined; maxAge?: number }, ...rest: unknown[]): Promise<unknown>;
    };
    const token = await new SignJWT({ nonce: 'n' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://moodle.example')
      .setAudience('client')
      .sign(new TextEncoder().encode('k'.repeat(32)));
    // What ltijs passes when the browser did not send the `state<state>` cookie: no iss to compare.
    await expect(Auth.validateToken(token, false, { iss: undefined, maxAge: 10 }, async () => undefined, 'key', {})).rejects.toThrow('MISSING_VALIDATION_COOKIE');
  });
});
