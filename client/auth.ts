/**
 * HTTP authentication for the client: Basic (RFC 7617) and Digest (RFC 7616) with
 * MD5, MD5-sess, SHA-256, SHA-256-sess and SHA-512-256, `qop=auth` and `auth-int`.
 *
 * @module
 */
import { randomHex } from "../core/bytes.ts";
import { nodeCrypto } from "../core/node_builtin.ts";
import { HttpClientError } from "./errors.ts";

/**
 * Credentials: `[username, password]`, as in the Python uhttp client.
 *
 * @example
 * ```ts
 * import type { Auth } from "@uhttp/core/client";
 * const auth: Auth = ["user", "secret"];
 * ```
 */
export type Auth = readonly [username: string, password: string];

/**
 * One challenge of a `WWW-Authenticate` header.
 *
 * @example
 * ```ts
 * import type { AuthChallenge } from "@uhttp/core/client";
 * const c: AuthChallenge = { scheme: "digest", params: { realm: "r", nonce: "n" } };
 * ```
 */
export interface AuthChallenge {
  /** Scheme in lowercase (`"basic"`, `"digest"`, `"bearer"`). */
  scheme: string;
  /** Parameters with lowercase names; quoted values unquoted. */
  params: Record<string, string>;
  /** A token68 value (`Negotiate abc==`), when the challenge has one. */
  token68?: string;
}

const encoder = new TextEncoder();

function isTokenChar(c: number): boolean {
  // RFC 9110 tchar
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/**
 * Parses `WWW-Authenticate` (or `Proxy-Authenticate`) values: several challenges
 * in one header, quoted strings with commas and escapes. Malformed parts are
 * skipped, never thrown.
 *
 * @param header The header value (several headers joined with `", "` work too).
 * @returns The challenges in order.
 *
 * @example
 * ```ts
 * import { parseChallenges } from "@uhttp/core/client";
 * const list = parseChallenges('Basic realm="a, b", Digest realm="x", nonce="n", qop="auth,auth-int"');
 * console.log(list.map((c) => c.scheme)); // ["basic", "digest"]
 * console.log(list[1]?.params.qop); // "auth,auth-int"
 * ```
 */
export function parseChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  const s = header;
  const n = s.length;
  let i = 0;
  const skipWs = () => {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && isTokenChar(s.charCodeAt(i))) i++;
    return s.slice(start, i);
  };
  let current: AuthChallenge | null = null;
  while (i < n) {
    skipWs();
    if (s[i] === ",") {
      i++;
      continue;
    }
    const word = readToken();
    if (word.length === 0) {
      // Garbage: skip to the next comma.
      while (i < n && s[i] !== ",") i++;
      continue;
    }
    skipWs();
    if (s[i] === "=" && current !== null) {
      // A parameter of the current challenge (or a token68 ending in "=").
      i++;
      skipWs();
      let value: string;
      if (s[i] === '"') {
        i++;
        let v = "";
        while (i < n && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < n) i++;
          v += s[i];
          i++;
        }
        i++; // closing quote
        value = v;
      } else {
        const vs = i;
        while (i < n && s[i] !== "," && s[i] !== " " && s[i] !== "\t") i++;
        value = s.slice(vs, i);
      }
      current.params[word.toLowerCase()] = value;
      skipWs();
      while (i < n && s[i] !== ",") i++;
      continue;
    }
    // A new challenge: scheme, then maybe a token68 or parameters.
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
    skipWs();
    // token68: token chars plus "=" padding, not followed by "=" value syntax
    const t0 = i;
    while (i < n && (isTokenChar(s.charCodeAt(i)) || s[i] === "/")) i++;
    if (i > t0) {
      const tokenEnd = i;
      let pads = i;
      while (pads < n && s[pads] === "=") pads++;
      let after = pads;
      while (after < n && (s[after] === " " || s[after] === "\t")) after++;
      if (pads > tokenEnd && (after >= n || s[after] === ",")) {
        current.token68 = s.slice(t0, pads);
        i = pads;
      } else if (pads === tokenEnd && (after >= n || s[after] === ",")) {
        current.token68 = s.slice(t0, tokenEnd);
        i = tokenEnd;
      } else {
        i = t0; // a parameter: parsed by the loop
      }
    }
  }
  return out;
}

/**
 * The `Authorization` value for Basic authentication (UTF-8, RFC 7617).
 *
 * @param auth Username and password.
 * @returns `"Basic <base64>"`.
 *
 * @example
 * ```ts
 * import { basicAuthorization } from "@uhttp/core/client";
 * console.log(basicAuthorization(["Aladdin", "open sesame"])); // "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
 * ```
 */
export function basicAuthorization(auth: Auth): string {
  const bytes = encoder.encode(`${auth[0]}:${auth[1]}`);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return "Basic " + btoa(bin);
}

const HASHES: Record<string, string> = {
  "MD5": "md5",
  "SHA-256": "sha256",
  "SHA-512-256": "sha512-256",
};

/**
 * Whether a Digest `algorithm` is supported (case-insensitive; `-sess` variants
 * included).
 *
 * @param algorithm The challenge's algorithm; `undefined` means MD5.
 * @returns `true` for MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess.
 *
 * @example
 * ```ts
 * import { digestAlgorithmSupported } from "@uhttp/core/client";
 * console.log(digestAlgorithmSupported("SHA-256-sess")); // true
 * ```
 */
export function digestAlgorithmSupported(algorithm: string | undefined): boolean {
  const base = (algorithm ?? "MD5").toUpperCase().replace(/-SESS$/, "");
  return base in HASHES;
}

function hasher(algorithm: string): (data: string | Uint8Array) => string {
  const base = algorithm.toUpperCase().replace(/-SESS$/, "");
  const name = HASHES[base];
  if (name === undefined) {
    throw new HttpClientError(`Unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  }
  const { createHash } = nodeCrypto();
  return (data) => createHash(name).update(data).digest("hex");
}

/**
 * Input of {@linkcode digestAuthorization}.
 *
 * @example
 * ```ts
 * import type { DigestInput } from "@uhttp/core/client";
 * const input: DigestInput = {
 *   auth: ["u", "p"], method: "GET", uri: "/", nc: 1, cnonce: "abc",
 *   challenge: { realm: "r", nonce: "n", qop: "auth" },
 * };
 * ```
 */
export interface DigestInput {
  /** Username and password. */
  auth: Auth;
  /** Request method. */
  method: string;
  /** Request target as sent (`/path?query`). */
  uri: string;
  /** The Digest challenge's parameters (lowercase names). */
  challenge: Record<string, string>;
  /** Nonce count (1 for the first use of a nonce). */
  nc: number;
  /** Client nonce. */
  cnonce: string;
  /** Request body, for `qop=auth-int`. @default empty */
  body?: Uint8Array;
  /** `false` when the body cannot be hashed (streamed): `auth-int` is not chosen. @default true */
  bodyKnown?: boolean;
}

/**
 * Computes the `Authorization: Digest ...` value of RFC 7616 (and RFC 2617 when the
 * challenge has no `qop`).
 *
 * @param input Credentials, request and challenge.
 * @returns The header value.
 * @throws {HttpClientError} for an unsupported algorithm or qop.
 *
 * @example The known answer of the uhttp test suite
 * ```ts
 * import { digestAuthorization } from "@uhttp/core/client";
 * const value = digestAuthorization({
 *   auth: ["digestuser", "digestpass"], method: "GET", uri: "/protected", nc: 1, cnonce: "c4ca4238",
 *   challenge: { realm: "test-realm", nonce: "test-nonce-12345", qop: "auth" },
 * });
 * console.log(value.includes('response="cb62e008e336464543a451d0931651bf"')); // true
 * ```
 */
export function digestAuthorization(input: DigestInput): string {
  const ch = input.challenge;
  const realm = ch.realm ?? "";
  const nonce = ch.nonce ?? "";
  const algorithm = ch.algorithm ?? "MD5";
  const H = hasher(algorithm);
  const sess = /-sess$/i.test(algorithm);
  let username = input.auth[0];
  const password = input.auth[1];
  const userhash = (ch.userhash ?? "").toLowerCase() === "true";

  let qop: string | null = null;
  if (ch.qop !== undefined) {
    const offered = ch.qop.split(",").map((q) => q.trim().toLowerCase());
    if (offered.includes("auth")) qop = "auth";
    else if (offered.includes("auth-int") && input.bodyKnown !== false) qop = "auth-int";
    else throw new HttpClientError(`Unsupported digest qop ${JSON.stringify(ch.qop)}`);
  }
  const nc = input.nc.toString(16).padStart(8, "0");
  const cnonce = input.cnonce;

  let ha1 = H(`${username}:${realm}:${password}`);
  if (sess) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  let a2 = `${input.method}:${input.uri}`;
  if (qop === "auth-int") a2 += ":" + H(input.body ?? new Uint8Array(0));
  const ha2 = H(a2);
  const response = qop === null
    ? H(`${ha1}:${nonce}:${ha2}`)
    : H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);

  if (userhash) username = H(`${username}:${realm}`);
  const q = (v: string) => '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  const parts = [
    `username=${q(username)}`,
    `realm=${q(realm)}`,
    `nonce=${q(nonce)}`,
    `uri=${q(input.uri)}`,
  ];
  if (ch.algorithm !== undefined) parts.push(`algorithm=${ch.algorithm}`);
  parts.push(`response=${q(response)}`);
  if (ch.opaque !== undefined) parts.push(`opaque=${q(ch.opaque)}`);
  if (qop !== null) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (userhash) parts.push("userhash=true");
  return "Digest " + parts.join(", ");
}

/**
 * A fresh random client nonce (16 hex digits).
 *
 * @returns The nonce.
 *
 * @example
 * ```ts
 * import { newCnonce } from "@uhttp/core/client";
 * console.log(newCnonce().length); // 16
 * ```
 */
export function newCnonce(): string {
  return randomHex(8);
}

/**
 * Digest state of one client: the last challenge and the nonce count.
 * Used by `HttpClient`; exported for tests and custom clients.
 *
 * @example
 * ```ts
 * import { DigestSession } from "@uhttp/core/client";
 * const s = new DigestSession({ realm: "r", nonce: "n", qop: "auth" });
 * const value = s.authorize(["u", "p"], "GET", "/", new Uint8Array(0), true);
 * console.log(value.startsWith("Digest ")); // true
 * ```
 */
export class DigestSession {
  /** The challenge parameters in use. */
  challenge: Record<string, string>;
  /** Uses of the current nonce so far. */
  nc = 0;

  /**
   * Starts a session from a challenge.
   *
   * @param challenge The Digest challenge's parameters.
   */
  constructor(challenge: Record<string, string>) {
    this.challenge = challenge;
  }

  /**
   * Takes a new challenge; the nonce count restarts when the nonce changed.
   *
   * @param challenge The new parameters.
   */
  update(challenge: Record<string, string>): void {
    if (challenge.nonce !== this.challenge.nonce) this.nc = 0;
    this.challenge = challenge;
  }

  /**
   * The `Authorization` value for one request (counts the nonce use).
   *
   * @param auth Credentials.
   * @param method Request method.
   * @param uri Request target.
   * @param body Request body (for `auth-int`).
   * @param bodyKnown `false` when the body is streamed.
   * @returns The header value.
   */
  authorize(
    auth: Auth,
    method: string,
    uri: string,
    body: Uint8Array,
    bodyKnown: boolean,
  ): string {
    this.nc++;
    return digestAuthorization({
      auth,
      method,
      uri,
      challenge: this.challenge,
      nc: this.nc,
      cnonce: newCnonce(),
      body,
      bodyKnown,
    });
  }
}
