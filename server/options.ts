/**
 * Options of {@linkcode HttpServer} and their defaults.
 *
 * @module
 */
import type { ServerTlsOptions } from "../core/net/types.ts";

/**
 * Options of `new HttpServer(options)`. Times in milliseconds, sizes in bytes.
 *
 * @example A server with tighter limits
 * ```ts
 * import type { HttpServerOptions } from "@uhttp/core/server";
 * const options: HttpServerOptions = {
 *   address: "127.0.0.1",
 *   port: 0,
 *   maxContentLength: 64 * 1024,
 *   requestTimeout: 2_000,
 * };
 * ```
 */
export interface HttpServerOptions {
  /** Address to listen on; `"::"` is dual-stack, `"::1"` IPv6 only. @default "0.0.0.0" */
  address?: string;
  /** Port; 0 picks a free one (read it back from `server.port`). @default 80 */
  port?: number;
  /** Serve HTTPS with this certificate chain and key (PEM text). */
  tls?: ServerTlsOptions;
  /** Deliver requests as events (streamed uploads). @default false */
  eventMode?: boolean;
  /**
   * Open connections at most. When full, the oldest idle connection is closed to
   * make room; when none is idle, the new connection gets 503.
   * @default 1024
   */
  maxWaitingClients?: number;
  /** Largest request head (request line and header fields); bigger gets 431. @default 8192 */
  maxHeadersLength?: number;
  /**
   * Largest buffered request body; bigger gets 413 (before `100 Continue` when the
   * length is declared). In event mode streamed and to-file bodies use
   * `maxUploadLength` instead.
   * @default 524288
   */
  maxContentLength?: number;
  /** Largest streamed or to-file body in event mode; bigger gets 413. @default 1073741824 */
  maxUploadLength?: number;
  /**
   * Idle time allowed between requests on a kept-alive connection. It is checked 8
   * times per timeout, so an idle connection closes up to about 1/8 of it later.
   * @default 15000
   */
  keepAliveTimeout?: number;
  /** Requests served on one connection; the last says `connection: close`. @default 100 */
  keepAliveMaxRequests?: number;
  /** Time allowed for a request head to arrive (slowloris guard); then 408. @default 5000 */
  requestTimeout?: number;
  /** Longest gap between two pieces of a request body; then 408. @default 30000 */
  bodyTimeout?: number;
  /**
   * Bytes a streamed response may have waiting for a slow reader before the
   * connection is dropped. A single `respond()` is always delivered whole.
   * @default 65536
   */
  maxSendBufferSize?: number;
  /** Piece size used to stream files. @default 16384 */
  fileChunkSize?: number;
  /**
   * Peers (IP addresses) whose `X-Forwarded-For` is believed: `remoteAddr` is then
   * the first address of that header.
   * @default []
   */
  trustedProxies?: string[];
  /** Let several processes listen on the same port (Linux). @default false */
  reusePort?: boolean;
  /** Extra request methods to accept besides the standard ones (others get 501). @default [] */
  methods?: string[];
}

/** Options with every default applied. */
export interface ResolvedOptions {
  address: string;
  port: number;
  tls: ServerTlsOptions | undefined;
  eventMode: boolean;
  maxWaitingClients: number;
  maxHeadersLength: number;
  maxContentLength: number;
  maxUploadLength: number;
  keepAliveTimeout: number;
  keepAliveMaxRequests: number;
  requestTimeout: number;
  bodyTimeout: number;
  maxSendBufferSize: number;
  fileChunkSize: number;
  trustedProxies: string[];
  reusePort: boolean;
  methods: string[];
}

/** Applies the defaults. */
export function resolveOptions(o: HttpServerOptions): ResolvedOptions {
  return {
    address: o.address ?? "0.0.0.0",
    port: o.port ?? 80,
    tls: o.tls,
    eventMode: o.eventMode ?? false,
    maxWaitingClients: o.maxWaitingClients ?? 1024,
    maxHeadersLength: o.maxHeadersLength ?? 8 * 1024,
    maxContentLength: o.maxContentLength ?? 512 * 1024,
    maxUploadLength: o.maxUploadLength ?? 1024 * 1024 * 1024,
    keepAliveTimeout: o.keepAliveTimeout ?? 15_000,
    keepAliveMaxRequests: o.keepAliveMaxRequests ?? 100,
    requestTimeout: o.requestTimeout ?? 5_000,
    bodyTimeout: o.bodyTimeout ?? 30_000,
    maxSendBufferSize: o.maxSendBufferSize ?? 64 * 1024,
    fileChunkSize: o.fileChunkSize ?? 16 * 1024,
    trustedProxies: o.trustedProxies ?? [],
    reusePort: o.reusePort ?? false,
    methods: o.methods ?? [],
  };
}
