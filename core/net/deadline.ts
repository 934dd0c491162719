/**
 * Deadlines that share one timer: {@linkcode Deadline}.
 *
 * @module
 */

/**
 * Pending deadlines in a binary min-heap ordered by a key (ties by the order they
 * were keyed), with each deadline knowing its own slot so set/clear are O(log n).
 * One `setTimeout` is armed for the earliest key; it is cleared as soon as no
 * deadline is pending.
 *
 * Moving a pending deadline later is O(1): only its due time changes and its key
 * (never later than its due time) stays where it is in the heap. When the key comes
 * up, the deadline is keyed again at its real due time instead of firing. A
 * connection that moves its deadline on every request therefore costs no heap work.
 */
const heap: Deadline[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
/** Key the timer is armed for (Infinity when not armed). */
let armedAt = Infinity;
let sequence = 0;
/** Checks per delay of a deadline set with {@linkcode Deadline.setCoarse}. */
const COARSE_CHECKS = 8;

function before(a: Deadline, b: Deadline): boolean {
  return a._key < b._key || (a._key === b._key && a._keySeq < b._keySeq);
}

function place(d: Deadline, i: number): void {
  heap[i] = d;
  d._index = i;
}

function siftUp(i: number): void {
  const d = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent]!;
    if (!before(d, p)) break;
    place(p, i);
    i = parent;
  }
  place(d, i);
}

function siftDown(i: number): void {
  const d = heap[i]!;
  const n = heap.length;
  while (true) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    let child = left;
    if (right < n && before(heap[right]!, heap[left]!)) child = right;
    const c = heap[child]!;
    if (!before(c, d)) break;
    place(c, i);
    i = child;
  }
  place(d, i);
}

function insert(d: Deadline): void {
  d._key = d._due;
  d._keySeq = d._seq;
  heap.push(d);
  d._index = heap.length - 1;
  siftUp(d._index);
}

function remove(d: Deadline): void {
  const i = d._index;
  d._index = -1;
  const last = heap.pop()!;
  if (last === d) return;
  place(last, i);
  siftDown(i);
  siftUp(last._index);
}

function arm(): void {
  const first = heap[0];
  if (first === undefined) {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    armedAt = Infinity;
    return;
  }
  // An earlier timer stays: it fires, finds nothing due yet and re-arms. This
  // saves a clearTimeout/setTimeout pair whenever a deadline moves later.
  if (timer !== undefined && armedAt <= first._key) return;
  const wait = Math.max(0, first._key - performance.now());
  // A timer armed only a little later also stays: deadlines may fire up to
  // 1/16 of their delay (at least 1 ms) late, so a run of ever earlier
  // deadlines does not re-arm the timer for each of them.
  if (timer !== undefined && armedAt - first._key <= Math.max(1, wait / 16)) return;
  if (timer !== undefined) clearTimeout(timer);
  armedAt = first._key;
  timer = setTimeout(fire, wait);
}

function byDue(a: Deadline, b: Deadline): number {
  return a._due - b._due || a._seq - b._seq;
}

function fire(): void {
  timer = undefined;
  armedAt = Infinity;
  // Everything due now (1 ms slack for the timer's rounding), earliest first.
  const now = performance.now() + 1;
  const due: Deadline[] = [];
  while (heap.length > 0 && heap[0]!._key <= now) {
    const d = heap[0]!;
    remove(d);
    if (d._due <= now) due.push(d);
    else insert(d); // moved later since it was keyed: key it at its real due time
  }
  arm();
  if (due.length > 1) due.sort(byDue);
  for (const d of due) {
    try {
      if (d._coarseMs > 0 && !d._lapsed()) continue;
      d.onExpire();
    } catch (error) {
      // A failing callback must not stop the others; report it like a timer would.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/**
 * A deadline that calls its callback on its own once its time has come. Any
 * number of deadlines share one underlying timer, so one per connection is
 * cheap; when none is pending no timer is left behind (the process can exit).
 * Deadlines never fire early (within the timer's 1 ms rounding) and may fire up
 * to 1/16 of their delay late; due at the same time, they fire in the order set.
 * A deadline moved on far more often than it passes can use
 * {@linkcode Deadline.setCoarse}, which reads no clock to move it.
 *
 * @example
 * ```ts
 * import { Deadline } from "@uhttp/core";
 * const idle = new Deadline(() => console.log("idle for 5 s"));
 * idle.set(5_000); // (re)starts the deadline
 * idle.clear(); // cancels it
 * ```
 *
 * @example A subclass instead of a callback (one object per deadline, no closure)
 * ```ts
 * import { Deadline } from "@uhttp/core";
 * class IdleDeadline extends Deadline {
 *   constructor(readonly name: string) {
 *     super();
 *   }
 *   override onExpire(): void {
 *     console.log(`${this.name} is idle`);
 *   }
 * }
 * const idle = new IdleDeadline("socket 1");
 * idle.set(5_000);
 * idle.clear();
 * ```
 */
export class Deadline {
  /** @internal due time (performance.now() clock) */
  _due = 0;
  /** @internal order of set() calls, for ties */
  _seq = 0;
  /** @internal heap key: the due time when last keyed (never after `_due`) */
  _key = 0;
  /** @internal `_seq` when last keyed */
  _keySeq = 0;
  /** @internal slot in the heap, -1 when not pending */
  _index = -1;
  /** @internal the delay of `setCoarse()` while it is checked (0: `set()`) */
  _coarseMs = 0;
  /** @internal `setCoarse()` was called since the last check */
  _touched = false;
  /** @internal when the wait of `setCoarse()` started: its call, or the last check to find one */
  _quietSince = 0;
  readonly #callback: (() => void) | undefined;
  readonly #quietCallback: (() => void) | undefined;

  /**
   * Creates a deadline; it does nothing until {@linkcode Deadline.set}.
   *
   * @param callback called once each time the deadline passes (a subclass may
   * override {@linkcode Deadline.onExpire} instead)
   * @param quietCallback called by {@linkcode Deadline.onQuiet} (a subclass may
   * override it instead)
   */
  constructor(callback?: () => void, quietCallback?: () => void) {
    this.#callback = callback;
    this.#quietCallback = quietCallback;
  }

  /** Called once each time the deadline passes: runs the constructor's callback. */
  onExpire(): void {
    this.#callback?.();
  }

  /**
   * Called by each check of {@linkcode Deadline.setCoarse} that finds no call
   * since the check before while the deadline has not passed yet: the deadline
   * has been quiet for at least 1/8 of its delay. Runs the constructor's
   * `quietCallback`; a subclass may override it, for example to let go of memory
   * an idle connection keeps.
   *
   * @example An idle connection's buffers dropped well before it times out
   * ```ts
   * import { Deadline } from "@uhttp/core";
   * class IdleDeadline extends Deadline {
   *   buffer: Uint8Array | null = new Uint8Array(4096);
   *   override onQuiet(): void {
   *     this.buffer = null;
   *   }
   *   override onExpire(): void {
   *     console.log("idle for about 60 s");
   *   }
   * }
   * const idle = new IdleDeadline();
   * idle.setCoarse(60_000); // onQuiet() from about 7.5 s of quiet on
   * idle.clear();
   * ```
   */
  onQuiet(): void {
    this.#quietCallback?.();
  }

  /** `true` while the deadline is set and has not fired or been cleared. */
  get pending(): boolean {
    return this._index >= 0;
  }

  /**
   * Sets (or moves) the deadline to `ms` from now.
   *
   * @param ms milliseconds from now; 0 or less fires on the next timer turn
   */
  set(ms: number): void {
    this._coarseMs = 0;
    this.#placeAt(performance.now() + (ms > 0 ? ms : 0));
  }

  /**
   * Sets (or moves) the deadline to about `ms` from now, for a deadline moved far
   * more often than it passes (a keep-alive or request timeout): a call while it
   * is pending with the same `ms` reads no clock and moves nothing. The deadline
   * is checked every 1/8 of `ms` instead: a check that finds a call since the one
   * before starts the wait again from then, and the deadline passes once `ms` have
   * gone by without one, between `ms` and about 1/8 of `ms` more after the last
   * call (never early). A check that finds no call before it has passed calls
   * {@linkcode Deadline.onQuiet}.
   *
   * @param ms milliseconds from now (more than 0)
   *
   * @example An idle timeout moved on every message
   * ```ts
   * import { Deadline } from "@uhttp/core";
   * const idle = new Deadline(() => console.log("idle for about 5 s"));
   * for (let i = 0; i < 1000; i++) idle.setCoarse(5_000); // one clock read
   * idle.clear();
   * ```
   */
  setCoarse(ms: number): void {
    if (this._coarseMs === ms && this._index >= 0) {
      this._touched = true;
      return;
    }
    const now = performance.now();
    this._coarseMs = ms;
    this._touched = false;
    this._quietSince = now;
    this.#placeAt(now + ms / COARSE_CHECKS);
  }

  /** @internal a check of `setCoarse()` came: whether the deadline passed (else it is checked again) */
  _lapsed(): boolean {
    const now = performance.now();
    const ms = this._coarseMs;
    const touched = this._touched;
    if (touched) {
      this._touched = false;
      this._quietSince = now;
    } else if (now - this._quietSince >= ms - 1) {
      // (within the timer's 1 ms rounding, like `set()`)
      this._coarseMs = 0;
      return true;
    }
    this.#placeAt(Math.min(now + ms / COARSE_CHECKS, this._quietSince + ms));
    if (!touched) this.onQuiet();
    return false;
  }

  #placeAt(due: number): void {
    this._due = due;
    this._seq = sequence++;
    if (this._index >= 0) {
      // Later than its key: the heap stays as it is (see the heap's comment).
      if (due >= this._key) return;
      this._key = due;
      this._keySeq = this._seq;
      siftUp(this._index);
    } else {
      insert(this);
    }
    arm();
  }

  /** Cancels the deadline. Does nothing when it is not pending. */
  clear(): void {
    this._coarseMs = 0;
    if (this._index < 0) return;
    remove(this);
    arm();
  }
}
