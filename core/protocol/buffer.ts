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
  /**
   * The last view `take` made, of `#viewOf` from `#viewStart`: a lent read buffer
   * brings the next message to the same place, and a view costs more than a check.
   */
  #view: Uint8Array = EMPTY;
  #viewOf: Uint8Array | null = null;
  #viewStart = 0;

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** Adds bytes at the end. The caller must not modify `data` afterwards. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (data !== this.#viewOf && this.#viewOf !== null) this.forgetView();
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

  /** Copies the unconsumed bytes into an array of its own (when they are not already). */
  own(): void {
    if (this.#owned || this.end === this.start) return;
    this.bytes = this.bytes.slice(this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.#owned = true;
  }

  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.clear();
  }

  /**
   * Takes up to `n` bytes from the front as a view (no copy). A take of the same
   * bytes of the same array as the last one gets the same view.
   */
  take(n: number): Uint8Array {
    const start = this.start;
    const end = Math.min(this.end, start + n);
    let out = this.#view;
    if (this.#viewOf !== this.bytes || this.#viewStart !== start || out.length !== end - start) {
      out = this.#view = this.bytes.subarray(start, end);
      this.#viewOf = this.bytes;
      this.#viewStart = start;
    }
    this.consume(end - start);
    return out;
  }

  /** Lets go of the view `take` keeps (and of the array it views). */
  forgetView(): void {
    this.#view = EMPTY;
    this.#viewOf = null;
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

/**
 * Bytes to send, serialised in place: a growable array that its owner empties
 * (`length = 0`) and fills again, so sending a small message allocates nothing.
 * {@linkcode Connection.sendResponse} appends to it.
 *
 * @example
 * ```ts
 * import { OutputBuffer } from "@uhttp/core/protocol";
 * const out = new OutputBuffer(256);
 * out.push(new TextEncoder().encode("hello"));
 * console.log(out.bytes.subarray(0, out.length)); // the 5 bytes
 * out.length = 0; // sent: reuse the same array
 * ```
 */
export class OutputBuffer {
  /** Backing array; the content is `bytes[0, length)`. */
  bytes: Uint8Array;
  /** Number of bytes of content. */
  length = 0;
  /** The last view {@linkcode OutputBuffer.content} made, and the array it views. */
  #view: Uint8Array = EMPTY;
  #viewOf: Uint8Array | null = null;

  /**
   * Creates an empty buffer.
   *
   * @param capacity Bytes to allocate now. @default 0
   */
  constructor(capacity = 0) {
    this.bytes = capacity > 0 ? new Uint8Array(capacity) : EMPTY;
  }

  /**
   * Makes room for `n` more bytes after the content (a bigger array keeps the
   * content).
   *
   * @param n Bytes needed.
   * @returns The backing array (a new one when it had to grow).
   */
  reserve(n: number): Uint8Array {
    const need = this.length + n;
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, 2 * this.bytes.length));
      if (this.length > 0) grown.set(this.bytes.subarray(0, this.length), 0);
      this.bytes = grown;
    }
    return this.bytes;
  }

  /**
   * The content, `bytes[0, length)`, as a view of its own. The view made last time
   * is given again while the array and the length are the same (a reused buffer
   * sending messages of one size makes no new view).
   *
   * @returns The view (valid until the content changes).
   *
   * @example
   * ```ts
   * import { OutputBuffer } from "@uhttp/core/protocol";
   * const out = new OutputBuffer(256);
   * out.push(new TextEncoder().encode("hello"));
   * const first = out.content();
   * console.log(first.length); // 5
   * out.length = 0;
   * out.push(new TextEncoder().encode("world"));
   * console.log(out.content() === first); // true: same array, same length
   * ```
   */
  content(): Uint8Array {
    const bytes = this.bytes;
    if (this.#viewOf === bytes && this.#view.length === this.length) return this.#view;
    this.#viewOf = bytes;
    return this.#view = this.length === bytes.length ? bytes : bytes.subarray(0, this.length);
  }

  /**
   * Appends bytes (copied).
   *
   * @param data The bytes.
   */
  push(data: Uint8Array): void {
    this.reserve(data.length).set(data, this.length);
    this.length += data.length;
  }
}
