/**
 * `HttpClient`: a keep-alive HTTP/1.1 client driven by the readiness loop.
 *
 * @module
 */
import { concatBytes, copyBytes } from "../core/bytes.ts";
import {
  CLIENT,
  Connection,
  ConnectionClosed,
  Data,
  DONE,
  EndOfMessage,
  Fields,
  InformationalResponse,
  LocalProtocolError,
  NEED_DATA,
  OutputBuffer,
  PAUSED,
  RemoteProtocolError,
  Request,
  Response,
} from "../core/protocol/mod.ts";
import {
  type ClientTlsOptions,
  connect,
  Deadline,
  openFile,
  type Pollable,
  ReadySignal,
  resolveHost,
  type SyncFile,
  type Transport,
} from "../core/net/mod.ts";
import { trustedFields } from "../core/protocol/headers.ts";
import { differsInLastValue } from "../core/protocol/writers.ts";
import { HeaderSnapshot } from "../core/header_snapshot.ts";
import { encodeQuery, type QueryInput } from "../core/query.ts";
import {
  type Auth,
  basicAuthorization,
  digestAlgorithmSupported,
  DigestSession,
  parseChallenges,
} from "./auth.ts";
import { CookieJar } from "./cookie_jar.ts";
import {
  HttpClientError,
  HttpConnectionError,
  HttpResponseError,
  HttpTimeoutError,
} from "./errors.ts";
import {
  type ClientEvent,
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_RESPONSE,
  HttpResponse,
} from "./response.ts";
import { parseHostForm, parseUrl } from "./url.ts";

/** Version sent in the default `user-agent`. */
const VERSION = "0.1.0";
const USER_AGENT = `uhttp/${VERSION}`;

/**
 * No request in progress. @example
 * ```ts
 * import { HttpClient, STATE_IDLE } from "@uhttp/core/client";
 * console.log(new HttpClient("http://127.0.0.1:1").state === STATE_IDLE); // true
 * ```
 */
export const STATE_IDLE = 0;
/** Resolving the host and connecting (TCP, and TLS on these runtimes). @example
 * ```ts
 * import { STATE_CONNECTING } from "@uhttp/core/client";
 * console.log(STATE_CONNECTING); // 1
 * ```
 */
export const STATE_CONNECTING = 1;
/**
 * TLS handshake. Deno and Bun connect and handshake in one step, so the client
 * reports {@linkcode STATE_CONNECTING} for both; the constant exists for code
 * ported from the Python client. @example
 * ```ts
 * import { STATE_TLS_HANDSHAKE } from "@uhttp/core/client";
 * console.log(STATE_TLS_HANDSHAKE); // 2
 * ```
 */
export const STATE_TLS_HANDSHAKE = 2;
/** Writing the request. @example
 * ```ts
 * import { STATE_SENDING } from "@uhttp/core/client";
 * console.log(STATE_SENDING); // 3
 * ```
 */
export const STATE_SENDING = 3;
/** Head sent with `Expect: 100-continue`, body held back. @example
 * ```ts
 * import { STATE_WAITING_100_CONTINUE } from "@uhttp/core/client";
 * console.log(STATE_WAITING_100_CONTINUE); // 4
 * ```
 */
export const STATE_WAITING_100_CONTINUE = 4;
/** Waiting for the response head. @example
 * ```ts
 * import { STATE_RECEIVING_HEADERS } from "@uhttp/core/client";
 * console.log(STATE_RECEIVING_HEADERS); // 5
 * ```
 */
export const STATE_RECEIVING_HEADERS = 5;
/** Receiving the response body. @example
 * ```ts
 * import { STATE_RECEIVING_BODY } from "@uhttp/core/client";
 * console.log(STATE_RECEIVING_BODY); // 6
 * ```
 */
export const STATE_RECEIVING_BODY = 6;
/** The response is complete. @example
 * ```ts
 * import { STATE_COMPLETE } from "@uhttp/core/client";
 * console.log(STATE_COMPLETE); // 7
 * ```
 */
export const STATE_COMPLETE = 7;

/**
 * One of the `STATE_*` constants.
 *
 * @example
 * ```ts
 * import { type ClientState, STATE_IDLE } from "@uhttp/core/client";
 * const s: ClientState = STATE_IDLE;
 * ```
 */
export type ClientState =
  | typeof STATE_IDLE
  | typeof STATE_CONNECTING
  | typeof STATE_TLS_HANDSHAKE
  | typeof STATE_SENDING
  | typeof STATE_WAITING_100_CONTINUE
  | typeof STATE_RECEIVING_HEADERS
  | typeof STATE_RECEIVING_BODY
  | typeof STATE_COMPLETE;

/**
 * Request or default headers: a record or `[name, value]` pairs.
 *
 * @example
 * ```ts
 * import type { HeadersInit } from "@uhttp/core/client";
 * const h: HeadersInit = { authorization: "Bearer x", "x-trace": "1" };
 * ```
 */
export type HeadersInit =
  | Readonly<Record<string, string | number>>
  | Iterable<readonly [string, string]>;

/**
 * What `data` can be: text (UTF-8), bytes, a JSON-able object or array, or a
 * stream / async iterable of chunks (sent chunked).
 *
 * @example
 * ```ts
 * import type { RequestBody } from "@uhttp/core/client";
 * const a: RequestBody = "text";
 * const b: RequestBody = new Uint8Array([1, 2, 3]);
 * ```
 */
export type RequestBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Record<string, unknown>
  | unknown[];

/**
 * TLS options of the client.
 *
 * @example
 * ```ts
 * import type { ClientTls } from "@uhttp/core/client";
 * const tls: ClientTls = { caCerts: ["-----BEGIN CERTIFICATE-----..."] };
 * ```
 */
export interface ClientTls {
  /** Extra trusted CA certificates (PEM), for self-signed servers. */
  caCerts?: string[];
  /** Skip certificate verification (curl's `-k`). @default false */
  insecure?: boolean;
  /** Name to verify and send as SNI. @default the host */
  serverName?: string;
}

/**
 * Options of the {@linkcode HttpClient} constructor.
 *
 * @example
 * ```ts
 * import { HttpClient, type HttpClientOptions } from "@uhttp/core/client";
 * const options: HttpClientOptions = { timeout: 5_000, headers: { accept: "application/json" } };
 * const client = new HttpClient("http://127.0.0.1:8080", options);
 * client.close();
 * ```
 */
export interface HttpClientOptions {
  /** Port; overrides the URL's. @default 80, or 443 with TLS */
  port?: number;
  /**
   * TLS options. With the URL form the scheme decides; with the host form giving
   * `tls` (or `true`) turns TLS on.
   */
  tls?: ClientTls | boolean;
  /** Default credentials (Basic, or Digest when the server asks). @default from the URL */
  auth?: Auth | null;
  /** Time for DNS + TCP connect + TLS handshake, ms. @default 10_000 */
  connectTimeout?: number;
  /**
   * Time for a whole exchange (connect included), ms. It is checked 8 times per
   * timeout, so a request times out up to about 1/8 of it later.
   * @default 30_000
   */
  timeout?: number;
  /** Largest buffered response body, bytes. @default 1_048_576 */
  maxResponseLength?: number;
  /** Largest response head, bytes. @default 8_192 */
  maxHeadersLength?: number;
  /** Headers sent with every request (a request's own headers win). */
  headers?: HeadersInit;
  /** A cookie jar to share, or initial cookies `name -> value`. @default an empty jar */
  cookies?: CookieJar | Record<string, string>;
  /** Every request in event mode (streamed downloads). @default false */
  eventMode?: boolean;
}

/**
 * Options of {@linkcode HttpClient.request}.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@uhttp/core/client";
 * const o: RequestOptions = { query: { page: 1, tag: ["a", "b"] }, json: { name: "x" }, timeout: 5000 };
 * ```
 */
export interface RequestOptions {
  /** Extra headers; they win over the defaults (compared case-insensitively). */
  headers?: HeadersInit;
  /** Body: text, bytes, JSON-able object/array, or a stream (sent chunked). */
  data?: RequestBody;
  /** Query parameters; arrays repeat the key, `null` gives a bare key. */
  query?: QueryInput;
  /** A value sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Credentials for this request; `null` sends none. @default the client's */
  auth?: Auth | null;
  /** Time for this exchange, ms. @default the client's `timeout` */
  timeout?: number;
  /** Send `Expect: 100-continue` and hold the body until `100` (or 1 s). @default false */
  expectContinue?: boolean;
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Event mode for this request. @default the client's `eventMode` */
  stream?: boolean;
}

/**
 * Options of {@linkcode HttpClient.acceptBodyToFile}.
 *
 * @example
 * ```ts
 * import type { FileDownloadOptions } from "@uhttp/core/client";
 * const o: FileDownloadOptions = { maxLength: 100 * 1024 * 1024 };
 * ```
 */
export interface FileDownloadOptions {
  /** Largest body written to the file, bytes. @default Infinity */
  maxLength?: number;
}

/** One request in flight. */
interface Pending {
  method: string;
  target: string;
  url: string;
  /**
   * The request validated in `request()`: user and default headers, without auth
   * and cookie (sent as is when nothing is added).
   */
  request: Request;
  /** The request head as last written, with auth and cookie fields. */
  sent: Request | null;
  hasAuthHeader: boolean;
  hasCookieHeader: boolean;
  body: Uint8Array | null;
  stream: AsyncIterable<Uint8Array | string> | null;
  auth: Auth | null;
  timeout: number;
  expectContinue: boolean;
  eventMode: boolean;
  idempotent: boolean;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  /** Sent on a connection that already served an exchange. */
  onReused: boolean;
  /** Request bytes handed to the transport. */
  written: boolean;
  /** Any response byte arrived on the current attempt. */
  responseStarted: boolean;
  retriedStale: boolean;
  digestTried: boolean;
  staleTried: boolean;
}

type BodyMode =
  | "buffer"
  | "discard"
  | "probe"
  | "pending"
  | "stream"
  | "file"
  | "ndjson"
  | "readable";

/** Methods a request may be sent again with after a stale connection (RFC 9110, 9.2.2). */
function isIdempotent(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "PUT" ||
    method === "DELETE" || method === "TRACE";
}
/** Methods whose request without a body still says `content-length: 0`. */
function sendsBody(method: string): boolean {
  // Compared one by one: three string comparisons cost less than a Set lookup per request.
  return method === "POST" || method === "PUT" || method === "PATCH";
}
const EMPTY = new Uint8Array(0);
/** The options of a request given none (never modified). */
const NO_OPTIONS: RequestOptions = Object.freeze({});
/** The end of a request body without trailers (events are immutable: one serves all). */
const END_OF_MESSAGE = new EndOfMessage();
const NO_TRAILERS = END_OF_MESSAGE.trailers;
/** Smallest announced body length read into one preallocated buffer (smaller: chunk list). */
const PREALLOCATE_MIN = 64 * 1024;

/** Most validated default-header requests kept per client (by method and target). */
const SIMPLE_REQUEST_CACHE = 256;
/** Largest body sent in one array with its head (larger: the body's own array, written after). */
const WHOLE_REQUEST_MAX = 16 * 1024;
/** Size of the array a client encodes a small text body in (at most `WHOLE_REQUEST_MAX`). */
const TEXT_BODY_ARRAY = 4 * 1024;
/** Largest array a request was written in that is kept for the next one, bytes. */
const REQUEST_BUFFER_KEPT = 4 * 1024;
/** Most requests with headers of their own or a body kept per client. */
const KEPT_HEADS = 4;
/** What a request's body was given as (`KeptHead.kind`): it decides the content type added. */
const NO_BODY = 0;
const TEXT_BODY = 1;
const JSON_BODY = 2;
const BYTES_BODY = 3;

/** A request sent with an Authorization or Cookie field added (see `#withExtras`). */
interface WithExtras {
  /** The request as built, without them. */
  readonly base: Request;
  readonly authorization: string | null;
  readonly cookie: string | null;
  readonly request: Request;
}

/**
 * A request validated, with what `#begin` takes besides. One with a body has the
 * Content-Length it added last, and is sent again with the body's length in it.
 */
interface KeptHead {
  readonly method: string;
  readonly target: string;
  /** The headers option it was built from. */
  readonly seen: HeaderSnapshot;
  /** `NO_BODY`, or what the body was given as. */
  readonly kind: number;
  /** The request made last (for a body of `length` bytes). */
  request: Request;
  /** The body length in `request`'s Content-Length, or -1 for a request without a body. */
  length: number;
  readonly hasAuth: boolean;
  readonly hasCookie: boolean;
}
const encoder = new TextEncoder();
const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|.*:.*)$/;

function headerPairs(init: HeadersInit | undefined): [string, string][] {
  if (init === undefined) return [];
  const out: [string, string][] = [];
  if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [k, v] of init as Iterable<readonly [string, string]>) out.push([k, String(v)]);
  } else {
    for (const [k, v] of Object.entries(init as Record<string, string | number>)) {
      out.push([k, String(v)]);
    }
  }
  return out;
}

/** `req` with the value of its last field replaced (a Content-Length), nothing checked again. */
function withLastValue(req: Request, value: string): Request {
  const fields = req.headers;
  const values = fields.values.slice();
  values[values.length - 1] = value;
  return new Request({
    method: req.method,
    target: req.target,
    headers: trustedFields(fields.names as string[], fields.lowerNames as string[], values),
  });
}

/** The lowercase name of `req`'s last field, or `null` without fields. */
function lastFieldName(req: Request): string | null {
  const names = req.headers.lowerNames;
  return names.length === 0 ? null : names[names.length - 1]!;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array | string> {
  return typeof v === "object" && v !== null &&
    typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

function isPlainJson(v: unknown): boolean {
  if (Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function streamIterable(
  s: ReadableStream<Uint8Array | string>,
): AsyncIterable<Uint8Array | string> {
  return {
    async *[Symbol.asyncIterator]() {
      const reader = s.getReader();
      try {
        while (true) {
          const r = await reader.read();
          if (r.done) return;
          yield r.value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

function hostHeader(host: string, port: number, secure: boolean): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port === (secure ? 443 : 80) ? h : `${h}:${port}`;
}

/**
 * An HTTP/1.1 client for one server (host and port), with keep-alive, TLS, Basic
 * and Digest auth, cookies, timeouts and streamed bodies. It is
 * {@linkcode Pollable}: drive many clients (and servers) with one `select()` loop,
 * or simply `await client.get("/x").wait()`.
 *
 * @example Blocking style
 * ```ts
 * import { HttpClient } from "@uhttp/core/client";
 * async function main() {
 *   using client = new HttpClient("https://api.example.com/v1");
 *   const res = await client.get("/users", { query: { page: 1 } }).wait();
 *   console.log(res?.status, res?.json());
 * }
 * ```
 *
 * @example Readiness loop
 * ```ts
 * import { HttpClient, select } from "@uhttp/core/client";
 * async function poll(clients: HttpClient[]) {
 *   for (const c of clients) c.get("/status");
 *   let left = clients.length;
 *   while (left > 0) {
 *     for (const c of await select(clients, 1000)) {
 *       const res = c.processEvents();
 *       if (res) { console.log(c.host, res.status); left--; }
 *     }
 *   }
 * }
 * ```
 */
export class HttpClient implements Pollable {
  /** Server host (IPv6 without brackets). */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /** Base path from the URL, prepended to request paths (`""` when none). */
  readonly basePath: string;
  /** `true` when the client speaks TLS. */
  readonly secure: boolean;
  /** Default credentials; settable. */
  auth: Auth | null;
  /** The cookie jar. */
  readonly cookies: CookieJar;
  /** The error of the last `EVENT_ERROR` (event mode), else `null`. */
  error: HttpClientError | null = null;

  readonly #tls: ClientTls;
  readonly #connectTimeout: number;
  readonly #timeout: number;
  readonly #maxResponseLength: number;
  readonly #maxHeadersLength: number;
  readonly #defaultHeaders: [string, string][];
  readonly #defaultNames: Set<string>;
  /** The default headers hold `authorization` / `cookie` (looked up once, not per request). */
  readonly #defaultAuthHeader: boolean;
  readonly #defaultCookieHeader: boolean;
  readonly #eventMode: boolean;
  readonly #hostHeader: string;
  /** `http://host[:port]`, the prefix of every response's `url`. */
  readonly #origin: string;
  #defaultFields: Fields | null = null;
  readonly #simpleRequests = new Map<string, Request>();
  #lastSimple: Request | null = null;
  /** The last request sent with an Authorization or Cookie added, and what was added. */
  #lastWithExtras: WithExtras | null = null;
  /** The last Basic credentials sent, and their header value. */
  #lastBasic: { user: string; password: string; value: string } | null = null;
  /** Where a small text body is encoded (see `#utf8`). */
  #textBody: Uint8Array | null = null;
  /** The array the last request with a small body was written in, its transport and end mark. */
  #requestOut: OutputBuffer | null = null;
  #requestOutOwner: Transport | null = null;
  #requestOutMark = 0;
  /** Requests built lately, found again by method, target, kind of body and headers. */
  readonly #keptHeads: KeptHead[] = [];
  #nextKeptHead = 0;
  readonly #signal = new ReadySignal();
  readonly #deadline: Deadline;
  readonly #continueDeadline: Deadline;

  #state: ClientState = STATE_IDLE;
  #transport: Transport | null = null;
  #conn: Connection | null = null;
  #connDead = false;
  #connReused = false;
  #gen = 0;
  #drainWaiter: (() => void) | null = null;

  #req: Pending | null = null;
  #awaiting100 = false;
  /** Settles the pending `wait()` of the fast path (see `wait`); called by `#wake()`. */
  #waitResolve: ((r: HttpResponse | null) => void) | null = null;
  #waitReject: ((e: unknown) => void) | null = null;
  #digest: DigestSession | null = null;

  #response: HttpResponse | null = null;
  #mode: BodyMode = "buffer";
  #chunks: Uint8Array[] = [];
  #bodyLength = 0;
  /** Buffered body of a known length, filled as bytes arrive (no chunk list, no final concat). */
  #body: Uint8Array | null = null;
  /** The transport reads into `#body` (`readInto`). */
  #inPlace = false;
  /** The bytes being processed are lent by the transport (see `#onReceive`). */
  #lent = false;
  #retryDigest = false;
  #file: SyncFile | null = null;
  #fileMax = Infinity;
  #ndjsonTail = "";
  #ndjsonDecoder: TextDecoder | null = null;
  #records: unknown[] = [];
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #paused = false;

  #result: HttpResponse | null = null;
  #error: HttpClientError | null = null;
  #events: ClientEvent[] = [];
  #eventResponse: HttpResponse | null = null;

  /**
   * Creates a client. No connection is opened until the first request.
   *
   * @param urlOrHost A URL (`https://user:pass@host:port/base`) or a host
   * (`host`, `host:port`, `[v6]:port`).
   * @param options Port, TLS, auth, timeouts, limits, default headers, cookies.
   * @throws {HttpClientError} for an unsupported scheme or an invalid host or port.
   */
  constructor(urlOrHost: string, options: HttpClientOptions = {}) {
    let host: string;
    let port: number | null;
    let secure: boolean;
    let basePath = "";
    let auth: Auth | null = null;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(urlOrHost)) {
      const u = parseUrl(urlOrHost);
      host = u.host;
      port = u.port;
      secure = u.secure;
      auth = u.auth;
      const q = u.path.indexOf("?");
      basePath = (q >= 0 ? u.path.slice(0, q) : u.path).replace(/\/+$/, "");
    } else {
      secure = options.tls !== undefined && options.tls !== false;
      const h = parseHostForm(urlOrHost, secure);
      host = h.host;
      port = h.port;
    }
    if (options.port !== undefined) {
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
        throw new HttpClientError(`Invalid port ${JSON.stringify(options.port)}`);
      }
      port = options.port;
    }
    this.host = host;
    this.port = port ?? (secure ? 443 : 80);
    this.secure = secure;
    this.basePath = basePath;
    this.auth = options.auth !== undefined ? options.auth : auth;
    this.#tls = typeof options.tls === "object" ? options.tls : {};
    this.#connectTimeout = options.connectTimeout ?? 10_000;
    this.#timeout = options.timeout ?? 30_000;
    this.#maxResponseLength = options.maxResponseLength ?? 1024 * 1024;
    this.#maxHeadersLength = options.maxHeadersLength ?? 8 * 1024;
    this.#eventMode = options.eventMode ?? false;
    this.cookies = options.cookies instanceof CookieJar
      ? options.cookies
      : new CookieJar(options.cookies);
    this.#hostHeader = hostHeader(this.host, this.port, secure);
    this.#origin = `${secure ? "https" : "http"}://${this.#hostHeader}`;
    const defaults: [string, string][] = [["host", this.#hostHeader], [
      "user-agent",
      USER_AGENT,
    ]];
    const user = headerPairs(options.headers);
    const userNames = new Set(user.map(([k]) => k.toLowerCase()));
    this.#defaultHeaders = [...defaults.filter(([k]) => !userNames.has(k)), ...user];
    this.#defaultNames = new Set(this.#defaultHeaders.map(([k]) => k.toLowerCase()));
    this.#defaultAuthHeader = this.#defaultNames.has("authorization");
    this.#defaultCookieHeader = this.#defaultNames.has("cookie");
    // Left armed between requests (see `#endRequest`), its checks also tell an idle
    // client to let go of the response lines and the last view of received bytes
    // its connection kept (`Connection.forgetHeadLines`).
    this.#deadline = new Deadline(
      () => this.#onDeadline(),
      () => this.#conn?.forgetHeadLines(),
    );
    this.#continueDeadline = new Deadline(() => {
      if (this.#awaiting100) this.#sendBody();
    });
  }

  /** The current `STATE_*`. */
  get state(): ClientState {
    return this.#state;
  }

  /** `true` while a connection (TCP, and TLS when secure) is established. */
  get isConnected(): boolean {
    const t = this.#transport;
    return t !== null && !t.closed && !this.#connDead;
  }

  /** `true` when {@linkcode HttpClient.processEvents} has something to return. */
  get ready(): boolean {
    return this.#result !== null || this.#error !== null || this.#events.length > 0;
  }

  /**
   * Resolves when {@linkcode HttpClient.ready} may have become true.
   *
   * @returns A promise.
   */
  whenReady(): Promise<void> {
    return this.#signal.wait();
  }

  // ---------------------------------------------------------------- requests

  /**
   * Starts a request; returns the client for chaining (`.wait()`).
   *
   * @param method HTTP method (`GET`, `POST`, ...).
   * @param path Path (the base path is prepended), may carry a query.
   * @param options Headers, body, query, auth, timeout, 100-continue, signal, stream.
   * @returns This client.
   * @throws {HttpClientError} when a request is in progress or the arguments are invalid
   * (nothing is sent then).
   */
  request(method: string, path: string, options: RequestOptions = NO_OPTIONS): this {
    return this.#request(method.toUpperCase(), path, options);
  }

  /** `request()` for a method already in uppercase (the helpers' constants). */
  #request(m: string, path: string, options: RequestOptions = NO_OPTIONS): this {
    if (this.#req !== null) throw new HttpClientError("Request already in progress");
    const target = this.#target(path, options.query);
    const noBody = options.data === undefined && options.json === undefined;
    if (noBody && options.headers === undefined && !sendsBody(m)) {
      // The common case (no headers, no body): the default head, validated once per target.
      const request = this.#simpleRequest(m, target);
      this.#begin(
        request,
        this.#defaultAuthHeader,
        this.#defaultCookieHeader,
        null,
        null,
        false,
        options,
      );
      return this;
    }
    let body: Uint8Array | null = null;
    let stream: AsyncIterable<Uint8Array | string> | null = null;
    let kind = NO_BODY;
    const data = options.json !== undefined ? options.json : options.data;
    // Sent whole (see `#sendRequest`), a small text body may be encoded in this client's own array.
    const inPlace = !(options.expectContinue ?? false);
    if (options.json !== undefined || (data !== undefined && isPlainJson(data))) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new HttpClientError("Value cannot be sent as JSON");
      body = this.#utf8(text, inPlace);
      kind = JSON_BODY;
    } else if (typeof data === "string") {
      body = this.#utf8(data, inPlace);
      kind = TEXT_BODY;
    } else if (data instanceof Uint8Array) {
      body = data;
      kind = BYTES_BODY;
    } else if (data instanceof ArrayBuffer) {
      body = new Uint8Array(data);
      kind = BYTES_BODY;
    } else if (data instanceof ReadableStream) {
      stream = streamIterable(data as ReadableStream<Uint8Array | string>);
    } else if (isAsyncIterable(data)) {
      stream = data;
    } else if (data !== undefined && data !== null) {
      throw new HttpClientError(`Unsupported request body type ${JSON.stringify(typeof data)}`);
    }
    const expectContinue = (options.expectContinue ?? false) && (body !== null || stream !== null);
    let seen: HeaderSnapshot | null = null;
    if (stream === null && !expectContinue) {
      // The head built for equal headers and a body of the same kind before, if kept.
      const kept = this.#keptHead(m, target, kind, options.headers);
      if (kept !== null) {
        this.#begin(
          body === null ? kept.request : this.#withLength(kept, body.length),
          kept.hasAuth,
          kept.hasCookie,
          body,
          null,
          false,
          options,
        );
        return this;
      }
      seen = HeaderSnapshot.of(options.headers);
    }
    const headers = this.#defaultHeaders.slice();
    const names = new Set(this.#defaultNames);
    const user = seen !== null ? seen.fields : headerPairs(options.headers);
    if (user.length > 0) {
      const userNames = new Set(user.map(([k]) => k.toLowerCase()));
      for (let i = headers.length - 1; i >= 0; i--) {
        if (userNames.has(headers[i]![0].toLowerCase())) headers.splice(i, 1);
      }
      for (const p of user) headers.push(p);
      for (const n of userNames) names.add(n);
    }
    const add = (name: string, value: string) => {
      if (!names.has(name)) {
        headers.push([name, value]);
        names.add(name);
      }
    };

    if (kind === JSON_BODY) add("content-type", "application/json");
    else if (kind === BYTES_BODY) add("content-type", "application/octet-stream");
    // A body's length can change in a kept request only when its Content-Length is ours, last.
    let lengthLast = false;
    if (stream !== null) {
      if (!names.has("content-length")) add("transfer-encoding", "chunked");
    } else if (body !== null) {
      lengthLast = !names.has("content-length");
      add("content-length", String(body.length));
    } else if (sendsBody(m)) {
      add("content-length", "0");
    }
    if (expectContinue) add("expect", "100-continue");

    // Validate the head now: nothing is sent for an invalid header or method.
    let request: Request;
    try {
      request = new Request({ method: m, target, headers });
    } catch (e) {
      throw new HttpClientError((e as Error).message, { cause: e });
    }
    const hasAuth = names.has("authorization");
    const hasCookie = names.has("cookie");
    if (seen !== null && (body === null || lengthLast)) {
      this.#keptHeads[this.#nextKeptHead] = {
        method: m,
        target,
        seen,
        kind,
        request,
        length: body === null ? -1 : body.length,
        hasAuth,
        hasCookie,
      };
      this.#nextKeptHead = (this.#nextKeptHead + 1) % KEPT_HEADS;
    }
    this.#begin(request, hasAuth, hasCookie, body, stream, expectContinue, options);
    return this;
  }

  /**
   * `text` in UTF-8. With `reuse`, for a body sent whole (copied into the request's
   * array before the next request), in this client's own array when it fits: an
   * array of its own costs Deno far more than encoding a small body.
   */
  #utf8(text: string, reuse: boolean): Uint8Array {
    if (reuse && text.length <= TEXT_BODY_ARRAY) {
      const into = this.#textBody ??= new Uint8Array(TEXT_BODY_ARRAY);
      const done = encoder.encodeInto(text, into);
      if (done.read === text.length) return into.subarray(0, done.written);
    }
    return encoder.encode(text);
  }

  /** The kept request for this method, target, kind of body and headers, or `null`. */
  #keptHead(
    method: string,
    target: string,
    kind: number,
    headers: HeadersInit | undefined,
  ): KeptHead | null {
    const kept = this.#keptHeads;
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (
        k.target === target && k.method === method && k.kind === kind && k.seen.matches(headers)
      ) {
        return k;
      }
    }
    return null;
  }

  /**
   * `kept`'s request for a body of `length` bytes: the one made last, or one made
   * from it with the Content-Length (its last field) changed and nothing checked
   * again. The protocol core then writes its head from the last one's bytes.
   */
  #withLength(kept: KeptHead, length: number): Request {
    if (kept.length === length) return kept.request;
    kept.request = withLastValue(kept.request, String(length));
    kept.length = length;
    return kept.request;
  }

  /** A validated request with the default headers only, cached per method and target. */
  #simpleRequest(method: string, target: string): Request {
    const last = this.#lastSimple;
    if (last !== null && last.target === target && last.method === method) return last;
    const key = method + " " + target;
    let request = this.#simpleRequests.get(key);
    if (request !== undefined) return this.#lastSimple = request;
    try {
      this.#defaultFields ??= new Fields(this.#defaultHeaders);
      request = new Request({ method, target, headers: this.#defaultFields });
    } catch (e) {
      throw new HttpClientError((e as Error).message, { cause: e });
    }
    if (this.#simpleRequests.size >= SIMPLE_REQUEST_CACHE) this.#simpleRequests.clear();
    this.#simpleRequests.set(key, request);
    return this.#lastSimple = request;
  }

  /**
   * Records a validated request as the one in flight and starts it.
   * `hasAuthHeader` / `hasCookieHeader`: its headers hold `authorization` / `cookie`.
   */
  #begin(
    request: Request,
    hasAuthHeader: boolean,
    hasCookieHeader: boolean,
    body: Uint8Array | null,
    stream: AsyncIterable<Uint8Array | string> | null,
    expectContinue: boolean,
    options: RequestOptions,
  ): void {
    const m = request.method;
    const target = request.target;
    const auth = options.auth !== undefined ? options.auth : this.auth;
    const req: Pending = {
      method: m,
      target,
      url: this.#origin + target,
      request,
      hasAuthHeader,
      hasCookieHeader,
      body,
      stream,
      auth,
      timeout: options.timeout ?? this.#timeout,
      expectContinue,
      eventMode: options.stream ?? this.#eventMode,
      idempotent: isIdempotent(m),
      signal: options.signal ?? null,
      onAbort: null,
      onReused: false,
      sent: null,
      written: false,
      responseStarted: false,
      retriedStale: false,
      digestTried: false,
      staleTried: false,
    };
    if (req.signal !== null) {
      if (req.signal.aborted) throw new HttpClientError("Request aborted");
      req.onAbort = () => {
        if (this.#req === req) this.#fail(new HttpClientError("Request aborted"));
      };
      req.signal.addEventListener("abort", req.onAbort, { once: true });
    }
    // A finished response not fetched yet is dropped by a new request.
    this.#result = null;
    this.#error = null;
    if (this.#events.length > 0) this.#events.length = 0;
    this.#eventResponse = null;
    this.error = null;
    this.#response = null;
    this.#req = req;
    this.#deadline.setCoarse(req.timeout);
    this.#start();
  }

  /**
   * Starts a GET request.
   * @param path Path. @param options Request options. @returns This client.
   */
  get(path: string, options?: RequestOptions): this {
    return this.#request("GET", path, options);
  }
  /**
   * Starts a POST request.
   * @param path Path. @param options Request options. @returns This client.
   */
  post(path: string, options?: RequestOptions): this {
    return this.#request("POST", path, options);
  }
  /**
   * Starts a PUT request.
   * @param path Path. @param options Request options. @returns This client.
   */
  put(path: string, options?: RequestOptions): this {
    return this.#request("PUT", path, options);
  }
  /**
   * Starts a PATCH request.
   * @param path Path. @param options Request options. @returns This client.
   */
  patch(path: string, options?: RequestOptions): this {
    return this.#request("PATCH", path, options);
  }
  /**
   * Starts a DELETE request.
   * @param path Path. @param options Request options. @returns This client.
   */
  delete(path: string, options?: RequestOptions): this {
    return this.#request("DELETE", path, options);
  }
  /**
   * Starts a HEAD request.
   * @param path Path. @param options Request options. @returns This client.
   */
  head(path: string, options?: RequestOptions): this {
    return this.#request("HEAD", path, options);
  }
  /**
   * Starts an OPTIONS request.
   * @param path Path. @param options Request options. @returns This client.
   */
  options(path: string, options?: RequestOptions): this {
    return this.#request("OPTIONS", path, options);
  }

  #target(path: string, query: QueryInput | undefined): string {
    let p = path;
    if (p !== "*" && !p.startsWith("/")) p = "/" + p;
    const base = this.basePath;
    if (base !== "" && p !== "*" && p !== base && !p.startsWith(base + "/")) {
      p = p === "/" ? base + "/" : base + p;
    }
    if (query !== undefined) {
      const q = encodeQuery(query);
      if (q !== "") {
        p += (p.includes("?") ? (p.endsWith("?") || p.endsWith("&") ? "" : "&") : "?") + q;
      }
    }
    return p;
  }

  // ------------------------------------------------------------ the loop API

  /**
   * Returns the finished response (or, in event mode, the response with its next
   * `event`) without waiting, or `null`.
   *
   * @returns A response or `null`.
   * @throws {HttpTimeoutError} once the request's deadline has passed (the
   * connection is closed), and the other {@linkcode HttpClientError}s of the request.
   */
  processEvents(): HttpResponse | null {
    if (this.#events.length > 0) {
      const ev = this.#events.shift()!;
      const res = this.#eventResponse!;
      res.event = ev;
      return res;
    }
    if (this.#result !== null) {
      const r = this.#result;
      this.#result = null;
      return r;
    }
    if (this.#error !== null) {
      const e = this.#error;
      this.#error = null;
      throw e;
    }
    return null;
  }

  /**
   * Waits for the response (or the next event in event mode).
   *
   * @param timeoutMs How long this call may wait, ms. @default until the request's deadline
   * @returns The response, or `null` when `timeoutMs` passed first while the request's
   * deadline has not (call again), or when no request is in progress.
   * @throws {HttpTimeoutError} when the request's deadline passed (connection closed),
   * and the other {@linkcode HttpClientError}s of the request.
   */
  wait(timeoutMs?: number): Promise<HttpResponse | null> {
    const req = this.#req;
    if (timeoutMs !== undefined || this.#waitResolve !== null || (req !== null && req.eventMode)) {
      return this.#waitLoop(timeoutMs);
    }
    // The common case (one waiter for a whole response): one promise, settled by
    // #wake() when the request ends.
    let r: HttpResponse | null;
    try {
      r = this.processEvents();
    } catch (e) {
      return Promise.reject(e);
    }
    if (r !== null || req === null) return Promise.resolve(r);
    return new Promise<HttpResponse | null>((resolve, reject) => {
      this.#waitResolve = resolve;
      this.#waitReject = reject;
    });
  }

  /** `wait()` with a time limit, beside another waiter, or in event mode. */
  async #waitLoop(timeoutMs: number | undefined): Promise<HttpResponse | null> {
    let r = this.processEvents();
    if (r !== null) return r;
    if (timeoutMs === undefined) {
      while (true) {
        if (this.#req === null && !this.ready) return null;
        await this.#signal.wait();
        r = this.processEvents();
        if (r !== null) return r;
      }
    }
    const end = performance.now() + timeoutMs;
    while (true) {
      if (this.#req === null && !this.ready) return null;
      const left = end - performance.now();
      if (left <= 0) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#signal.wait(),
        new Promise<void>((resolve) => timer = setTimeout(resolve, left)),
      ]);
      clearTimeout(timer);
      r = this.processEvents();
      if (r !== null) return r;
    }
  }

  /**
   * `processEvents()` may have something: the pending fast `wait()` takes it at
   * once (or `null` when no request is left), then every other waiter is woken.
   */
  #wake(): void {
    const resolve = this.#waitResolve;
    const reject = this.#waitReject;
    if (resolve !== null && reject !== null) {
      try {
        const r = this.processEvents();
        if (r !== null || this.#req === null) {
          this.#waitResolve = this.#waitReject = null;
          resolve(r);
        }
      } catch (e) {
        this.#waitResolve = this.#waitReject = null;
        reject(e);
      }
    }
    this.#signal.notify();
  }

  /** Closes the connection and cancels any request in progress. Idempotent. */
  close(): void {
    const req = this.#req;
    if (req !== null) this.#endRequest(req);
    this.#abortBody(new HttpClientError("Client closed"));
    this.#dropConnection();
    this.#result = null;
    this.#error = null;
    if (this.#events.length > 0) this.#events.length = 0;
    this.#state = STATE_IDLE;
    this.#wake();
  }

  /** Closes the client (`using client = new HttpClient(...)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the client (`await using`). @returns A resolved promise. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  // -------------------------------------------------------------- event mode

  /** Event mode: buffer the whole body (bounded by `maxResponseLength`); `EVENT_COMPLETE` follows. */
  acceptBody(): void {
    this.#accept("buffer");
  }

  /** Event mode: deliver the body piecewise (`EVENT_DATA`, then {@linkcode HttpClient.readBuffer}). */
  acceptBodyStreaming(): void {
    this.#accept("stream");
  }

  /**
   * Event mode: write the body to a file; `EVENT_COMPLETE` when it is closed.
   *
   * @param path File to create or truncate.
   * @param options `maxLength`, the largest body written.
   * @throws {HttpClientError} when the file cannot be opened.
   */
  acceptBodyToFile(path: string, options: FileDownloadOptions = {}): void {
    this.#checkAccept();
    try {
      this.#file = openFile(path, "write");
    } catch (e) {
      throw new HttpClientError(`Cannot open ${JSON.stringify(path)}`, { cause: e });
    }
    this.#fileMax = options.maxLength ?? Infinity;
    this.#accept("file");
  }

  /** Event mode: parse the body as NDJSON; `EVENT_DATA` when records are ready ({@linkcode HttpClient.readRecord}). */
  acceptNdjson(): void {
    this.#ndjsonTail = "";
    this.#ndjsonDecoder = new TextDecoder();
    this.#records = [];
    this.#accept("ndjson");
  }

  /**
   * Body bytes received since the last call (streaming mode).
   *
   * @returns The bytes, or `null` when none are buffered.
   */
  readBuffer(): Uint8Array | null {
    if (this.#chunks.length === 0) return null;
    const out = concatBytes(this.#chunks, this.#bodyLength);
    this.#chunks = [];
    this.#bodyLength = 0;
    return out;
  }

  /**
   * The next parsed NDJSON record (NDJSON mode).
   *
   * @returns The record, or `undefined` when none is ready.
   */
  readRecord(): unknown {
    return this.#records.shift();
  }

  #checkAccept(): void {
    if (this.#mode !== "pending" || this.#req === null) {
      throw new HttpClientError("No response head waiting for a body mode");
    }
  }

  #accept(mode: BodyMode): void {
    this.#checkAccept();
    const res = this.#response!;
    res._openBody = null;
    this.#mode = mode;
    const pre = this.#chunks;
    this.#chunks = [];
    this.#bodyLength = 0;
    for (const c of pre) {
      if (!this.#onData(c)) return;
    }
    this.#resume();
  }

  #openReadable(): ReadableStream<Uint8Array> | null {
    if (this.#mode !== "pending" || this.#req === null) return null;
    const pre = this.#chunks;
    this.#chunks = [];
    this.#bodyLength = 0;
    const req = this.#req;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => {
        if (this.#req === req && this.#paused) this.#resume();
      },
      cancel: () => {
        if (this.#req === req) {
          this.#controller = null;
          this.#endRequest(req);
          this.#dropConnection();
          this.#state = STATE_IDLE;
        }
      },
    }, { highWaterMark: 4 });
    this.#mode = "readable";
    for (const c of pre) this.#onData(c);
    this.#resume();
    return stream;
  }

  #resume(): void {
    this.#unpause();
    if (this.#conn !== null && this.#req !== null) this.#process();
  }

  /** Lets the transport read again (without processing what is buffered). */
  #unpause(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#transport?.resume();
    }
  }

  #pause(): void {
    if (!this.#paused) {
      this.#paused = true;
      this.#transport?.pause();
    }
  }

  // -------------------------------------------------------------- connection

  #start(): void {
    const t = this.#transport;
    if (t !== null && (t.closed || this.#connDead)) this.#dropConnection();
    if (this.#transport !== null && this.#conn !== null) {
      this.#sendRequest();
    } else {
      this.#state = STATE_CONNECTING;
      void this.#open(++this.#gen);
    }
  }

  async #open(gen: number): Promise<void> {
    const tls: ClientTlsOptions | undefined = this.secure
      ? {
        serverName: this.#tls.serverName ?? this.host,
        ...(this.#tls.caCerts ? { caCerts: this.#tls.caCerts } : {}),
        ...(this.#tls.insecure ? { insecure: true } : {}),
      }
      : undefined;
    const end = performance.now() + this.#connectTimeout;
    const where = `"${this.host}" port ${this.port}`;
    try {
      let addresses: string[];
      if (IP_RE.test(this.host)) {
        addresses = [this.host];
      } else {
        addresses = await this.#limit(resolveHost(this.host), end, where);
        if (gen !== this.#gen) return;
        if (addresses.length === 0) throw new Error("No address found");
      }
      let lastError: unknown = null;
      let lastAddress = this.host;
      for (const address of addresses) {
        lastAddress = address;
        let t: Transport;
        try {
          const p = connect({ hostname: address, port: this.port, ...(tls ? { tls } : {}) });
          t = await this.#limit(p, end, where, (late) => late.abort());
        } catch (e) {
          if (e instanceof HttpTimeoutError) throw e;
          lastError = e;
          if (gen !== this.#gen) return;
          continue;
        }
        if (gen !== this.#gen) {
          t.abort();
          return;
        }
        this.#attach(t);
        this.#sendRequest();
        return;
      }
      // The socket layer's message names the address again; keep only its reason.
      const reason = lastError instanceof Error
        ? ": " + lastError.message.replace(/^Could not connect to "[^"]*": /, "")
        : "";
      const tried = lastAddress === this.host ? "" : ` (${lastAddress})`;
      throw new HttpConnectionError(`Cannot connect to ${where}${tried}${reason}`, {
        cause: lastError,
      });
    } catch (e) {
      if (gen !== this.#gen) return;
      this.#fail(
        e instanceof HttpClientError
          ? e
          : new HttpConnectionError(`Cannot connect to ${where}: ${(e as Error).message}`, {
            cause: e,
          }),
      );
    }
  }

  /** Races a promise against the connect deadline; a late value goes to `late`. */
  #limit<T>(p: Promise<T>, end: number, where: string, late?: (v: T) => void): Promise<T> {
    const left = end - performance.now();
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const d = new Deadline(() => {
        if (done) return;
        done = true;
        reject(
          new HttpTimeoutError(`Connect to ${where} timed out after ${this.#connectTimeout} ms`),
        );
      });
      d.set(left);
      p.then((v) => {
        d.clear();
        if (done) late?.(v);
        else {
          done = true;
          resolve(v);
        }
      }, (e) => {
        d.clear();
        if (!done) {
          done = true;
          reject(e);
        }
      });
    });
  }

  #attach(t: Transport): void {
    this.#transport = t;
    this.#conn = new Connection(CLIENT, { maxIncompleteEventSize: this.#maxHeadersLength });
    this.#connDead = false;
    this.#connReused = false;
    this.#paused = false;
    t.setHandlers({
      // Read arrays may be lent (a reused buffer): `#onReceive` copies what stays.
      lend: true,
      onData: (bytes, lent) => {
        if (this.#transport === t) this.#onReceive(bytes, lent === true);
      },
      onEnd: () => {
        if (this.#transport === t) this.#onEof(null);
      },
      onDrain: () => {
        const w = this.#drainWaiter;
        if (w !== null && this.#transport === t) {
          this.#drainWaiter = null;
          w();
        }
      },
      onClose: (error) => {
        if (this.#transport === t) this.#onEof(error ?? null);
        const w = this.#drainWaiter;
        if (w !== null) {
          this.#drainWaiter = null;
          w();
        }
      },
    });
  }

  #dropConnection(): void {
    const t = this.#transport;
    if (this.#req === null) this.#deadline.clear();
    this.#gen++;
    this.#transport = null;
    this.#conn = null;
    this.#connDead = false;
    this.#connReused = false;
    this.#paused = false;
    this.#awaiting100 = false;
    this.#continueDeadline.clear();
    if (t !== null && !t.closed) t.abort();
    const w = this.#drainWaiter;
    if (w !== null) {
      this.#drainWaiter = null;
      w();
    }
  }

  // ----------------------------------------------------------------- sending

  #sendRequest(): void {
    const req = this.#req!;
    const conn = this.#conn!;
    const t = this.#transport!;
    const authorization = req.auth !== null && !req.hasAuthHeader ? this.#authorization(req) : null;
    const cookie = req.hasCookieHeader
      ? null
      : this.cookies.cookieHeader(this.host, req.target, this.secure);
    const body = req.body;
    // A small body goes with its head in one array, written from the last one's bytes.
    const whole = body !== null && req.stream === null && !req.expectContinue &&
      body.length <= WHOLE_REQUEST_MAX;
    let head: Uint8Array = EMPTY;
    let out: OutputBuffer | null = null;
    let request: Request;
    try {
      request = authorization === null && cookie === null
        ? req.request
        : this.#withExtras(req, authorization, cookie);
      if (whole) {
        out = this.#requestBuffer();
        conn.sendRequest(request, body, out);
      } else head = conn.send(request)!;
    } catch (e) {
      this.#fail(new HttpClientError((e as Error).message, { cause: e }));
      return;
    }
    req.sent = request;
    req.onReused = this.#connReused;
    req.written = true;
    req.responseStarted = false;
    this.#response = null;
    this.#mode = "buffer";
    if (this.#chunks.length > 0) this.#chunks = [];
    this.#bodyLength = 0;
    this.#releaseBody();
    this.#retryDigest = false;
    if (req.expectContinue) {
      t.write(head);
      this.#awaiting100 = true;
      this.#state = STATE_WAITING_100_CONTINUE;
      this.#continueDeadline.set(1000);
      return;
    }
    if (out !== null) {
      t.write(out.bytes, out.length);
      // Kept for the next request once the transport holds none of it (a small one only).
      if (out.bytes.length <= REQUEST_BUFFER_KEPT) {
        this.#requestOut = out;
        this.#requestOutOwner = t;
        this.#requestOutMark = t.sentBytes + t.bufferedAmount;
      }
      this.#state = STATE_RECEIVING_HEADERS;
    } else if (body !== null && req.stream === null) {
      t.write(head);
      for (const p of conn.sendWithDataPassthrough(new Data(body))!) t.write(p);
      const end = conn.send(END_OF_MESSAGE)!;
      if (end.length > 0) t.write(end);
      this.#state = STATE_RECEIVING_HEADERS;
    } else if (req.stream !== null) {
      t.write(head);
      this.#state = STATE_SENDING;
      void this.#pump(req, req.stream);
    } else {
      conn.send(END_OF_MESSAGE);
      t.write(head);
      this.#state = STATE_RECEIVING_HEADERS;
    }
  }

  /**
   * An empty buffer to write a request into: the one written last once its
   * transport holds none of its bytes (see `Transport.sentBytes`), else a new one.
   */
  #requestBuffer(): OutputBuffer {
    const out = this.#requestOut;
    const owner = this.#requestOutOwner;
    if (
      out !== null &&
      (owner!.closed || owner!.sentBytes >= this.#requestOutMark || owner!.bufferedAmount === 0)
    ) {
      this.#requestOut = null;
      out.length = 0;
      return out;
    }
    return new OutputBuffer(REQUEST_BUFFER_KEPT);
  }

  #sendBody(): void {
    this.#awaiting100 = false;
    this.#continueDeadline.clear();
    const req = this.#req;
    const conn = this.#conn;
    const t = this.#transport;
    if (req === null || conn === null || t === null) return;
    if (req.stream !== null) {
      if (this.#state === STATE_WAITING_100_CONTINUE) this.#state = STATE_SENDING;
      void this.#pump(req, req.stream);
      return;
    }
    const pieces = conn.sendWithDataPassthrough(new Data(req.body ?? EMPTY))!;
    for (const p of pieces) t.write(p);
    const end = conn.send(END_OF_MESSAGE)!;
    if (end.length > 0) t.write(end);
    if (this.#state === STATE_WAITING_100_CONTINUE) this.#state = STATE_RECEIVING_HEADERS;
  }

  async #pump(req: Pending, source: AsyncIterable<Uint8Array | string>): Promise<void> {
    const conn = this.#conn!;
    const t = this.#transport!;
    const current = () => this.#req === req && this.#conn === conn && conn.ourState !== DONE;
    try {
      for await (const chunk of source) {
        if (!current()) return;
        const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
        if (!(bytes instanceof Uint8Array)) {
          throw new HttpClientError("Request body stream must yield Uint8Array or string chunks");
        }
        if (bytes.length === 0) continue;
        let ok = true;
        for (const p of conn.sendWithDataPassthrough(new Data(bytes))!) ok = t.write(p);
        if (!ok) {
          await new Promise<void>((resolve) => this.#drainWaiter = resolve);
          if (!current()) return;
        }
      }
      if (!current()) return;
      const end = conn.send(END_OF_MESSAGE)!;
      t.write(end);
      if (this.#state === STATE_SENDING) this.#state = STATE_RECEIVING_HEADERS;
    } catch (e) {
      if (this.#req !== req) return;
      this.#fail(
        e instanceof HttpClientError
          ? e
          : e instanceof LocalProtocolError
          ? new HttpClientError(e.message, { cause: e })
          : new HttpClientError("Request body stream failed", { cause: e }),
      );
    }
  }

  /**
   * `req`'s request with an Authorization and a Cookie field added (each when not
   * `null`), before a Content-Length that comes last: the one made last time when
   * the request and the values are the same, so that a client sending the same
   * request again with the same credentials and cookies has it checked and encoded
   * once; made from it when only the body's length changed.
   */
  #withExtras(req: Pending, authorization: string | null, cookie: string | null): Request {
    const base = req.request;
    const last = this.#lastWithExtras;
    const lengthLast = lastFieldName(base) === "content-length";
    let request: Request | null = null;
    if (last !== null && last.authorization === authorization && last.cookie === cookie) {
      if (last.base === base) return last.request;
      if (lengthLast && differsInLastValue(base, last.base)) {
        const values = base.headers.values;
        request = withLastValue(last.request, values[values.length - 1]!);
      }
    }
    if (request === null) {
      const headers = [...base.headers];
      const at = lengthLast ? headers.length - 1 : headers.length;
      if (cookie !== null) headers.splice(at, 0, ["cookie", cookie]);
      if (authorization !== null) headers.splice(at, 0, ["authorization", authorization]);
      request = new Request({ method: req.method, target: req.target, headers });
    }
    this.#lastWithExtras = { base, authorization, cookie, request };
    return request;
  }

  #authorization(req: Pending): string | null {
    const auth = req.auth!;
    if (this.#digest !== null) {
      try {
        return this.#digest.authorize(
          auth,
          req.method,
          req.target,
          req.body ?? EMPTY,
          req.stream === null,
        );
      } catch {
        return null;
      }
    }
    const last = this.#lastBasic;
    if (last !== null && last.user === auth[0] && last.password === auth[1]) return last.value;
    const value = basicAuthorization(auth);
    this.#lastBasic = { user: auth[0], password: auth[1], value };
    return value;
  }

  // --------------------------------------------------------------- receiving

  /** Bytes from the transport; `lent` ones are valid during this call only. */
  #onReceive(bytes: Uint8Array, lent: boolean): void {
    const req = this.#req;
    const conn = this.#conn!;
    if (req === null) {
      // Bytes on an idle connection: nothing can be trusted on it any more.
      this.#dropConnection();
      return;
    }
    req.responseStarted = true;
    try {
      conn.receiveData(bytes);
    } catch {
      return;
    }
    if (lent) {
      // Body bytes kept are copied (#keep); so is what the connection still holds.
      this.#lent = true;
      try {
        this.#process();
      } finally {
        this.#lent = false;
        conn.keepBufferedData();
      }
    } else {
      this.#process();
    }
    const body = this.#body;
    const t = this.#transport;
    if (
      body !== null && this.#conn === conn && this.#bodyLength < body.length && t !== null &&
      t.readInto !== undefined
    ) {
      // Read the rest of the body straight into place (transports that can).
      t.readInto(body.subarray(this.#bodyLength));
      this.#inPlace = true;
    }
  }

  #onEof(error: Error | null): void {
    const req = this.#req;
    const conn = this.#conn;
    if (req === null || conn === null) {
      this.#connDead = true;
      if (req === null) this.#dropConnection();
      return;
    }
    if (this.#connDead) return;
    this.#connDead = true;
    conn.receiveData(EMPTY);
    this.#process();
    if (this.#req !== req || this.#conn !== conn) return;
    // Still waiting: the connection is gone before the response was complete.
    if (this.#response === null) this.#lost(req, error);
    else {
      this.#fail(
        new HttpConnectionError(
          `Connection to "${this.host}" port ${this.port} closed inside the response`,
          { cause: error ?? undefined },
        ),
      );
    }
  }

  /** The connection ended before any response: retry once when the rules allow. */
  #lost(req: Pending, error: Error | null): void {
    if (
      !req.responseStarted && req.onReused && !req.retriedStale &&
      (req.idempotent || !req.written) && req.stream === null
    ) {
      req.retriedStale = true;
      this.#dropConnection();
      this.#start();
      return;
    }
    const how = error ? `reset (${error.message})` : "closed";
    this.#fail(
      new HttpConnectionError(
        `Connection to "${this.host}" port ${this.port} ${how} before the response`,
        { cause: error ?? undefined },
      ),
    );
  }

  #process(): void {
    const conn = this.#conn!;
    const req = this.#req!;
    while (true) {
      if (this.#mode === "pending") return;
      let ev;
      try {
        ev = conn.nextEvent();
      } catch (e) {
        if (e instanceof RemoteProtocolError) {
          this.#fail(new HttpResponseError(e.message, { cause: e }));
        } else {
          this.#fail(new HttpResponseError("Invalid response", { cause: e }));
        }
        return;
      }
      if (ev === NEED_DATA || ev === PAUSED) {
        if (this.#mode === "probe") this.#headersEvent();
        return;
      }
      if (ev instanceof Response) {
        this.#onHead(ev);
        if (this.#req !== req || this.#conn !== conn) return;
        // A body that arrived whole ends the response here, without two more events.
        // Within the limit (a larger one failed in #onHead or must wait for the
        // application's choice), #onData cannot stop it halfway.
        const whole = conn.takeWholeBody(this.#maxResponseLength);
        if (whole !== null) {
          if (this.#onData(whole)) this.#onMessageEnd(NO_TRAILERS);
          return;
        }
      } else if (ev instanceof Data) {
        if (!this.#onData(ev.data)) return;
      } else if (ev instanceof EndOfMessage) {
        this.#onMessageEnd(ev.trailers);
        return;
      } else if (ev instanceof InformationalResponse) {
        if (ev.status === 100 && this.#awaiting100) this.#sendBody();
      } else if (ev instanceof ConnectionClosed) {
        this.#lost(req, null);
        return;
      }
      if (this.#req !== req || this.#conn !== conn) return;
    }
  }

  #onHead(ev: Response): void {
    const req = this.#req!;
    if (this.#awaiting100) {
      // A final answer to Expect: 100-continue: the body is never sent.
      this.#awaiting100 = false;
      this.#continueDeadline.clear();
    }
    this.#state = STATE_RECEIVING_BODY;
    const res = new HttpResponse(ev.status, ev.reason, ev.headers, req.url, ev.httpVersion);
    res.request = req.sent;
    this.#response = res;
    if (ev.headers.lowerNames.includes("set-cookie")) {
      this.cookies.store(ev.headers.getAll("set-cookie"), this.host, req.target, this.secure);
    }
    if (ev.status === 401 && this.#wantsDigestRetry(req, ev.headers)) {
      this.#retryDigest = true;
      this.#mode = "discard";
      return;
    }
    if (req.eventMode) {
      this.#mode = "probe";
      return;
    }
    // The body's length as the framing reads it: a response to HEAD, a 204 or a
    // 304 has none, whatever length its fields announce.
    const cl = this.#conn!.theirBodyLength;
    if (cl !== null && cl > this.#maxResponseLength) {
      this.#fail(
        new HttpResponseError(
          `Response body of ${cl} bytes is larger than maxResponseLength (${this.#maxResponseLength})`,
        ),
      );
    } else if (
      cl !== null && cl >= PREALLOCATE_MIN && this.#mode === "buffer" &&
      this.#transport?.readInto !== undefined
    ) {
      // A large body of known length: one buffer, filled in place as bytes arrive
      // (read straight into it where the transport can) instead of a chunk list
      // joined at the end. Where it cannot be had, the chunk list is used.
      try {
        this.#body = new Uint8Array(cl);
      } catch {
        this.#body = null;
      }
    }
  }

  #wantsDigestRetry(req: Pending, headers: Fields): boolean {
    if (req.auth === null || req.hasAuthHeader || req.stream !== null) return false;
    const values = headers.getAll("www-authenticate");
    if (values.length === 0) return false;
    const challenges = parseChallenges(values.join(", ")).filter((c) =>
      c.scheme === "digest" && c.params.nonce !== undefined &&
      digestAlgorithmSupported(c.params.algorithm)
    );
    if (challenges.length === 0) return false;
    const rank = (a: string | undefined) => {
      const u = (a ?? "MD5").toUpperCase();
      return u.startsWith("SHA-512-256") ? 0 : u.startsWith("SHA-256") ? 1 : 2;
    };
    challenges.sort((a, b) => rank(a.params.algorithm) - rank(b.params.algorithm));
    const params = challenges[0]!.params;
    const stale = (params.stale ?? "").toLowerCase() === "true";
    if (!req.digestTried) {
      req.digestTried = true;
    } else if (stale && !req.staleTried) {
      req.staleTried = true;
    } else {
      return false;
    }
    if (this.#digest === null) this.#digest = new DigestSession(params);
    else this.#digest.update(params);
    return true;
  }

  /** Emits EVENT_HEADERS after a probe found the body incomplete. */
  #headersEvent(): void {
    this.#mode = "pending";
    this.#pause();
    const res = this.#response!;
    res._openBody = () => this.#openReadable();
    this.#pushEvent(res, EVENT_HEADERS);
  }

  #pushEvent(res: HttpResponse, ev: ClientEvent): void {
    this.#eventResponse = res;
    const q = this.#events;
    if (ev === EVENT_DATA && q[q.length - 1] === EVENT_DATA) return;
    q.push(ev);
    this.#signal.notify();
  }

  /** Handles body bytes; `false` stops processing (request failed). */
  #onData(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (n === 0) return true;
    const req = this.#req!;
    if (req.eventMode && this.#mode !== "probe" && this.#mode !== "discard") {
      this.#deadline.setCoarse(req.timeout);
    }
    switch (this.#mode) {
      case "discard":
        return true;
      case "buffer":
      case "probe": {
        const body = this.#body;
        if (body !== null && this.#bodyLength + n <= body.length) {
          const at = this.#bodyLength;
          // Bytes read straight into place (readInto) are there already.
          if (
            !this.#inPlace || bytes.byteOffset !== body.byteOffset + at ||
            bytes.buffer !== body.buffer
          ) {
            body.set(bytes, at);
          }
          this.#bodyLength = at + n;
          return true;
        }
        this.#chunks.push(this.#keep(bytes));
        this.#bodyLength += n;
        if (this.#bodyLength > this.#maxResponseLength) {
          if (this.#mode === "probe") {
            this.#headersEvent();
            return false;
          }
          this.#fail(
            new HttpResponseError(
              `Response body is larger than maxResponseLength (${this.#maxResponseLength})`,
            ),
          );
          return false;
        }
        return true;
      }
      case "pending":
        this.#chunks.push(this.#keep(bytes));
        this.#bodyLength += n;
        return true;
      case "stream":
        this.#chunks.push(this.#keep(bytes));
        this.#bodyLength += n;
        this.#pushEvent(this.#response!, EVENT_DATA);
        return true;
      case "file": {
        this.#bodyLength += n;
        if (this.#bodyLength > this.#fileMax) {
          this.#fail(new HttpResponseError(`Response body is larger than ${this.#fileMax} bytes`));
          return false;
        }
        try {
          this.#file!.writeAll(bytes);
        } catch (e) {
          this.#fail(new HttpClientError("Cannot write the response body file", { cause: e }));
          return false;
        }
        return true;
      }
      case "ndjson": {
        const text = this.#ndjsonTail + this.#ndjsonDecoder!.decode(bytes, { stream: true });
        const lines = text.split("\n");
        this.#ndjsonTail = lines.pop()!;
        if (!this.#parseRecords(lines)) return false;
        if (this.#ndjsonTail.length > this.#maxResponseLength) {
          this.#fail(new HttpResponseError("NDJSON record is larger than maxResponseLength"));
          return false;
        }
        return true;
      }
      case "readable": {
        const c = this.#controller;
        if (c !== null) {
          c.enqueue(this.#lent ? bytes.slice() : bytes);
          if ((c.desiredSize ?? 1) <= 0) this.#pause();
        }
        return true;
      }
    }
  }

  /** `bytes` itself, or a copy while they are lent (see `#onReceive`). */
  #keep(bytes: Uint8Array): Uint8Array {
    return this.#lent ? copyBytes(bytes) : bytes;
  }

  #parseRecords(lines: string[]): boolean {
    let added = false;
    for (const line of lines) {
      const l = line.trim();
      if (l === "") continue;
      try {
        this.#records.push(JSON.parse(l));
        added = true;
      } catch (e) {
        this.#fail(new HttpResponseError("Invalid NDJSON record", { cause: e }));
        return false;
      }
    }
    if (added) this.#pushEvent(this.#response!, EVENT_DATA);
    return true;
  }

  #onMessageEnd(trailers: Fields): void {
    const req = this.#req!;
    const conn = this.#conn!;
    const res = this.#response!;
    const mode = this.#mode;
    // Keep the connection when both sides finished cleanly; else close it.
    if (conn.ourState === DONE && conn.theirState === DONE) {
      conn.startNextCycle();
      this.#connReused = true;
      // A body read through `res.body` may have paused reading with its last bytes.
      this.#unpause();
    } else {
      this.#dropConnection();
    }
    if (this.#retryDigest) {
      this.#retryDigest = false;
      this.#start();
      return;
    }
    if (mode === "ndjson") {
      const tail = this.#ndjsonTail + this.#ndjsonDecoder!.decode();
      this.#ndjsonTail = "";
      if (!this.#parseRecords([tail])) return;
    }
    if (mode === "file") {
      this.#file!.close();
      this.#file = null;
    }
    if (mode === "buffer" || mode === "probe") {
      const body = this.#body;
      this.#releaseBody();
      let data: Uint8Array;
      if (body !== null && this.#chunks.length === 0) {
        data = this.#bodyLength === body.length ? body : body.subarray(0, this.#bodyLength);
      } else {
        // With a preallocated body, chunks mean more bytes than announced (which
        // Content-Length framing does not let through); every byte is kept anyway.
        const chunks = this.#chunks;
        if (body !== null) chunks.unshift(body);
        data = concatBytes(chunks, this.#bodyLength);
        // The array itself is not handed out: one piece is emptied out for reuse.
        if (chunks.length === 1) chunks.pop();
        else if (chunks.length > 1) this.#chunks = [];
      }
      res._complete(data, trailers);
      this.#bodyLength = 0;
    } else {
      res._complete(EMPTY, trailers);
    }
    if (mode === "readable") {
      this.#controller?.close();
      this.#controller = null;
    }
    this.#endRequest(req, this.#conn !== null);
    this.#state = STATE_COMPLETE;
    if (req.eventMode) {
      this.#pushEvent(res, mode === "probe" ? EVENT_RESPONSE : EVENT_COMPLETE);
    } else {
      this.#result = res;
      this.#wake();
    }
  }

  /**
   * Ends the request in flight. `keepDeadline` leaves the request deadline armed
   * while the connection stays open for the next request (it then fires into an
   * idle client and does nothing): saves a timer clear and set per exchange.
   * Dropping the connection or closing the client clears it.
   */
  #endRequest(req: Pending, keepDeadline = false): void {
    if (!keepDeadline) this.#deadline.clear();
    this.#continueDeadline.clear();
    this.#awaiting100 = false;
    if (req.signal !== null && req.onAbort !== null) {
      req.signal.removeEventListener("abort", req.onAbort);
    }
    if (this.#req === req) this.#req = null;
  }

  #abortBody(error: HttpClientError): void {
    this.#file?.close();
    this.#file = null;
    const c = this.#controller;
    this.#controller = null;
    if (c !== null) {
      try {
        c.error(error);
      } catch { /* already closed */ }
    }
    this.#chunks = [];
    this.#bodyLength = 0;
    this.#releaseBody();
  }

  /** Forgets the preallocated body; the transport reads into its own buffers again. */
  #releaseBody(): void {
    this.#body = null;
    if (this.#inPlace) {
      this.#inPlace = false;
      this.#transport?.readInto?.(null);
    }
  }

  #fail(error: HttpClientError): void {
    const req = this.#req;
    if (req !== null) this.#endRequest(req);
    this.#abortBody(error);
    this.#dropConnection();
    this.#state = STATE_IDLE;
    const res = this.#response;
    if (req !== null && req.eventMode && res !== null) {
      this.error = error;
      this.#mode = "buffer";
      this.#pushEvent(res, EVENT_ERROR);
    } else {
      this.#error = error;
      this.#wake();
    }
  }

  #onDeadline(): void {
    const req = this.#req;
    if (req === null) {
      // The deadline left armed after the last request passed (its checks may not
      // have found the client quiet when the event loop was held up that long).
      this.#conn?.forgetHeadLines();
      return;
    }
    this.#fail(new HttpTimeoutError(`Request timed out after ${req.timeout} ms`));
  }
}
