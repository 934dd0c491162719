/**
 * `@uhttp/core`: a micro HTTP/1.1 server and client for Deno and Bun, built on a
 * sans-I/O protocol core and a user-driven readiness loop.
 *
 * This entry point exports the server, the client, the readiness loop, the shared
 * helpers and the protocol core. `@uhttp/core/server`, `@uhttp/core/client` and
 * `@uhttp/core/protocol` export the same pieces one side at a time.
 *
 * @example A server and a client in one readiness loop
 * ```ts
 * import { HttpClient, HttpServer, select } from "@uhttp/core";
 * const server = new HttpServer({ address: "127.0.0.1", port: 0 });
 * const client = new HttpClient(`http://127.0.0.1:${server.port}`);
 * client.get("/hello");
 * for (let answered = false; !answered;) {
 *   await select([server, client], 1000);
 *   const conn = server.processEvents();
 *   if (conn) conn.respond({ hello: conn.path });
 *   const res = client.processEvents();
 *   if (res) { console.log(res.status, res.json()); answered = true; }
 * }
 * client.close();
 * await server.close();
 * ```
 *
 * @module
 */
export * from "./server/mod.ts";
export * from "./client/mod.ts";
export * from "./core/protocol/mod.ts";
export { Deadline, type Pollable, ReadySignal, select } from "./core/net/mod.ts";
export { EVENT_COMPLETE, EVENT_DATA, EVENT_ERROR, EVENT_HEADERS } from "./core/events.ts";
export { Fields, type FieldsInit } from "./core/protocol/mod.ts";
export { type ClientTlsOptions, type ConnectOptions } from "./core/net/mod.ts";
export { reasonPhrase, STATUS_TEXT } from "./core/status.ts";
export {
  DecodeError,
  type DecodeOptions,
  decodePercentEncoding,
  encodePath,
  encodeQueryComponent,
} from "./core/percent.ts";
export {
  encodeQuery,
  parseQuery,
  type Query,
  type QueryInput,
  type QueryInputValue,
  type QueryValue,
} from "./core/query.ts";
export {
  formatAuthority,
  type HttpUrl,
  type ParsedUrl,
  parseHttpUrl,
  parseUrl,
} from "./core/url.ts";
export {
  type HeaderParameters,
  parseHeaderLine,
  parseHeaderParameters,
} from "./core/header_params.ts";
export {
  type CookieAttributes,
  type CookieOptions,
  type CookiesInit,
  parseCookies,
  parseSetCookie,
  type SameSite,
  serializeCookie,
  serializeCookies,
  type SetCookie,
  type SetCookieAttributes,
} from "./core/cookie.ts";
export { contentTypeFor, MIME_TYPES } from "./core/mime.ts";
export { type EncodedResponseData, encodeResponseData, type ResponseData } from "./core/body.ts";
export { currentHttpDate, formatHttpDate, parseHttpDate } from "./core/http_date.ts";
