import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollingLoop, type PollingLoopOptions } from '../../src/background/polling-loop.js';
import { createLogger } from '../../src/logger.js';

const INTERVAL_MS = 1_000;
/** Node runs a timer of 0 ms after 1 ms; so do the fake timers when it is set during a timer. */
const AT_ONCE_MS = 1;

/** The waits between passes that began at these times. */
const gaps = (at: readonly number[]) => at.slice(1).map((t, i) => t - at[i]!);

/**
 * A pass whose results the test hands out one at a time (the last one again and again); `calls`
 * counts the passes begun and `at` holds the (fake) time each began.
 */
function scriptedPass(results: readonly (number | Error)[]) {
  const state = { calls: 0, at: [] as number[] };
  const pass = async (): Promise<number> => {
    const result = results[Math.min(state.calls, results.length - 1)]!;
    state.calls += 1;
    state.at.push(Date.now());
    if (result instanceof Error) throw result;
    return result;
  };
  return { state, pass };
}

/** A pass that stays under way until the test lets it finish. */
function heldPass() {
  const state = { calls: 0, finish: (_done: number) => {} };
  const pass = () => {
    state.calls += 1;
    return new Promise<number>((resolve) => {
      state.finish = resolve;
    });
  };
  return { state, pass };
}

function memoryLogger() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { lines, logger: createLogger('info', destination) };
}

/** Whether a pass that did this much work leaves more waiting, as the outbox and the forwarder say. */
const didWork = (done: number) => done > 0;

function loopOf(pass: () => Promise<number>, options: Partial<PollingLoopOptions<number>> = {}) {
  return new PollingLoop<number>({
    pass,
    intervalMs: INTERVAL_MS,
    failure: { logger: undefined, message: 'the pass failed' },
    ...options,
  });
}

describe('PollingLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the next pass at once after a pass that did work, and after the interval after one that did none', async () => {
    const { state, pass } = scriptedPass([3, 2, 0, 1, 0]);
    const loop = loopOf(pass, { moreWaiting: didWork });
    loop.start();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    await loop.stop();
    // 3 → at once, 2 → at once, 0 → interval, 1 → at once, then 0 → interval, interval.
    expect(gaps(state.at)).toEqual([AT_ONCE_MS, AT_ONCE_MS, INTERVAL_MS, AT_ONCE_MS, INTERVAL_MS]);
  });

  it('waits the interval after every pass when no result says more is waiting', async () => {
    const { state, pass } = scriptedPass([7]);
    const loop = loopOf(pass);
    loop.start();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    await loop.stop();
    expect(gaps(state.at)).toEqual([INTERVAL_MS, INTERVAL_MS, INTERVAL_MS]);
  });

  it('waits the first delay before the first pass, and a second start() changes nothing', async () => {
    const { state, pass } = scriptedPass([0]);
    const loop = loopOf(pass, { firstDelayMs: 5_000 });
    expect(loop.state).toBe('not started');
    loop.start();
    loop.start();
    expect(loop.state).toBe('started');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(state.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(state.calls).toBe(2);
    await loop.stop();
    expect(loop.state).toBe('stopped');
  });

  it('runs one pass at a time: a call while a pass runs gets the same promise', async () => {
    const { state, pass } = heldPass();
    const loop = loopOf(pass);
    const first = loop.runOnce();
    const second = loop.runOnce();
    expect(second).toBe(first);
    expect(state.calls).toBe(1);
    state.finish(4);
    expect(await first).toBe(4);
    // Once settled, the next call is a pass of its own.
    const third = loop.runOnce();
    expect(third).not.toBe(first);
    expect(state.calls).toBe(2);
    state.finish(0);
    expect(await third).toBe(0);
  });

  it('joins a pass already under way when its timer comes', async () => {
    const { state, pass } = heldPass();
    const loop = loopOf(pass);
    const manual = loop.runOnce();
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    expect(state.calls).toBe(1);
    state.finish(0);
    await manual;
    await loop.stop();
  });

  it('stop() waits for the pass under way and nothing runs after it', async () => {
    const { state, pass } = heldPass();
    const loop = loopOf(pass, { moreWaiting: didWork });
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    expect(state.calls).toBe(1);
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(stopped).toBe(false);
    // It did work, which would call for another pass at once: stopped, it calls for none.
    state.finish(5);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(state.calls).toBe(1);
  });

  it('stop() before the first pass clears the timer', async () => {
    const { state, pass } = scriptedPass([0]);
    const loop = loopOf(pass, { firstDelayMs: 100 });
    loop.start();
    await loop.stop();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(state.calls).toBe(0);
  });

  it('a loop stopped and started again while a pass runs goes on as one loop, not two', async () => {
    const { state, pass } = heldPass();
    const loop = loopOf(pass);
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    void loop.stop();
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    // The new start's first pass joined the one under way.
    expect(state.calls).toBe(1);
    state.finish(0);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(state.calls).toBe(2);
    state.finish(0);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(state.calls).toBe(3);
    state.finish(0);
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    await loop.stop();
    // Two loops would have left a timer that stop() did not know of.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(state.calls).toBe(3);
  });

  it('logs a failed pass with the worker\'s message and level, and polls on after the interval', async () => {
    const { lines, logger } = memoryLogger();
    const { state, pass } = scriptedPass([new Error('database away'), 2, 0]);
    const loop = loopOf(pass, { moreWaiting: didWork, failure: { logger, message: 'mail outbox pass failed', level: 'warn' } });
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    expect(state.calls).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'mail outbox pass failed', err: { message: 'database away' } });
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    await loop.stop();
    // A failure is no sign of more work: the next pass waits the interval; then 2 → at once, 0 → interval.
    expect(gaps(state.at)).toEqual([INTERVAL_MS, AT_ONCE_MS, INTERVAL_MS]);
    expect(lines).toHaveLength(1);
  });

  it('logs at error level unless told otherwise, and a failure of runOnce() reaches its caller', async () => {
    const { lines, logger } = memoryLogger();
    const { pass } = scriptedPass([new Error('refused')]);
    const loop = loopOf(pass, { failure: { logger, message: 'statement forwarding failed' } });
    await expect(loop.runOnce()).rejects.toThrow('refused');
    expect(lines).toHaveLength(0);
    loop.start();
    await vi.advanceTimersByTimeAsync(AT_ONCE_MS);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'statement forwarding failed', err: { message: 'refused' } });
    await loop.stop();
  });
});

describe('PollingLoop timers', () => {
  const activeTimeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  it('keep the process alive unless unref is asked for', async () => {
    for (const unref of [false, true]) {
      const before = activeTimeouts();
      const loop = loopOf(async () => 0, { firstDelayMs: 3_600_000, unref });
      loop.start();
      expect(activeTimeouts() - before).toBe(unref ? 0 : 1);
      await loop.stop();
      expect(activeTimeouts()).toBe(before);
    }
  });
});
