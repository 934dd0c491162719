/**
 * Strict percent-decoding and percent-encoding (RFC 3986, WHATWG
 * `application/x-www-form-urlencoded`).
 *
 * @module
 */

/**
 * Thrown when text from a peer is malformed: a `%` not followed by two hex
 * digits, escaped bytes that are not valid UTF-8, or a bad header line. A server
 * answers it with `400 Bad Request`.
 *
 * @example Telling a bad request from other failures
 * ```ts
 * import { DecodeError, decodePercentEncoding } from "@uhttp/core";
 * try {
 *   decodePercentEncoding("/a%zz");
 * } catch (err) {
 *   if (err instanceof DecodeError) console.log("400:", err.message);
 * }
 * ```
 */
export class DecodeError extends Error {
  /**
   * Creates a decode error.
   *
   * @param message What is wrong, in sentence case.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DecodeError";
  }
}

/** Options of {@linkcode decodePercentEncoding}. */
export interface DecodeOptions {
  /**
   * Decode `+` as a space, as in query strings and form bodies. Leave it `false`
   * for paths, where `+` is a literal plus.
   *
   * @default {false}
   */
  plusAsSpace?: boolean;
}

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10; // a-f
  return -1;
}

/**
 * Decodes percent-encoded text strictly.
 *
 * Each `%` must be followed by exactly two hex digits, and every run of escapes
 * must decode to valid UTF-8; anything else throws {@linkcode DecodeError}.
 * Characters that are not escaped are kept as they are.
 *
 * @param s The encoded text, e.g. a path (`/a%20b`) or a query component.
 * @param options Decoding options: `plusAsSpace` (default `false`).
 * @returns The decoded text.
 * @throws {DecodeError} On a bad escape (`%`, `%4`, `%zz`) or invalid UTF-8 (`%C3%28`).
 *
 * @example Paths and query components
 * ```ts
 * import { decodePercentEncoding } from "@uhttp/core";
 * decodePercentEncoding("/caf%C3%A9/a+b"); // "/café/a+b"
 * decodePercentEncoding("a+b%21", { plusAsSpace: true }); // "a b!"
 * ```
 */
export function decodePercentEncoding(s: string, options: DecodeOptions = {}): string {
  const plusAsSpace = options.plusAsSpace ?? false;
  let pct = s.indexOf("%");
  if (pct === -1) return plusAsSpace && s.includes("+") ? s.replaceAll("+", " ") : s;
  let out = "";
  let last = 0; // start of the not yet copied literal text
  const n = s.length;
  while (pct !== -1) {
    let literal = s.slice(last, pct);
    if (plusAsSpace) literal = literal.replaceAll("+", " ");
    out += literal;
    // Collect a run of consecutive escapes into bytes, then decode them at once.
    const bytes: number[] = [];
    let i = pct;
    while (i < n && s.charCodeAt(i) === 0x25) {
      const hi = i + 1 < n ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < n ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) {
        throw new DecodeError(`Invalid percent-encoding ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      bytes.push((hi << 4) | lo);
      i += 3;
    }
    try {
      out += FATAL_UTF8.decode(Uint8Array.from(bytes));
    } catch (cause) {
      throw new DecodeError("Percent-encoded bytes are not valid UTF-8", { cause });
    }
    last = i;
    pct = s.indexOf("%", i);
  }
  let tail = s.slice(last);
  if (plusAsSpace) tail = tail.replaceAll("+", " ");
  return out + tail;
}

const HEX = "0123456789ABCDEF";
const UTF8 = new TextEncoder();

/** Builds a 128-entry table: true where the ASCII character is kept as is. */
function keepTable(keep: string): boolean[] {
  const table = new Array<boolean>(128).fill(false);
  for (let c = 0x30; c <= 0x39; c++) table[c] = true;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = true;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = true;
  for (const ch of keep) table[ch.charCodeAt(0)] = true;
  return table;
}

// WHATWG application/x-www-form-urlencoded serializer (what URLSearchParams emits).
const QUERY_KEEP = keepTable("*-._");
// RFC 3986 pchar (unreserved, sub-delims, ":", "@") plus "/" for whole paths.
const PATH_KEEP = keepTable("-._~!$&'()*+,;=:@/");

function encodeWith(s: string, keep: boolean[], spaceAsPlus: boolean): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 && keep[c]) continue;
    out += s.slice(last, i);
    if (c === 0x20 && spaceAsPlus) {
      out += "+";
      last = i + 1;
      continue;
    }
    let end = i + 1;
    if (c >= 0x80) {
      // Encode the whole run of non-ASCII characters at once (keeps surrogate pairs).
      while (end < s.length && s.charCodeAt(end) >= 0x80) end++;
    }
    for (const b of UTF8.encode(s.slice(i, end))) {
      out += "%" + HEX[b >> 4] + HEX[b & 0xf];
    }
    last = end;
    i = end - 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * Percent-encodes a query key or value the way `URLSearchParams` does
 * (`application/x-www-form-urlencoded`): letters, digits and `*-._` stay, a space
 * becomes `+`, everything else becomes `%XX` of its UTF-8 bytes.
 *
 * @param s The text to encode.
 * @returns The encoded text, safe inside a query string.
 *
 * @example Encoding a value
 * ```ts
 * import { encodeQueryComponent } from "@uhttp/core";
 * const q = "q=" + encodeQueryComponent("a b&c=é"); // "q=a+b%26c%3D%C3%A9"
 * console.log(q);
 * ```
 */
export function encodeQueryComponent(s: string): string {
  return encodeWith(s, QUERY_KEEP, true);
}

/**
 * Percent-encodes a path: characters allowed in a path (RFC 3986 `pchar` and `/`)
 * stay, everything else (space, `%`, `?`, `#`, non-ASCII...) becomes `%XX` of its
 * UTF-8 bytes. Use it to build links to file names.
 *
 * @param path The decoded path, e.g. `/files/my report.pdf`.
 * @returns The encoded path, e.g. `/files/my%20report.pdf`.
 *
 * @example Linking to a file name with spaces
 * ```ts
 * import { encodePath } from "@uhttp/core";
 * const href = encodePath("/files/50% off?.txt"); // "/files/50%25%20off%3F.txt"
 * console.log(href);
 * ```
 */
export function encodePath(path: string): string {
  return encodeWith(path, PATH_KEEP, false);
}
