/**
 * Cookies (RFC 6265): the `Cookie` request header, `Set-Cookie` values to send
 * and `Set-Cookie` values received.
 *
 * @module
 */
import { setOwn } from "./own.ts";
import { formatHttpDate, parseHttpDate } from "./http_date.ts";

/** The `SameSite` attribute: what cross-site requests carry the cookie. */
export type SameSite = "Strict" | "Lax" | "None";

/** Attributes of a cookie to set, as given to {@linkcode serializeCookie}. */
export interface CookieAttributes {
  /** `Path`: the cookie is sent for this path and below it. */
  path?: string;
  /** `Domain`: the cookie is sent to this domain and its subdomains (host only when absent). */
  domain?: string;
  /**
   * `Max-Age` in **seconds**, as on the wire (not milliseconds): the cookie expires
   * this many seconds after it is received; `0` or less expires it now.
   */
  maxAge?: number;
  /**
   * `Expires`: a `Date`, milliseconds since the epoch, or a date string (any format
   * `Date` or {@linkcode parseHttpDate} reads); written as an IMF-fixdate.
   */
  expires?: Date | number | string;
  /** `Secure`: only sent over HTTPS. @default {false} */
  secure?: boolean;
  /** `HttpOnly`: hidden from scripts in the browser. @default {false} */
  httpOnly?: boolean;
  /** `SameSite` (case-insensitive here, written capitalised); `None` needs `secure`. */
  sameSite?: SameSite | "strict" | "lax" | "none";
  /** `Partitioned` (CHIPS); needs `secure`. @default {false} */
  partitioned?: boolean;
}

/** A cookie to set: its value (`null` deletes it) and its attributes. */
export interface CookieOptions extends CookieAttributes {
  /** The value; `null` deletes the cookie (`Max-Age=0`, `Expires` in 1970). */
  value: string | null;
}

/** The cookies of a response: name -> value, `null` (delete) or value with attributes. */
export type CookiesInit = Readonly<Record<string, string | null | CookieOptions>>;

/**
 * Parses a `Cookie` request header into name -> value.
 *
 * Pairs are split on `;` and trimmed; a pair without `=` or with an empty name is
 * skipped; when a name repeats, the first one wins (browsers send the cookie with
 * the longest path first). Values are returned as sent (not percent-decoded).
 *
 * @param headerValue The `Cookie` header value.
 * @returns The cookies by name (`{}` for an empty header).
 *
 * @example Reading cookies
 * ```ts
 * import { parseCookies } from "@uhttp/core";
 * const cookies = parseCookies("session=abc123; theme=dark");
 * console.log(cookies.session, cookies.theme); // "abc123" "dark"
 * ```
 */
export function parseCookies(headerValue: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of headerValue.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === "" || Object.hasOwn(cookies, name)) continue;
    setOwn(cookies, name, part.slice(eq + 1).trim());
  }
  return cookies;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
const COOKIE_VALUE_RE =
  /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;
// Any CHAR except CTLs and ";" (av-octet).
const ATTRIBUTE_VALUE_RE = /^[\x20-\x3a\x3c-\x7e]*$/;
const DOMAIN_RE = /^\.?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT";

function expiresValue(expires: Date | number | string): string {
  let date: Date | null;
  if (expires instanceof Date) date = expires;
  else if (typeof expires === "number") date = new Date(expires);
  else date = parseHttpDate(expires) ?? new Date(expires);
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(`Invalid cookie expiry date ${JSON.stringify(String(expires))}`);
  }
  return formatHttpDate(date);
}

function sameSiteValue(sameSite: string): SameSite {
  switch (sameSite.toLowerCase()) {
    case "strict":
      return "Strict";
    case "lax":
      return "Lax";
    case "none":
      return "None";
  }
  throw new TypeError(`Invalid cookie SameSite ${JSON.stringify(sameSite)}`);
}

/**
 * Builds a `Set-Cookie` header value, validating everything that goes on the wire.
 *
 * The name must be a token and the value cookie-octets (no space, `"`, `,`, `;`,
 * `\`, CR, LF or other control or non-ASCII character; encode such data first,
 * e.g. with `encodeURIComponent`). Attribute values may not hold `;` or control
 * characters. `SameSite=None` and `Partitioned` need `secure`; the `__Secure-` and
 * `__Host-` name prefixes are checked. A `null` value deletes the cookie.
 *
 * @param name The cookie name.
 * @param value The value, or `null` to delete the cookie (keep `path`/`domain` as set).
 * @param attributes Path, Domain, Max-Age (seconds), Expires, Secure, HttpOnly, SameSite, Partitioned.
 * @returns The header value, e.g. `"id=42; Path=/; HttpOnly"`.
 * @throws {TypeError} For an invalid name, value or attribute (nothing can be injected).
 *
 * @example Setting and deleting a session cookie
 * ```ts
 * import { serializeCookie } from "@uhttp/core";
 * serializeCookie("session", "abc123", { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 3600 });
 * // "session=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
 * serializeCookie("session", null, { path: "/" });
 * // "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
 * ```
 */
export function serializeCookie(
  name: string,
  value: string | null,
  attributes: CookieAttributes = {},
): string {
  if (!TOKEN_RE.test(name)) throw new TypeError(`Invalid cookie name ${JSON.stringify(name)}`);
  if (value !== null && !COOKIE_VALUE_RE.test(value)) {
    throw new TypeError(`Invalid value for cookie ${JSON.stringify(name)}`);
  }
  const { path, domain, maxAge, expires, secure, httpOnly, sameSite, partitioned } = attributes;
  let out = `${name}=${value ?? ""}`;
  if (domain !== undefined) {
    if (!DOMAIN_RE.test(domain)) {
      throw new TypeError(`Invalid cookie domain ${JSON.stringify(domain)}`);
    }
    out += `; Domain=${domain}`;
  }
  if (path !== undefined) {
    if (!ATTRIBUTE_VALUE_RE.test(path)) {
      throw new TypeError(`Invalid cookie path ${JSON.stringify(path)}`);
    }
    out += `; Path=${path}`;
  }
  if (value === null) {
    out += `; Max-Age=0; Expires=${EPOCH}`;
  } else {
    if (maxAge !== undefined) {
      if (!Number.isFinite(maxAge)) {
        throw new TypeError(`Invalid cookie max age ${JSON.stringify(String(maxAge))}`);
      }
      out += `; Max-Age=${Math.max(0, Math.floor(maxAge))}`;
    }
    if (expires !== undefined) out += `; Expires=${expiresValue(expires)}`;
  }
  if (secure) out += "; Secure";
  if (httpOnly) out += "; HttpOnly";
  if (sameSite !== undefined) {
    const s = sameSiteValue(sameSite);
    if (s === "None" && !secure) {
      throw new TypeError(`Cookie ${JSON.stringify(name)} with SameSite=None needs secure`);
    }
    out += `; SameSite=${s}`;
  }
  if (partitioned) {
    if (!secure) throw new TypeError(`Partitioned cookie ${JSON.stringify(name)} needs secure`);
    out += "; Partitioned";
  }
  if ((name.startsWith("__Secure-") || name.startsWith("__Host-")) && !secure) {
    throw new TypeError(`Cookie ${JSON.stringify(name)} needs secure`);
  }
  if (name.startsWith("__Host-") && (path !== "/" || domain !== undefined)) {
    throw new TypeError(`Cookie ${JSON.stringify(name)} needs path "/" and no domain`);
  }
  return out;
}

/**
 * Builds the `Set-Cookie` values of a response from a cookies object, as
 * `respond(data, { cookies })` takes it: `{ name: "value" }`, `{ name: null }`
 * (delete) or `{ name: { value, path, ... } }`.
 *
 * @param cookies The cookies by name.
 * @returns One `Set-Cookie` value per cookie, in order.
 * @throws {TypeError} For an invalid name, value or attribute (see {@linkcode serializeCookie}).
 *
 * @example Several cookies at once
 * ```ts
 * import { serializeCookies } from "@uhttp/core";
 * const values = serializeCookies({ theme: "dark", old: null, sid: { value: "x1", httpOnly: true } });
 * // ["theme=dark", "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "sid=x1; HttpOnly"]
 * for (const v of values) console.log(`set-cookie: ${v}`);
 * ```
 */
export function serializeCookies(cookies: CookiesInit): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(cookies)) {
    if (spec === null || typeof spec === "string") out.push(serializeCookie(name, spec));
    else out.push(serializeCookie(name, spec.value, spec));
  }
  return out;
}

/** Attributes read from a `Set-Cookie` value by {@linkcode parseSetCookie}. */
export interface SetCookieAttributes {
  /** `Expires`, when present and a valid cookie date. */
  expires?: Date;
  /** `Max-Age` in seconds, when present and an integer (it wins over `expires`). */
  maxAge?: number;
  /** `Domain`, lowercase, without a leading dot. */
  domain?: string;
  /** `Path`, when present and starting with `/`. */
  path?: string;
  /** `Secure` was present. */
  secure: boolean;
  /** `HttpOnly` was present. */
  httpOnly: boolean;
  /** `SameSite`, when present and one of the three values. */
  sameSite?: SameSite;
  /** `Partitioned` was present. */
  partitioned: boolean;
}

/** A cookie received in a `Set-Cookie` header. */
export interface SetCookie {
  /** The cookie name. */
  name: string;
  /** The cookie value, as sent. */
  value: string;
  /** Its attributes. */
  attributes: SetCookieAttributes;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Parses a cookie date the lenient way browsers do (RFC 6265 §5.1.1). */
function parseCookieDate(s: string): Date | null {
  let time: number[] | null = null;
  let day: number | null = null;
  let month: number | null = null;
  let year: number | null = null;
  // deno-lint-ignore no-control-regex
  for (const token of s.split(/[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/)) {
    if (token === "") continue;
    let m: RegExpExecArray | null;
    if (time === null && (m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/.exec(token))) {
      time = [+m[1]!, +m[2]!, +m[3]!];
    } else if (day === null && (m = /^(\d{1,2})(?:\D|$)/.exec(token))) {
      day = +m[1]!;
    } else if (month === null && MONTHS.includes(token.slice(0, 3).toLowerCase())) {
      month = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
    } else if (year === null && (m = /^(\d{2,4})(?:\D|$)/.exec(token))) {
      year = +m[1]!;
    }
  }
  if (time === null || day === null || month === null || year === null) return null;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [h, mi, se] = time as [number, number, number];
  if (day < 1 || day > 31 || year < 1601 || h > 23 || mi > 59 || se > 59) return null;
  const date = new Date(Date.UTC(year, month, day, h, mi, se));
  return date.getUTCDate() === day ? date : null;
}

/**
 * Parses a `Set-Cookie` header value the way RFC 6265 §5.2 says a user agent does,
 * for a client's cookie jar.
 *
 * Attribute names are case-insensitive; attributes with invalid values are
 * ignored (as browsers do); unknown attributes are skipped.
 *
 * @param value One `Set-Cookie` header value.
 * @returns The cookie, or `null` when the value is malformed (no `=`, empty name,
 *   control characters): the jar ignores it.
 *
 * @example Reading a Set-Cookie header
 * ```ts
 * import { parseSetCookie } from "@uhttp/core";
 * const c = parseSetCookie("sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=lax");
 * console.log(c?.name, c?.value, c?.attributes.maxAge, c?.attributes.sameSite); // "sid" "abc" 60 "Lax"
 * ```
 */
export function parseSetCookie(value: string): SetCookie | null {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return null;
  const parts = value.split(";");
  const pair = parts[0]!;
  const eq = pair.indexOf("=");
  if (eq === -1) return null;
  const name = pair.slice(0, eq).trim();
  if (name === "") return null;
  const attributes: SetCookieAttributes = { secure: false, httpOnly: false, partitioned: false };
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const e = part.indexOf("=");
    const key = (e === -1 ? part : part.slice(0, e)).trim().toLowerCase();
    const v = e === -1 ? "" : part.slice(e + 1).trim();
    switch (key) {
      case "expires": {
        const date = parseCookieDate(v);
        if (date) attributes.expires = date;
        break;
      }
      case "max-age":
        if (/^-?\d+$/.test(v)) attributes.maxAge = Math.max(-1, parseInt(v, 10)) || 0;
        break;
      case "domain": {
        const d = (v.startsWith(".") ? v.slice(1) : v).toLowerCase();
        if (d !== "") attributes.domain = d;
        break;
      }
      case "path":
        if (v.startsWith("/")) attributes.path = v;
        break;
      case "secure":
        attributes.secure = true;
        break;
      case "httponly":
        attributes.httpOnly = true;
        break;
      case "samesite": {
        const s = v.toLowerCase();
        if (s === "strict" || s === "lax" || s === "none") attributes.sameSite = sameSiteValue(s);
        break;
      }
      case "partitioned":
        attributes.partitioned = true;
        break;
    }
  }
  return { name, value: pair.slice(eq + 1).trim(), attributes };
}
