/**
 * One call of a piece of work per key at a time: callers that arrive while it runs wait for its
 * answer instead of starting their own. Nothing is kept once it is answered, so the next caller
 * starts anew (the database read or fetch it stands for sees changes made since).
 */
export class SharedCalls<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const started = work().finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }
}
