/**
 * Queues a function to run as a microtask, the cheapest way the runtime offers.
 * Deno's `queueMicrotask` converts and checks its argument on every call (about
 * 270 ns); continuing an already resolved promise costs half of that, and runs
 * in the same microtask queue. Bun's `queueMicrotask` is the cheaper of the two
 * there. Used on hot paths that defer work once per request (the server's
 * corked-response flush).
 *
 * @module
 */

const RESOLVED: Promise<void> = Promise.resolve();

function thenTask(task: () => void): void {
  RESOLVED.then(task);
}

/**
 * Runs `task` in a microtask, after the ones already queued. A task that throws
 * is reported like an unhandled error of the runtime (tasks here do not throw).
 *
 * @param task The function to run.
 *
 * @example Run something once the current synchronous code is done
 * ```ts
 * import { queueTask } from "./microtask.ts";
 * const order: string[] = [];
 * queueTask(() => order.push("later"));
 * order.push("now");
 * await Promise.resolve();
 * console.log(order); // ["now", "later"]
 * ```
 */
export const queueTask: (task: () => void) => void = "Bun" in globalThis
  ? queueMicrotask
  : thenTask;
