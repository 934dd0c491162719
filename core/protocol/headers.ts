/**
 * Header fields: original casing kept for sending, lowercase names for lookup.
 *
 * @module
 */
import { LocalProtocolError } from "./errors.ts";
import { isToken, validFieldValue } from "./syntax.ts";
import { setOwn } from "../own.ts";

/**
 * What header fields can be built from: a list of `[name, value]` pairs (order and
 * repeats kept) or a record (an array value gives one field per element).
 *
 * @example
 * ```ts
 * import type { FieldsInit } from "@uhttp/core/protocol";
 * const a: FieldsInit = [["Host", "example.com"], ["Accept", "*\/*"]];
 * const b: FieldsInit = { host: "example.com", "set-cookie": ["a=1", "b=2"] };
 * ```
 */
export type FieldsInit =
  | Iterable<readonly [string, string]>
  | Record<string, string | readonly string[]>;

/**
 * An immutable, ordered list of header fields (or trailer fields).
 *
 * Lookups compare names case-insensitively without building a dictionary. Being
 * immutable, one `Fields` may belong to several messages: a connection gives each
 * head it receives again byte for byte the fields it gave that head before.
 *
 * @example Building and reading fields
 * ```ts
 * import { Fields } from "@uhttp/core/protocol";
 * const f = new Fields([["Content-Type", "text/plain"], ["Vary", "a"], ["vary", "b"]]);
 * console.log(f.get("content-type")); // "text/plain"
 * console.log(f.get("Vary"));         // "a, b"
 * console.log(f.getAll("vary"));      // ["a", "b"]
 * ```
 */
export class Fields implements Iterable<[string, string]> {
  /** Names as given or received (original casing). */
  readonly names: readonly string[];
  /** Names in lowercase, same order as {@linkcode Fields.names}. */
  readonly lowerNames: readonly string[];
  /** Values, same order as {@linkcode Fields.names}. */
  readonly values: readonly string[];

  /**
   * Validates and stores the fields. Values lose leading and trailing spaces and tabs.
   *
   * @param init Pairs or a record.
   * @throws {LocalProtocolError} for a name that is not a token or a value with CR, LF or NUL.
   */
  constructor(init: FieldsInit = []) {
    const names: string[] = [];
    const lower: string[] = [];
    const values: string[] = [];
    const add = (name: string, rawValue: string) => {
      if (!isToken(name)) {
        throw new LocalProtocolError(`Invalid header name ${JSON.stringify(name)}`);
      }
      const value = stripOws(String(rawValue));
      if (!validFieldValue(value)) {
        throw new LocalProtocolError(`Invalid value for header "${name}"`);
      }
      names.push(name);
      lower.push(name.toLowerCase());
      values.push(value);
    };
    if (isPairIterable(init)) {
      for (const [name, value] of init) add(name, value);
    } else {
      for (const name of Object.keys(init)) {
        const value = init[name]!;
        if (typeof value === "string") add(name, value);
        else for (const v of value) add(name, v);
      }
    }
    this.names = names;
    this.lowerNames = lower;
    this.values = values;
  }

  /** Number of fields. */
  get size(): number {
    return this.names.length;
  }

  /**
   * The value of a field, repeated fields joined with `", "`.
   *
   * @param name Field name, any case.
   * @returns The value or `null` when absent.
   */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    const names = this.lowerNames;
    let found: string | null = null;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === lower) {
        found = found === null ? this.values[i]! : found + ", " + this.values[i]!;
      }
    }
    return found;
  }

  /**
   * Every value of a field, in order.
   *
   * @param name Field name, any case.
   * @returns The values; empty when absent.
   */
  getAll(name: string): string[] {
    const values = fieldValues(this, name.toLowerCase());
    return values === NO_VALUES ? [] : values as string[];
  }

  /**
   * Whether a field is present.
   *
   * @param name Field name, any case.
   * @returns `true` when at least one field has this name.
   */
  has(name: string): boolean {
    return this.lowerNames.includes(name.toLowerCase());
  }

  /**
   * The fields as `[name, value]` pairs with original casing.
   *
   * @returns An iterator over the pairs.
   */
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) {
      yield [this.names[i]!, this.values[i]!];
    }
  }

  /**
   * The fields as a record with lowercase keys; repeated fields joined with `", "`.
   *
   * @returns A new plain object.
   */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.lowerNames.length; i++) {
      const name = this.lowerNames[i]!;
      const value = this.values[i]!;
      // A field named __proto__ is a key like any other (`setOwn`).
      if (!Object.hasOwn(out, name)) setOwn(out, name, value);
      else out[name] = out[name] + ", " + value;
    }
    return out;
  }
}

/** Builds `Fields` from already validated arrays, without copying or checking. */
export function trustedFields(
  names: string[],
  lowerNames: string[],
  values: string[],
): Fields {
  const f = Object.create(Fields.prototype) as {
    names: string[];
    lowerNames: string[];
    values: string[];
  };
  f.names = names;
  f.lowerNames = lowerNames;
  f.values = values;
  return f as unknown as Fields;
}

/** What {@linkcode fieldValues} gives for an absent field: shared, frozen. */
const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * The values of the field whose lowercase name is `lower`, in order. Like
 * `getAll()` for the names the protocol core looks up in every message, without
 * lowercasing the name or making an array for an absent field.
 */
export function fieldValues(fields: Fields, lower: string): readonly string[] {
  const names = fields.lowerNames;
  let out: string[] | null = null;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== lower) continue;
    // Made with its first value: a list made empty reserves room for 17 at its first push.
    if (out === null) out = [fields.values[i]!];
    else out.push(fields.values[i]!);
  }
  return out ?? NO_VALUES;
}

/** Empty fields, shared. */
export const EMPTY_FIELDS: Fields = trustedFields([], [], []);

function isPairIterable(
  init: FieldsInit,
): init is Iterable<readonly [string, string]> {
  return typeof (init as Iterable<unknown>)[Symbol.iterator] === "function";
}

/** Strips leading and trailing SP and HTAB only (not JavaScript's `trim()`). */
export function stripOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x20 || s.charCodeAt(start) === 0x09)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
