import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { createApp } from './app.js';
import { composeCapabilities, type Capabilities } from './compose.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { migrate, readMigrationFiles } from './db/migrations.js';
import { openDatabase } from './db/open.js';
import { createMissingMunicipalities } from './tenants/official-municipalities.js';
import type { Logger } from './logger.js';
import { directRequestListener } from './web/direct-routes.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly database: Database;
  /** Graceful stop: refuse new connections, let in-flight requests finish, stop background work and
   *  close the database (unless the caller passed it in). */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** An already open database (tests); otherwise opened from the configuration. */
  database?: Database;
  /** Extra routers besides the capabilities' own (tests). */
  routers?: readonly Router[];
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const database = options.database ?? (await openDatabase(config));
  let shuttingDown = false;
  let inFlight = 0;
  let server: http.Server;
  let capabilities: Capabilities | undefined;
  try {
    const migrations = readMigrationFiles();
    await migrate(database, migrations, (name) => logger.info({ migration: name }, 'migration applied'));
    const municipalities = await createMissingMunicipalities(database.db);
    if (municipalities.length > 0) logger.info({ count: municipalities.length }, 'municipalities created from the official list');
    capabilities = await composeCapabilities({ config, database, logger });

    const app = createApp({
      config,
      database,
      logger,
      migrations,
      isShuttingDown: () => shuttingDown,
      routers: [...capabilities.routers, ...(options.routers ?? [])],
      apiRouters: capabilities.apiRouters,
      startPageLinks: capabilities.startPageLinks,
    });
    const listener = directRequestListener(app, capabilities.directRoutes);
    server = http.createServer((req, res) => {
      inFlight += 1;
      res.on('close', () => (inFlight -= 1));
      // While stopping, each response closes its connection so keep-alive clients move on.
      if (shuttingDown) res.setHeader('Connection', 'close');
      listener(req, res);
    });
    // Idle keep-alive connections stay open longer than the load balancers in front usually keep
    // theirs (60 s): a client or proxy that reuses a socket just as the server closes it gets a reset
    // without a response, and clients such as LRS test suites and xAPI libraries do not retry it.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 30_000;
    server.requestTimeout = 5 * 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await capabilities?.stop();
    if (!options.database) await database.close();
    throw error;
  }
  const started = capabilities;

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: config.port === 0 ? `http://127.0.0.1:${port}` : config.publicUrl,
    port,
    database,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = setTimeout(() => {
          logger.warn({ inFlight }, 'shutdown timeout: closing remaining connections');
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        // Connections that finish their request while stopping become idle: close them too.
        const sweeper = setInterval(() => server.closeIdleConnections(), 50);
        await stopped;
        clearTimeout(deadline);
        clearInterval(sweeper);
        await started.stop();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}
