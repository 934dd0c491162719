/**
 * The uhttp server: `HttpServer` and `HttpConnection`, driven by the application's
 * readiness loop, with keep-alive, pipelining, limits, streaming responses, files,
 * cookies, event mode for streamed uploads, TLS and IPv6.
 *
 * @example A complete server
 * ```ts
 * import { HttpServer } from "@uhttp/core/server";
 * const server = new HttpServer({ address: "127.0.0.1", port: 0 });
 * // for await (const conn of server) { ... } runs until server.close()
 * const conn = await server.wait(10);
 * conn?.respond({ message: "hello", path: conn.path });
 * await server.close();
 * ```
 *
 * @module
 */
export { HttpServer } from "./server.ts";
export {
  HttpConnection,
  type RespondFileOptions,
  type RespondOptions,
  type ResponseHeaders,
  type StreamOptions,
} from "./connection.ts";
export type { HttpServerOptions } from "./options.ts";
export { HttpError } from "./errors.ts";
export {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_REQUEST,
  type ServerEvent,
} from "./events.ts";
export type { SseEvent } from "./stream.ts";
export { Fields, type FieldsInit } from "../core/protocol/mod.ts";
export {
  type Address,
  type ClientTlsOptions,
  type ConnectOptions,
  type Listener,
  type ListenOptions,
  type Pollable,
  ReadySignal,
  select,
  type ServerTlsOptions,
  type Transport,
  type TransportHandlers,
} from "../core/net/mod.ts";
export { DecodeError, decodePercentEncoding } from "../core/percent.ts";
export { parseQuery, type Query, type QueryValue } from "../core/query.ts";
export { type ParsedUrl, parseUrl } from "../core/url.ts";
export {
  type HeaderParameters,
  parseHeaderLine,
  parseHeaderParameters,
} from "../core/header_params.ts";
export {
  type CookieAttributes,
  type CookieOptions,
  type CookiesInit,
  parseCookies,
  type SameSite,
} from "../core/cookie.ts";
export { type EncodedResponseData, encodeResponseData, type ResponseData } from "../core/body.ts";
