/**
 * Byte-array helpers shared by the protocol core, the server, the client and the CLI.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

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
