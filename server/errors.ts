/**
 * The server's error type.
 *
 * @module
 */

/**
 * An error raised by the server API, with the HTTP status it relates to.
 *
 * @example Catching a second response to the same request
 * ```ts
 * import { HttpError } from "@uhttp/core/server";
 * const err = new HttpError("Response already sent");
 * console.log(err.status, err.message); // 500 "Response already sent"
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status the error relates to. @default 500 */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param message A sentence-case description, values quoted.
   * @param status The related HTTP status.
   */
  constructor(message: string, status = 500) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}
