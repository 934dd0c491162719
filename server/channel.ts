/**
 * One accepted socket on the server side: feeds received bytes to the protocol core,
 * turns its events into requests for the application, applies the limits and the
 * timeouts, and writes the responses. Internal to the server.
 *
 * @module
 */
import {
  Connection,
  ConnectionClosed,
  Data,
  DONE,
  EndOfMessage,
  InformationalResponse,
  MUST_CLOSE,
  NEED_DATA,
  OutputBuffer,
  PAUSED,
  ProtocolError,
  Request,
  SERVER,
} from "../core/protocol/mod.ts";
import type { Transport, TransportHandlers } from "../core/net/types.ts";
import { Deadline } from "../core/net/deadline.ts";
import { copyBytes } from "../core/bytes.ts";
import type { ParsedUrl } from "../core/url.ts";
import { parsedTarget } from "./request_parts.ts";
import { parseQuery } from "../core/query.ts";
import { removeFile, type SyncFile } from "../core/net/mod.ts";
import { HttpConnection } from "./connection.ts";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_REQUEST,
  type ServerEvent,
} from "./events.ts";
import type { ResolvedOptions } from "./options.ts";

/** What a channel needs from its server. */
export interface ServerCore {
  readonly opts: ResolvedOptions;
  readonly isSecure: boolean;
  /** Set by the server's `shutdown()`: each answer then closes its connection. */
  shuttingDown: boolean;
  /** Queues a request (or an event of it) for `processEvents()`. */
  enqueue(st: RequestState): void;
  /** The channel's socket is closed. */
  channelClosed(ch: Channel): void;
  /** The channel has corked response bytes: call its `flush()` at the end of this turn. */
  scheduleFlush(ch: Channel): void;
  /** The `Date` header value for a response made now (one turn's corked answers share it). */
  date(): string;
}

const EMPTY = new Uint8Array(0);

/** Increases each time a socket becomes idle: orders idle sockets for eviction. */
let idleOrder = 0;

/** Pipelined bytes buffered (while a response is pending) before reading pauses. */
const PIPELINE_HIGH_WATER = 64 * 1024;
/** Unread streamed upload bytes before reading pauses. */
const STREAM_HIGH_WATER = 256 * 1024;
/** Largest output array kept for reuse. */
const SPARE_LIMIT = 16 * 1024;
/** Size of a fresh output array (a response bigger than that grows it). */
const OUT_SIZE = 1024;
/** Output arrays kept for reuse, at most. */
const POOL_SIZE = 64;

/**
 * Output buffers handed to a transport, oldest first, each with that transport
 * and the end mark of its bytes there: a buffer is reused once its transport has
 * sent it (Deno writes are asynchronous; on Deno a new array, or a new view of
 * one, costs far more than on Bun). Not once the transport holds nothing: a loop
 * that answers many connections in one go finds most of them busy with a newer
 * answer. Shared by every connection, so an idle connection keeps no output
 * buffer of its own.
 */
const poolBuffers: (OutputBuffer | null)[] = new Array(POOL_SIZE).fill(null);
const poolOwner: (Transport | null)[] = new Array(POOL_SIZE).fill(null);
const poolMark: number[] = new Array(POOL_SIZE).fill(0);
let poolHead = 0;
let poolCount = 0;

function takeOutputBuffer(): OutputBuffer {
  if (poolCount > 0 && hasSent(poolOwner[poolHead]!, poolMark[poolHead]!)) {
    const out = poolBuffers[poolHead]!;
    poolBuffers[poolHead] = null;
    poolOwner[poolHead] = null;
    poolHead = (poolHead + 1) % POOL_SIZE;
    poolCount--;
    out.length = 0;
    return out;
  }
  return new OutputBuffer(OUT_SIZE);
}

function giveOutputBuffer(out: OutputBuffer, owner: Transport): void {
  if (poolCount === POOL_SIZE) {
    poolBuffers[poolHead] = null; // forget the oldest
    poolOwner[poolHead] = null;
    poolHead = (poolHead + 1) % POOL_SIZE;
    poolCount--;
  }
  const tail = (poolHead + poolCount) % POOL_SIZE;
  poolBuffers[tail] = out;
  poolOwner[tail] = owner;
  poolMark[tail] = owner.sentBytes + owner.bufferedAmount;
  poolCount++;
}

/** Whether `owner` holds none of the bytes written up to `mark` (see `Transport.sentBytes`). */
function hasSent(owner: Transport, mark: number): boolean {
  return owner.sentBytes >= mark || owner.bufferedAmount === 0;
}

// CONNECT is left out on purpose: without tunnel support it is answered 501.
const STANDARD_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

// Timer phases.
const P_IDLE = 0; // no request yet (fresh or kept alive)
const P_HEAD = 1; // a request head is arriving
const P_BODY = 2; // a request body is arriving (server reads it)
const P_APP = 3; // waiting for the application (response, accept decision)
const P_LINGER = 4; // answered with an error, draining input

/** How the body of the current request is handled. */
export const BODY_BUFFER = 0;
/** Event mode: reading on to see whether the whole body is already here. */
export const BODY_PROBE = 1;
/** Event mode: waiting for the application to accept the body. */
export const BODY_DECIDE = 2;
/** Event mode: `acceptBodyStreaming()`. */
export const BODY_STREAM = 3;
/** Event mode: `acceptBodyToFile()`. */
export const BODY_FILE = 4;

/** Fixed plain-text answers of the server. Never reflect the request. */
const ERROR_TEXT: Record<number, string> = {
  400: "Bad request",
  408: "Request timeout",
  413: "Content too large",
  431: "Request header fields too large",
  500: "Internal server error",
  501: "Not implemented",
  503: "Service unavailable",
  505: "HTTP version not supported",
};

const ERROR_REASON: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

const errorCache = new Map<number, Uint8Array>();

/** The bytes of the server's own error response for a status. */
export function errorResponseBytes(status: number): Uint8Array {
  let bytes = errorCache.get(status);
  if (bytes === undefined) {
    const text = ERROR_TEXT[status] ?? "Error";
    const reason = ERROR_REASON[status] ?? "";
    bytes = new TextEncoder().encode(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${text.length}\r\nconnection: close\r\n\r\n${text}`,
    );
    errorCache.set(status, bytes);
  }
  return bytes;
}

/** Per-request state shared by the channel and the {@linkcode HttpConnection}. */
export class RequestState {
  readonly channel: Channel;
  readonly req: Request;
  /** The parsed target, `null` until {@linkcode RequestState.url} is first read. */
  #url: ParsedUrl | null;
  /** 1-based number of this request on its connection. */
  readonly requestCount: number;
  readonly conn: HttpConnection;
  readonly contentLength: number | null;
  /** Body bytes received (not yet handed out by `readBuffer()` in stream mode). */
  chunks: Uint8Array[] = [];
  /** Bytes in `chunks`. */
  chunkBytes = 0;
  /** Bytes of `chunks` already handed out by `readBuffer()` (buffer mode). */
  readPos = 0;
  received = 0;
  body: Uint8Array | null = null;
  data: unknown = null;
  bodyMode = BODY_BUFFER;
  /** The body is still being read. */
  reading = false;
  /** The body is complete. */
  complete = false;
  /** The application got the request (event mode: any event). */
  delivered = false;
  /** The event given to the application by the last `processEvents()`. */
  event: ServerEvent = EVENT_REQUEST;
  /** The event waiting in the server's queue, if queued. */
  pendingEvent: ServerEvent | null = null;
  error: string | null = null;
  responded = false;
  /** A stream/multipart/file response is in progress. */
  sending = false;
  /** The peer is gone (socket closed). */
  gone = false;
  /** Body written to this file (event mode). */
  filePath: string | null = null;
  file: SyncFile | null = null;
  /** Called when the transport drains (file sending). */
  onDrain: (() => void) | null = null;
  /** Called when the socket closes while sending. */
  onGone: (() => void) | null = null;

  /**
   * @param url The parsed target, or `null` to parse it when first needed (only
   * for a target that cannot fail to parse).
   */
  constructor(channel: Channel, req: Request, url: ParsedUrl | null, requestCount: number) {
    this.channel = channel;
    this.req = req;
    this.#url = url;
    this.requestCount = requestCount;
    // The connection has checked the framing fields and read the length from them.
    this.contentLength = req.headers.lowerNames.includes("content-length")
      ? channel.proto.theirBodyLength
      : null;
    this.conn = new HttpConnection(this);
  }

  /** The request target's decoded path and parsed query. */
  get url(): ParsedUrl {
    return this.#url ??= parsedTarget(this.req.target);
  }

  /** Joins the received chunks into one array (and keeps it as the only chunk). */
  joined(): Uint8Array {
    const chunks = this.chunks;
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.chunkBytes);
    let pos = 0;
    for (const c of chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    this.chunks = [out];
    return out;
  }

  /** Closes and, unless the body is complete, removes the upload file. */
  closeFile(remove: boolean): void {
    this.file?.close();
    this.file = null;
    if (remove && this.filePath !== null) {
      try {
        removeFile(this.filePath);
      } catch { /* already gone */ }
    }
  }
}

/** A channel's one deadline, told to the channel without a closure per socket. */
class ChannelDeadline extends Deadline {
  readonly #channel: Channel;
  constructor(channel: Channel) {
    super();
    this.#channel = channel;
  }
  override onExpire(): void {
    this.#channel.timedOut();
  }
  /**
   * Idle for a while (1/8 of the keep-alive timeout): the lines kept of its heads
   * and the last view of received bytes go (`Connection.forgetHeadLines`).
   */
  override onQuiet(): void {
    this.#channel.proto.forgetHeadLines();
  }
}

/** One server-side socket. */
export class Channel implements TransportHandlers {
  readonly server: ServerCore;
  readonly transport: Transport;
  readonly proto: Connection;
  readonly #deadline: Deadline;
  #phase = P_IDLE;
  /** The request being received or answered. */
  current: RequestState | null = null;
  /** Requests seen on this socket. */
  requestCount = 0;
  #closed = false;
  /** The bytes being processed are lent by the transport (see `#onData`). */
  #lent = false;
  #lingering = false;
  #closing = false;
  #paused = false;
  /** The peer sent EOF at a message boundary (half-close). */
  #peerEnded = false;
  /** Order in which sockets became idle (for `maxWaitingClients`: the lowest is evicted). */
  idleSince: number;
  /**
   * Responses serialised and not yet handed to the transport (`null` when none):
   * corked while pipelined requests follow, so that their answers leave in one write.
   */
  #out: OutputBuffer | null = null;
  #dirty = false;

  constructor(server: ServerCore, transport: Transport) {
    this.server = server;
    this.transport = transport;
    this.proto = new Connection(SERVER, {
      maxIncompleteEventSize: server.opts.maxHeadersLength,
    });
    this.#deadline = new ChannelDeadline(this);
    this.idleSince = idleOrder++;
    this.#deadline.set(server.opts.requestTimeout);
    // The channel is its own handlers object: no closures per socket.
    transport.setHandlers(this);
  }

  // ---- transport handlers (TransportHandlers) ------------------------------------

  /** Read arrays are lent: `onData` copies what it keeps. */
  get lend(): boolean {
    return true;
  }
  /** Bytes from the peer (transport handler). */
  onData(bytes: Uint8Array, lent?: boolean): void {
    this.#onData(bytes, lent === true);
  }
  /** The peer sent EOF (transport handler). */
  onEnd(): void {
    this.#onEnd();
  }
  /** The transport's buffer emptied (transport handler). */
  onDrain(): void {
    this.current?.onDrain?.();
  }
  /** The socket is closed (transport handler). */
  onClose(): void {
    this.#onClose();
  }

  /** `true` once the socket is closed or closing: nothing more can be written. */
  get closed(): boolean {
    return this.#closed || this.#closing;
  }

  /** No request in progress and nothing of one received: may be closed to make room. */
  get idle(): boolean {
    return this.#phase === P_IDLE && this.current === null && !this.#closed;
  }

  /** Writes bytes (after any corked ones); `false` when they were buffered or the socket is closed. */
  write(bytes: Uint8Array): boolean {
    if (this.#closed || this.#closing) return false;
    if (this.#out !== null) this.flush();
    return this.transport.write(bytes);
  }

  /** `out`, ready for a response to be appended (a reused buffer when one is free). */
  outBuffer(): OutputBuffer {
    return this.#out ??= takeOutputBuffer();
  }

  /**
   * A response was appended to `out`. While more of the peer's bytes are buffered
   * (pipelined requests not read yet) it waits for the end of this turn, so that
   * their answers leave together in one write; otherwise nothing can join it and
   * it goes now.
   */
  corked(): void {
    if (this.proto.bufferedLength === 0) {
      this.flush();
      return;
    }
    if (!this.#dirty) {
      this.#dirty = true;
      this.server.scheduleFlush(this);
    }
  }

  /** Hands the corked bytes to the transport. */
  flush(): void {
    this.#dirty = false;
    const out = this.#out;
    if (out === null) return;
    this.#out = null; // an idle connection keeps no output buffer
    if (out.length === 0 || this.#closed || this.#closing) return;
    this.transport.write(out.content());
    if (out.bytes.length <= SPARE_LIMIT) giveOutputBuffer(out, this.transport);
  }

  /** Whether the response to the current request must close the connection. */
  mustCloseAfter(st: RequestState): boolean {
    return st.reading || this.#peerEnded || this.server.shuttingDown ||
      st.requestCount >= this.server.opts.keepAliveMaxRequests;
  }

  // ---- input -------------------------------------------------------------------

  #onData(bytes: Uint8Array, lent: boolean): void {
    if (this.#closed) return;
    if (this.#lingering) return;
    // A head that is not complete in this read starts the request timeout (#needData).
    try {
      this.proto.receiveData(bytes);
    } catch {
      return;
    }
    if (!lent) {
      this.#pump();
      return;
    }
    // The transport reuses `bytes` after this call: keep copies of what stays.
    this.#lent = true;
    try {
      this.#pump();
    } finally {
      this.#lent = false;
      this.proto.keepBufferedData();
    }
  }

  #onEnd(): void {
    if (this.#closed) return;
    if (this.#lingering) return;
    this.proto.receiveData(EMPTY);
    this.#pump();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#out = null;
    this.#deadline.clear();
    const st = this.current;
    if (st !== null) {
      st.gone = true;
      if (!st.complete && st.delivered && !st.responded) {
        this.#fail(st, "Connection closed by the peer");
      } else if (st.file !== null) {
        st.closeFile(true);
      }
      st.onGone?.();
    }
    this.server.channelClosed(this);
  }

  /** Resumes reading the body after an accept decision (event mode). */
  accept(st: RequestState, mode: number): void {
    st.bodyMode = mode;
    if (this.#closed || this.#lingering) return;
    if (this.proto.theyAreWaitingFor100Continue) this.#send100();
    this.#phase = P_BODY;
    this.#deadline.set(this.server.opts.bodyTimeout);
    // Data already received while probing.
    if (mode === BODY_FILE && st.chunkBytes > 0) {
      for (const c of st.chunks) {
        if (!this.#writeFile(st, c)) return;
      }
      st.chunks = [];
      st.chunkBytes = 0;
    }
    this.#resume();
    this.#pump();
    if (mode === BODY_STREAM && st.chunkBytes > 0 && st.reading) this.#enqueue(st, EVENT_DATA);
  }

  /** The application took streamed bytes: reading may go on. */
  drained(st: RequestState): void {
    if (st.bodyMode === BODY_STREAM && st.chunkBytes < STREAM_HIGH_WATER) this.#resume();
  }

  #pause(): void {
    if (!this.#paused) {
      this.#paused = true;
      this.transport.pause();
    }
  }

  #resume(): void {
    if (this.#paused) {
      this.#paused = false;
      this.transport.resume();
    }
  }

  #pump(): void {
    const proto = this.proto;
    while (!this.closed && !this.#lingering) {
      const st = this.current;
      if (st !== null && st.bodyMode === BODY_DECIDE) return;
      let ev;
      try {
        ev = proto.nextEvent();
      } catch (e) {
        this.#remoteError(e);
        return;
      }
      if (ev === NEED_DATA) {
        this.#needData();
        return;
      }
      if (ev === PAUSED) {
        if (proto.bufferedLength > PIPELINE_HIGH_WATER) this.#pause();
        return;
      }
      if (ev instanceof Request) {
        if (!this.#onRequest(ev)) return;
        // A body that arrived whole (or none) ends the request here, without two more
        // events. Within maxContentLength (a larger one was refused in #onRequest or
        // must wait for the application's choice), #onBody cannot stop it halfway.
        const whole = proto.takeWholeBody(this.server.opts.maxContentLength);
        if (whole !== null) {
          const st = this.current!;
          if (this.#onBody(st, whole)) this.#onEndOfMessage(st);
        }
      } else if (ev instanceof Data) {
        if (!this.#onBody(st!, ev.data)) return;
      } else if (ev instanceof EndOfMessage) {
        this.#onEndOfMessage(st!);
      } else if (ev instanceof ConnectionClosed) {
        this.#onPeerEof();
        return;
      }
    }
  }

  #needData(): void {
    const st = this.current;
    if (st === null) {
      if (this.#phase === P_IDLE && this.proto.bufferedLength > 0) {
        this.#phase = P_HEAD;
        this.#deadline.set(this.server.opts.requestTimeout);
      }
      return;
    }
    if (st.reading && st.bodyMode === BODY_PROBE) {
      // Event mode: the body is not all here; let the application decide.
      st.bodyMode = BODY_DECIDE;
      this.#phase = P_APP;
      this.#deadline.clear();
      this.#pause();
      this.#enqueue(st, EVENT_HEADERS);
    } else if (st.reading && this.#phase === P_BODY) {
      // Waiting for more of the body: the longest gap allowed starts now.
      this.#deadline.set(this.server.opts.bodyTimeout);
    }
  }

  #onRequest(req: Request): boolean {
    const opts = this.server.opts;
    this.requestCount++;
    const method = req.method;
    if (method !== "GET" && !STANDARD_METHODS.has(method) && !opts.methods.includes(method)) {
      this.#errorClose(501);
      return false;
    }
    // Only percent-escapes can make a target fail to parse: without one, parsing
    // waits until the application asks for the path or the query.
    let url: ParsedUrl | null = null;
    if (req.target.includes("%")) {
      try {
        url = parsedTarget(req.target);
      } catch {
        this.#errorClose(400);
        return false;
      }
    }
    const st = new RequestState(this, req, url, this.requestCount);
    this.current = st;
    st.reading = true;
    const cl = st.contentLength;
    // The framing the connection read: 0 is no body, null a chunked one.
    const hasBody = this.proto.theirBodyLength !== 0;
    if (!hasBody) {
      st.bodyMode = opts.eventMode ? BODY_PROBE : BODY_BUFFER;
      return true; // #pump ends it at once (takeWholeBody)
    }
    if (!opts.eventMode) {
      if (cl !== null && cl > opts.maxContentLength) {
        this.#errorClose(413);
        return false;
      }
      st.bodyMode = BODY_BUFFER;
      if (this.proto.theyAreWaitingFor100Continue) this.#send100();
    } else {
      if (cl !== null && cl > Math.max(opts.maxContentLength, opts.maxUploadLength)) {
        this.#errorClose(413);
        return false;
      }
      st.bodyMode = BODY_PROBE;
    }
    // The body timeout starts when the body is waited for (`#needData`): none for
    // a body that came with its head.
    this.#phase = P_BODY;
    return true;
  }

  #send100(): void {
    try {
      const bytes = this.proto.send(new InformationalResponse({ status: 100 }));
      if (bytes !== null) this.write(bytes);
    } catch { /* not in a state to send it: the body just comes */ }
  }

  #onBody(st: RequestState, data: Uint8Array): boolean {
    const n = data.length;
    if (n === 0) return true;
    const bytes = this.#lent && st.bodyMode !== BODY_FILE ? copyBytes(data) : data;
    const opts = this.server.opts;
    st.received += n;
    switch (st.bodyMode) {
      case BODY_BUFFER:
        if (st.received > opts.maxContentLength) {
          this.#failAnswer(st, 413, "Request body is too large");
          return false;
        }
        st.chunks.push(bytes);
        st.chunkBytes += n;
        break;
      case BODY_PROBE:
        st.chunks.push(bytes);
        st.chunkBytes += n;
        if (st.received > opts.maxContentLength) {
          // Too much to buffer unasked: let the application decide.
          st.bodyMode = BODY_DECIDE;
          this.#phase = P_APP;
          this.#deadline.clear();
          this.#pause();
          this.#enqueue(st, EVENT_HEADERS);
          return false;
        }
        return true;
      case BODY_STREAM:
        if (st.received > opts.maxUploadLength) {
          this.#failAnswer(st, 413, "Request body is too large");
          return false;
        }
        st.chunks.push(bytes);
        st.chunkBytes += n;
        if (st.chunkBytes >= STREAM_HIGH_WATER) this.#pause();
        this.#enqueue(st, EVENT_DATA);
        break;
      case BODY_FILE:
        if (st.received > opts.maxUploadLength) {
          this.#failAnswer(st, 413, "Request body is too large");
          return false;
        }
        if (!this.#writeFile(st, bytes)) return false;
        break;
    }
    return true;
  }

  #writeFile(st: RequestState, bytes: Uint8Array): boolean {
    try {
      st.file!.writeAll(bytes);
      return true;
    } catch {
      this.#failAnswer(st, 500, "Cannot write the upload file");
      return false;
    }
  }

  #onEndOfMessage(st: RequestState): void {
    st.reading = false;
    st.complete = true;
    // The deadline may stay: it does nothing while the application has the request,
    // and the answer sets it again (no timer work per request).
    this.#phase = P_APP;
    switch (st.bodyMode) {
      case BODY_BUFFER:
      case BODY_PROBE: {
        if (!this.#finishBody(st)) return;
        const probing = st.bodyMode === BODY_PROBE || !this.server.opts.eventMode;
        this.#enqueue(st, probing ? EVENT_REQUEST : EVENT_COMPLETE);
        break;
      }
      case BODY_STREAM:
        this.#enqueue(st, EVENT_COMPLETE);
        break;
      case BODY_FILE:
        st.closeFile(false);
        this.#enqueue(st, EVENT_COMPLETE);
        break;
    }
  }

  /** Parses the buffered body into `data`; answers 400 when it does not parse. */
  #finishBody(st: RequestState): boolean {
    const body = st.joined();
    st.body = body;
    if (body.length === 0) return true;
    const ctype = st.conn.contentType;
    try {
      if (ctype === "application/json" || (ctype !== null && ctype.endsWith("+json"))) {
        st.data = JSON.parse(strictUtf8(body));
      } else if (ctype === "application/x-www-form-urlencoded") {
        st.data = parseFormBody(strictUtf8(body));
      } else {
        st.data = body;
      }
    } catch {
      if (st.delivered) st.error = "Request body does not parse";
      this.#failAnswer(st, 400, "Request body does not parse");
      return false;
    }
    return true;
  }

  #onPeerEof(): void {
    const st = this.current;
    if (st === null) {
      this.#closeNow();
      return;
    }
    // A half-closed peer still gets its answer; a stream to it is pointless.
    this.#peerEnded = true;
    if (st.sending) this.abort();
  }

  // ---- output ------------------------------------------------------------------

  /** The response to `st` is complete: next request, or close. */
  responseDone(st: RequestState): void {
    st.sending = false;
    st.onDrain = null;
    if (this.closed) return;
    if (this.current !== st) return;
    const proto = this.proto;
    if (st.reading) {
      // Answered before the body was read: drain a little, then close.
      if (st.file !== null) st.closeFile(true);
      this.#linger();
      return;
    }
    if (
      proto.ourState === MUST_CLOSE || this.#peerEnded || this.server.shuttingDown ||
      proto.ourState !== DONE || proto.theirState !== DONE
    ) {
      this.#closeNow();
      return;
    }
    proto.startNextCycle();
    this.current = null;
    this.#phase = P_IDLE;
    this.idleSince = idleOrder++;
    this.#resume();
    this.#pump();
    // No pipelined request started: the keep-alive timeout runs. Coarse: a busy
    // connection reads no clock per answer to move it.
    if (this.#phase === P_IDLE && this.current === null && !this.closed) {
      this.#deadline.setCoarse(this.server.opts.keepAliveTimeout);
    }
  }

  /** Closes at once, dropping anything buffered (peer gone or too slow). */
  abort(): void {
    if (this.#closed) return;
    this.#out = null;
    this.#closing = true;
    this.#deadline.clear();
    this.transport.abort();
  }

  /** Sends what is buffered, then closes. */
  #closeNow(): void {
    if (this.#closed || this.#closing) return;
    if (this.#out !== null) this.flush();
    this.#closing = true;
    this.#deadline.clear();
    this.transport.close();
  }

  /** Closes the socket gracefully (server shutdown, idle eviction). */
  close(): void {
    this.#closeNow();
  }

  /**
   * Closes after our answer. The transport's close is a lingering one (write side
   * shut, input drained until the peer's EOF), so a peer still sending sees the answer.
   */
  #linger(): void {
    this.#lingering = true;
    this.#phase = P_LINGER;
    this.#closeNow();
  }

  /** Answers with a fixed error response (when nothing was sent yet) and closes. */
  #errorClose(status: number): void {
    const st = this.current;
    if (st === null || (!st.responded && !st.sending)) {
      if (st !== null) st.responded = true;
      this.write(errorResponseBytes(status));
      this.#linger();
    } else {
      this.abort();
    }
  }

  /** Ends a request in error: tells the application (event mode) and answers. */
  #failAnswer(st: RequestState, status: number, message: string): void {
    this.#fail(st, message);
    this.#errorClose(status);
  }

  /** Marks a request failed; in event mode the application gets `EVENT_ERROR`. */
  #fail(st: RequestState, message: string): void {
    st.reading = false;
    if (st.file !== null || st.filePath !== null) st.closeFile(true);
    if (this.server.opts.eventMode && st.delivered && st.event !== EVENT_ERROR) {
      st.error = message;
      this.#enqueue(st, EVENT_ERROR);
    }
  }

  #remoteError(e: unknown): void {
    const status = e instanceof ProtocolError ? e.statusHint : 400;
    const st = this.current;
    if (st !== null) this.#fail(st, e instanceof Error ? e.message : "Bad request");
    this.#errorClose(status);
  }

  /** The deadline of the current phase passed (called by its {@linkcode ChannelDeadline}). */
  timedOut(): void {
    if (this.#closed) return;
    switch (this.#phase) {
      case P_IDLE:
        this.#closeNow();
        break;
      case P_HEAD:
        this.#errorClose(408);
        break;
      case P_BODY: {
        const st = this.current;
        if (st !== null) this.#fail(st, "Request body timed out");
        this.#errorClose(408);
        break;
      }
    }
  }

  #enqueue(st: RequestState, event: ServerEvent): void {
    if (st.pendingEvent !== null) {
      // Coalesce: DATA folds into a later COMPLETE or ERROR.
      if (event === EVENT_DATA) return;
      st.pendingEvent = event;
      return;
    }
    st.pendingEvent = event;
    this.server.enqueue(st);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const LENIENT_UTF8 = new TextDecoder();

/**
 * Bytes as UTF-8 text; throws a `TypeError` for invalid bytes. Decoded leniently
 * first, strictly only when a replacement character shows (invalid bytes, or a
 * U+FFFD sent as such): on Deno the strict decoder takes 2-10 times as long (1 KB:
 * about 610 ns against 120).
 */
function strictUtf8(bytes: Uint8Array): string {
  const text = LENIENT_UTF8.decode(bytes);
  return text.includes("\uFFFD") ? UTF8.decode(bytes) : text;
}

function parseFormBody(text: string): Record<string, unknown> {
  return parseQuery(text);
}
