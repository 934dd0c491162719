/**
 * A headers option as it was when seen, so that the work done with it (fields
 * checked and encoded, a request head built) can be kept and found again by the
 * next call given equal headers.
 *
 * @module
 */

type Pairs = readonly (readonly [string, unknown])[];
type HeaderRecord = Readonly<Record<string, unknown>>;

/**
 * A headers option (a record of names to values, or an array of pairs) as it was
 * when seen. Another option is equal when it holds the same names and values in
 * the same order, compared one by one: an object changed in place since is not
 * equal, and a fresh object with the same fields is.
 *
 * @example
 * ```ts
 * import { HeaderSnapshot } from "./header_snapshot.ts";
 * const headers = { accept: "application/json" };
 * const seen = HeaderSnapshot.of(headers)!;
 * console.log(seen.fields); // [["accept", "application/json"]]
 * console.log(seen.matches({ accept: "application/json" })); // true
 * headers.accept = "text/html";
 * console.log(seen.matches(headers)); // false
 * ```
 */
export class HeaderSnapshot {
  /** The fields, each value as a string (`String(value)`), in the order given. */
  readonly fields: readonly [string, string][];
  readonly #isArray: boolean;
  readonly #names: readonly string[];
  readonly #values: readonly unknown[];

  private constructor(isArray: boolean, names: string[], values: unknown[]) {
    this.#isArray = isArray;
    this.#names = names;
    this.#values = values;
    this.fields = names.map((name, i) => [name, String(values[i])]);
  }

  /**
   * Takes a snapshot of `headers` (`undefined` is no fields).
   *
   * @returns The snapshot, or `null` for headers it does not take: an iterable
   * other than an array (a `Headers` or a `Map`), or a value that is an object (a
   * list of values).
   */
  static of(headers: object | undefined): HeaderSnapshot | null {
    const names: string[] = [];
    const values: unknown[] = [];
    const isArray = Array.isArray(headers);
    if (isArray) {
      for (const [name, value] of headers as Pairs) {
        names.push(name);
        values.push(value);
      }
    } else if (headers !== undefined) {
      if (isOtherIterable(headers)) return null;
      const record = headers as HeaderRecord;
      for (const name of Object.keys(record)) {
        const value = record[name];
        if (typeof value === "object") return null;
        names.push(name);
        values.push(value);
      }
    }
    return new HeaderSnapshot(isArray, names, values);
  }

  /**
   * Whether `headers` holds what this snapshot holds.
   *
   * @param headers A headers option, as given to {@linkcode HeaderSnapshot.of}.
   * @returns `true` for the same names and values in the same order.
   */
  matches(headers: object | undefined): boolean {
    const names = this.#names;
    const values = this.#values;
    if (Array.isArray(headers)) {
      if (!this.#isArray || headers.length !== names.length) return false;
      for (let i = 0; i < names.length; i++) {
        const pair = (headers as Pairs)[i]!;
        if (pair[0] !== names[i] || pair[1] !== values[i]) return false;
      }
      return true;
    }
    if (this.#isArray) return names.length === 0 && headers === undefined;
    if (headers === undefined) return names.length === 0;
    if (isOtherIterable(headers)) return false;
    const record = headers as HeaderRecord;
    let i = 0;
    // `for in` makes no array of the names; an inherited name makes it differ.
    for (const name in record) {
      if (i === names.length || name !== names[i] || record[name] !== values[i]) return false;
      i++;
    }
    return i === names.length;
  }
}

/** An iterable that is not an array: a `Headers`, a `Map`. */
function isOtherIterable(headers: object): boolean {
  return typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function";
}
