/**
 * The checked and encoded fields (`FieldBlock`) of `respond()`'s `headers` option,
 * kept for the next answers given equal headers, so that a handler answering with
 * the same headers again and again has them checked and encoded once. Equal by
 * content, name by name and value by value (not by object): a headers object
 * changed in place is seen at once, and a fresh object literal with the same
 * fields is found.
 *
 * @module
 */
import { FieldBlock } from "../core/protocol/writers.ts";
import type { ResponseHeaders } from "./connection.ts";

/** One headers option seen before: its names and values as given, and its block. */
interface Kept {
  /** Given as a list of pairs (else as a record). */
  readonly pairs: boolean;
  readonly names: readonly string[];
  readonly values: readonly unknown[];
  readonly block: FieldBlock;
}

/** Headers options kept at most (a handler answers with a few kinds of response). */
const KEPT = 4;
const kept: Kept[] = [];
let nextSlot = 0;

type Pairs = readonly (readonly [string, string])[];
type HeaderRecord = Readonly<Record<string, unknown>>;

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
  const pairs = Array.isArray(headers);
  if (!pairs && typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") return null;
  for (let i = 0; i < kept.length; i++) {
    const k = kept[i]!;
    if (k.pairs !== pairs) continue;
    if (pairs ? samePairs(headers as Pairs, k) : sameRecord(headers as HeaderRecord, k)) {
      return k.block;
    }
  }
  const names: string[] = [];
  const values: unknown[] = [];
  if (pairs) {
    for (const [name, value] of headers as Pairs) {
      names.push(name);
      values.push(value);
    }
  } else {
    const record = headers as HeaderRecord;
    for (const name of Object.keys(record)) {
      const value = record[name];
      if (typeof value === "object") return null; // several values
      names.push(name);
      values.push(value);
    }
  }
  const block = new FieldBlock(names.map((name, i) => [name, String(values[i])] as const));
  kept[nextSlot] = { pairs, names, values, block };
  nextSlot = (nextSlot + 1) % KEPT;
  return block;
}

function samePairs(list: Pairs, k: Kept): boolean {
  const names = k.names;
  const values = k.values;
  if (list.length !== names.length) return false;
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    if (pair[0] !== names[i] || pair[1] !== values[i]) return false;
  }
  return true;
}

function sameRecord(record: HeaderRecord, k: Kept): boolean {
  const names = k.names;
  const values = k.values;
  let i = 0;
  // `for in` makes no array of the names; an inherited name makes it differ.
  for (const name in record) {
    if (i === names.length || name !== names[i] || record[name] !== values[i]) return false;
    i++;
  }
  return i === names.length;
}
