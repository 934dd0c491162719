/**
 * The h11-shaped connection state machine: bytes in, events out; events in, bytes out.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { type OutputBuffer, ReceiveBuffer } from "./buffer.ts";
import { EMPTY_FIELDS, type Fields } from "./headers.ts";
import { LocalProtocolError, type ProtocolError, RemoteProtocolError } from "./errors.ts";
import {
  ConnectionClosed,
  Data,
  EndOfMessage,
  type Event,
  InformationalResponse,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
} from "./events.ts";
import {
  allowsKeepAlive,
  type BodyFraming,
  CHUNKED,
  expectsContinue,
  hasToken,
  NO_BODY,
  proposesSwitch,
  requestFraming,
  responseFraming,
  UNTIL_CLOSE,
} from "./framing.ts";
import {
  type BodyReader,
  ChunkedReader,
  ContentLengthReader,
  DecodedBytes,
  fieldFlagsOf,
  findHeadEnd,
  HAS_CONNECTION,
  HAS_CONTENT_LENGTH,
  HAS_EXPECT,
  HAS_TRANSFER_ENCODING,
  HAS_UPGRADE,
  HeadLines,
  lastFieldFlags,
  parseRequestHead,
  parseResponseHead,
  rejectEarly,
  releaseHeadText,
  resumeScanAt,
  scanHead,
  skipEmptyLines,
  UntilCloseReader,
} from "./readers.ts";
import {
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
import {
  type BodyWriter,
  bodyWriter,
  checkWholeBody,
  CONNECTION_CLOSE_LINE,
  CONNECTION_KEEP_ALIVE_LINE,
  differsInLastValue,
  type FieldBlock,
  FieldLineCache,
  requestHeadLengthFrom,
  writePlainResponseTo,
  writeRequestHead,
  writeRequestHeadFrom,
  writeResponseHead,
  writeResponseHeadTo,
} from "./writers.ts";

/**
 * Options of {@linkcode Connection}.
 *
 * @example
 * ```ts
 * import { Connection, type ConnectionOptions, SERVER } from "@uhttp/core/protocol";
 * const options: ConnectionOptions = { maxIncompleteEventSize: 8 * 1024 };
 * const conn = new Connection(SERVER, options);
 * ```
 */
export interface ConnectionOptions {
  /**
   * Largest head (start line + fields), chunk size line or trailer block accepted.
   * A bigger one is a `RemoteProtocolError` with `statusHint` 431.
   * @default 16384
   */
  maxIncompleteEventSize?: number;
}

/**
 * A whole response whose fields are few and known: what
 * {@linkcode Connection.sendPlainResponse} sends.
 *
 * @example
 * ```ts
 * import { FieldBlock, type PlainResponse } from "@uhttp/core/protocol";
 * const head: PlainResponse = {
 *   status: 200,
 *   contentType: "text/plain",
 *   contentLength: 2,
 *   date: "Sun, 06 Nov 1994 08:49:37 GMT",
 *   close: false,
 *   fields: new FieldBlock({ "cache-control": "no-store" }),
 * };
 * ```
 */
export interface PlainResponse {
  /** Status code (200-999); the reason phrase is the standard one. */
  status: number;
  /** Value of the `content-type` field, or `null` for none. */
  contentType: string | null;
  /** Value of the `content-length` field, or -1 for none. */
  contentLength: number;
  /** Value of the `date` field, or `null` for none. */
  date: string | null;
  /** `true` adds `connection: close` (and closes after this response). */
  close: boolean;
  /**
   * Other fields, sent first; a Content-Type or Date among them replaces
   * `contentType` or `date`. Fields that frame the body or govern the connection
   * (see {@linkcode FieldBlock.plain}) make it take the general path.
   */
  fields?: FieldBlock | null;
}

/** Content types and dates sent through `sendPlainResponse`, encoded once. */
const CONTENT_TYPE_LINES = new FieldLineCache("content-type", 32);
const DATE_LINES = new FieldLineCache("date", 2);

/** The fields `sendPlainResponse` stands for, as pairs. */
function plainFields(head: PlainResponse): [string, string][] {
  const fields = head.fields ?? null;
  const pairs: [string, string][] = fields === null ? [] : [...fields.fields];
  if (head.contentType !== null && !fields?.hasContentType) {
    pairs.push(["content-type", head.contentType]);
  }
  if (head.contentLength !== -1) pairs.push(["content-length", String(head.contentLength)]);
  if (head.date !== null && !fields?.hasDate) pairs.push(["date", head.date]);
  if (head.close) pairs.push(["connection", "close"]);
  return pairs;
}

/**
 * What `nextEvent()` returns: an event, {@linkcode NEED_DATA} or {@linkcode PAUSED}.
 *
 * @example
 * ```ts
 * import { Connection, type NextEvent, SERVER } from "@uhttp/core/protocol";
 * const next: NextEvent = new Connection(SERVER).nextEvent();
 * ```
 */
export type NextEvent = Event | typeof NEED_DATA | typeof PAUSED;

/**
 * One HTTP/1.1 connection seen from one side, without any I/O: feed it received
 * bytes, take events out; give it events to send, take bytes out.
 *
 * @example A client exchange, bytes in and out by hand
 * ```ts
 * import { CLIENT, Connection, EndOfMessage, NEED_DATA, Request } from "@uhttp/core/protocol";
 * const conn = new Connection(CLIENT);
 * const out = conn.send(new Request({ method: "GET", target: "/", headers: [["Host", "a.example"]] }));
 * conn.send(new EndOfMessage());
 * // ... write `out` to a socket, then feed what comes back:
 * conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
 * let event;
 * while ((event = conn.nextEvent()) !== NEED_DATA) {
 *   console.log(event);
 *   if (event instanceof EndOfMessage) break;
 * }
 * ```
 */
export class Connection {
  /** Our role. */
  readonly ourRole: Role;
  /** The peer's role. */
  readonly theirRole: Role;
  readonly #maxHead: number;
  readonly #buf = new ReceiveBuffer();
  /** The client's and the server's states (two fields: no keyed lookup per access). */
  #client: State = IDLE;
  #server: State = IDLE;
  /** `ourRole === SERVER`: which of the two is ours. */
  readonly #weAreServer: boolean;
  #theyClosed = false;
  #keepAlive = true;
  #switchProposed = false;
  #clientWaiting100 = false;
  #theirVersion: string | null = null;
  #requestMethod: string | null = null;
  #reader: BodyReader | null = null;
  #writer: BodyWriter | null = null;
  #scanFrom = 0;
  /** Bytes of empty lines skipped before the head being read (bounded like a head). */
  #emptyLineBytes = 0;
  #error: ProtocolError | null = null;
  /** HAS_* bits of the head just received (see `lastFieldFlags`). */
  #fieldFlags = ALL_FIELDS;
  /** The last request sent and its HAS_* bits. */
  #lastSent: Request | null = null;
  #lastSentFlags = 0;
  /**
   * The last request whose head was encoded whole, and those bytes (`null` until
   * encoded): a request that differs from it only in its last field's value (see
   * `differsInLastValue`) is written from them.
   */
  #headBase: Request | null = null;
  #headBaseBytes: Uint8Array | null = null;
  /** Request heads parsed since the last `receiveData` (-1: decode them one by one). */
  #headsInReceive = 0;
  /** The rest of a read that held several request heads, decoded once (pipelining). */
  #decoded: DecodedBytes | null = null;
  /** The lines of the heads received before, parsed (made with the second head). */
  #headLines: HeadLines | null = null;
  /** A head was received (parsed or not). */
  #sawHead = false;

  /**
   * Creates a connection in state `IDLE` on both sides.
   *
   * @param ourRole {@linkcode CLIENT} or {@linkcode SERVER}.
   * @param options Limits.
   */
  constructor(ourRole: Role, options: ConnectionOptions = {}) {
    this.ourRole = ourRole;
    this.theirRole = ourRole === CLIENT ? SERVER : CLIENT;
    this.#weAreServer = ourRole === SERVER;
    this.#maxHead = options.maxIncompleteEventSize ?? 16 * 1024;
  }

  /** Both sides' states. */
  get states(): { readonly CLIENT: State; readonly SERVER: State } {
    return { CLIENT: this.#client, SERVER: this.#server };
  }

  /** Our side's state. */
  get ourState(): State {
    return this.#weAreServer ? this.#server : this.#client;
  }

  /** The peer's state. */
  get theirState(): State {
    return this.#weAreServer ? this.#client : this.#server;
  }

  #setOurState(state: State): void {
    if (this.#weAreServer) this.#server = state;
    else this.#client = state;
  }

  #setTheirState(state: State): void {
    if (this.#weAreServer) this.#client = state;
    else this.#server = state;
  }

  /** HTTP version of the last head received (`"1.1"`, `"1.0"`), or `null` before any. */
  get theirHttpVersion(): string | null {
    return this.#theirVersion;
  }

  /**
   * Length in bytes of the body of the message being received, as its framing
   * gives it (not what its fields say): the Content-Length of a message framed by
   * one, 0 for a message without a body (a response to HEAD, 204, 304, a request
   * without body fields), and `null` when the length is not known ahead (chunked,
   * until close) or no message body is being read.
   *
   * @example
   * ```ts
   * import { CLIENT, Connection, EndOfMessage, Request } from "@uhttp/core/protocol";
   * const conn = new Connection(CLIENT);
   * conn.send(new Request({ method: "HEAD", target: "/", headers: [["Host", "a.example"]] }));
   * conn.send(new EndOfMessage());
   * conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"));
   * conn.nextEvent(); // the Response
   * console.log(conn.theirBodyLength); // 0: a response to HEAD has no body
   * ```
   */
  get theirBodyLength(): number | null {
    const reader = this.#reader;
    return reader instanceof ContentLengthReader ? reader.length : null;
  }

  /** `false` once either side asked to close after the current exchange. */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  /**
   * Received bytes not turned into events (after a protocol switch: the new
   * protocol's first bytes), and whether the peer closed.
   */
  get trailingData(): { data: Uint8Array; closed: boolean } {
    const b = this.#buf;
    return { data: b.bytes.subarray(b.start, b.end), closed: this.#theyClosed };
  }

  /**
   * Number of received bytes not turned into events yet (the length of
   * {@linkcode Connection.trailingData}'s `data`, without building it).
   */
  get bufferedLength(): number {
    return this.#buf.length;
  }

  /**
   * Copies the received bytes not turned into events yet into memory of the
   * connection's own, so the arrays given to {@linkcode Connection.receiveData}
   * may be reused (a socket's read buffer, say). Events already returned are not
   * affected: a `Data` event's bytes are views of what was received.
   *
   * @example
   * ```ts
   * import { Connection, SERVER } from "@uhttp/core/protocol";
   * const conn = new Connection(SERVER);
   * const readBuffer = new TextEncoder().encode("GET / HTTP/1.1\r\nHo");
   * conn.receiveData(readBuffer);
   * conn.nextEvent(); // NEED_DATA
   * conn.keepBufferedData();
   * readBuffer.fill(0); // the connection still has "GET / HTTP/1.1\r\nHo"
   * ```
   */
  keepBufferedData(): void {
    this.#buf.own();
    this.#decoded?.forget();
  }

  /** The client sent `Expect: 100-continue` and no response or body has moved yet. */
  get clientIsWaitingFor100Continue(): boolean {
    return this.#clientWaiting100;
  }

  /** We are the server and the client waits for `100 Continue`. */
  get theyAreWaitingFor100Continue(): boolean {
    return this.theirRole === CLIENT && this.#clientWaiting100;
  }

  /**
   * Adds received bytes. An empty array means the peer closed (EOF).
   *
   * @param data Bytes as read from the socket; not copied, do not modify them afterwards.
   * @throws {LocalProtocolError} when data arrives after EOF.
   */
  receiveData(data: Uint8Array): void {
    if (data.length === 0) {
      this.#theyClosed = true;
      return;
    }
    if (this.#theyClosed) throw new LocalProtocolError("Received data after EOF");
    this.#buf.append(data);
    this.#headsInReceive = 0;
    this.#decoded?.forget();
  }

  /**
   * The next event the received bytes make, {@linkcode NEED_DATA} when more bytes
   * are needed, or {@linkcode PAUSED} when the peer's next message must wait for
   * {@linkcode Connection.startNextCycle} (or the protocol switched).
   *
   * @returns An event or a sentinel.
   * @throws {RemoteProtocolError} when the peer broke the protocol (sticky).
   */
  nextEvent(): NextEvent {
    if (this.#error !== null && this.theirState === ERROR) throw this.#error;
    try {
      const event = this.#extract();
      if (event !== NEED_DATA && event !== PAUSED) this.#received(event);
      return event;
    } catch (e) {
      releaseHeadText();
      if (e instanceof RemoteProtocolError) {
        this.#error = e;
        this.#setTheirState(ERROR);
        this.#afterChange();
      }
      throw e;
    }
  }

  /**
   * The rest of the peer's body and the end of its message in one call, when the
   * body has a known length (Content-Length, or none at all) and every byte of it
   * has been received: what {@linkcode Connection.nextEvent} would give as a
   * {@linkcode Data} and an {@linkcode EndOfMessage} without trailers, with the
   * same state changes. Otherwise (a chunked body or one that lasts until close, a
   * body not all here yet, a body longer than `maxLength`, no body being read) it
   * returns `null` and changes nothing: go on with `nextEvent()`. Saves two events
   * per message that arrived whole, the common case for small messages.
   *
   * @param maxLength The longest body to take this way (its whole length counts):
   * a caller that treats longer bodies otherwise leaves them to `nextEvent()`.
   * @returns The body's remaining bytes (empty when it has none; not copied, as
   * for `Data`), or `null`.
   * @example
   * ```ts
   * import { CLIENT, Connection, EndOfMessage, Request } from "@uhttp/core/protocol";
   * const conn = new Connection(CLIENT);
   * conn.send(new Request({ method: "GET", target: "/", headers: [["Host", "a.example"]] }));
   * conn.send(new EndOfMessage());
   * conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
   * conn.nextEvent(); // the Response
   * const body = conn.takeWholeBody(); // the bytes of "hi"
   * console.log(body?.length, conn.theirState); // 2 DONE
   * ```
   */
  takeWholeBody(maxLength: number = Infinity): Uint8Array | null {
    const reader = this.#reader;
    if (
      !(reader instanceof ContentLengthReader) || reader.length > maxLength ||
      this.theirState !== SEND_BODY
    ) return null;
    const rest = reader.readRest(this.#buf);
    if (rest === null) return null;
    this.#theirMessageEnded();
    this.#afterChange();
    return rest;
  }

  #extract(): NextEvent {
    const state = this.theirState;
    const buf = this.#buf;
    if (state === DONE || state === MUST_CLOSE) {
      if (buf.length > 0) return PAUSED;
      return this.#theyClosed ? new ConnectionClosed() : NEED_DATA;
    }
    if (state === MIGHT_SWITCH_PROTOCOL || state === SWITCHED_PROTOCOL) return PAUSED;
    if (state === CLOSED) {
      return buf.length > 0 ? PAUSED : this.#theyClosed ? new ConnectionClosed() : NEED_DATA;
    }
    if (state === IDLE || state === SEND_RESPONSE) {
      return this.#extractHead();
    }
    if (state === SEND_BODY) {
      const reader = this.#reader!;
      const out = reader.read(buf);
      if (out !== null) return out;
      if (this.#theyClosed) return reader.readEof()!;
      return NEED_DATA;
    }
    return NEED_DATA;
  }

  #extractHead(): NextEvent {
    const buf = this.#buf;
    const isRequest = this.theirRole === CLIENT;
    if (buf.length === 0) return this.#theyClosed ? new ConnectionClosed() : NEED_DATA;
    if (isRequest) {
      const skip = skipEmptyLines(buf.bytes, buf.start, buf.end);
      if (skip < 0) throw new RemoteProtocolError("Bare CR in message head");
      if (skip > 0) {
        this.#emptyLineBytes += skip;
        buf.consume(skip);
        this.#scanFrom = 0;
      }
      if (this.#emptyLineBytes > this.#maxHead) {
        throw new RemoteProtocolError("Request head is too large", 431);
      }
      // Nothing left, or a lone CR that may be the start of one more empty line.
      if (buf.length === 0 || (buf.length === 1 && buf.bytes[buf.start] === 0x0d)) {
        if (this.#theyClosed) {
          if (buf.length === 0) return new ConnectionClosed();
          throw new RemoteProtocolError("Connection closed inside a request head");
        }
        return NEED_DATA;
      }
      rejectEarly(buf.bytes, buf.start, buf.end);
    }
    const start = buf.start;
    const end = buf.end;
    const kept = this.#headLines;
    if (kept !== null) {
      // The last head again, byte for byte, gives what it gave then.
      const repeated = kept.repeated(buf.bytes, start, end);
      if (repeated !== null) {
        // Counted as a head of this read, as #pipelinedText counts the others.
        if (isRequest && this.#headsInReceive >= 0) this.#headsInReceive++;
        return this.#headTaken(repeated, kept.keptHeadLength);
      }
    }
    // The first look scans every byte once; while the head is incomplete, later
    // looks only search new bytes for its end, then scan it whole once it is there.
    let headEnd = this.#scanFrom === 0
      ? scanHead(buf.bytes, start, end)
      : findHeadEnd(buf.bytes, start + this.#scanFrom, end);
    if (headEnd >= 0 && this.#scanFrom !== 0) headEnd = scanHead(buf.bytes, start, headEnd);
    if ((headEnd < 0 ? end : headEnd) - start > this.#maxHead) {
      throw new RemoteProtocolError(
        isRequest ? "Request head is too large" : "Response head is too large",
        431,
      );
    }
    if (headEnd < 0) {
      if (this.#theyClosed) {
        throw new RemoteProtocolError(
          isRequest
            ? "Connection closed inside a request head"
            : "Connection closed inside a response head",
        );
      }
      const cr = buf.bytes.indexOf(0x0d, start + this.#scanFrom);
      if (cr >= 0 && cr + 1 < end && buf.bytes[cr + 1] !== 0x0a) {
        throw new RemoteProtocolError("Bare CR in message head");
      }
      this.#scanFrom = resumeScanAt(start, end) - start;
      return NEED_DATA;
    }
    // A connection that carries a second head is likely to carry more: its lines
    // are kept from then on (a connection used once keeps nothing).
    const lines = kept ?? (this.#sawHead ? this.#headLines = new HeadLines() : null);
    this.#sawHead = true;
    const event = isRequest
      ? parseRequestHead(buf.bytes, start, headEnd, this.#pipelinedText(start, headEnd), lines)
      : parseResponseHead(buf.bytes, start, headEnd, lines);
    return this.#headTaken(event, headEnd - start);
  }

  /** A head of `length` bytes at the start of the buffer gave `event`. */
  #headTaken(event: Request | Response | InformationalResponse, length: number): NextEvent {
    this.#scanFrom = 0;
    this.#emptyLineBytes = 0;
    this.#fieldFlags = lastFieldFlags();
    const buf = this.#buf;
    buf.consume(length);
    if (buf.length === 0) this.#decoded?.forget();
    return event;
  }

  /**
   * From the second request head of one read on, the read's remaining bytes (up
   * to {@linkcode PIPELINE_DECODE_WINDOW}) decoded once, for the following heads
   * to be sliced from; null for the first head, or when those bytes do not decode
   * one character per byte.
   */
  #pipelinedText(start: number, headEnd: number): DecodedBytes | null {
    const heads = this.#headsInReceive;
    if (heads < 0) return null;
    this.#headsInReceive = heads + 1;
    if (heads === 0) return null;
    const buf = this.#buf;
    const decoded = this.#decoded ??= new DecodedBytes();
    if (decoded.covers(buf.bytes, start, headEnd)) return decoded;
    const end = Math.max(headEnd, Math.min(buf.end, start + PIPELINE_DECODE_WINDOW));
    if (decoded.decode(buf.bytes, start, end)) return decoded;
    this.#headsInReceive = -1;
    return null;
  }

  /** Applies a received event to the state machine. */
  #received(event: Event): void {
    if (event instanceof Request) {
      this.#theirVersion = event.httpVersion;
      const flags = this.#fieldFlags;
      const framing = requestFramingOf(event, flags, RemoteProtocolError);
      this.#startRequest(event, framing, flags);
      this.#reader = readerFor(framing, this.#maxHead);
      this.#client = SEND_BODY;
      if (this.#server === IDLE) this.#server = SEND_RESPONSE;
    } else if (event instanceof InformationalResponse) {
      this.#theirVersion = event.httpVersion;
      this.#responseStarted(event.status, true);
    } else if (event instanceof Response) {
      this.#theirVersion = event.httpVersion;
      const flags = this.#fieldFlags;
      const framing = responseFraming(
        this.#requestMethod,
        event.status,
        fieldsWith(event.headers, flags, HAS_CONTENT_LENGTH | HAS_TRANSFER_ENCODING),
        RemoteProtocolError,
      );
      if (!allowsKeepAlive(fieldsWith(event.headers, flags, HAS_CONNECTION), event.httpVersion)) {
        this.#keepAlive = false;
      }
      if (framing.kind === "close") this.#keepAlive = false;
      this.#reader = readerFor(framing, this.#maxHead);
      this.#responseStarted(event.status, false);
    } else if (event instanceof Data) {
      if (this.theirRole === CLIENT && event.data.length > 0) this.#clientWaiting100 = false;
    } else if (event instanceof EndOfMessage) {
      this.#theirMessageEnded();
    } else if (event instanceof ConnectionClosed) {
      this.#setTheirState(CLOSED);
    }
    this.#afterChange();
  }

  /** The peer's message is complete (an EndOfMessage, or the rest of its body taken). */
  #theirMessageEnded(): void {
    this.#reader = null;
    if (this.theirRole === CLIENT) this.#clientWaiting100 = false;
    this.#setTheirState(DONE);
  }

  /**
   * Request bookkeeping shared by sending and receiving one. `flags` (HAS_* bits)
   * tells which of the fields looked up here the request has: an absent one is
   * not searched for.
   */
  #startRequest(req: Request, framing: BodyFraming, flags: number): void {
    this.#requestMethod = req.method;
    const headers = req.headers;
    if (!allowsKeepAlive(fieldsWith(headers, flags, HAS_CONNECTION), req.httpVersion)) {
      this.#keepAlive = false;
    }
    this.#switchProposed = proposesSwitch(req.method, fieldsWith(headers, flags, HAS_UPGRADE));
    this.#clientWaiting100 =
      expectsContinue(fieldsWith(headers, flags, HAS_EXPECT), req.httpVersion) &&
      framing !== NO_BODY;
  }

  /** Response-head bookkeeping shared by sending and receiving one, by its status. */
  #responseStarted(status: number, informational: boolean): void {
    this.#clientWaiting100 = false;
    const switches = this.#switchProposed &&
      (informational
        ? status === 101
        : this.#requestMethod === "CONNECT" && status >= 200 && status < 300);
    if (switches) {
      this.#server = SWITCHED_PROTOCOL;
      this.#reader = null;
      this.#writer = null;
      return;
    }
    if (informational) return;
    this.#switchProposed = false;
    if (this.#client === MIGHT_SWITCH_PROTOCOL) this.#client = DONE;
    this.#server = SEND_BODY;
  }

  /** State-triggered transitions (h11's table). */
  #afterChange(): void {
    if (this.#client === DONE && this.#switchProposed) this.#client = MIGHT_SWITCH_PROTOCOL;
    if (this.#client === MIGHT_SWITCH_PROTOCOL && this.#server === SWITCHED_PROTOCOL) {
      this.#client = SWITCHED_PROTOCOL;
    }
    if (!this.#keepAlive) {
      if (this.#client === DONE) this.#client = MUST_CLOSE;
      if (this.#server === DONE) this.#server = MUST_CLOSE;
    }
    const client = this.#client;
    const server = this.#server;
    if ((client === CLOSED || client === ERROR) && (server === DONE || server === IDLE)) {
      if (!(client === ERROR && server === IDLE)) this.#server = MUST_CLOSE;
    }
    if ((server === CLOSED || server === ERROR) && (client === DONE || client === IDLE)) {
      if (!(server === ERROR && client === IDLE)) this.#client = MUST_CLOSE;
    }
  }

  /**
   * Serialises an event to send.
   *
   * @param event The event.
   * @returns The bytes to write (possibly empty), or `null` for {@linkcode ConnectionClosed}.
   * @throws {LocalProtocolError} when the event is invalid here; our state becomes `ERROR`.
   */
  send(event: Event): Uint8Array | null {
    const pieces = this.sendWithDataPassthrough(event);
    return pieces === null ? null : concatBytes(pieces);
  }

  /**
   * Like {@linkcode Connection.send} but returns the pieces to write in order, with
   * a `Data` event's bytes passed through uncopied.
   *
   * @param event The event.
   * @returns Pieces to write, or `null` for {@linkcode ConnectionClosed}.
   * @throws {LocalProtocolError} when the event is invalid here; our state becomes `ERROR`.
   */
  sendWithDataPassthrough(event: Event): Uint8Array[] | null {
    if (this.ourState === ERROR) {
      throw new LocalProtocolError("Cannot send after a protocol error");
    }
    try {
      const pieces = this.#send(event);
      this.#afterChange();
      return pieces;
    } catch (e) {
      if (e instanceof LocalProtocolError) this.sendFailed();
      throw e;
    }
  }

  #send(event: Event): Uint8Array[] | null {
    const role = this.ourRole;
    const state = this.ourState;
    if (event instanceof ConnectionClosed) {
      this.#setOurState(CLOSED);
      return null;
    }
    if (event instanceof Request) {
      this.#startSendingRequest(event);
      const base = this.#headBase!;
      const baseHead = this.#headBaseBytes!;
      if (event === base) return [baseHead];
      const head = new Uint8Array(requestHeadLengthFrom(event, base, baseHead));
      writeRequestHeadFrom(head, 0, event, base, baseHead);
      return [head];
    }
    if (event instanceof InformationalResponse || event instanceof Response) {
      if (
        role !== SERVER ||
        (state !== SEND_RESPONSE && !(state === IDLE && event instanceof Response))
      ) {
        throw new LocalProtocolError(`Cannot send a response in state ${state}`);
      }
      if (event instanceof InformationalResponse) {
        if (event.status === 101 && !this.#switchProposed) {
          throw new LocalProtocolError("Cannot send 101 without an Upgrade request");
        }
        this.#responseStarted(event.status, true);
        return [writeResponseHead(event)];
      }
      const [extra, skip] = this.#startResponse(event);
      return [writeResponseHead(event, extra, skip)];
    }
    if (event instanceof Data) return this.#sendData(event.data);
    return this.#sendEnd((event as EndOfMessage).trailers);
  }

  /**
   * Sends a whole body (none when empty) and the end of our message, as `send()`
   * of a `Data` and an `EndOfMessage`: the pieces to write after the head, in order.
   */
  #sendBodyAndEnd(body: Uint8Array): Uint8Array[] {
    let data = NO_PIECES;
    if (body.length > 0) {
      data = this.#sendData(body);
      this.#afterChange();
    }
    const end = this.#sendEnd(EMPTY_FIELDS);
    this.#afterChange();
    return end.length === 0 ? data : data.length === 0 ? end : [...data, ...end];
  }

  /**
   * The checks and state changes of sending `req`; leaves `#headBase` and its
   * bytes ready to write its head from.
   */
  #startSendingRequest(req: Request): void {
    const state = this.ourState;
    if (this.ourRole !== CLIENT || state !== IDLE) {
      throw new LocalProtocolError(`Cannot send a request in state ${state}`);
    }
    // A client sends the same Request object again and again: its fields are immutable.
    if (req !== this.#lastSent) {
      this.#lastSent = req;
      const base = this.#headBase;
      // Or one that differs from the base only in its last field's value: the same names, flags.
      if (base === null || (req !== base && !differsInLastValue(req, base))) {
        this.#headBase = req;
        this.#headBaseBytes = null; // encoded once its framing is checked
        this.#lastSentFlags = fieldFlagsOf(req.headers);
      }
    }
    const flags = this.#lastSentFlags;
    const framing = requestFramingOf(req, flags, LocalProtocolError);
    this.#startRequest(req, framing, flags);
    this.#writer = bodyWriter(framing);
    this.#client = SEND_BODY;
    if (this.#server === IDLE) this.#server = SEND_RESPONSE;
    this.#headBaseBytes ??= writeRequestHead(this.#headBase!);
  }

  #sendData(data: Uint8Array): Uint8Array[] {
    const state = this.ourState;
    if (state !== SEND_BODY) {
      throw new LocalProtocolError(`Cannot send body data in state ${state}`);
    }
    if (this.ourRole === CLIENT && data.length > 0) this.#clientWaiting100 = false;
    return this.#writer!.data(data);
  }

  #sendEnd(trailers: Fields): Uint8Array[] {
    const role = this.ourRole;
    const state = this.ourState;
    if (state !== SEND_BODY) {
      throw new LocalProtocolError(`Cannot send body data in state ${state}`);
    }
    const pieces = this.#writer!.end(trailers);
    this.#writer = null;
    if (role === CLIENT) this.#clientWaiting100 = false;
    this.#setOurState(DONE);
    return pieces;
  }

  /**
   * Sends a whole request at once: the same checks, state changes and bytes as
   * `send(req)`, `send(new Data(body))` (for a non-empty body) and
   * `send(new EndOfMessage())`, appended to `out`, so a small request with a body
   * costs no allocation and one write. A request that differs from the one sent
   * before only in the value of its last field (a Content-Length) has its head
   * copied from that one's bytes.
   *
   * @param req The request head.
   * @param body The whole body (empty for none); copied into `out`.
   * @param out Where the bytes go (appended after its content).
   * @throws {LocalProtocolError} when the request or body is invalid here (our
   * state becomes `ERROR`, as with `send()`; `out` is left as it was).
   *
   * @example
   * ```ts
   * import { CLIENT, Connection, OutputBuffer, Request } from "@uhttp/core/protocol";
   * const conn = new Connection(CLIENT);
   * const body = new TextEncoder().encode('{"a":1}');
   * const req = new Request({
   *   method: "POST",
   *   target: "/items",
   *   headers: [["host", "example.com"], ["content-length", String(body.length)]],
   * });
   * const out = new OutputBuffer();
   * conn.sendRequest(req, body, out);
   * console.log(new TextDecoder().decode(out.bytes.subarray(0, out.length)));
   * ```
   */
  sendRequest(req: Request, body: Uint8Array, out: OutputBuffer): void {
    if (this.ourState === ERROR) {
      throw new LocalProtocolError("Cannot send after a protocol error");
    }
    try {
      this.#startSendingRequest(req);
      this.#afterChange();
      const pieces = this.#sendBodyAndEnd(body);
      const base = this.#headBase!;
      const baseHead = this.#headBaseBytes!;
      const bytes = out.reserve(requestHeadLengthFrom(req, base, baseHead) + piecesLength(pieces));
      const pos = writeRequestHeadFrom(bytes, out.length, req, base, baseHead);
      out.length = copyPieces(bytes, pos, pieces);
    } catch (e) {
      if (e instanceof LocalProtocolError) this.sendFailed();
      throw e;
    }
  }

  /**
   * Throws unless we are a server that may send a whole response now; a response
   * in the wrong state also makes our state `ERROR`, as with `send()`.
   */
  #checkCanRespond(): void {
    const state = this.ourState;
    if (state === ERROR) throw new LocalProtocolError("Cannot send after a protocol error");
    if (this.ourRole !== SERVER || (state !== SEND_RESPONSE && state !== IDLE)) {
      this.sendFailed();
      throw new LocalProtocolError(`Cannot send a response in state ${state}`);
    }
  }

  /**
   * Sends a whole response at once: the same checks, state changes and bytes as
   * `send(res)`, `send(new Data(body))` (for a non-empty body) and
   * `send(new EndOfMessage())`, appended to `out` (head and framed body), so a
   * small response costs no allocation and, with others, one write.
   *
   * @param res The response head.
   * @param body The whole body (empty for none); copied into `out`.
   * @param out Where the bytes go (appended after its content).
   * @throws {LocalProtocolError} when the response or body is invalid here (our
   * state becomes `ERROR`, as with `send()`; `out` is left as it was).
   *
   * @example
   * ```ts
   * import { Connection, OutputBuffer, Request, Response, SERVER } from "@uhttp/core/protocol";
   * const conn = new Connection(SERVER);
   * conn.receiveData(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
   * if (conn.nextEvent() instanceof Request) conn.nextEvent(); // the request, its end
   * const out = new OutputBuffer();
   * const res = new Response({ status: 200, headers: [["content-length", "2"]] });
   * conn.sendResponse(res, new TextEncoder().encode("hi"), out);
   * console.log(out.bytes.subarray(0, out.length)); // head and body
   * ```
   */
  sendResponse(res: Response, body: Uint8Array, out: OutputBuffer): void {
    this.#checkCanRespond();
    try {
      const [extra, skip] = this.#startResponse(res);
      this.#afterChange();
      const pieces = this.#sendBodyAndEnd(body);
      writeResponseHeadTo(out, res, extra, skip, piecesLength(pieces));
      out.length = copyPieces(out.bytes, out.length, pieces);
    } catch (e) {
      if (e instanceof LocalProtocolError) this.sendFailed();
      throw e;
    }
  }

  /**
   * Sends a whole response made of a few known fields: the same checks, state
   * changes and bytes as {@linkcode Connection.sendResponse} with a `Response`
   * whose fields are, in this order and each only when given, the `fields` block,
   * `content-type`, `content-length`, `date` and `connection: close`; the usual `connection`
   * field is added as there (close, or keep-alive for an HTTP/1.0 peer). Without
   * building the `Response` or its fields: what a server sends most.
   *
   * @param head Status and field values.
   * @param body The whole body (empty for none, and for a response that has no
   * body: to `HEAD`, 204, 304); copied into `out`.
   * @param out Where the bytes go (appended after its content).
   * @throws {LocalProtocolError} for an invalid status or field value (nothing
   * changes), or when the response or body is invalid here (our state becomes
   * `ERROR`, as with `send()`; `out` is left as it was).
   *
   * @example
   * ```ts
   * import { Connection, OutputBuffer, Request, SERVER } from "@uhttp/core/protocol";
   * const conn = new Connection(SERVER);
   * conn.receiveData(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
   * if (conn.nextEvent() instanceof Request) conn.nextEvent(); // the request, its end
   * const out = new OutputBuffer();
   * const body = new TextEncoder().encode("hi");
   * conn.sendPlainResponse(
   *   { status: 200, contentType: "text/plain", contentLength: 2, date: null, close: false },
   *   body,
   *   out,
   * );
   * console.log(out.bytes.subarray(0, out.length)); // head and body
   * ```
   */
  sendPlainResponse(head: PlainResponse, body: Uint8Array, out: OutputBuffer): void {
    const status = head.status;
    const length = head.contentLength;
    const noContent = status === 204 || status === 304;
    const bodyless = noContent || this.#requestMethod === "HEAD";
    const fields = head.fields ?? null;
    if (
      !(status >= 200 && status <= 999 && Number.isInteger(status)) || this.#switchProposed ||
      !(length === -1 ? noContent : length >= 0 && Number.isSafeInteger(length)) ||
      (fields !== null && !fields.plain)
    ) {
      // Rarer cases (a protocol switch, a body framed by chunks or by closing, an
      // invalid value, fields that frame or close) take the general path, checks and
      // messages included.
      this.sendResponse(new Response({ status, headers: plainFields(head) }), body, out);
      return;
    }
    const typeLine = head.contentType === null || fields?.hasContentType
      ? null
      : CONTENT_TYPE_LINES.line(head.contentType);
    const dateLine = head.date === null || fields?.hasDate ? null : DATE_LINES.line(head.date);
    this.#checkCanRespond();
    try {
      // As #startResponse, for these fields: a length (or no body) frames the body.
      const client = this.#client;
      if (head.close || client === ERROR || client === IDLE) this.#keepAlive = false;
      let connectionLine: Uint8Array | null = null;
      if (!this.#keepAlive) connectionLine = CONNECTION_CLOSE_LINE;
      else if (this.#theirVersion === "1.0") connectionLine = CONNECTION_KEEP_ALIVE_LINE;
      this.#responseStarted(status, false);
      this.#afterChange();
      checkWholeBody(body.length, bodyless ? -1 : length);
      this.#writer = null;
      this.#server = DONE;
      this.#afterChange();
      writePlainResponseTo(
        out,
        status,
        fields === null ? null : fields.lines,
        typeLine,
        length,
        dateLine,
        connectionLine,
        body,
      );
    } catch (e) {
      if (e instanceof LocalProtocolError) this.sendFailed();
      throw e;
    }
  }

  /**
   * Chooses the framing of our response and applies it to the state; returns the
   * framing and connection headers to add and a header to leave out.
   */
  #startResponse(res: Response): [[string, string][], string | null] {
    const headers = res.headers;
    const peer11 = this.#theirVersion === "1.1";
    // Our own "close", a broken request, or an answer sent before any request
    // (408, 400) all end the connection after this response.
    const client = this.#client;
    if (!allowsKeepAlive(headers, "1.1") || client === ERROR || client === IDLE) {
      this.#keepAlive = false;
    }
    let framing = responseFraming(this.#requestMethod, res.status, headers, LocalProtocolError);
    const hasTe = headers.lowerNames.includes("transfer-encoding");
    const hasCl = headers.lowerNames.includes("content-length");
    const bodyless = framing === NO_BODY;
    const extra: [string, string][] = [];
    let skip: string | null = null;
    if (hasTe && hasCl) {
      throw new LocalProtocolError("Response has both Transfer-Encoding and Content-Length");
    }
    if (framing.kind === "close" && hasTe) {
      throw new LocalProtocolError("Only the chunked transfer coding can be sent");
    }
    const wantsChunked = framing === CHUNKED || (!hasTe && !hasCl && !bodyless);
    if (wantsChunked && !peer11) {
      // An HTTP/1.0 peer cannot read chunked: delimit the body by closing.
      if (hasTe) skip = "transfer-encoding";
      framing = UNTIL_CLOSE;
      this.#keepAlive = false;
    } else if (wantsChunked) {
      framing = CHUNKED;
      if (!hasTe) extra.push(["transfer-encoding", "chunked"]);
    } else if (
      bodyless && this.#requestMethod === "HEAD" && !hasTe && !hasCl && res.status >= 200 &&
      res.status !== 204 && res.status !== 304
    ) {
      // HEAD keeps the headers GET would have had.
      if (peer11) extra.push(["transfer-encoding", "chunked"]);
    }
    const switches = this.#switchProposed && this.#requestMethod === "CONNECT" &&
      res.status >= 200 &&
      res.status < 300;
    if (!switches) {
      if (!this.#keepAlive && !hasToken(headers, "connection", "close")) {
        extra.push(["connection", "close"]);
      } else if (
        this.#keepAlive && this.#theirVersion === "1.0" &&
        !headers.lowerNames.includes("connection")
      ) {
        extra.push(["connection", "keep-alive"]);
      }
    }
    this.#writer = bodyWriter(framing);
    this.#responseStarted(res.status, false);
    return [extra, skip];
  }

  /** Marks our side as failed (for example after a write error). */
  sendFailed(): void {
    this.#setOurState(ERROR);
    this.#afterChange();
  }

  /**
   * Resets both sides to `IDLE` for the next request/response on a kept-alive
   * connection. Call it after both messages are complete.
   *
   * @throws {LocalProtocolError} unless both sides are `DONE`.
   */
  startNextCycle(): void {
    if (this.#client !== DONE || this.#server !== DONE) {
      throw new LocalProtocolError(
        `Cannot start a new cycle in states CLIENT=${this.#client}, SERVER=${this.#server}`,
      );
    }
    this.#client = IDLE;
    this.#server = IDLE;
    this.#requestMethod = null;
    this.#switchProposed = false;
    this.#clientWaiting100 = false;
    this.#reader = null;
    this.#writer = null;
    this.#scanFrom = 0;
  }

  /**
   * Lets go of the lines of earlier heads (and the last head whole) that the
   * connection keeps so that a line or head received again byte for byte is not
   * parsed again (from a few hundred bytes to a few KB per connection that
   * carried more than one message: lines of up to 1 KB, 4 KB of them in all, and
   * a head of up to 2 KB), and of the last view of received bytes it handed out.
   * For a connection that has gone quiet: its next head is parsed in full and
   * keeping starts again from there. Any time is safe; what is parsed does not change.
   *
   * @example A server's keep-alive connection idle for a while
   * ```ts
   * import { Connection, SERVER } from "@uhttp/core/protocol";
   * const conn = new Connection(SERVER);
   * conn.forgetHeadLines();
   * ```
   */
  forgetHeadLines(): void {
    this.#headLines = null;
    this.#buf.forgetView();
  }
}

const NO_PIECES: Uint8Array[] = [];

/** The summed length of `pieces`. */
function piecesLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < pieces.length; i++) n += pieces[i]!.length;
  return n;
}

/** Copies `pieces` one after another into `bytes` from `pos`; returns the position after them. */
function copyPieces(bytes: Uint8Array, pos: number, pieces: readonly Uint8Array[]): number {
  for (let i = 0; i < pieces.length; i++) {
    bytes.set(pieces[i]!, pos);
    pos += pieces[i]!.length;
  }
  return pos;
}

/** Most bytes decoded at once for the request heads of one read (see `#pipelinedText`). */
const PIPELINE_DECODE_WINDOW = 16 * 1024;

/**
 * `headers` when `flags` (HAS_* bits) says it has one of the fields of `bits`, else
 * no fields: a rule given the result looks up only fields that are there, and
 * decides as for a message without them.
 */
function fieldsWith(headers: Fields, flags: number, bits: number): Fields {
  return (flags & bits) !== 0 ? headers : EMPTY_FIELDS;
}

/** The framing of a request whose HAS_* bits are `flags`. */
function requestFramingOf(
  req: Request,
  flags: number,
  Err: typeof RemoteProtocolError | typeof LocalProtocolError,
): BodyFraming {
  return requestFraming(
    fieldsWith(req.headers, flags, HAS_CONTENT_LENGTH | HAS_TRANSFER_ENCODING),
    req.httpVersion,
    Err,
  );
}

/** Every HAS_* bit: look every field up (until a head has been received). */
const ALL_FIELDS = HAS_CONTENT_LENGTH | HAS_TRANSFER_ENCODING | HAS_CONNECTION | HAS_EXPECT |
  HAS_UPGRADE;

/** The reader of an empty body: it only ever says the message ended, so it is shared. */
const NO_BODY_READER = new ContentLengthReader(0);

function readerFor(framing: BodyFraming, maxLine: number): BodyReader {
  switch (framing.kind) {
    case "none":
      return NO_BODY_READER;
    case "length":
      return new ContentLengthReader(framing.length);
    case "chunked":
      return new ChunkedReader(maxLine);
    default:
      return new UntilCloseReader();
  }
}
