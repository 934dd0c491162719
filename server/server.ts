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
import { queueTask } from "../core/microtask.ts";
import { formatHttpDate } from "../core/http_date.ts";
import { type HttpServerOptions, type ResolvedOptions, resolveOptions } from "./options.ts";

const ITERATION_DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

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
  /** Every accepted transport not yet fully closed (evicted and refused ones too). */
  readonly #live = new Set<Transport>();
  readonly #core: ServerCore;
  /** The `Date` of responses made in this second; a timer forgets it (see `#date`). */
  #secondDate: string | null = null;
  #secondTimer: ReturnType<typeof setTimeout> | undefined;
  /** Channels with corked responses (see `#scheduleFlush`). */
  #dirty: Channel[] = [];
  #flushQueued = false;
  /** Connections handed out by `processEvents()`; `#flushMark` is its value when last looked at. */
  #handedOut = 0;
  #flushMark = 0;
  /** Resolve the `next()` of `for await` loops waiting for a connection, first come first. */
  readonly #waiters: ((result: IteratorResult<HttpConnection>) => void)[] = [];

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
    this.#core = {
      opts,
      isSecure: opts.tls !== undefined,
      shuttingDown: false,
      enqueue: (st) => this.#enqueue(st),
      channelClosed: (ch) => this.#channelClosed(ch),
      scheduleFlush: (ch) => this.#scheduleFlush(ch),
      date: () => this.#date(),
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
      this.#handedOut++;
      return st.conn;
    }
    // Nothing left to answer in this turn: send what was answered.
    if (this.#dirty.length > 0) this.#flushAll();
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
  [Symbol.asyncIterator](): AsyncIterableIterator<HttpConnection> {
    // A plain iterator rather than an async generator: a connection that is ready
    // costs one resolved promise; a loop waiting for one is handed the next
    // connection as it is queued (see `#enqueue`), without a round through
    // `whenReady()`.
    const it: AsyncIterableIterator<HttpConnection> = {
      next: (): Promise<IteratorResult<HttpConnection>> => {
        if (this.#closed) return Promise.resolve(ITERATION_DONE);
        const conn = this.processEvents();
        if (conn !== null) return Promise.resolve({ value: conn, done: false });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: (): Promise<IteratorResult<HttpConnection>> => Promise.resolve(ITERATION_DONE),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
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
    this.#core.shuttingDown = true;
    this.#stop();
    for (const ch of this.#channels) if (ch.idle) ch.close();
    return this.#finished();
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#secondTimer);
    this.#secondDate = null;
    this.#listener.close();
    this.#signal.notify();
    const waiters = this.#waiters.splice(0);
    for (const resolve of waiters) resolve(ITERATION_DONE);
  }

  async #finished(): Promise<void> {
    await this.#listener.finished;
    while (this.#live.size > 0) {
      await Promise.all([...this.#live].map((t) => t.finished));
    }
  }

  /** Forgets a transport that never became a channel once it is closed. */
  #forgetWhenClosed(t: Transport): void {
    t.finished.then(() => this.#live.delete(t));
  }

  #accept(t: Transport): void {
    this.#live.add(t);
    if (this.#closed) {
      this.#forgetWhenClosed(t);
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
        this.#forgetWhenClosed(t);
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
    // Called as the transport finishes closing (with `finished` resolving).
    this.#channels.delete(ch);
    this.#live.delete(ch.transport);
  }

  /**
   * Responses to pipelined requests (the channel still holds more of the peer's
   * bytes; see `Channel.corked`) are corked per connection and flushed together: when
   * `processEvents()` finds nothing more to hand out, or in a microtask. The
   * microtask waits while the application keeps taking connections (a loop that
   * answers pipelined or queued requests one by one), so their answers leave in
   * one write per connection; it flushes as soon as a turn of the microtask
   * queue passes without that (an answer made outside the loop, or a loop that
   * awaits something else).
   */
  #scheduleFlush(ch: Channel): void {
    this.#dirty.push(ch);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      this.#flushMark = this.#handedOut;
      queueTask(this.#flushTask);
    }
  }

  readonly #flushTask = (): void => {
    if (this.#dirty.length === 0) {
      this.#flushQueued = false;
      return;
    }
    if (this.#handedOut !== this.#flushMark) {
      this.#flushMark = this.#handedOut;
      queueTask(this.#flushTask);
      return;
    }
    this.#flushQueued = false;
    this.#flushAll();
  };

  /**
   * The `Date` of a response made now. The clock is read once per second: a timer
   * forgets the date when its second ends (late only by as much as the event loop
   * is busy). A closed server, still answering while it shuts down, keeps no timer.
   */
  #date(): string {
    return this.#secondDate ?? this.#readDate();
  }

  #readDate(): string {
    const now = Date.now();
    const date = formatHttpDate(new Date(now));
    if (!this.#closed) {
      this.#secondDate = date;
      // A few ms early: `Date.now()` is truncated and timers round up, so a timer
      // for the exact end could fire just after it. Early costs a second read.
      this.#secondTimer = setTimeout(this.#forgetDate, Math.max(1, 997 - now % 1000));
    }
    return date;
  }

  readonly #forgetDate = (): void => {
    this.#secondDate = null;
  };

  #flushAll(): void {
    const dirty = this.#dirty;
    for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
    dirty.length = 0;
  }

  #enqueue(st: RequestState): void {
    if (this.#closed && !this.#core.shuttingDown) return;
    this.#queue.push(st);
    if (this.#waiters.length > 0) {
      const conn = this.processEvents();
      if (conn !== null) {
        this.#waiters.shift()!({ value: conn, done: false });
        return;
      }
    }
    this.#signal.notify();
  }
}
