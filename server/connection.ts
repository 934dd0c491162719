/**
 * `HttpConnection`: one request on one connection, and every way to answer it.
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import {
  Data,
  EndOfMessage,
  type FieldBlock,
  type Fields,
  type FieldsInit,
  LocalProtocolError,
  type PlainResponse,
  Response,
} from "../core/protocol/mod.ts";
import { trustedFields } from "../core/protocol/headers.ts";
import type { Address } from "../core/net/types.ts";
import { encodeResponseData, type ResponseData, TEXT_BODY_TYPE } from "../core/body.ts";
import { type CookiesInit, serializeCookies } from "../core/cookie.ts";
import { copyQuery, type Query } from "../core/query.ts";
import { openFile } from "../core/net/mod.ts";
import type { Channel, RequestState } from "./channel.ts";
import { BODY_BUFFER, BODY_DECIDE, BODY_FILE, BODY_STREAM } from "./channel.ts";
import { HttpError } from "./errors.ts";
import { fieldBlockOf } from "./field_blocks.ts";
import { cookieRecord } from "./request_parts.ts";
import { fieldsRecord } from "../core/fields_record.ts";
import type { ServerEvent } from "./events.ts";
import { respondFile } from "./respond_file.ts";
import { formatSseEvent, multipartBoundary, multipartEnd, multipartFrame } from "./stream.ts";
import type { SseEvent } from "./stream.ts";

/**
 * Response header fields: a record (an array value gives one field per element) or
 * `[name, value]` pairs.
 *
 * @example
 * ```ts
 * import type { ResponseHeaders } from "@uhttp/core/server";
 * const a: ResponseHeaders = { "cache-control": "no-store", vary: ["accept", "origin"] };
 * const b: ResponseHeaders = [["x-id", "1"], ["x-id", "2"]];
 * ```
 */
export type ResponseHeaders =
  | Readonly<Record<string, string | number | readonly string[]>>
  | Iterable<readonly [string, string]>;

/**
 * Options of {@linkcode HttpConnection.respond}.
 *
 * @example
 * ```ts
 * import type { RespondOptions } from "@uhttp/core/server";
 * const o: RespondOptions = { status: 201, headers: { location: "/items/1" }, cookies: { seen: "1" } };
 * ```
 */
export interface RespondOptions {
  /** Status code (any 200-999; the reason comes from the status table). @default 200 */
  status?: number;
  /** Extra header fields; they win over the defaults (`content-type`...). */
  headers?: ResponseHeaders;
  /** Cookies to set: `{ name: "value" }`, `{ name: { value, path, ... } }`, `null` deletes. */
  cookies?: CookiesInit;
}

/**
 * Options of {@linkcode HttpConnection.respondStream}.
 *
 * @example
 * ```ts
 * import type { StreamOptions } from "@uhttp/core/server";
 * const o: StreamOptions = { contentType: "text/event-stream" };
 * ```
 */
export interface StreamOptions {
  /** Status code. @default 200 */
  status?: number;
  /** Content type of the stream. @default "application/octet-stream" */
  contentType?: string;
  /** Extra header fields. */
  headers?: ResponseHeaders;
  /** Cookies to set. */
  cookies?: CookiesInit;
}

/**
 * Options of {@linkcode HttpConnection.respondFile}.
 *
 * @example
 * ```ts
 * import type { RespondFileOptions } from "@uhttp/core/server";
 * const o: RespondFileOptions = { headers: { "cache-control": "max-age=60" } };
 * ```
 */
export interface RespondFileOptions {
  /** Extra header fields (they win over `content-type` and the others). */
  headers?: ResponseHeaders;
}

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();
const JSON_LINE_END = UTF8_ENCODER.encode("\n");
const EMPTY = new Uint8Array(0);
/**
 * The head `#sendPlain` hands to `sendPlainResponse`, filled anew for each
 * response (the call keeps nothing of it), rather than a new object per response.
 */
const PLAIN_HEAD: PlainResponse = {
  status: 200,
  contentType: null,
  contentLength: -1,
  date: null,
  close: false,
  fields: null,
};

/** Bodies up to this size go out in one array with their head (copied once). */
const COPY_LIMIT = 16384;
/**
 * Strings up to this length are checked for ASCII and copied by hand: below it
 * that costs Deno less than a call to `encodeInto` (about 100 ns at any length
 * up to a few KB; by hand, about 1 ns per character).
 */
const ASCII_LIMIT = 64;

/** Scratch space for encoding small bodies (used and done with inside one call). */
const SCRATCH = new Uint8Array(COPY_LIMIT);
/** Views of the start of `SCRATCH` by length, for short bodies (a view costs more than the copy). */
const SCRATCH_VIEWS: Uint8Array[] = [];
const SCRATCH_VIEWS_LIMIT = 256;

/** The first `n` bytes of `SCRATCH`. */
function scratch(n: number): Uint8Array {
  if (n > SCRATCH_VIEWS_LIMIT) return SCRATCH.subarray(0, n);
  return SCRATCH_VIEWS[n] ??= SCRATCH.subarray(0, n);
}

/** Longest text whose bytes are kept once it is answered twice in a row (see `encodeText`). */
const KEPT_TEXT_LIMIT = 1024;
/** The text answered last, and the one whose bytes are kept with them. */
let lastText = "";
let keptText = "";
let keptTextBytes = new Uint8Array(0);

/**
 * UTF-8 bytes of a string. A body small enough to be copied into the output is
 * encoded into shared scratch space (valid until the next call, no allocation);
 * short ASCII text without a call into the runtime. A short text answered twice in
 * a row has its bytes kept (one copy), so that a handler answering the same text
 * each time has it encoded no more.
 */
function encodeText(s: string): Uint8Array {
  if (s === keptText) return keptTextBytes;
  const bytes = encodeNewText(s);
  if (s.length > KEPT_TEXT_LIMIT) {
    lastText = ""; // not held
  } else if (s === lastText) {
    keptText = s;
    keptTextBytes = bytes.slice();
  } else lastText = s;
  return bytes;
}

/** `encodeText` without the kept bytes. */
function encodeNewText(s: string): Uint8Array {
  const n = s.length;
  if (n <= ASCII_LIMIT) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      SCRATCH[i] = c;
    }
    if (i === n) return scratch(n);
  }
  if (n <= COPY_LIMIT) {
    const r = UTF8_ENCODER.encodeInto(s, SCRATCH);
    if (r.read === n) return scratch(r.written);
  }
  return UTF8_ENCODER.encode(s);
}

/** Turns a headers option into pairs. */
export function headerPairs(headers: ResponseHeaders | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (headers === undefined) return out;
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [n, v] of headers as Iterable<readonly [string, string]>) out.push([n, String(v)]);
    return out;
  }
  const rec = headers as Readonly<Record<string, string | number | readonly string[]>>;
  for (const name of Object.keys(rec)) {
    const v = rec[name]!;
    if (typeof v === "object") { for (const x of v) out.push([name, String(x)]); }
    else out.push([name, String(v)]);
  }
  return out;
}

/** The checked fields of a headers option, or `null` (see {@linkcode fieldBlockOf}). */
function userFieldBlock(headers: ResponseHeaders): FieldBlock | null {
  try {
    return fieldBlockOf(headers);
  } catch (e) {
    if (e instanceof LocalProtocolError) throw new HttpError(e.message);
    throw e;
  }
}

function hasHeader(pairs: readonly (readonly [string, string])[], lower: string): boolean {
  for (const [n] of pairs) if (n.length === lower.length && n.toLowerCase() === lower) return true;
  return false;
}

/**
 * One HTTP request received on a connection, and its response. Returned by
 * `server.processEvents()`, `server.wait()` and `for await (const conn of server)`.
 * Hold it as long as needed (delayed response); answer it exactly once.
 *
 * @example Routing on the path
 * ```ts
 * import { HttpServer } from "@uhttp/core/server";
 * const server = new HttpServer({ address: "127.0.0.1", port: 0 });
 * const conn = await server.wait(10);
 * if (conn) {
 *   if (conn.path === "/") conn.respond("<h1>hello</h1>");
 *   else conn.respond("Not found", { status: 404 });
 * }
 * await server.close();
 * ```
 */
export class HttpConnection {
  readonly #st: RequestState;
  #query: Query | null = null;
  #headers: Record<string, string> | null = null;
  #cookies: Record<string, string> | null = null;
  #streamMode = 0; // 1 stream, 2 multipart
  #boundary = "";
  /** Free slot for the application (state of an upload, a user...). */
  // deno-lint-ignore no-explicit-any
  context: any = undefined;

  /**
   * Created by the server; applications get connections from `processEvents()`.
   *
   * @param st Internal request state.
   */
  constructor(st: RequestState) {
    this.#st = st;
  }

  get #ch(): Channel {
    return this.#st.channel;
  }

  // ---- request data --------------------------------------------------------------

  /** Request method (`GET`). */
  get method(): string {
    return this.#st.req.method;
  }

  /** Request target as received (`/a%20b?x=1`). */
  get url(): string {
    return this.#st.req.target;
  }

  /** Percent-decoded path (`/a b`); `+` stays `+`. */
  get path(): string {
    return this.#st.url.path;
  }

  /** Query parameters: repeated keys become arrays, a key without `=` maps to `null`. */
  get query(): Query {
    return this.#query ??= copyQuery(this.#st.url.query);
  }

  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  get protocol(): string {
    return "HTTP/" + this.#st.req.httpVersion;
  }

  /** Header fields with lowercase names; repeated fields joined with `", "`. */
  get headers(): Record<string, string> {
    return this.#headers ??= fieldsRecord(this.#st.req.headers);
  }

  /** Header fields in received order with their original names. */
  get fields(): Fields {
    return this.#st.req.headers;
  }

  /**
   * One header's value.
   *
   * @param name Header name, any case.
   * @returns The value (repeats joined with `", "`), or `null` when absent.
   */
  header(name: string): string | null {
    return this.#st.req.headers.get(name);
  }

  /** Cookies sent by the client. */
  get cookies(): Record<string, string> {
    if (this.#cookies === null) {
      const h = this.#st.req.headers.get("cookie");
      this.#cookies = h === null ? {} : cookieRecord(h);
    }
    return this.#cookies;
  }

  /** The `Host` header, or the server's own address when the request had none. */
  get host(): string {
    const h = this.#st.req.headers.get("host");
    if (h !== null && h !== "") return h;
    const a = this.#ch.transport.localAddr;
    return (a.family === "IPv6" ? `[${a.hostname}]` : a.hostname) + ":" + a.port;
  }

  /** The full URL: scheme, host and target. */
  get fullUrl(): string {
    const t = this.#st.req.target;
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(t)) return t;
    return (this.isSecure ? "https://" : "http://") + this.host + t;
  }

  /** Media type of the body, lowercase, without parameters (`application/json`), or `null`. */
  get contentType(): string | null {
    const h = this.#st.req.headers.get("content-type");
    if (h === null) return null;
    const semi = h.indexOf(";");
    return (semi < 0 ? h : h.slice(0, semi)).trim().toLowerCase();
  }

  /** Declared `Content-Length`, or `null` (no body, or a chunked one). */
  get contentLength(): number | null {
    return this.#st.contentLength;
  }

  /**
   * The parsed body: JSON for `application/json`, an object for
   * `application/x-www-form-urlencoded`, else the bytes; `null` without a body.
   */
  get data(): unknown {
    return this.#st.data;
  }

  /** The raw body bytes (empty when there was none or it was streamed). */
  get body(): Uint8Array {
    return this.#st.body ?? new Uint8Array(0);
  }

  /**
   * The body decoded as UTF-8.
   *
   * @returns The text (invalid bytes replaced).
   */
  text(): string {
    return UTF8_DECODER.decode(this.body);
  }

  /** `true` on an HTTPS server. */
  get isSecure(): boolean {
    return this.#ch.server.isSecure;
  }

  /** The peer's socket address (the proxy, when behind one). */
  get socketAddr(): Address {
    return this.#ch.transport.remoteAddr;
  }

  /**
   * The client's IP address: the peer's, or the first `X-Forwarded-For` entry when
   * the peer is one of the `trustedProxies`.
   */
  get remoteAddr(): string {
    const peer = this.#ch.transport.remoteAddr.hostname;
    const trusted = this.#ch.server.opts.trustedProxies;
    if (trusted.length > 0 && trusted.includes(peer)) {
      const xff = this.#st.req.headers.get("x-forwarded-for");
      if (xff !== null) {
        const first = xff.split(",")[0]!.trim();
        if (first !== "") return first;
      }
    }
    return peer;
  }

  /** Number of this request on its connection (1 for the first). */
  get requestCount(): number {
    return this.#st.requestCount;
  }

  /** Event mode: what happened (`EVENT_REQUEST`, `EVENT_HEADERS`...). */
  get event(): ServerEvent {
    return this.#st.event;
  }

  /** Event mode: why the request failed (`EVENT_ERROR`), else `null`. */
  get error(): string | null {
    return this.#st.error;
  }

  /** Body bytes received so far. */
  get bytesReceived(): number {
    return this.#st.received;
  }

  /** `true` when the request is fully received. */
  get isLoaded(): boolean {
    return this.#st.complete;
  }

  /** `true` once a response was started. */
  get responded(): boolean {
    return this.#st.responded;
  }

  /** `true` when the connection is closed (the peer is gone or was dropped). */
  get isClosed(): boolean {
    return this.#ch.closed;
  }

  // ---- event mode ---------------------------------------------------------------

  #accepting(): RequestState {
    const st = this.#st;
    if (st.bodyMode !== BODY_DECIDE || st.responded) {
      throw new HttpError("The body can only be accepted after EVENT_HEADERS");
    }
    return st;
  }

  /**
   * Event mode, after `EVENT_HEADERS`: buffer the body (up to `maxContentLength`),
   * then `EVENT_COMPLETE` with `data` set.
   *
   * @returns Body bytes already received.
   */
  acceptBody(): number {
    const st = this.#accepting();
    this.#ch.accept(st, BODY_BUFFER);
    return st.received;
  }

  /**
   * Event mode, after `EVENT_HEADERS`: `EVENT_DATA` as body bytes arrive (take them
   * with {@linkcode HttpConnection.readBuffer}), then `EVENT_COMPLETE`.
   *
   * @returns Body bytes already waiting in the buffer.
   */
  acceptBodyStreaming(): number {
    const st = this.#accepting();
    const waiting = st.chunkBytes;
    this.#ch.accept(st, BODY_STREAM);
    return waiting;
  }

  /**
   * Event mode, after `EVENT_HEADERS`: write the body to a file as it arrives, then
   * `EVENT_COMPLETE`. The partial file is removed on error or disconnect.
   *
   * @param path File to create (truncated when it exists).
   * @returns Body bytes received so far.
   * @throws {HttpError} when the file cannot be created (nothing is answered).
   */
  acceptBodyToFile(path: string): number {
    const st = this.#accepting();
    try {
      st.file = openFile(path, "write");
    } catch {
      throw new HttpError(`Cannot create the upload file ${JSON.stringify(path)}`);
    }
    st.filePath = path;
    this.#ch.accept(st, BODY_FILE);
    return st.received;
  }

  /**
   * Event mode: the body bytes received and not read yet.
   *
   * @returns The bytes, or `null` when none are waiting.
   */
  readBuffer(): Uint8Array | null {
    const st = this.#st;
    if (st.bodyMode === BODY_STREAM) {
      if (st.chunkBytes === 0) return null;
      const out = st.joined();
      st.chunks = [];
      st.chunkBytes = 0;
      this.#ch.drained(st);
      return out;
    }
    if (st.bodyMode === BODY_FILE) return null;
    const all = st.joined();
    if (st.readPos >= all.length) return null;
    const out = all.subarray(st.readPos);
    st.readPos = all.length;
    return out;
  }

  // ---- responses ----------------------------------------------------------------

  #claim(): RequestState {
    const st = this.#st;
    if (st.responded) throw new HttpError("Response already sent");
    return st;
  }

  /** Builds and validates the response head; throws before anything is written. */
  #head(
    status: number,
    userHeaders: ResponseHeaders | undefined,
    cookies: CookiesInit | undefined,
    defaults: [string, string][],
  ): Response {
    const pairs = headerPairs(userHeaders);
    for (const d of defaults) if (!hasHeader(pairs, d[0])) pairs.push(d);
    if (cookies !== undefined) {
      try {
        for (const c of serializeCookies(cookies)) pairs.push(["set-cookie", c]);
      } catch (e) {
        throw new HttpError(e instanceof Error ? e.message : "Invalid cookie");
      }
    }
    if (!hasHeader(pairs, "date")) pairs.push(["date", this.#ch.server.date()]);
    const st = this.#st;
    if (!hasHeader(pairs, "connection") && this.#ch.mustCloseAfter(st)) {
      pairs.push(["connection", "close"]);
    }
    try {
      return new Response({ status, headers: pairs });
    } catch (e) {
      if (e instanceof LocalProtocolError) throw new HttpError(e.message);
      throw e;
    }
  }

  /** Whether a response with this status to this request carries a body. */
  #bodyAllowed(status: number): boolean {
    return this.#st.req.method !== "HEAD" && status !== 204 && status !== 304;
  }

  /**
   * Sends a complete response. A string is `text/html; charset=utf-8`, bytes are
   * `application/octet-stream`, an object, array, number or boolean is JSON;
   * `undefined`/`null` is an empty body.
   *
   * @param data The body.
   * @param options Status, headers and cookies.
   * @throws {HttpError} on a second response, or an invalid header or cookie
   * (then nothing is written and the request can still be answered).
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function answer(conn: HttpConnection) {
   *   conn.respond({ message: "hello" }, { status: 200, headers: { "cache-control": "no-store" } });
   * }
   * ```
   */
  respond(data?: ResponseData, options: RespondOptions = {}): void {
    const st = this.#claim();
    const status = options.status ?? 200;
    let body: Uint8Array;
    let contentType: string | null;
    if (typeof data === "string") {
      // encodeResponseData's rule for strings, without allocating for small bodies.
      body = encodeText(data);
      contentType = TEXT_BODY_TYPE;
    } else {
      let encoded;
      try {
        encoded = encodeResponseData(data, encodeText);
      } catch (e) {
        throw new HttpError(e instanceof Error ? e.message : "Cannot encode the response data");
      }
      body = encoded.body;
      contentType = encoded.contentType;
    }
    const noContent = status === 204 || status === 304 || (status >= 100 && status < 200);
    const headers = options.headers;
    let res: Response;
    if (
      options.cookies === undefined && body.length <= COPY_LIMIT && Number.isInteger(status) &&
      status >= 200 && status <= 999
    ) {
      // Headers without framing or connection fields go the plain way too, checked
      // and encoded once for all the answers that repeat them (see field_blocks.ts).
      const fields = headers === undefined ? null : userFieldBlock(headers);
      if (headers === undefined || fields?.plain === true) {
        this.#sendPlain(
          st,
          status,
          noContent ? null : contentType,
          noContent ? -1 : body.length,
          body,
          fields,
        );
        return;
      }
    }
    if (headers === undefined && options.cookies === undefined) {
      res = this.#plainHead(
        st,
        status,
        noContent ? null : contentType,
        noContent ? -1 : body.length,
      );
    } else {
      const defaults: [string, string][] = [];
      if (!noContent) {
        if (contentType !== null) defaults.push(["content-type", contentType]);
        defaults.push(["content-length", String(body.length)]);
      }
      res = this.#head(status, options.headers, options.cookies, defaults);
    }
    this.#sendWhole(st, res, body);
  }

  /**
   * The head `#head` builds when there are no user headers or cookies, without
   * validating what the server itself produced: the same fields in the same order.
   */
  #plainHead(
    st: RequestState,
    status: number,
    contentType: string | null,
    length: number,
  ): Response {
    const names: string[] = [];
    const values: string[] = [];
    if (length >= 0) {
      if (contentType !== null) {
        names.push("content-type");
        values.push(contentType);
      }
      names.push("content-length");
      values.push(String(length));
    }
    names.push("date");
    values.push(this.#ch.server.date());
    if (this.#ch.mustCloseAfter(st)) {
      names.push("connection");
      values.push("close");
    }
    try {
      return new Response({ status, headers: trustedFields(names, names, values) });
    } catch (e) {
      if (e instanceof LocalProtocolError) throw new HttpError(e.message);
      throw e;
    }
  }

  /**
   * Sends what `#plainHead` and `#sendWhole` would, for a body small enough to be
   * copied, without building the `Response`.
   */
  #sendPlain(
    st: RequestState,
    status: number,
    contentType: string | null,
    length: number,
    body: Uint8Array,
    fields: FieldBlock | null,
  ): void {
    st.responded = true;
    const ch = this.#ch;
    if (ch.closed) return;
    try {
      const head = PLAIN_HEAD;
      head.status = status;
      head.contentType = contentType;
      head.contentLength = length;
      head.fields = fields;
      head.date = ch.server.date();
      head.close = ch.mustCloseAfter(st);
      ch.proto.sendPlainResponse(head, this.#bodyAllowed(status) ? body : EMPTY, ch.outBuffer());
      ch.corked();
    } catch (e) {
      ch.abort();
      throw new HttpError(e instanceof Error ? e.message : "Invalid response");
    }
    ch.responseDone(st);
  }

  #sendWhole(st: RequestState, res: Response, body: Uint8Array): void {
    st.responded = true;
    const ch = this.#ch;
    if (ch.closed) return;
    const proto = ch.proto;
    if (!this.#bodyAllowed(res.status)) body = EMPTY;
    try {
      if (body.length <= COPY_LIMIT) {
        // Head and body into the connection's output, written now or, behind
        // pipelined requests, at the end of the turn (see `Channel.corked`).
        proto.sendResponse(res, body, ch.outBuffer());
        ch.corked();
      } else {
        const head = proto.send(res)!;
        const pieces = proto.sendWithDataPassthrough(new Data(body))!;
        proto.send(new EndOfMessage());
        ch.write(head);
        for (const p of pieces) ch.write(p);
      }
    } catch (e) {
      // The head did not fit the framing (a wrong content-length...): drop the connection.
      ch.abort();
      throw new HttpError(e instanceof Error ? e.message : "Invalid response");
    }
    ch.responseDone(st);
  }

  /**
   * Redirects the client.
   *
   * @param url The new location.
   * @param options Status (301, 302, 303, 307, 308) and cookies.
   * @throws {HttpError} on a second response or a location with CR, LF or NUL.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function toHttps(conn: HttpConnection) {
   *   conn.respondRedirect(`https://${conn.host}${conn.url}`, { status: 301 });
   * }
   * ```
   */
  respondRedirect(url: string, options: { status?: number; cookies?: CookiesInit } = {}): void {
    const st = this.#claim();
    const res = this.#head(options.status ?? 302, [["location", url]], options.cookies, [
      ["content-length", "0"],
    ]);
    this.#sendWhole(st, res, new Uint8Array(0));
  }

  /**
   * Sends a file: content type from its extension, streamed in `fileChunkSize`
   * pieces as the socket drains, `ETag`/`Last-Modified` with 304 for conditional
   * requests, a single `Range` as 206 (416 when unsatisfiable), 404 when missing,
   * headers only for `HEAD`.
   *
   * @param path File path.
   * @param options Extra headers.
   * @throws {HttpError} on a second response.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function page(conn: HttpConnection) {
   *   conn.respondFile("./public/index.html", { headers: { "cache-control": "max-age=60" } });
   * }
   * ```
   */
  respondFile(path: string, options: RespondFileOptions = {}): void {
    const st = this.#claim();
    respondFile(this, st, path, options, {
      head: (status, headers, defaults) => this.#head(status, headers, undefined, defaults),
      whole: (res, body) => this.#sendWhole(st, res, body),
    });
  }

  /**
   * Starts a streamed response: chunked to an HTTP/1.1 client (the connection stays
   * usable after `end()`), close-delimited to HTTP/1.0. Then call `send()`,
   * `sendEvent()`, `sendNdjson()` and `end()`.
   *
   * @param options Status, content type (`text/event-stream` adds
   * `cache-control: no-cache`), headers, cookies.
   * @returns `false` when the peer is already gone.
   * @throws {HttpError} on a second response or an invalid header.
   *
   * @example Server-sent events
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function events(conn: HttpConnection) {
   *   conn.respondStream({ contentType: "text/event-stream" });
   *   conn.sendEvent({ event: "tick", data: { n: 1 } });
   *   conn.end();
   * }
   * ```
   */
  respondStream(options: StreamOptions = {}): boolean {
    const st = this.#claim();
    const ctype = options.contentType ?? "application/octet-stream";
    const defaults: [string, string][] = [["content-type", ctype]];
    if (ctype.startsWith("text/event-stream")) defaults.push(["cache-control", "no-cache"]);
    const res = this.#head(options.status ?? 200, options.headers, options.cookies, defaults);
    return this.#startStream(st, res, 1);
  }

  #startStream(st: RequestState, res: Response, mode: number): boolean {
    st.responded = true;
    const ch = this.#ch;
    if (ch.closed) return false;
    let head: Uint8Array;
    try {
      head = ch.proto.send(res)!;
    } catch (e) {
      ch.abort();
      throw new HttpError(e instanceof Error ? e.message : "Invalid response");
    }
    this.#streamMode = mode;
    st.sending = true;
    if (!this.#bodyAllowed(res.status)) {
      // HEAD (or 204/304): headers only, the stream is over at once.
      this.#streamMode = 0;
      ch.proto.send(new EndOfMessage());
      ch.write(head);
      ch.responseDone(st);
      return true;
    }
    ch.write(head);
    return !ch.closed;
  }

  /** Writes body bytes of a stream; drops a slow reader. */
  #write(bytes: Uint8Array): boolean {
    const st = this.#st;
    const ch = this.#ch;
    if (ch.closed || st.gone) return false;
    if (bytes.length === 0) return true;
    if (ch.transport.bufferedAmount > ch.server.opts.maxSendBufferSize) {
      ch.abort();
      return false;
    }
    const pieces = ch.proto.sendWithDataPassthrough(new Data(bytes))!;
    ch.write(concatBytes(pieces));
    return !ch.closed;
  }

  #streaming(mode: number, what: string): void {
    if (this.#streamMode !== mode) {
      throw new HttpError(`${what} needs ${mode === 1 ? "respondStream()" : "respondMultipart()"}`);
    }
  }

  /**
   * Sends a piece of a streamed response.
   *
   * @param chunk Bytes, or text sent as UTF-8.
   * @returns `false` (and the connection is dropped) when the peer is gone or too slow.
   * @throws {HttpError} without `respondStream()` first.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function log(conn: HttpConnection) {
   *   conn.respondStream({ contentType: "text/plain" });
   *   conn.send("line 1\n");
   *   conn.end();
   * }
   * ```
   */
  send(chunk: string | Uint8Array): boolean {
    if (this.#ch.closed && this.#st.responded) return false;
    this.#streaming(1, "send()");
    return this.#write(typeof chunk === "string" ? UTF8_ENCODER.encode(chunk) : chunk);
  }

  /**
   * Sends one server-sent event. Starts a `text/event-stream` response when none is
   * started. `data` is split into `data:` lines; objects are sent as JSON.
   *
   * @param event The event fields.
   * @returns `false` when the peer is gone or too slow.
   * @throws {HttpError} for an `event` or `id` with CR, LF or NUL.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function tick(conn: HttpConnection, n: number) {
   *   return conn.sendEvent({ event: "tick", id: String(n), data: { n } });
   * }
   * ```
   */
  sendEvent(event: SseEvent): boolean {
    if (this.#streamMode === 0 && !this.#st.responded) {
      this.respondStream({ contentType: "text/event-stream" });
    }
    if (this.#ch.closed) return false;
    this.#streaming(1, "sendEvent()");
    return this.#write(UTF8_ENCODER.encode(formatSseEvent(event)));
  }

  /**
   * Sends one NDJSON record (JSON and a newline). Starts an `application/x-ndjson`
   * response when none is started.
   *
   * @param value Any JSON value.
   * @returns `false` when the peer is gone or too slow.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function rows(conn: HttpConnection) {
   *   for (const id of [1, 2, 3]) conn.sendNdjson({ id });
   *   conn.end();
   * }
   * ```
   */
  sendNdjson(value: unknown): boolean {
    if (this.#streamMode === 0 && !this.#st.responded) {
      this.respondStream({ contentType: "application/x-ndjson" });
    }
    if (this.#ch.closed) return false;
    this.#streaming(1, "sendNdjson()");
    const json = JSON.stringify(value);
    if (json === undefined) throw new HttpError("Value cannot be encoded as JSON");
    const bytes = UTF8_ENCODER.encode(json);
    const line = new Uint8Array(bytes.length + 1);
    line.set(bytes, 0);
    line.set(JSON_LINE_END, bytes.length);
    return this.#write(line);
  }

  /**
   * Ends a streamed response; everything sent before is flushed first.
   *
   * @param trailers Trailer fields (sent to HTTP/1.1 clients only).
   * @returns `false` when the peer is gone.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function done(conn: HttpConnection) {
   *   conn.end({ "x-checksum": "abc" });
   * }
   * ```
   */
  end(trailers?: FieldsInit): boolean {
    const st = this.#st;
    const ch = this.#ch;
    if (this.#streamMode === 0) {
      if (ch.closed && st.responded) return false;
      throw new HttpError("end() needs respondStream() or respondMultipart()");
    }
    this.#streamMode = 0;
    if (ch.closed) return false;
    const useTrailers = trailers !== undefined && ch.proto.theirHttpVersion === "1.1";
    let bytes: Uint8Array;
    try {
      bytes = ch.proto.send(new EndOfMessage(useTrailers ? trailers : undefined))!;
    } catch (e) {
      ch.abort();
      throw new HttpError(e instanceof Error ? e.message : "Invalid trailers");
    }
    if (bytes.length > 0) ch.write(bytes);
    ch.responseDone(st);
    return true;
  }

  /**
   * Starts a `multipart/x-mixed-replace` response (MJPEG and the like).
   *
   * @param headers Extra header fields.
   * @returns `false` when the peer is already gone.
   * @throws {HttpError} on a second response.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function camera(conn: HttpConnection, jpeg: Uint8Array) {
   *   conn.respondMultipart();
   *   conn.sendFrame(jpeg);
   * }
   * ```
   */
  respondMultipart(headers?: ResponseHeaders): boolean {
    const st = this.#claim();
    this.#boundary = multipartBoundary();
    const res = this.#head(200, headers, undefined, [
      ["content-type", `multipart/x-mixed-replace; boundary=${this.#boundary}`],
      ["cache-control", "no-cache"],
    ]);
    return this.#startStream(st, res, 2);
  }

  /**
   * Sends one part of a multipart response.
   *
   * @param data The part's body.
   * @param headers The part's header fields. @default { "content-type": "image/jpeg" }
   * @returns `false` when the peer is gone or too slow.
   * @throws {HttpError} without `respondMultipart()` first, or for an invalid header.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function frame(conn: HttpConnection, png: Uint8Array) {
   *   return conn.sendFrame(png, { "content-type": "image/png" });
   * }
   * ```
   */
  sendFrame(data: Uint8Array | string, headers?: ResponseHeaders): boolean {
    if (this.#ch.closed && this.#st.responded) return false;
    this.#streaming(2, "sendFrame()");
    const bytes = typeof data === "string" ? UTF8_ENCODER.encode(data) : data;
    let part: Uint8Array;
    try {
      part = multipartFrame(this.#boundary, bytes, headerPairs(headers));
    } catch (e) {
      throw new HttpError(e instanceof Error ? e.message : "Invalid frame header");
    }
    return this.#write(part);
  }

  /**
   * Ends a multipart response.
   *
   * @returns `false` when the peer is gone.
   *
   * @example
   * ```ts
   * import type { HttpConnection } from "@uhttp/core/server";
   * function stop(conn: HttpConnection) {
   *   conn.endMultipart();
   * }
   * ```
   */
  endMultipart(): boolean {
    if (this.#ch.closed && this.#st.responded) return false;
    this.#streaming(2, "endMultipart()");
    this.#write(multipartEnd(this.#boundary));
    return this.end();
  }
}
