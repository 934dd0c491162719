/**
 * `@uhttp/core`: a micro HTTP/1.1 server and client for Deno and Bun, built on a
 * sans-I/O protocol core and a user-driven readiness loop.
 *
 * Today this entry point exports the protocol core and the readiness loop; the
 * server (`HttpServer`) and client (`HttpClient`) are added as they land.
 *
 * @example Parsing a request with the protocol core
 * ```ts
 * import { Connection, Request, SERVER } from "@uhttp/core";
 * const conn = new Connection(SERVER);
 * conn.receiveData(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
 * const event = conn.nextEvent();
 * if (event instanceof Request) console.log(event.method, event.target);
 * ```
 *
 * @module
 */
export * from "./core/protocol/mod.ts";
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
