import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../support/process.js';

describe('start-up with a bad configuration', () => {
  it('stops with exit code 78 and names each bad variable', async () => {
    const result = await runToCompletion('main.ts', [], { PORT: 'not-a-port', LOG_LEVEL: 'shout', DATABASE_URL: 'http://nope' });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/PORT: must be a whole number/);
    expect(result.stderr).toMatch(/LOG_LEVEL/);
    expect(result.stderr).toMatch(/DATABASE_URL: must be a postgres/);
  });

  it('refuses to start in production without its required settings', async () => {
    const result = await runToCompletion('main.ts', [], { NODE_ENV: 'production' });
    expect(result.code).toBe(78);
    for (const variable of ['PUBLIC_URL', 'DATABASE_URL', 'KEY_ENCRYPTION_SECRET', 'CONTENT_ORIGIN']) {
      expect(result.stderr).toContain(`${variable}: is required in production`);
    }
  });
});
