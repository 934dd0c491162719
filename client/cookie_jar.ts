/**
 * The client's cookie jar (RFC 6265): stores `Set-Cookie` answers and sends the
 * matching cookies back.
 *
 * @module
 */

/**
 * One stored cookie.
 *
 * @example
 * ```ts
 * import { CookieJar, type StoredCookie } from "@uhttp/core/client";
 * const jar = new CookieJar();
 * jar.set("session", "abc");
 * const all: StoredCookie[] = [...jar];
 * console.log(all[0]?.name); // "session"
 * ```
 */
export interface StoredCookie {
  /** Cookie name. */
  name: string;
  /** Cookie value, as sent by the server. */
  value: string;
  /** Domain (lowercase, no leading dot); `""` for a cookie set by hand that matches any host. */
  domain: string;
  /** `true` when the cookie is sent to `domain` only, not its subdomains. */
  hostOnly: boolean;
  /** Path prefix the cookie applies to. */
  path: string;
  /** Expiry time in ms since the epoch; `null` for a session cookie. */
  expires: number | null;
  /** Send over TLS only. */
  secure: boolean;
  /** The server marked it `HttpOnly` (informational for a client). */
  httpOnly: boolean;
  /** `SameSite` attribute as received, if any. */
  sameSite?: string;
  /** Creation order, for sorting. */
  created: number;
}

/**
 * Options of {@linkcode CookieJar.set}.
 *
 * @example
 * ```ts
 * import type { SetCookieOptions } from "@uhttp/core/client";
 * const o: SetCookieOptions = { domain: "example.com", path: "/api", secure: true };
 * ```
 */
export interface SetCookieOptions {
  /** Domain the cookie belongs to (and its subdomains). @default any host */
  domain?: string;
  /** Path prefix. @default "/" */
  path?: string;
  /** Expiry: a `Date` or ms since the epoch. @default session cookie */
  expires?: Date | number;
  /** Send over TLS only. @default false */
  secure?: boolean;
}

let counter = 0;

function isIp(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** RFC 6265 §5.1.3 domain matching. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !isIp(host) && host.endsWith("." + domain);
}

/** RFC 6265 §5.1.4 path matching. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** RFC 6265 §5.1.4 default path. */
function defaultPath(requestPath: string): string {
  const q = requestPath.search(/[?#]/);
  const p = q >= 0 ? requestPath.slice(0, q) : requestPath;
  if (!p.startsWith("/")) return "/";
  const last = p.lastIndexOf("/");
  return last <= 0 ? "/" : p.slice(0, last);
}

function trimWs(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

/**
 * A cookie jar: what `HttpClient` keeps in `client.cookies`. Cookies are matched
 * by domain, path, `Secure` and expiry; malformed `Set-Cookie` lines are ignored.
 *
 * @example Reading, setting and clearing
 * ```ts
 * import { CookieJar } from "@uhttp/core/client";
 * const jar = new CookieJar();
 * jar.store(["session=abc; Path=/; HttpOnly"], "example.com", "/login", true);
 * console.log(jar.get("session")); // "abc"
 * console.log(jar.cookieHeader("example.com", "/home", true)); // "session=abc"
 * jar.delete("session");
 * jar.clear();
 * ```
 */
export class CookieJar implements Iterable<StoredCookie> {
  #cookies: StoredCookie[] = [];
  /** Counts the changes of `#cookies`: the last header made is good while it stays. */
  #version = 0;
  /** The arguments and answer of the last `cookieHeader()` (a client asks the same each time). */
  #lastHost = "";
  #lastPath = "";
  #lastSecure = false;
  #lastVersion = -1;
  #lastHeader: string | null = null;

  /**
   * Creates a jar.
   *
   * @param initial Cookies to start with (`name -> value`, sent to any host).
   */
  constructor(initial?: Record<string, string>) {
    if (initial) { for (const [k, v] of Object.entries(initial)) this.set(k, v); }
  }

  /** Number of live cookies. */
  get size(): number {
    this.#purge(Date.now());
    return this.#cookies.length;
  }

  /**
   * Iterates the live cookies, as copies (change them with `set()` and `delete()`).
   * @returns An iterator of {@linkcode StoredCookie}.
   */
  [Symbol.iterator](): Iterator<StoredCookie> {
    this.#purge(Date.now());
    return this.#cookies.map((c) => ({ ...c }))[Symbol.iterator]();
  }

  /**
   * The value of a live cookie by name (the most specific one when several match).
   *
   * @param name Cookie name.
   * @param host Only cookies for this host. @default any
   * @returns The value or `undefined`.
   */
  get(name: string, host?: string): string | undefined {
    this.#purge(Date.now());
    let best: StoredCookie | undefined;
    for (const c of this.#cookies) {
      if (c.name !== name) continue;
      if (host !== undefined && c.domain !== "" && !this.#domainOk(c, host.toLowerCase())) {
        continue;
      }
      if (best === undefined || c.path.length > best.path.length) best = c;
    }
    return best?.value;
  }

  /**
   * Sets a cookie by hand.
   *
   * @param name Cookie name.
   * @param value Cookie value.
   * @param options Domain, path, expiry, secure.
   */
  set(name: string, value: string, options: SetCookieOptions = {}): void {
    const expires = options.expires === undefined
      ? null
      : options.expires instanceof Date
      ? options.expires.getTime()
      : options.expires;
    const domain = (options.domain ?? "").replace(/^\./, "").toLowerCase();
    this.#put({
      name,
      value,
      domain,
      hostOnly: false,
      path: options.path ?? "/",
      expires,
      secure: options.secure ?? false,
      httpOnly: false,
      created: counter++,
    });
  }

  /**
   * Removes cookies by name (every domain and path).
   *
   * @param name Cookie name.
   * @returns `true` when something was removed.
   */
  delete(name: string): boolean {
    const before = this.#cookies.length;
    this.#cookies = this.#cookies.filter((c) => c.name !== name);
    this.#version++;
    return this.#cookies.length !== before;
  }

  /** Removes every cookie. */
  clear(): void {
    this.#cookies = [];
    this.#version++;
  }

  /**
   * The live cookies as `name -> value` (for a quick look, like the Python dict).
   *
   * @returns A new object.
   */
  toObject(): Record<string, string> {
    this.#purge(Date.now());
    const out: Record<string, string> = {};
    for (const c of this.#cookies) out[c.name] = c.value;
    return out;
  }

  /**
   * Stores the cookies of a response's `Set-Cookie` lines.
   *
   * @param lines The `Set-Cookie` values.
   * @param host The request's host (lowercase, IPv6 without brackets).
   * @param path The request's path (for the default cookie path).
   * @param secure The response came over TLS.
   * @param now Current time in ms. @default Date.now()
   */
  store(
    lines: readonly string[],
    host: string,
    path: string,
    secure: boolean,
    now: number = Date.now(),
  ): void {
    const h = host.toLowerCase();
    for (const line of lines) {
      const c = parseSetCookie(line, h, path, now);
      if (c === null) continue;
      if (c.secure && !secure) continue; // RFC 6265bis: Secure only from a secure origin
      if (!c.hostOnly && !domainMatches(h, c.domain)) continue;
      if (c.expires !== null && c.expires <= now) {
        this.#cookies = this.#cookies.filter((o) => !sameSlot(o, c));
        this.#version++;
      } else {
        this.#put(c);
      }
    }
  }

  /**
   * The `Cookie` header value for a request, or `null` when no cookie matches.
   *
   * @param host The request's host.
   * @param path The request's path (query ignored).
   * @param secure The request goes over TLS.
   * @param now Current time in ms. @default Date.now()
   * @returns `"a=1; b=2"` or `null`.
   */
  cookieHeader(
    host: string,
    path: string,
    secure: boolean,
    now?: number,
  ): string | null {
    if (this.#cookies.length === 0) return null;
    this.#purge(now ?? Date.now());
    if (
      this.#lastVersion === this.#version && path === this.#lastPath && host === this.#lastHost &&
      secure === this.#lastSecure
    ) {
      return this.#lastHeader;
    }
    const header = this.#header(host, path, secure);
    this.#lastHost = host;
    this.#lastPath = path;
    this.#lastSecure = secure;
    this.#lastVersion = this.#version;
    this.#lastHeader = header;
    return header;
  }

  #header(host: string, path: string, secure: boolean): string | null {
    const h = host.toLowerCase();
    const q = path.search(/[?#]/);
    const p = q >= 0 ? path.slice(0, q) : path;
    const matched: StoredCookie[] = [];
    for (const c of this.#cookies) {
      if (c.secure && !secure) continue;
      if (c.domain !== "" && !this.#domainOk(c, h)) continue;
      if (!pathMatches(p || "/", c.path)) continue;
      matched.push(c);
    }
    if (matched.length === 0) return null;
    matched.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    return matched.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  #domainOk(c: StoredCookie, host: string): boolean {
    return c.hostOnly ? c.domain === host : domainMatches(host, c.domain);
  }

  #put(c: StoredCookie): void {
    this.#version++;
    const i = this.#cookies.findIndex((o) => sameSlot(o, c));
    if (i >= 0) {
      c.created = this.#cookies[i]!.created;
      this.#cookies[i] = c;
    } else {
      this.#cookies.push(c);
    }
  }

  #purge(now: number): void {
    const cookies = this.#cookies;
    for (let i = 0; i < cookies.length; i++) {
      const expires = cookies[i]!.expires;
      if (expires !== null && expires <= now) {
        this.#cookies = cookies.filter((c) => c.expires === null || c.expires > now);
        this.#version++;
        return;
      }
    }
  }
}

function sameSlot(a: StoredCookie, b: StoredCookie): boolean {
  return a.name === b.name && a.domain === b.domain && a.path === b.path;
}

/** Parses one `Set-Cookie` line (RFC 6265 §5.2); `null` when it must be ignored. */
function parseSetCookie(
  line: string,
  host: string,
  requestPath: string,
  now: number,
): StoredCookie | null {
  const parts = line.split(";");
  const first = parts[0] ?? "";
  const eq = first.indexOf("=");
  if (eq < 0) return null;
  const name = trimWs(first.slice(0, eq));
  const value = trimWs(first.slice(eq + 1));
  // deno-lint-ignore no-control-regex
  if (name === "" || /[\x00-\x1f\x7f]/.test(name + value)) return null;
  let expires: number | null = null;
  let maxAge: number | null = null;
  let domain = "";
  let path = "";
  let secure = false;
  let httpOnly = false;
  let sameSite: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const attr = parts[i]!;
    const e = attr.indexOf("=");
    const key = trimWs(e < 0 ? attr : attr.slice(0, e)).toLowerCase();
    const val = e < 0 ? "" : trimWs(attr.slice(e + 1));
    switch (key) {
      case "expires": {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
        break;
      }
      case "max-age":
        if (/^-?\d+$/.test(val)) {
          const n = Number(val);
          maxAge = n <= 0 ? -Infinity : now + n * 1000;
        }
        break;
      case "domain":
        if (val !== "") domain = val.replace(/^\./, "").toLowerCase();
        break;
      case "path":
        path = val.startsWith("/") ? val : "";
        break;
      case "secure":
        secure = true;
        break;
      case "httponly":
        httpOnly = true;
        break;
      case "samesite":
        sameSite = val;
        break;
    }
  }
  const cookie: StoredCookie = {
    name,
    value,
    domain: domain || host,
    hostOnly: domain === "",
    path: path || defaultPath(requestPath),
    expires: maxAge !== null ? maxAge : expires,
    secure,
    httpOnly,
    created: counter++,
  };
  if (sameSite !== undefined) cookie.sameSite = sameSite;
  return cookie;
}
