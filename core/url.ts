/**
 * URLs: request targets on the server side ({@linkcode parseUrl}) and `http(s)://`
 * URLs on the client side ({@linkcode parseHttpUrl}).
 *
 * @module
 */

import { decodePercentEncoding } from "./percent.ts";
import { parseQuery, type Query } from "./query.ts";

/** A request target split by {@linkcode parseUrl}. */
export interface ParsedUrl {
  /** The percent-decoded path (`+` stays `+`), e.g. `/café/a+b`; `*` for `OPTIONS *`. */
  path: string;
  /** The parsed query (`{}` when there is none). */
  query: Query;
  /** The path as received, still encoded. */
  rawPath: string;
  /** The query as received, without the `?` (`""` when there is none). */
  rawQuery: string;
  /** The fragment as received, without the `#` (only when the target had one). */
  fragment?: string;
}

const ABSOLUTE_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Splits a request target into its decoded path and parsed query, strictly.
 *
 * Accepts origin-form (`/a/b?x=1`), absolute-form (`http://host/a?x=1`, as sent to
 * proxies: scheme and authority are dropped) and asterisk-form (`*`).
 *
 * @param url The request target as received (the request line's second word).
 * @returns The path, query, raw path, raw query and, if present, the fragment.
 * @throws {DecodeError} On a bad `%` escape or invalid UTF-8 in path or query (a server answers 400).
 *
 * @example Splitting a request target
 * ```ts
 * import { parseUrl } from "@uhttp/core";
 * const { path, query, rawPath } = parseUrl("/files/my%20doc+v2.txt?tag=a&tag=b&dl");
 * // path "/files/my doc+v2.txt", query { tag: ["a", "b"], dl: null }
 * console.log(path, query, rawPath);
 * ```
 */
export function parseUrl(url: string): ParsedUrl {
  let target = url;
  if (ABSOLUTE_RE.test(target)) {
    const authorityStart = target.indexOf("//") + 2;
    let pathStart = authorityStart;
    while (pathStart < target.length && !"/?#".includes(target[pathStart]!)) pathStart++;
    target = target.slice(pathStart);
    if (target === "" || target[0] !== "/") target = "/" + target;
  }
  let fragment: string | undefined;
  const hash = target.indexOf("#");
  if (hash !== -1) {
    fragment = target.slice(hash + 1);
    target = target.slice(0, hash);
  }
  const qmark = target.indexOf("?");
  const rawPath = qmark === -1 ? target : target.slice(0, qmark);
  const rawQuery = qmark === -1 ? "" : target.slice(qmark + 1);
  const result: ParsedUrl = {
    path: decodePercentEncoding(rawPath),
    query: parseQuery(rawQuery),
    rawPath,
    rawQuery,
  };
  if (fragment !== undefined) result.fragment = fragment;
  return result;
}

/** An `http:` or `https:` URL split by {@linkcode parseHttpUrl}. */
export interface HttpUrl {
  /** `"http"` or `"https"` (lowercase). */
  scheme: "http" | "https";
  /** `true` for `https`. */
  secure: boolean;
  /** Host name (lowercase, IDN as punycode) or IP address; IPv6 without brackets. */
  host: string;
  /** Port: the explicit one, else 80 for http and 443 for https. */
  port: number;
  /**
   * Path and query, still percent-encoded, fragment dropped; `""` when the URL has no
   * path (a request then uses `/`). Spaces and non-ASCII characters are percent-encoded.
   */
  path: string;
  /** `[user, password]` from the userinfo (percent-decoded), or `null`. */
  auth: [user: string, password: string] | null;
}

const HOST_RE = /^[A-Za-z0-9._~-]+$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+$/;
// Characters a path may not carry raw (WHATWG path percent-encode set, minus `#`/`?`).
const PATH_ENCODE_RE = /[ "<>`{}\u{80}-\u{10ffff}]/gu;
const UTF8 = new TextEncoder();

function percentEncodeChar(ch: string): string {
  let out = "";
  for (const b of UTF8.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  return out;
}
// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

function userinfoPart(s: string): string {
  try {
    return decodePercentEncoding(s);
  } catch {
    throw new TypeError("Invalid percent-encoding in URL userinfo");
  }
}

function parseHost(hostport: string): [host: string, port: string] {
  let host: string;
  let port = "";
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close === -1) throw new TypeError(`Invalid IPv6 address "${hostport}" in URL`);
    host = hostport.slice(1, close);
    const rest = hostport.slice(close + 1);
    if (rest !== "") {
      if (rest[0] !== ":") throw new TypeError(`Invalid host "${hostport}" in URL`);
      port = rest.slice(1);
    }
    // Zone identifier: fe80::1%25eth0 -> fe80::1%eth0
    const zone = host.indexOf("%25");
    const address = zone === -1 ? host : host.slice(0, zone);
    if (!IPV6_RE.test(address) || !address.includes(":")) {
      throw new TypeError(`Invalid IPv6 address "${hostport}" in URL`);
    }
    if (zone !== -1) {
      const id = host.slice(zone + 3);
      if (!HOST_RE.test(id)) throw new TypeError(`Invalid IPv6 address "${hostport}" in URL`);
      host = address + "%" + id;
    }
    return [host.toLowerCase(), port];
  }
  const colon = hostport.lastIndexOf(":");
  if (colon !== -1) {
    host = hostport.slice(0, colon);
    port = hostport.slice(colon + 1);
  } else {
    host = hostport;
  }
  if (host === "") throw new TypeError("Missing host in URL");
  if (!HOST_RE.test(host)) {
    // International domain names become punycode; anything else is rejected.
    // deno-lint-ignore no-control-regex
    if (/^[^\u0000-\u0020"#%/:<>?@[\\\]^`{|}\u007f]+$/.test(host)) {
      try {
        host = new URL(`http://${host}/`).hostname;
      } catch {
        throw new TypeError(`Invalid host "${hostport}" in URL`);
      }
      if (HOST_RE.test(host)) return [host, port];
    }
    throw new TypeError(`Invalid host "${hostport}" in URL`);
  }
  return [host.toLowerCase(), port];
}

/**
 * Splits an `http://` or `https://` URL into what a client needs to connect.
 *
 * The scheme is case-insensitive and optional (`example.com:8080/x` means http).
 * IPv6 literals (`http://[::1]:8080/`) give the bare address, userinfo
 * (`user:pa%40ss@`) is percent-decoded into `auth`, default ports are 80 and 443,
 * the query stays with the path and the fragment is dropped.
 *
 * @param url The URL, or just `host`, `host:port` or `[v6]:port`.
 * @returns Scheme, `secure`, host, port, raw path (`""` when none) and auth.
 * @throws {TypeError} For another scheme, an empty or invalid host, a bad port,
 *   control characters (CR, LF...) or a bad escape in the userinfo.
 *
 * @example URLs of the seed
 * ```ts
 * import { parseHttpUrl } from "@uhttp/core";
 * parseHttpUrl("https://api.example.com/v1/users");
 * // { scheme: "https", secure: true, host: "api.example.com", port: 443, path: "/v1/users", auth: null }
 * parseHttpUrl("http://user:pass@[::1]:8080/x?y=1#top");
 * // { scheme: "http", secure: false, host: "::1", port: 8080, path: "/x?y=1", auth: ["user", "pass"] }
 * ```
 */
export function parseHttpUrl(url: string): HttpUrl {
  const input = url.trim();
  if (CONTROL_RE.test(input)) throw new TypeError("URL contains control characters");
  let rest = input;
  let scheme: "http" | "https" = "http";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (m) {
    const s = m[1]!.toLowerCase();
    if (s !== "http" && s !== "https") throw new TypeError(`Unsupported URL scheme "${s}"`);
    scheme = s;
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith("//")) {
    rest = rest.slice(2);
  }
  let authorityEnd = 0;
  while (authorityEnd < rest.length && !"/?#".includes(rest[authorityEnd]!)) authorityEnd++;
  let authority = rest.slice(0, authorityEnd);
  let path = rest.slice(authorityEnd);

  let auth: [string, string] | null = null;
  const at = authority.lastIndexOf("@");
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(":");
    auth = colon === -1
      ? [userinfoPart(userinfo), ""]
      : [userinfoPart(userinfo.slice(0, colon)), userinfoPart(userinfo.slice(colon + 1))];
  }

  const [host, portText] = parseHost(authority);
  let port = scheme === "https" ? 443 : 80;
  if (portText !== "") {
    if (!/^\d{1,5}$/.test(portText) || +portText < 1 || +portText > 65535) {
      throw new TypeError(`Invalid port "${portText}" in URL`);
    }
    port = +portText;
  }

  const hash = path.indexOf("#");
  if (hash !== -1) path = path.slice(0, hash);
  if (path.startsWith("?")) path = "/" + path;
  path = path.replace(PATH_ENCODE_RE, percentEncodeChar);

  return { scheme, secure: scheme === "https", host, port, path, auth };
}

/**
 * Formats a host and port for a `Host` header or a URL: IPv6 addresses in brackets,
 * the port left out when it is the scheme's default (80, or 443 when `secure`).
 *
 * @param host Host name or IP address (IPv6 without brackets).
 * @param port The port.
 * @param secure Whether the scheme is https (default port 443 instead of 80); default `false`.
 * @returns `host`, `host:port`, `[v6]` or `[v6]:port`.
 *
 * @example Host header values
 * ```ts
 * import { formatAuthority } from "@uhttp/core";
 * formatAuthority("example.com", 80); // "example.com"
 * formatAuthority("::1", 8080); // "[::1]:8080"
 * formatAuthority("example.com", 443, true); // "example.com"
 * ```
 */
export function formatAuthority(host: string, port: number, secure = false): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port === (secure ? 443 : 80) ? h : `${h}:${port}`;
}
