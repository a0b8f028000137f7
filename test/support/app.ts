import { Writable } from 'node:stream';
import type { Router } from 'express';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger, type Logger } from '../../src/logger.js';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...overrides });
}

/** A logger whose JSON lines the test can read. */
export function capturingLogger(level: 'info' | 'debug' = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function testApp(database: Database, options: { config?: Config; logger?: Logger; routers?: Router[]; apiRouters?: Router[] } = {}) {
  return createApp({
    config: options.config ?? testConfig(),
    database,
    logger: options.logger ?? createLogger('silent'),
    migrations: readMigrationFiles(),
    ...(options.routers ? { routers: options.routers } : {}),
    ...(options.apiRouters ? { apiRouters: options.apiRouters } : {}),
  });
}
