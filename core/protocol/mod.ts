/**
 * The sans-I/O HTTP/1.1 core of `@uhttp/core`, in the spirit of Python's h11:
 * bytes go in, events come out; events go in, bytes come out. No sockets, timers or
 * files: bring your own transport.
 *
 * @example A server side, fed by hand
 * ```ts
 * import { Connection, EndOfMessage, NEED_DATA, Request, Response, SERVER } from "@uhttp/core/protocol";
 * const conn = new Connection(SERVER);
 * conn.receiveData(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
 * const req = conn.nextEvent();
 * if (req instanceof Request) {
 *   const head = conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] }));
 *   const end = conn.send(new EndOfMessage());
 *   console.log(head, end);
 * }
 * console.log(conn.nextEvent() instanceof EndOfMessage, conn.nextEvent() === NEED_DATA);
 * ```
 *
 * @module
 */
export { OutputBuffer } from "./buffer.ts";
export {
  Connection,
  type ConnectionOptions,
  type NextEvent,
  type PlainResponse,
} from "./connection.ts";
export {
  ConnectionClosed,
  Data,
  EndOfMessage,
  type Event,
  InformationalResponse,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
  ResponseHead,
} from "./events.ts";
export { Fields, type FieldsInit } from "./headers.ts";
export { FieldBlock } from "./writers.ts";
export { LocalProtocolError, ProtocolError, RemoteProtocolError } from "./errors.ts";
export {
  CLIENT,
  CLOSED,
  DONE,
  ERROR,
  IDLE,
  MIGHT_SWITCH_PROTOCOL,
  MUST_CLOSE,
  type Role,
  SEND_BODY,
  SEND_RESPONSE,
  SERVER,
  type State,
  SWITCHED_PROTOCOL,
} from "./state.ts";
