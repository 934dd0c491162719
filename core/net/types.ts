/**
 * The small socket abstraction the server and client are written against. A
 * backend per runtime (Deno, Bun) implements it with the runtime's native API.
 *
 * @module
 */

/**
 * A socket address.
 *
 * @example
 * ```ts
 * import type { Address } from "@uhttp/core/server";
 * const a: Address = { hostname: "127.0.0.1", port: 8080, family: "IPv4" };
 * ```
 */
export interface Address {
  /** IP address as text, IPv4-mapped IPv6 addresses reported as plain IPv4. */
  hostname: string;
  /** Port number. */
  port: number;
  /** Address family. */
  family: "IPv4" | "IPv6";
}

/**
 * What a transport tells its owner. Every callback is optional; set them with
 * {@linkcode Transport.setHandlers} before the first turn of the event loop.
 *
 * @example
 * ```ts
 * import type { TransportHandlers } from "@uhttp/core/server";
 * const handlers: TransportHandlers = {
 *   onData(bytes) { console.log(bytes.length); },
 *   onClose(error) { if (error) console.error(error.message); },
 * };
 * ```
 */
export interface TransportHandlers {
  /**
   * Bytes arrived. The array belongs to the receiver from now on, unless `lent`
   * is `true` (see {@linkcode TransportHandlers.lend}): then it is valid only
   * during the call, and the receiver copies whatever it keeps.
   */
  onData?(bytes: Uint8Array, lent?: boolean): void;
  /**
   * The receiver accepts lent arrays in `onData`, so a backend may read into one
   * buffer again and again instead of allocating per read (Deno). Each lent call
   * says so with its `lent` argument. @default false
   */
  lend?: boolean;
  /** The peer finished sending (EOF). Writing may still be possible. */
  onEnd?(): void;
  /**
   * Everything written so far has been handed to the kernel. Called once after a
   * {@linkcode Transport.write} returned `false`, when the buffer is empty again.
   */
  onDrain?(): void;
  /** The socket is closed (by either side). `error` is set for resets/failures. */
  onClose?(error?: Error): void;
}

/**
 * One connected byte stream (TCP or TLS).
 *
 * @example
 * ```ts
 * import type { Transport } from "@uhttp/core/server";
 * function greet(t: Transport) {
 *   t.setHandlers({ onData: () => t.write(new TextEncoder().encode("hi\n")) });
 * }
 * ```
 */
export interface Transport {
  /** Our end of the connection. */
  readonly localAddr: Address;
  /** The peer's end of the connection. */
  readonly remoteAddr: Address;
  /** `true` for TLS. */
  readonly isSecure: boolean;
  /** `true` once the socket is closed; every later write is dropped. */
  readonly closed: boolean;
  /** Bytes accepted by {@linkcode Transport.write} but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /**
   * Bytes handed to the kernel since the transport opened. Right after a write,
   * `sentBytes + bufferedAmount` is its end mark M: once `sentBytes` reaches M
   * (or nothing is buffered any more), the transport holds none of the written
   * arrays, which may then be reused.
   */
  readonly sentBytes: number;
  /** Sets the callbacks; replaces all earlier ones. */
  setHandlers(handlers: TransportHandlers): void;
  /**
   * Queues bytes for sending, in order: `data[0, length)`, all of it by default. The
   * caller must not modify them afterwards. (A length saves the caller a view of a
   * partly filled array, which on Bun costs more than the write's own work.)
   * @returns `true` when the bytes already went to the kernel; `false` when some are
   * buffered (wait for `onDrain` before writing much more). Never throws; writes to a
   * closed transport return `false`.
   */
  write(data: Uint8Array, length?: number): boolean;
  /** Stops delivering `onData` until {@linkcode Transport.resume}. */
  pause(): void;
  /** Restarts delivering `onData`. */
  resume(): void;
  /**
   * Optional (Deno backend): the reads after the one in flight go straight into
   * `target`, and each is delivered to `onData` as a view of it (its start first);
   * `target` moves past the bytes read and is dropped once full. `null` goes back
   * to the transport's own buffers. For a body of known length: no copy, and reads
   * as large as what is left. The caller must not hand out `target` before the bytes
   * are delivered.
   */
  readInto?(target: Uint8Array | null): void;
  /** Sends everything buffered, then closes the write side and the socket. */
  close(): void;
  /** Closes at once, dropping buffered bytes (a reset where the runtime allows it). */
  abort(): void;
  /**
   * Resolves once the socket is fully closed: the runtime resource is released,
   * the read pump has ended and `onClose` has been called. Never rejects. Await it
   * to be sure nothing of this transport is still pending (tests, shutdown).
   */
  readonly finished: Promise<void>;
}

/**
 * TLS material for a server: PEM text.
 *
 * @example
 * ```ts
 * import type { ServerTlsOptions } from "@uhttp/core/server";
 * const tls: ServerTlsOptions = { cert: "-----BEGIN CERTIFICATE-----...", key: "-----BEGIN PRIVATE KEY-----..." };
 * ```
 */
export interface ServerTlsOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
}

/**
 * Options of {@linkcode listen}.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "@uhttp/core/server";
 * const opts: ListenOptions = { hostname: "::", port: 0 };
 * ```
 */
export interface ListenOptions {
  /** Address to bind. `"::"` is dual-stack. */
  hostname: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Let several processes share the port (Linux). @default false */
  reusePort?: boolean;
  /** Serve TLS with this certificate and key. */
  tls?: ServerTlsOptions;
}

/**
 * A listening socket.
 *
 * @example
 * ```ts
 * import type { Listener } from "@uhttp/core/server";
 * function describe(l: Listener) { return `${l.addr.hostname}:${l.addr.port}`; }
 * ```
 */
export interface Listener {
  /** The bound address (with the real port when 0 was asked for). */
  readonly addr: Address;
  /** `true` when accepted connections are TLS. */
  readonly isSecure: boolean;
  /** Stops accepting. Connections already accepted stay open. Idempotent. */
  close(): void;
  /**
   * Resolves once the listener is closed and its accept loop has ended. Never
   * rejects.
   */
  readonly finished: Promise<void>;
}

/**
 * TLS options of a client connection.
 *
 * @example
 * ```ts
 * import type { ClientTlsOptions } from "@uhttp/core/client";
 * const tls: ClientTlsOptions = { serverName: "localhost", insecure: false };
 * ```
 */
export interface ClientTlsOptions {
  /** Extra trusted CA certificates, PEM. */
  caCerts?: string[];
  /** Name to verify and to send as SNI. @default the connect hostname */
  serverName?: string;
  /** Skip certificate verification. @default false */
  insecure?: boolean;
}

/**
 * Options of {@linkcode connect}.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "@uhttp/core/client";
 * const opts: ConnectOptions = { hostname: "127.0.0.1", port: 8080 };
 * ```
 */
export interface ConnectOptions {
  /** IP address or host name. */
  hostname: string;
  /** Port. */
  port: number;
  /** Connect with TLS. */
  tls?: ClientTlsOptions;
}
