/**
 * Roles and connection states of the protocol core, as in h11.
 *
 * @module
 */

/** The client role: sends requests, receives responses. @example
 * ```ts
 * import { CLIENT, Connection } from "@uhttp/core/protocol";
 * const conn = new Connection(CLIENT);
 * ```
 */
export const CLIENT = "CLIENT" as const;
/** The server role: receives requests, sends responses. @example
 * ```ts
 * import { Connection, SERVER } from "@uhttp/core/protocol";
 * const conn = new Connection(SERVER);
 * ```
 */
export const SERVER = "SERVER" as const;
/** One of {@linkcode CLIENT} or {@linkcode SERVER}. @example
 * ```ts
 * import type { Role } from "@uhttp/core/protocol";
 * const role: Role = "SERVER";
 * ```
 */
export type Role = typeof CLIENT | typeof SERVER;

/** Waiting for the start of a message. @example
 * ```ts
 * import { CLIENT, Connection, IDLE } from "@uhttp/core/protocol";
 * console.log(new Connection(CLIENT).ourState === IDLE); // true
 * ```
 */
export const IDLE = "IDLE" as const;
/** The head is out; body data and end of message may follow. @example
 * ```ts
 * import { SEND_BODY } from "@uhttp/core/protocol";
 * console.log(SEND_BODY);
 * ```
 */
export const SEND_BODY = "SEND_BODY" as const;
/** Server only: the request head arrived, a response (or 1xx) may be sent. @example
 * ```ts
 * import { SEND_RESPONSE } from "@uhttp/core/protocol";
 * console.log(SEND_RESPONSE);
 * ```
 */
export const SEND_RESPONSE = "SEND_RESPONSE" as const;
/** This side's message is complete. @example
 * ```ts
 * import { DONE } from "@uhttp/core/protocol";
 * console.log(DONE);
 * ```
 */
export const DONE = "DONE" as const;
/** The message is complete and the connection must close afterwards. @example
 * ```ts
 * import { MUST_CLOSE } from "@uhttp/core/protocol";
 * console.log(MUST_CLOSE);
 * ```
 */
export const MUST_CLOSE = "MUST_CLOSE" as const;
/** This side closed the connection. @example
 * ```ts
 * import { CLOSED } from "@uhttp/core/protocol";
 * console.log(CLOSED);
 * ```
 */
export const CLOSED = "CLOSED" as const;
/** This side broke the protocol; the connection is unusable. @example
 * ```ts
 * import { ERROR } from "@uhttp/core/protocol";
 * console.log(ERROR);
 * ```
 */
export const ERROR = "ERROR" as const;
/** Client only: sent an Upgrade or CONNECT request; waiting for the verdict. @example
 * ```ts
 * import { MIGHT_SWITCH_PROTOCOL } from "@uhttp/core/protocol";
 * console.log(MIGHT_SWITCH_PROTOCOL);
 * ```
 */
export const MIGHT_SWITCH_PROTOCOL = "MIGHT_SWITCH_PROTOCOL" as const;
/** The connection now speaks another protocol; see `trailingData`. @example
 * ```ts
 * import { SWITCHED_PROTOCOL } from "@uhttp/core/protocol";
 * console.log(SWITCHED_PROTOCOL);
 * ```
 */
export const SWITCHED_PROTOCOL = "SWITCHED_PROTOCOL" as const;

/** Every state a side of a connection can be in. @example
 * ```ts
 * import type { State } from "@uhttp/core/protocol";
 * const s: State = "IDLE";
 * ```
 */
export type State =
  | typeof IDLE
  | typeof SEND_BODY
  | typeof SEND_RESPONSE
  | typeof DONE
  | typeof MUST_CLOSE
  | typeof CLOSED
  | typeof ERROR
  | typeof MIGHT_SWITCH_PROTOCOL
  | typeof SWITCHED_PROTOCOL;
