/**
 * The readiness loop: {@linkcode Pollable}, {@linkcode select} and the
 * {@linkcode ReadySignal} helper for implementing a pollable object.
 *
 * @module
 */

/**
 * Something a readiness loop can wait on: `HttpServer`, `HttpClient`, `WebSocket`.
 *
 * @example
 * ```ts
 * import { type Pollable, ReadySignal } from "@uhttp/core";
 * class Inbox implements Pollable {
 *   #items: string[] = [];
 *   #signal = new ReadySignal();
 *   get ready(): boolean { return this.#items.length > 0; }
 *   whenReady(): Promise<void> { return this.#signal.wait(); }
 *   push(item: string): void { this.#items.push(item); this.#signal.notify(); }
 * }
 * ```
 */
export interface Pollable {
  /** `true` when `processEvents()` has something to return right now. */
  readonly ready: boolean;
  /** Resolves when `ready` may have become `true` (or the object closed). */
  whenReady(): Promise<void>;
}

/**
 * A re-armable wake-up signal: {@linkcode ReadySignal.wait} resolves on the next
 * {@linkcode ReadySignal.notify}, or at once when notified since the last wait.
 * All waiters of one round share one promise, so an idle signal costs nothing.
 *
 * @example
 * ```ts
 * import { ReadySignal } from "@uhttp/core";
 * const signal = new ReadySignal();
 * signal.notify();
 * await signal.wait(); // resolves at once: it was notified before
 * ```
 */
export class ReadySignal {
  #notified = false;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;

  /** Wakes the current waiters, or the next {@linkcode ReadySignal.wait} when nobody waits. */
  notify(): void {
    const resolve = this.#resolve;
    if (resolve !== null) {
      this.#resolve = null;
      this.#promise = null;
      resolve();
    } else {
      this.#notified = true;
    }
  }

  /**
   * Waits for the next notification.
   *
   * @returns a promise that resolves on the next {@linkcode ReadySignal.notify}
   * (at once when a notification came since the last wait).
   */
  wait(): Promise<void> {
    if (this.#notified) {
      this.#notified = false;
      return Promise.resolve();
    }
    if (this.#promise === null) {
      this.#promise = new Promise<void>((resolve) => {
        this.#resolve = resolve;
      });
    }
    return this.#promise;
  }
}

function readyOf<T extends Pollable>(items: readonly T[]): T[] {
  const ready: T[] = [];
  for (const item of items) if (item.ready) ready.push(item);
  return ready;
}

/**
 * Waits until at least one of `items` is ready.
 *
 * Checks `ready` first, so a wake-up that came before the call is never lost.
 * Spurious wake-ups (an item woke but is not ready) wait again for the time
 * that is left. The timer is cleared before returning.
 *
 * @param items the objects to wait on
 * @param timeoutMs how long to wait at most, in ms; `undefined` waits forever
 * @default timeoutMs undefined (no timeout)
 * @returns the items that are ready (maybe several), or `[]` when the time ran out
 *
 * @example
 * ```ts
 * import { ReadySignal, select } from "@uhttp/core";
 * const signal = new ReadySignal();
 * let count = 0;
 * const inbox = { get ready() { return count > 0; }, whenReady: () => signal.wait() };
 * setTimeout(() => { count++; signal.notify(); }, 10);
 * const ready = await select([inbox], 1000);
 * console.log(ready.length); // 1
 * ```
 */
export async function select<T extends Pollable>(
  items: readonly T[],
  timeoutMs?: number,
): Promise<T[]> {
  let ready = readyOf(items);
  if (ready.length > 0 || timeoutMs !== undefined && timeoutMs <= 0) return ready;
  const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  try {
    while (true) {
      const waits: Promise<unknown>[] = [];
      for (const item of items) waits.push(item.whenReady());
      if (deadline !== Infinity) {
        const left = deadline - performance.now();
        if (left <= 0) return readyOf(items);
        waits.push(
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              timer = undefined;
              timedOut = true;
              resolve();
            }, left);
          }),
        );
      }
      // A rejected whenReady() counts as a wake-up: the owner reports the error.
      await Promise.race(waits).catch(() => {});
      ready = readyOf(items);
      if (ready.length > 0 || timedOut) return ready;
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
