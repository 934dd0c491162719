/**
 * `parseUrl`: the client's view of a URL.
 *
 * @module
 */
import { parseHttpUrl } from "../core/url.ts";
import type { Auth } from "./auth.ts";
import { HttpClientError } from "./errors.ts";

/**
 * What {@linkcode parseUrl} returns.
 *
 * @example
 * ```ts
 * import type { ClientUrl } from "@uhttp/core/client";
 * const u: ClientUrl = { host: "example.com", port: 80, path: "", secure: false, auth: null };
 * ```
 */
export interface ClientUrl {
  /** Host name (lowercase) or IP address; IPv6 without brackets. */
  host: string;
  /** Port: explicit, else 80 (http) or 443 (https). */
  port: number;
  /** Path and query, percent-encoded, fragment dropped; `""` when the URL has no path. */
  path: string;
  /** `true` for `https`. */
  secure: boolean;
  /** Userinfo `[user, password]`, percent-decoded, or `null`. */
  auth: Auth | null;
}

/**
 * Parses a URL into host, port, path, TLS flag and credentials. The scheme is
 * `http` or `https` (case-insensitive); without a scheme it is `http`.
 *
 * @param url `https://user:pass@host:port/path?query`, `host:port/path`, ...
 * @returns The parts.
 * @throws {HttpClientError} for another scheme or an invalid host or port.
 *
 * @example The seed's examples
 * ```ts
 * import { parseUrl } from "@uhttp/core/client";
 * parseUrl("https://api.example.com/v1/users");
 * // { host: "api.example.com", port: 443, path: "/v1/users", secure: true, auth: null }
 * parseUrl("example.com");
 * // { host: "example.com", port: 80, path: "", secure: false, auth: null }
 * parseUrl("http://[::1]:8080/x?a=1#top");
 * // { host: "::1", port: 8080, path: "/x?a=1", secure: false, auth: null }
 * ```
 */
export function parseUrl(url: string): ClientUrl {
  try {
    const u = parseHttpUrl(url);
    if (u.host === "") throw new TypeError(`Missing host in URL ${JSON.stringify(url)}`);
    return { host: u.host, port: u.port, path: u.path, secure: u.secure, auth: u.auth };
  } catch (e) {
    if (e instanceof HttpClientError) throw e;
    throw new HttpClientError((e as Error).message, { cause: e });
  }
}

/**
 * Parses the host form of the `HttpClient` constructor: `host`, `host:port`,
 * `[v6]:port` or a bare IPv6 address.
 */
export function parseHostForm(
  hostForm: string,
  secure: boolean,
): { host: string; port: number | null } {
  let s = hostForm.trim();
  if (!s.startsWith("[") && (s.match(/:/g)?.length ?? 0) > 1) s = `[${s}]`;
  const u = parseUrl((secure ? "https://" : "http://") + s);
  if (u.path !== "" || u.auth !== null) {
    throw new HttpClientError(`Invalid host ${JSON.stringify(hostForm)}`);
  }
  const explicit = /\]:\d+$|^[^\]]*:\d+$/.test(s);
  return { host: u.host, port: explicit ? u.port : null };
}
