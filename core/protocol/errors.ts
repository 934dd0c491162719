/**
 * Errors raised by the sans-I/O protocol core.
 *
 * @module
 */

/**
 * Base class of the two protocol errors. `statusHint` is the HTTP status a server
 * should answer with when the error came from the peer.
 *
 * @example Telling protocol errors apart from other failures
 * ```ts
 * import { ProtocolError } from "@uhttp/core/protocol";
 * try {
 *   throw new ProtocolError("Bad thing", 431);
 * } catch (e) {
 *   if (e instanceof ProtocolError) console.log(e.statusHint); // 431
 * }
 * ```
 */
export class ProtocolError extends Error {
  /** The status a server should answer with. @default 400 */
  readonly statusHint: number;

  /**
   * Creates a protocol error.
   *
   * @param message A sentence-case description, values quoted.
   * @param statusHint The status to answer with.
   */
  constructor(message: string, statusHint = 400) {
    super(message);
    this.name = new.target.name;
    this.statusHint = statusHint;
  }
}

/**
 * We tried to send something that is not valid HTTP/1.1, or not valid in the
 * current state. Nothing was written.
 *
 * @example
 * ```ts
 * import { LocalProtocolError } from "@uhttp/core/protocol";
 * const err = new LocalProtocolError('Invalid header value for "x-a"');
 * console.log(err.statusHint); // 400
 * ```
 */
export class LocalProtocolError extends ProtocolError {}

/**
 * The peer sent something that is not valid HTTP/1.1. `statusHint` says what a
 * server should answer (400, 413, 431, 501, 505).
 *
 * @example
 * ```ts
 * import { RemoteProtocolError } from "@uhttp/core/protocol";
 * const err = new RemoteProtocolError("Request head is too large", 431);
 * console.log(err.statusHint); // 431
 * ```
 */
export class RemoteProtocolError extends ProtocolError {}
