import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirInUseError } from './db/pglite.js';
import { MigrationError } from './db/migrations.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { superviseWorkers } from './workers.js';

/** EX_CONFIG from sysexits.h: the configuration is wrong, restarting will not help. */
const EXIT_CONFIG = 78;

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Læringsløp cannot start. ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  throw error;
}

const logger = cluster.isWorker ? createLogger(config.logLevel).child({ worker: cluster.worker!.id }) : createLogger(config.logLevel);

if (config.workers > 1 && cluster.isPrimary) superviseWorkers(config, logger);
else await serve(config);

async function serve(config: Config): Promise<void> {
  try {
    const server = await startServer({ config, logger });
    logger.info(
      { url: server.url, contentOrigin: config.contentOrigin, database: server.database.kind, dataDir: server.database.kind === 'pglite' ? config.dataDir : undefined },
      `Læringsløp is running at ${server.url}`,
    );

    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping: finishing requests in flight');
      server.close().then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    if (error instanceof MigrationError) {
      logger.fatal({ migration: error.file, err: error.cause ?? error }, error.message);
    } else if (error instanceof DataDirInUseError) {
      logger.fatal(error.message);
    } else {
      logger.fatal({ err: error }, 'start-up failed');
    }
    // Let pino flush before exiting.
    setImmediate(() => process.exit(1));
  }
}
