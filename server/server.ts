/**
 * `HttpServer`: listens, accepts, and hands finished requests to the application's
 * readiness loop.
 *
 * @module
 */
import { listen, type Pollable, ReadySignal, select } from "../core/net/mod.ts";
import type { Address, Listener, Transport } from "../core/net/types.ts";
import { Channel, errorResponseBytes, type RequestState, type ServerCore } from "./channel.ts";
import type { HttpConnection } from "./connection.ts";
import { type HttpServerOptions, type ResolvedOptions, resolveOptions } from "./options.ts";

/**
 * An HTTP/1.1 server driven by the application's loop: `processEvents()` returns the
 * next request that is ready, `wait()` waits for one, `for await` iterates them. It is
 * {@linkcode Pollable}, so it can share one `select()` with clients and other servers.
 *
 * @example Hello world with routing
 * ```ts
 * import { HttpServer } from "@uhttp/core/server";
 * const server = new HttpServer({ address: "127.0.0.1", port: 0 });
 * console.log(`listening on http://127.0.0.1:${server.port}/`);
 * const conn = await server.wait(10); // one turn of the loop, for the example
 * if (conn) {
 *   if (conn.path === "/") conn.respond("<h1>hello</h1><p>uHTTP</p>");
 *   else if (conn.path === "/rpc") conn.respond({ message: "hello", query: conn.query });
 *   else conn.respond("Not found", { status: 404 });
 * }
 * await server.close();
 * ```
 *
 * @example Two servers in one loop
 * ```ts
 * import { HttpServer, select } from "@uhttp/core/server";
 * const a = new HttpServer({ address: "127.0.0.1", port: 0 });
 * const b = new HttpServer({ address: "127.0.0.1", port: 0 });
 * await select([a, b], 10);
 * a.processEvents()?.respondRedirect(`http://127.0.0.1:${b.port}/`);
 * b.processEvents()?.respond("hello");
 * await Promise.all([a.close(), b.close()]);
 * ```
 */
export class HttpServer implements Pollable, AsyncIterable<HttpConnection> {
  readonly #opts: ResolvedOptions;
  readonly #listener: Listener;
  readonly #channels = new Set<Channel>();
  readonly #signal = new ReadySignal();
  #queue: RequestState[] = [];
  #head = 0;
  #closed = false;
  #shuttingDown = false;
  /** Every accepted transport not yet fully closed (evicted and refused ones too). */
  readonly #live = new Set<Transport>();
  readonly #core: ServerCore;

  /**
   * Starts listening at once.
   *
   * @param options Address, port, TLS, event mode and limits (see
   * {@linkcode HttpServerOptions} for the defaults).
   * @throws {Error} when the address cannot be bound (in use, not local...).
   */
  constructor(options: HttpServerOptions = {}) {
    const opts = resolveOptions(options);
    this.#opts = opts;
    const shuttingDown = () => this.#shuttingDown;
    this.#core = {
      opts,
      isSecure: opts.tls !== undefined,
      get shuttingDown() {
        return shuttingDown();
      },
      enqueue: (st) => this.#enqueue(st),
      channelClosed: (ch) => this.#channelClosed(ch),
    };
    this.#listener = listen(
      {
        hostname: opts.address,
        port: opts.port,
        ...(opts.reusePort ? { reusePort: true } : {}),
        ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
      },
      (t) => this.#accept(t),
    );
  }

  /** The port listened on (the real one when 0 was asked for). */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** The address listened on. */
  get addr(): Address {
    return this.#listener.addr;
  }

  /** `true` for an HTTPS server. */
  get isSecure(): boolean {
    return this.#opts.tls !== undefined;
  }

  /** `true` when requests come as events (`eventMode: true`). */
  get eventMode(): boolean {
    return this.#opts.eventMode;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#channels.size;
  }

  /** `true` after `close()` or `shutdown()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `true` when {@linkcode HttpServer.processEvents} has a connection to return. */
  get ready(): boolean {
    return this.#head < this.#queue.length;
  }

  /**
   * Resolves when a request may be ready, or the server closed.
   *
   * @returns A promise that never rejects.
   */
  whenReady(): Promise<void> {
    if (this.ready || this.#closed) return Promise.resolve();
    return this.#signal.wait();
  }

  /**
   * The next connection whose request (or, in event mode, whose event) is ready,
   * without waiting.
   *
   * @returns The connection, or `null`.
   */
  processEvents(): HttpConnection | null {
    const q = this.#queue;
    while (this.#head < q.length) {
      const st = q[this.#head]!;
      q[this.#head++] = undefined as unknown as RequestState;
      if (this.#head === q.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > q.length) {
        this.#queue = q.slice(this.#head);
        this.#head = 0;
      }
      const event = st.pendingEvent;
      if (event === null) continue;
      st.pendingEvent = null;
      st.event = event;
      st.delivered = true;
      return st.conn;
    }
    return null;
  }

  /**
   * Waits for the next ready connection.
   *
   * @param timeoutMs How long to wait. @default 1000
   * @returns The connection, or `null` when the time passed or the server closed.
   */
  async wait(timeoutMs = 1000): Promise<HttpConnection | null> {
    const first = this.processEvents();
    if (first !== null || this.#closed) return first;
    const end = performance.now() + timeoutMs;
    for (;;) {
      const left = end - performance.now();
      if (left <= 0) return null;
      await select([this], left);
      const conn = this.processEvents();
      if (conn !== null || this.#closed) return conn;
    }
  }

  /**
   * Iterates requests until the server is closed.
   *
   * @returns An async iterator of connections.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<HttpConnection> {
    while (!this.#closed) {
      const conn = this.processEvents();
      if (conn !== null) {
        yield conn;
        continue;
      }
      await this.whenReady();
    }
  }

  /**
   * Stops listening and closes every connection at once. Idempotent.
   *
   * @returns Resolves when every socket is closed.
   */
  close(): Promise<void> {
    this.#stop();
    for (const ch of this.#channels) ch.abort();
    return this.#finished();
  }

  /**
   * Stops accepting, lets requests in flight be answered (each answer then closes
   * its connection), and closes idle connections. Idempotent.
   *
   * @returns Resolves when every socket is closed.
   */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#stop();
    for (const ch of this.#channels) if (ch.idle) ch.close();
    return this.#finished();
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    this.#signal.notify();
  }

  async #finished(): Promise<void> {
    await this.#listener.finished;
    while (this.#live.size > 0) {
      await Promise.all([...this.#live].map((t) => t.finished));
    }
  }

  #accept(t: Transport): void {
    this.#live.add(t);
    t.finished.then(() => this.#live.delete(t));
    if (this.#closed) {
      t.abort();
      return;
    }
    const max = this.#opts.maxWaitingClients;
    if (this.#channels.size >= max) {
      let oldest: Channel | null = null;
      for (const ch of this.#channels) {
        if (ch.idle && !ch.closed && (oldest === null || ch.idleSince < oldest.idleSince)) {
          oldest = ch;
        }
      }
      if (oldest === null) {
        t.setHandlers({});
        t.write(errorResponseBytes(503));
        t.close();
        return;
      }
      // Make room: the evicted socket no longer counts.
      this.#channels.delete(oldest);
      oldest.abort();
    }
    this.#channels.add(new Channel(this.#core, t));
  }

  #channelClosed(ch: Channel): void {
    this.#channels.delete(ch);
  }

  #enqueue(st: RequestState): void {
    if (this.#closed && !this.#shuttingDown) return;
    this.#queue.push(st);
    this.#signal.notify();
  }
}
