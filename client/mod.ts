/**
 * The HTTP/1.1 client of `@uhttp/core`: `HttpClient` and `HttpResponse`, with
 * keep-alive, TLS, Basic and Digest auth, a cookie jar, timeouts, 100-continue,
 * streamed uploads and downloads, driven by the same readiness loop as the server.
 *
 * @example Blocking style
 * ```ts
 * import { HttpClient } from "@uhttp/core/client";
 * async function main() {
 *   const client = new HttpClient("http://127.0.0.1:8080");
 *   const res = await client.post("/users", { json: { name: "John" } }).wait();
 *   console.log(res?.status, res?.json());
 *   client.close();
 * }
 * ```
 *
 * @module
 */
export {
  type ClientState,
  type ClientTls,
  type FileDownloadOptions,
  type HeadersInit,
  HttpClient,
  type HttpClientOptions,
  type RequestBody,
  type RequestOptions,
  STATE_COMPLETE,
  STATE_CONNECTING,
  STATE_IDLE,
  STATE_RECEIVING_BODY,
  STATE_RECEIVING_HEADERS,
  STATE_SENDING,
  STATE_TLS_HANDSHAKE,
  STATE_WAITING_100_CONTINUE,
} from "./client.ts";
export {
  type ClientEvent,
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_RESPONSE,
  HttpResponse,
} from "./response.ts";
export {
  type Auth,
  type AuthChallenge,
  basicAuthorization,
  digestAlgorithmSupported,
  digestAuthorization,
  type DigestInput,
  DigestSession,
  newCnonce,
  parseChallenges,
} from "./auth.ts";
export { CookieJar, type SetCookieOptions, type StoredCookie } from "./cookie_jar.ts";
export {
  HttpClientError,
  HttpConnectionError,
  HttpResponseError,
  HttpTimeoutError,
} from "./errors.ts";
export { type ClientUrl, parseUrl } from "./url.ts";
export type { QueryInput, QueryInputValue } from "../core/query.ts";
export type { Fields } from "../core/protocol/mod.ts";
export {
  type ClientTlsOptions,
  type ConnectOptions,
  type Pollable,
  select,
} from "../core/net/mod.ts";
