/**
 * The event constants of event mode, shared by the server (`conn.event`) and the
 * client (`response.event`), so one set of names means the same on both sides.
 *
 * @module
 */

/**
 * The whole request (head and body) is here: respond to it.
 *
 * @example
 * ```ts
 * import { EVENT_REQUEST, type HttpConnection } from "@uhttp/core";
 * function handle(conn: HttpConnection) {
 *   if (conn.event === EVENT_REQUEST) conn.respond({ ok: true });
 * }
 * ```
 */
export const EVENT_REQUEST = "request" as const;
/**
 * The head is here and a body is coming: accept it (`acceptBody()`,
 * `acceptBodyStreaming()`, `acceptBodyToFile(path)`) or respond right away.
 *
 * @example
 * ```ts
 * import { EVENT_HEADERS, type HttpConnection } from "@uhttp/core";
 * function handle(conn: HttpConnection) {
 *   if (conn.event === EVENT_HEADERS) conn.acceptBodyStreaming();
 * }
 * ```
 */
export const EVENT_HEADERS = "headers" as const;
/**
 * More body bytes arrived (after `acceptBodyStreaming()`); take them with `readBuffer()`.
 *
 * @example
 * ```ts
 * import { EVENT_DATA, type HttpConnection } from "@uhttp/core";
 * function handle(conn: HttpConnection) {
 *   if (conn.event === EVENT_DATA) console.log(conn.readBuffer()?.length);
 * }
 * ```
 */
export const EVENT_DATA = "data" as const;
/**
 * The body is complete: respond.
 *
 * @example
 * ```ts
 * import { EVENT_COMPLETE, type HttpConnection } from "@uhttp/core";
 * function handle(conn: HttpConnection) {
 *   if (conn.event === EVENT_COMPLETE) conn.respond({ received: conn.bytesReceived });
 * }
 * ```
 */
export const EVENT_COMPLETE = "complete" as const;
/**
 * The request failed (peer gone, body too large, timeout, bad framing); `conn.error`
 * says why. The server has already answered or closed the connection.
 *
 * @example
 * ```ts
 * import { EVENT_ERROR, type HttpConnection } from "@uhttp/core";
 * function handle(conn: HttpConnection) {
 *   if (conn.event === EVENT_ERROR) console.error(conn.error);
 * }
 * ```
 */
export const EVENT_ERROR = "error" as const;

/**
 * Client only: the whole response arrived at once (head and body); no body mode
 * needs choosing.
 *
 * @example
 * ```ts
 * import { EVENT_RESPONSE, type HttpResponse } from "@uhttp/core";
 * function handle(res: HttpResponse) {
 *   if (res.event === EVENT_RESPONSE) console.log(res.status, res.data.length);
 * }
 * ```
 */
export const EVENT_RESPONSE = "response" as const;
