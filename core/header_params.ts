/**
 * Header field helpers: `name: value` lines and `value; key=param` parameters.
 *
 * @module
 */
import { setOwn } from "./own.ts";
import { DecodeError } from "./percent.ts";

/** A header value split into its main value and its parameters. */
export interface HeaderParameters {
  /** The part before the first `;`, trimmed, e.g. `form-data` or `text/html`. */
  value: string;
  /** Parameters by lowercase name; quoted strings unquoted, a bare name maps to `""`. */
  params: Record<string, string>;
}

function isOws(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes an RFC 8187 extended value (`UTF-8''a%20b`); `null` when it is malformed. */
function decodeExtValue(raw: string): string | null {
  const first = raw.indexOf("'");
  const second = first === -1 ? -1 : raw.indexOf("'", first + 1);
  if (second === -1) return null;
  const charset = raw.slice(0, first).toLowerCase();
  const encoded = raw.slice(second + 1);
  if (!/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-Fa-f]{2})*$/.test(encoded)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === "%") {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  if (charset === "utf-8") {
    try {
      return FATAL_UTF8.decode(Uint8Array.from(bytes));
    } catch {
      return null;
    }
  }
  if (charset === "iso-8859-1") return String.fromCharCode(...bytes);
  return null;
}

/**
 * Splits a header value into its main value and `;`-separated parameters.
 *
 * Parameter names are lowercased; quoted-string values are unquoted and their
 * `\` escapes removed (a `;` inside quotes does not split); the first occurrence
 * of a name wins. RFC 8187 extended parameters (`filename*=UTF-8''na%C3%AFve.txt`)
 * are decoded and take the place of the plain one (`filename`).
 *
 * @param value A header value such as `Content-Type` or `Content-Disposition`.
 * @returns The main value and the parameters.
 *
 * @example Content-Disposition and Content-Type
 * ```ts
 * import { parseHeaderParameters } from "@uhttp/core";
 * const d = parseHeaderParameters('form-data; name="file"; filename="x y.txt"');
 * // { value: "form-data", params: { name: "file", filename: "x y.txt" } }
 * const t = parseHeaderParameters("text/html; Charset=UTF-8");
 * console.log(d.params.filename, t.value, t.params.charset); // "x y.txt" "text/html" "UTF-8"
 * ```
 */
export function parseHeaderParameters(value: string): HeaderParameters {
  const n = value.length;
  let i = value.indexOf(";");
  if (i === -1) i = n;
  const main = value.slice(0, i).trim();
  const params: Record<string, string> = {};
  const extended = new Set<string>();
  while (i < n) {
    // Skip the separator and whitespace.
    while (i < n && (value[i] === ";" || isOws(value[i]))) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && value[i] !== "=" && value[i] !== ";") i++;
    const name = value.slice(nameStart, i).trim().toLowerCase();
    let paramValue = "";
    if (i < n && value[i] === "=") {
      i++;
      while (i < n && isOws(value[i])) i++;
      if (value[i] === '"') {
        i++;
        let out = "";
        while (i < n && value[i] !== '"') {
          if (value[i] === "\\" && i + 1 < n) i++;
          out += value[i];
          i++;
        }
        i++; // closing quote
        paramValue = out;
        // Ignore anything between the closing quote and the next `;`.
        while (i < n && value[i] !== ";") i++;
      } else {
        const start = i;
        while (i < n && value[i] !== ";") i++;
        paramValue = value.slice(start, i).trim();
      }
    }
    if (name === "") continue;
    if (name.endsWith("*") && name.length > 1) {
      const decoded = decodeExtValue(paramValue);
      const base = name.slice(0, -1);
      if (decoded !== null && !extended.has(base)) {
        extended.add(base);
        setOwn(params, base, decoded);
      }
      continue;
    }
    if (!Object.hasOwn(params, name)) setOwn(params, name, paramValue);
  }
  return { value: main, params };
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex
const BAD_VALUE_RE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Splits one header line into its lowercase name and its trimmed value.
 *
 * @param line The line without its CRLF, e.g. `Content-Type: text/plain`.
 * @returns `[name, value]`, e.g. `["content-type", "text/plain"]`.
 * @throws {DecodeError} When the line has no `:`, the name is not a token, or the
 *   value holds CR, LF, NUL or another control character (a server answers 400).
 *
 * @example Parsing a header line
 * ```ts
 * import { parseHeaderLine } from "@uhttp/core";
 * const [name, value] = parseHeaderLine("X-Request-ID:  abc123 ");
 * console.log(name, value); // "x-request-id" "abc123"
 * ```
 */
export function parseHeaderLine(line: string): [name: string, value: string] {
  const colon = line.indexOf(":");
  if (colon === -1) throw new DecodeError("Header line has no colon");
  const name = line.slice(0, colon);
  if (!TOKEN_RE.test(name)) throw new DecodeError("Invalid header name");
  let start = colon + 1;
  let end = line.length;
  while (start < end && isOws(line[start])) start++;
  while (end > start && isOws(line[end - 1])) end--;
  const value = line.slice(start, end);
  if (BAD_VALUE_RE.test(value)) throw new DecodeError("Invalid character in header value");
  return [name.toLowerCase(), value];
}
