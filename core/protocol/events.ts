/**
 * The events of the protocol core: what `nextEvent()` returns and `send()` takes.
 *
 * @module
 */
import { LocalProtocolError } from "./errors.ts";
import { EMPTY_FIELDS, Fields, type FieldsInit } from "./headers.ts";
import { isToken, isValidHost, isValidTargetForm, isVisibleAscii, validReason } from "./syntax.ts";

function toFields(init: Fields | FieldsInit | undefined): Fields {
  if (init === undefined) return EMPTY_FIELDS;
  return init instanceof Fields ? init : new Fields(init);
}

function checkVersion(v: string): string {
  if (v !== "1.1" && v !== "1.0") {
    throw new LocalProtocolError(`Unsupported HTTP version ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * A request head.
 *
 * @example
 * ```ts
 * import { Request } from "@uhttp/core/protocol";
 * const req = new Request({ method: "GET", target: "/xml", headers: [["Host", "example.com"]] });
 * console.log(req.headers.get("host")); // "example.com"
 * ```
 */
export class Request {
  /** Method, case-sensitive token (`GET`). */
  readonly method: string;
  /** Request target as sent (`/path?query`, `*`, `host:port`, absolute URL). */
  readonly target: string;
  /** Header fields. */
  readonly headers: Fields;
  /** `"1.1"` or `"1.0"`. */
  readonly httpVersion: string;

  /**
   * Creates a request head, validating it.
   *
   * @param init Method, target, headers and version (default `"1.1"`).
   * @throws {LocalProtocolError} for an invalid method or target, or a 1.1 request
   * without exactly one `Host`.
   */
  constructor(init: {
    method: string;
    target: string;
    headers?: Fields | FieldsInit;
    httpVersion?: string;
  }) {
    if (!isToken(init.method)) {
      throw new LocalProtocolError(`Invalid method ${JSON.stringify(init.method)}`);
    }
    if (!isVisibleAscii(init.target) || !isValidTargetForm(init.method, init.target)) {
      throw new LocalProtocolError(`Invalid request target ${JSON.stringify(init.target)}`);
    }
    this.method = init.method;
    this.target = init.target;
    this.headers = toFields(init.headers);
    this.httpVersion = checkVersion(init.httpVersion ?? "1.1");
    const hosts = this.headers.getAll("host");
    if (hosts.length > 1 || (hosts.length === 0 && this.httpVersion === "1.1")) {
      throw new LocalProtocolError("An HTTP/1.1 request needs exactly one Host header");
    }
    if (hosts.length === 1 && !isValidHost(hosts[0]!)) {
      throw new LocalProtocolError(`Invalid Host header ${JSON.stringify(hosts[0])}`);
    }
  }
}

/**
 * What {@linkcode Response} and {@linkcode InformationalResponse} share.
 *
 * @example
 * ```ts
 * import { type ResponseHead, Response } from "@uhttp/core/protocol";
 * const head: ResponseHead = new Response({ status: 204 });
 * console.log(head.status);
 * ```
 */
export abstract class ResponseHead {
  /** Status code. */
  readonly status: number;
  /** Header fields. */
  readonly headers: Fields;
  /** Reason phrase; empty means "use the standard one" when sending. */
  readonly reason: string;
  /** `"1.1"` or `"1.0"` (what the peer sent; we always write 1.1). */
  readonly httpVersion: string;

  /**
   * Validates and stores a response head.
   *
   * @param init Status, headers, reason, version.
   * @param informational `true` for a 1xx head.
   */
  constructor(
    init: { status: number; headers?: Fields | FieldsInit; reason?: string; httpVersion?: string },
    informational: boolean,
  ) {
    const s = init.status;
    if (!Number.isInteger(s) || s < 100 || s > 999) {
      throw new LocalProtocolError(`Invalid status code ${JSON.stringify(s)}`);
    }
    if (informational !== (s < 200)) {
      throw new LocalProtocolError(
        informational
          ? `InformationalResponse needs a 1xx status, not ${s}`
          : `Response needs a status of 200 or more, not ${s}`,
      );
    }
    const reason = init.reason ?? "";
    if (!validReason(reason)) {
      throw new LocalProtocolError(`Invalid reason phrase ${JSON.stringify(reason)}`);
    }
    this.status = s;
    this.headers = toFields(init.headers);
    this.reason = reason;
    this.httpVersion = checkVersion(init.httpVersion ?? "1.1");
  }
}

/**
 * A 1xx response head (`100 Continue`, `101 Switching Protocols`, `103 Early Hints`).
 *
 * @example
 * ```ts
 * import { InformationalResponse } from "@uhttp/core/protocol";
 * const cont = new InformationalResponse({ status: 100 });
 * ```
 */
export class InformationalResponse extends ResponseHead {
  /**
   * Creates a 1xx response head.
   *
   * @param init Status (100-199), headers, reason.
   * @throws {LocalProtocolError} for a status outside 100-199 or invalid fields.
   */
  constructor(
    init: { status: number; headers?: Fields | FieldsInit; reason?: string; httpVersion?: string },
  ) {
    super(init, true);
  }
}

/**
 * A final response head (status 200-999).
 *
 * @example
 * ```ts
 * import { Response } from "@uhttp/core/protocol";
 * const res = new Response({ status: 200, headers: [["Content-Length", "2"]] });
 * ```
 */
export class Response extends ResponseHead {
  /**
   * Creates a final response head.
   *
   * @param init Status (200-999), headers, reason.
   * @throws {LocalProtocolError} for a status below 200 or invalid fields.
   */
  constructor(
    init: { status: number; headers?: Fields | FieldsInit; reason?: string; httpVersion?: string },
  ) {
    super(init, false);
  }
}

/**
 * A piece of message body. `chunkStart`/`chunkEnd` tell where chunks of a chunked
 * body begin and end (informational only).
 *
 * @example
 * ```ts
 * import { Data } from "@uhttp/core/protocol";
 * const d = new Data(new TextEncoder().encode("hello"));
 * console.log(d.data.length); // 5
 * ```
 */
export class Data {
  /** The bytes. */
  readonly data: Uint8Array;
  /** These bytes start a chunk. */
  readonly chunkStart: boolean;
  /** These bytes end a chunk. */
  readonly chunkEnd: boolean;

  /**
   * Wraps body bytes (not copied).
   *
   * @param data Body bytes.
   * @param chunkStart Starts a chunk. @default false
   * @param chunkEnd Ends a chunk. @default false
   */
  constructor(data: Uint8Array, chunkStart = false, chunkEnd = false) {
    this.data = data;
    this.chunkStart = chunkStart;
    this.chunkEnd = chunkEnd;
  }
}

/**
 * The end of a message, with trailer fields when the body was chunked.
 *
 * @example
 * ```ts
 * import { EndOfMessage } from "@uhttp/core/protocol";
 * const end = new EndOfMessage([["Checksum", "abc"]]);
 * console.log(end.trailers.get("checksum")); // "abc"
 * ```
 */
export class EndOfMessage {
  /** Trailer fields (empty unless a chunked body carried some). */
  readonly trailers: Fields;

  /**
   * Creates an end of message, with trailers for a chunked body.
   *
   * @param trailers Trailer fields to send (chunked bodies only).
   * @throws {LocalProtocolError} for invalid fields.
   */
  constructor(trailers?: Fields | FieldsInit) {
    this.trailers = toFields(trailers);
  }
}

/**
 * The connection was closed (received: the peer sent EOF at a message boundary;
 * sent: we are closing).
 *
 * @example
 * ```ts
 * import { ConnectionClosed } from "@uhttp/core/protocol";
 * const closing = new ConnectionClosed();
 * ```
 */
export class ConnectionClosed {}

/**
 * Returned by `nextEvent()` when more bytes are needed.
 *
 * @example
 * ```ts
 * import { CLIENT, Connection, NEED_DATA } from "@uhttp/core/protocol";
 * console.log(new Connection(CLIENT).nextEvent() === NEED_DATA); // true
 * ```
 */
export const NEED_DATA: unique symbol = Symbol("NEED_DATA");

/**
 * Returned by `nextEvent()` when the peer's message is done and the next one must
 * wait for `startNextCycle()` (pipelining), or after a protocol switch.
 *
 * @example
 * ```ts
 * import { PAUSED } from "@uhttp/core/protocol";
 * console.log(PAUSED.description); // "PAUSED"
 * ```
 */
export const PAUSED: unique symbol = Symbol("PAUSED");

/**
 * Any event.
 *
 * @example
 * ```ts
 * import { Data, type Event } from "@uhttp/core/protocol";
 * const e: Event = new Data(new Uint8Array(1));
 * ```
 */
export type Event =
  | Request
  | InformationalResponse
  | Response
  | Data
  | EndOfMessage
  | ConnectionClosed;
