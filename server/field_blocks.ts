/**
 * The checked and encoded fields (`FieldBlock`) of `respond()`'s `headers` option,
 * kept for the next answers given equal headers (see `HeaderSnapshot`), so that a
 * handler answering with the same headers again and again has them checked and
 * encoded once.
 *
 * @module
 */
import { FieldBlock } from "../core/protocol/writers.ts";
import { HeaderSnapshot } from "../core/header_snapshot.ts";
import type { ResponseHeaders } from "./connection.ts";

/** A headers option seen before, and its block. */
interface Kept {
  readonly seen: HeaderSnapshot;
  readonly block: FieldBlock;
}

/** Headers options kept at most (a handler answers with a few kinds of response). */
const KEPT = 4;
const kept: Kept[] = [];
let nextSlot = 0;

/**
 * The block of `headers`, from the ones kept when equal headers came before.
 *
 * @returns The block, or `null` for headers it does not keep: an iterable other
 * than an array (a `Headers` or a `Map`), or a field given several values.
 * @throws {LocalProtocolError} for an invalid name or value, as `Fields` does
 * (nothing is kept then).
 *
 * @example
 * ```ts
 * import { fieldBlockOf } from "./field_blocks.ts";
 * const block = fieldBlockOf({ "cache-control": "no-store" });
 * console.log(block === fieldBlockOf({ "cache-control": "no-store" })); // true
 * ```
 */
export function fieldBlockOf(headers: ResponseHeaders): FieldBlock | null {
  for (let i = 0; i < kept.length; i++) {
    const k = kept[i]!;
    if (k.seen.matches(headers)) return k.block;
  }
  const seen = HeaderSnapshot.of(headers);
  if (seen === null) return null;
  const block = new FieldBlock(seen.fields);
  kept[nextSlot] = { seen, block };
  nextSlot = (nextSlot + 1) % KEPT;
  return block;
}
