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
