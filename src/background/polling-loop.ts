import type { Logger } from '../logger.js';

/** 'stopped' only after a stop() that followed a start(); a loop never started is 'not started'. */
export type PollingLoopState = 'not started' | 'started' | 'stopped';

export interface PollingLoopOptions<T> {
  /** One pass of the worker. */
  readonly pass: () => Promise<T>;
  /** The wait after a pass that left nothing waiting, and after a pass that failed. */
  readonly intervalMs: number;
  /** The wait between start() and the first pass (default 0). */
  readonly firstDelayMs?: number;
  /** Whether a pass's result says more work is waiting: the next pass then comes at once (default: never). */
  readonly moreWaiting?: (result: T) => boolean;
  /** Timers that do not by themselves keep the process alive. */
  readonly unref?: boolean;
  /** A failed pass is logged with the worker's own message, and the loop goes on. */
  readonly failure: {
    readonly logger: Pick<Logger, 'error' | 'warn'> | undefined;
    readonly message: string;
    readonly level?: 'error' | 'warn';
  };
}

/**
 * The polling loop of a background worker: passes one after the other, never two at once, until
 * stopped. A pass that did work is followed at once by the next (a backlog drains without waiting),
 * any other after the interval.
 */
export class PollingLoop<T> {
  readonly #options: PollingLoopOptions<T>;
  #state: PollingLoopState = 'not started';
  // Counts starts, so that a pass of a loop stopped and started again meanwhile schedules nothing.
  #round = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  constructor(options: PollingLoopOptions<T>) {
    this.#options = options;
  }

  get state(): PollingLoopState {
    return this.#state;
  }

  /** Starts polling; a loop already started goes on as it is. */
  start(): void {
    if (this.#state === 'started') return;
    this.#state = 'started';
    this.#round += 1;
    this.#schedule(this.#options.firstDelayMs ?? 0, this.#round);
  }

  /** Stops polling and waits for the pass under way, if any (its failure is the loop's to log, not the caller's). */
  async stop(): Promise<void> {
    if (this.#state === 'started') this.#state = 'stopped';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One pass now; a call while a pass runs gets that pass's promise. */
  runOnce(): Promise<T> {
    this.#running ??= this.#options.pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(delayMs: number, round: number): void {
    this.#timer = setTimeout(() => void this.#tick(round), delayMs);
    if (this.#options.unref) this.#timer.unref();
  }

  async #tick(round: number): Promise<void> {
    let delayMs = this.#options.intervalMs;
    try {
      const result = await this.runOnce();
      if (this.#options.moreWaiting?.(result)) delayMs = 0;
    } catch (error) {
      const { logger, message, level = 'error' } = this.#options.failure;
      logger?.[level]({ err: error }, message);
    }
    if (this.#state === 'started' && this.#round === round) this.#schedule(delayMs, round);
  }
}
