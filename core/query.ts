/**
 * Query strings and form bodies (`application/x-www-form-urlencoded`).
 *
 * @module
 */
import { setOwn } from "./own.ts";
import { decodePercentEncoding, encodeQueryComponent } from "./percent.ts";

/** One parsed query value: a string, `null` for a key without `=`, or a list for a repeated key. */
export type QueryValue = string | null | (string | null)[];

/** A parsed query: each key maps to its value, repeated keys to a list in order. */
export type Query = Record<string, QueryValue>;

/** A value {@linkcode encodeQuery} accepts: `null` gives a bare key, `undefined` is skipped. */
export type QueryInputValue =
  | string
  | number
  | boolean
  | bigint
  | null
  | undefined
  | readonly (string | number | boolean | bigint | null | undefined)[];

/** What {@linkcode encodeQuery} accepts: an object or the entries of one. */
export type QueryInput =
  | Readonly<Record<string, QueryInputValue>>
  | Iterable<readonly [string, QueryInputValue]>;

/**
 * A copy of a parsed query whose lists are copies too, so that changing one
 * changes nothing in the other.
 *
 * @param query A parsed query.
 * @returns The copy.
 *
 * @example
 * ```ts
 * import { copyQuery, parseQuery } from "./query.ts";
 * const q = parseQuery("a=1&a=2");
 * const c = copyQuery(q);
 * (c.a as string[]).push("3");
 * console.log(q.a); // ["1", "2"]
 * ```
 */
export function copyQuery(query: Query): Query {
  const out = { ...query }; // own "__proto__" keys stay own keys
  for (const key of Object.keys(out)) {
    const value = out[key];
    if (Array.isArray(value)) out[key] = value.slice();
  }
  return out;
}

/**
 * Parses a query string (or a form body) strictly.
 *
 * Pairs are split on `&`; empty pairs are skipped. A repeated key becomes an array
 * in order of appearance, a key without `=` maps to `null`, `+` is a space and
 * percent-escapes are decoded strictly. A leading `?` is ignored.
 *
 * @param s The raw query, without or with its leading `?`.
 * @param query An existing object to add the pairs to (the seed's `parse_query(raw, query)`).
 * @returns The parsed query (the `query` argument when given).
 * @throws {DecodeError} On a bad `%` escape or invalid UTF-8 (a server answers 400).
 *
 * @example Repeated keys, bare keys and `+`
 * ```ts
 * import { parseQuery } from "@uhttp/core";
 * const q = parseQuery("tag=a&tag=b&debug&q=hello+world%21");
 * // { tag: ["a", "b"], debug: null, q: "hello world!" }
 * console.log(q.tag, q.debug, q.q);
 * ```
 */
export function parseQuery(s: string, query: Query = {}): Query {
  let start = s.startsWith("?") ? 1 : 0;
  const n = s.length;
  while (start <= n) {
    let end = s.indexOf("&", start);
    if (end === -1) end = n;
    if (end > start) {
      const pair = s.slice(start, end);
      const eq = pair.indexOf("=");
      let key: string;
      let value: string | null;
      if (eq === -1) {
        key = decodePercentEncoding(pair, { plusAsSpace: true });
        value = null;
      } else {
        key = decodePercentEncoding(pair.slice(0, eq), { plusAsSpace: true });
        value = decodePercentEncoding(pair.slice(eq + 1), { plusAsSpace: true });
      }
      if (!Object.hasOwn(query, key)) {
        setOwn(query, key, value);
      } else {
        const prev = query[key]!;
        if (Array.isArray(prev)) prev.push(value);
        else setOwn(query, key, [prev, value]);
      }
    }
    start = end + 1;
  }
  return query;
}

function appendPair(parts: string[], key: string, value: QueryInputValue): void {
  if (value === undefined) return;
  if (value === null) {
    parts.push(encodeQueryComponent(key));
  } else if (Array.isArray(value)) {
    for (const item of value as readonly QueryInputValue[]) appendPair(parts, key, item);
  } else {
    parts.push(encodeQueryComponent(key) + "=" + encodeQueryComponent(String(value)));
  }
}

/**
 * Serialises a query for a URL or a form body, the inverse of {@linkcode parseQuery}.
 *
 * Keys and values are encoded like `URLSearchParams` (space as `+`); an array repeats
 * its key, `null` gives a bare key, `undefined` is left out, numbers and booleans
 * are written with `String()`.
 *
 * @param query An object, or an iterable of `[key, value]` entries (keeps order and duplicates).
 * @returns The query without a leading `?` (`""` when empty).
 *
 * @example Building a query
 * ```ts
 * import { encodeQuery } from "@uhttp/core";
 * const qs = encodeQuery({ q: "a b", tag: ["x", "y"], debug: null, skip: undefined, n: 2 });
 * // "q=a+b&tag=x&tag=y&debug&n=2"
 * console.log(`/search?${qs}`);
 * ```
 */
export function encodeQuery(query: QueryInput): string {
  const parts: string[] = [];
  if (Symbol.iterator in query) {
    for (const [key, value] of query as Iterable<readonly [string, QueryInputValue]>) {
      appendPair(parts, key, value);
    }
  } else {
    // `for in` makes no list of entries; the own keys are those `Object.entries` gives.
    const record = query as Readonly<Record<string, QueryInputValue>>;
    for (const key in record) {
      if (Object.hasOwn(record, key)) appendPair(parts, key, record[key]);
    }
  }
  return parts.length === 1 ? parts[0]! : parts.join("&");
}
