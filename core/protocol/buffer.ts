/**
 * The receive buffer of a connection: appends incoming bytes without copying when it
 * is empty, and never writes into bytes it has already handed out.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

/** Bytes received and not yet consumed. */
export class ReceiveBuffer {
  /** Backing array; the unconsumed bytes are `bytes[start, end)`. */
  bytes: Uint8Array = EMPTY;
  /** First unconsumed byte. */
  start = 0;
  /** One past the last unconsumed byte. */
  end = 0;
  /** `true` when `bytes` was allocated here, so space after `end` is ours to fill. */
  #owned = false;

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** Adds bytes at the end. The caller must not modify `data` afterwards. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (this.end === this.start) {
      this.bytes = data;
      this.start = 0;
      this.end = n;
      this.#owned = false;
      return;
    }
    if (this.#owned && this.bytes.length - this.end >= n) {
      this.bytes.set(data, this.end);
      this.end += n;
      return;
    }
    const have = this.end - this.start;
    const grown = new Uint8Array(Math.max(have + n, Math.min(2 * (have + n), have + n + 65536)));
    grown.set(this.bytes.subarray(this.start, this.end), 0);
    grown.set(data, have);
    this.bytes = grown;
    this.start = 0;
    this.end = have + n;
    this.#owned = true;
  }

  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.clear();
  }

  /** Takes up to `n` bytes from the front as a view (no copy). */
  take(n: number): Uint8Array {
    const end = Math.min(this.end, this.start + n);
    const out = this.bytes.subarray(this.start, end);
    this.consume(end - this.start);
    return out;
  }

  /** Takes every unconsumed byte as a view (no copy). */
  takeAll(): Uint8Array {
    return this.take(this.end - this.start);
  }

  /** Forgets everything. */
  clear(): void {
    this.bytes = EMPTY;
    this.start = 0;
    this.end = 0;
    this.#owned = false;
  }
}
