/**
 * The errors of the HTTP client: one base class and three kinds.
 *
 * @module
 */

/**
 * Base class of every error the client throws (bad arguments, a request already
 * in progress, and the three kinds below).
 *
 * @example Catching any client failure
 * ```ts
 * import { HttpClient, HttpClientError } from "@uhttp/core/client";
 * try {
 *   new HttpClient("ftp://example.com");
 * } catch (e) {
 *   if (e instanceof HttpClientError) console.log(e.message);
 * }
 * ```
 */
export class HttpClientError extends Error {
  /**
   * Creates the error.
   *
   * @param message A sentence-case description, values quoted.
   * @param options `cause`: the underlying error, if any.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The connection failed: DNS, refused, reset, TLS failure. The message names the
 * host and the port.
 *
 * @example
 * ```ts
 * import { HttpConnectionError } from "@uhttp/core/client";
 * const err = new HttpConnectionError('Cannot connect to "example.com" port 80');
 * console.log(err instanceof Error); // true
 * ```
 */
export class HttpConnectionError extends HttpClientError {}

/**
 * A deadline passed: connect, request, or waiting for `100 Continue`.
 *
 * @example
 * ```ts
 * import { HttpTimeoutError } from "@uhttp/core/client";
 * const err = new HttpTimeoutError("Request timed out after 30000 ms");
 * console.log(err.name); // "HttpTimeoutError"
 * ```
 */
export class HttpTimeoutError extends HttpClientError {}

/**
 * The server sent a malformed or oversized response.
 *
 * @example
 * ```ts
 * import { HttpResponseError } from "@uhttp/core/client";
 * const err = new HttpResponseError("Response body is too large");
 * console.log(err.message);
 * ```
 */
export class HttpResponseError extends HttpClientError {}
