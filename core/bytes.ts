/**
 * Byte-array helpers shared by the protocol core, the server, the client and the CLI.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
/** Size of the pool small copies are cut from, bytes. */
const POOL_SIZE = 8 * 1024;
/** Largest piece cut from the pool, bytes (bigger ones get an array of their own). */
const POOL_PIECE_MAX = 1024;
/** Pool that small copies are cut from (see `copyBytes`). */
let pool = EMPTY;
let poolUsed = 0;

/**
 * Copies bytes into an array of their own (for bytes lent by a transport, which
 * reuses them). Pieces of up to 1 KiB are cut from a shared 8 KiB pool, since a
 * fresh typed array costs Deno far more than a view; so a kept small body holds
 * at most one pool alive, like Node's `Buffer` pool.
 *
 * @param bytes The bytes to copy.
 * @returns A copy of them.
 *
 * @example
 * ```ts
 * import { copyBytes } from "./bytes.ts";
 * const lent = new Uint8Array([1, 2, 3]);
 * const kept = copyBytes(lent);
 * lent.fill(0);
 * console.log(kept); // Uint8Array [1, 2, 3]
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  if (n > POOL_PIECE_MAX) return bytes.slice();
  if (poolUsed + n > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    poolUsed = 0;
  }
  const out = pool.subarray(poolUsed, poolUsed + n);
  out.set(bytes);
  poolUsed += (n + 7) & ~7; // next piece 8-byte aligned
  return out;
}

/**
 * Joins byte arrays into one with a single allocation; one piece is returned as
 * it is (no copy), none as an empty array.
 *
 * @param pieces The arrays, in order.
 * @param total Their summed length, when the caller already knows it.
 */
export function concatBytes(pieces: readonly Uint8Array[], total = -1): Uint8Array {
  if (pieces.length === 0) return EMPTY;
  if (pieces.length === 1) return pieces[0]!;
  if (total < 0) {
    total = 0;
    for (const p of pieces) total += p.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of pieces) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * `count` random bytes (from `crypto.getRandomValues`) as lowercase hex, two
 * digits each: nonces, boundaries.
 *
 * @param count How many bytes.
 * @returns `2 * count` hex digits.
 *
 * @example
 * ```ts
 * import { randomHex } from "./bytes.ts";
 * console.log(/^[0-9a-f]{16}$/.test(randomHex(8))); // true
 * ```
 */
export function randomHex(count: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(count));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}
