import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** A worker that dies sooner than this after it was started counts as failing to start. */
const QUICK_EXIT_MS = 10_000;
/** This many quick exits in a row: the configuration or the database is wrong; stop everything. */
const MAX_QUICK_EXITS = 3;

/**
 * The primary process of `WORKERS` > 1: it runs no application code, only starts that many worker
 * processes (each a whole instance of the tool on the shared port, as several instances behind a
 * load balancer would be), starts a new one when one dies, and on SIGTERM or SIGINT stops them all
 * gracefully before it exits.
 */
export function superviseWorkers(config: Config, logger: Logger): void {
  let stopping: { exitCode: number } | undefined;
  let quickExits = 0;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) {
        logger.info('stopped');
        process.exit(stopping.exitCode);
      }
      return;
    }
    quickExits = lived < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      logger.fatal({ worker: worker.id, code, signal }, `workers keep exiting within ${QUICK_EXIT_MS / 1000} s of starting: stopping`);
      stopAll(1);
      return;
    }
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker exited: starting another');
    fork();
  });

  const stopAll = (exitCode = 0) => {
    stopping = { exitCode };
    if (startedAt.size === 0) process.exit(exitCode);
    // SIGTERM whatever the primary got: a terminal's Ctrl-C has already sent SIGINT to the workers.
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    // Workers close gracefully within SHUTDOWN_TIMEOUT_MS; do not wait forever for one that hangs.
    setTimeout(() => {
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      process.exit(exitCode || 1);
    }, config.shutdownTimeoutMs + 5_000).unref();
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal, workers: startedAt.size }, 'stopping: workers finish their requests in flight');
      stopAll();
    });
  }

  logger.info({ workers: config.workers }, `starting ${config.workers} workers`);
  for (let i = 0; i < config.workers; i += 1) fork();
}
