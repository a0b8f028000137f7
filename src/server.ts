import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { createApp } from './app.js';
import { composeCapabilities, type Capabilities } from './compose.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { migrate, readMigrationFiles } from './db/migrations.js';
import { openDatabase } from './db/open.js';
import { serveCliSocket, type CliSocketServer } from './db/cli-socket.js';
import type { PgliteDatabase } from './db/pglite.js';
import { createMissingMunicipalities } from './tenants/official-municipalities.js';
import type { Logger } from './logger.js';
import { ROUTE_DECISIONS } from './access/route-decisions.js';
import type { AccessRule } from './access/rules.js';
import { assertEveryRouteDecided } from './web/access/route-table.js';
import { directRequestListener } from './web/direct-routes.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The port of the content origin, when the service listens on a second one (config.contentPort). */
  readonly contentPort: number | undefined;
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
  /** Access decisions for the routes of `routers` (tests' own routes), beside the app's. */
  routeDecisions?: Readonly<Record<string, AccessRule>>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const database = options.database ?? (await openDatabase(config));
  let shuttingDown = false;
  let inFlight = 0;
  const servers: http.Server[] = [];
  let capabilities: Capabilities | undefined;
  let cliSocket: CliSocketServer | undefined;
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
    // A route nobody decided access for is not served: the service refuses to start and names it.
    assertEveryRouteDecided(app, { ...ROUTE_DECISIONS, ...options.routeDecisions });
    const listener = directRequestListener(app, capabilities.directRoutes);
    const listen = async (port: number): Promise<http.Server> => {
      const server = http.createServer((req, res) => {
        inFlight += 1;
        res.on('close', () => (inFlight -= 1));
        // While stopping, each response closes its connection so keep-alive clients move on.
        if (shuttingDown) res.setHeader('Connection', 'close');
        listener(req, res);
      });
      // Idle keep-alive connections stay open longer than the load balancers in front usually keep
      // theirs (60 s): a client or proxy that reuses a socket just as the server closes it gets a
      // reset without a response, and clients such as LRS test suites and xAPI libraries do not retry.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 30_000;
      server.requestTimeout = 5 * 60_000;
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return server;
    };
    await listen(config.port);
    // The same service on a second port is a second origin: the content origin of development.
    if (config.contentPort) {
      await listen(config.contentPort).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`cannot serve content at ${config.contentOrigin} (${reason}); set CONTENT_ORIGIN, or CONTENT_SAME_ORIGIN=allow`, { cause: error });
      });
    }
    cliSocket = await serveCliSocketIfEmbedded(database, logger);
  } catch (error) {
    await cliSocket?.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await capabilities?.stop();
    if (!options.database) await database.close();
    throw error;
  }
  const started = capabilities;

  const [port, contentPort] = servers.map((server) => (server.address() as AddressInfo).port);
  let closing: Promise<void> | undefined;

  return {
    url: config.port === 0 ? `http://127.0.0.1:${port!}` : config.publicUrl,
    port: port!,
    contentPort,
    database,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const stopped = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        const each = (action: (server: http.Server) => void) => servers.forEach(action);
        each((server) => server.closeIdleConnections());
        const deadline = setTimeout(() => {
          logger.warn({ inFlight }, 'shutdown timeout: closing remaining connections');
          each((server) => server.closeAllConnections());
        }, config.shutdownTimeoutMs);
        // Connections that finish their request while stopping become idle: close them too.
        const sweeper = setInterval(() => each((server) => server.closeIdleConnections()), 50);
        await stopped;
        clearTimeout(deadline);
        clearInterval(sweeper);
        await cliSocket?.close();
        await started.stop();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}

/**
 * The embedded database in a data directory belongs to this process; the admin CLI reaches it
 * through a socket there (`npm run cli` beside `npm start`). Without the socket the tool still
 * serves: only the CLI has to wait for a stop.
 */
async function serveCliSocketIfEmbedded(database: Database, logger: Logger): Promise<CliSocketServer | undefined> {
  if (database.kind !== 'pglite') return undefined;
  const embedded = database as PgliteDatabase;
  if (!embedded.dataDir) return undefined;
  try {
    const server = await serveCliSocket({ database: embedded, dataDir: embedded.dataDir, logger });
    logger.info({ socket: server.path }, 'the admin CLI can run beside the tool');
    return server;
  } catch (error) {
    logger.warn({ err: error }, 'the admin CLI cannot reach the running tool: its socket could not be opened');
    return undefined;
  }
}
