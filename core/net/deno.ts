/**
 * The Deno backend: `Deno.listen`, `Deno.listenTls`, `Deno.connect`,
 * `Deno.connectTls` and `Deno.startTls` behind the {@linkcode Transport}
 * interface.
 *
 * Reads: one read pump per connection (a chain of `conn.read` calls, each
 * continued by one `.then`) with an adaptive read buffer (4 KiB at first, growing to 64 KiB while reads fill it, shrinking to
 * four times the size of small reads, down to 512 bytes), so an idle keep-alive
 * connection holds one small buffer. A read that fills at least half the buffer
 * hands the buffer itself to `onData` (a fresh one is made for the next read); a
 * smaller read is copied out and the buffer reused. Handlers that take lent
 * arrays (`lend`) get a view of the one buffer every time, without a copy.
 *
 * Writes: `conn.write` is asynchronous, so one write is in flight at a time and
 * later writes queue behind it (a write on an idle socket goes straight to
 * `conn.write`, its completion tracked with one `.then`; a short write goes on
 * with the rest); queued small chunks are coalesced into one write
 * of up to 64 KiB. {@linkcode Transport.write} returns `false` once 64 KiB or
 * more are buffered (in flight included); `onDrain` then fires when the buffer
 * is empty again.
 *
 * Close: `close()` flushes, shuts the write side (`closeWrite()`), then keeps
 * reading and discarding until the peer's EOF (at most 2 s) before releasing the
 * socket, so a peer still sending does not get a reset that destroys the answer
 * in flight ("lingering close").
 *
 * `reusePort` needs `--unstable-net` on Deno; without the flag it is ignored
 * (a second listener on the same port then fails with "address in use").
 *
 * Insecure client TLS (no verification) has no per-connection switch in Deno's
 * own API; it goes through `node:tls` (see `node_tls.ts`).
 *
 * @module
 */

import type {
  Address,
  ClientTlsOptions,
  ConnectOptions,
  Listener,
  ListenOptions,
  Transport,
  TransportHandlers,
} from "./types.ts";
import {
  asError,
  bareHostname,
  connectError,
  isIpLiteral,
  tlsError,
  toAddress,
} from "./address.ts";
import { Deadline } from "./deadline.ts";

const MIN_READ = 512;
const FIRST_READ = 4 * 1024;
const MAX_READ = 64 * 1024;
const HIGH_WATER_MARK = 64 * 1024;
const COALESCE_LIMIT = 64 * 1024;
const LINGER_MS = 2_000;

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

const NO_HANDLERS: TransportHandlers = {};

/**
 * The read size after a read of only `n` bytes: four times `n` rounded up to a
 * power of two, at least MIN_READ. An idle keep-alive connection then waits with a
 * buffer the size of its requests, not of the first read.
 */
function smallerRead(n: number): number {
  let size = MIN_READ;
  while (size < 4 * n) size <<= 1;
  return size;
}

function netAddress(addr: Deno.Addr): Address {
  const a = addr as Deno.NetAddr;
  return toAddress(a.hostname ?? "", a.port ?? 0);
}

/** Errors that only say "the resource was closed under a pending op". */
function isCancel(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted;
}

function noDelay(conn: Deno.Conn): void {
  const c = conn as Partial<Deno.TcpConn>;
  if (typeof c.setNoDelay === "function") {
    try {
      c.setNoDelay(true);
    } catch {
      // not a TCP socket (e.g. a TLS stream); nothing to tune
    }
  }
}

/** A {@linkcode Transport} over a `Deno.Conn` (TCP or TLS). */
export class DenoTransport implements Transport {
  #conn: Deno.Conn;
  #secure: boolean;
  #handlers: TransportHandlers = NO_HANDLERS;
  /** The handlers take lent read buffers (`TransportHandlers.lend`). */
  #lend = false;
  #local: Address | null = null;
  #remote: Address | null = null;

  // reading
  #buf: Uint8Array | null = null;
  /** The last lent view of a read, and the array it views (reused for a read of the same size). */
  #lentView: Uint8Array | null = null;
  #lentOf: Uint8Array | null = null;
  /** Where the next reads go instead of `#buf` (see `readInto`). */
  #target: Uint8Array | null = null;
  #readSize = FIRST_READ;
  #reading = false;
  #paused = false;
  #held: Uint8Array[] | null = null;
  #eof = false;
  #endDelivered = false;
  #pumpStopped: PromiseWithResolvers<void> | null = null;
  /** The array the read in flight reads into, and whether it is the `readInto` target. */
  #readingInto: Uint8Array | null = null;
  #readingIntoTarget = false;

  // writing
  #queue: Uint8Array[] = [];
  #queued = 0;
  #inFlight = 0;
  #sentBytes = 0;
  #writing = false;
  /** The bytes of the write in flight (what `conn.write` was given). */
  #chunk: Uint8Array | null = null;
  #needDrain = false;

  // One pair of reactions per transport for every read and write (one op of each
  // kind is in flight at a time), rather than two new closures per op.
  readonly #onRead = (n: number | null): void => this.#afterRead(n);
  readonly #onReadFailed = (e: unknown): void => this.#readFailed(e);
  readonly #onSent = (n: number): void => this.#sent(n);
  readonly #onWriteFailed = (e: unknown): void => this.#writeFailed(e);

  // closing
  #state = OPEN;
  #released = false;
  #detached = false;
  #error: Error | undefined = undefined;
  #done = false;
  #finished: PromiseWithResolvers<void> | null = null;
  #linger: Deadline | null = null;

  /**
   * Wraps a connected Deno socket and starts reading.
   *
   * @param conn the connection (ownership passes to the transport)
   * @param secure `true` for TLS
   */
  constructor(conn: Deno.Conn, secure: boolean) {
    this.#conn = conn;
    this.#secure = secure;
    this.#pump();
  }

  /** Our end of the connection. */
  get localAddr(): Address {
    return this.#local ??= netAddress(this.#conn.localAddr);
  }
  /** The peer's end of the connection. */
  get remoteAddr(): Address {
    return this.#remote ??= netAddress(this.#conn.remoteAddr);
  }
  /** `true` for TLS. */
  get isSecure(): boolean {
    return this.#secure;
  }
  /** `true` once closing started or the socket is closed. */
  get closed(): boolean {
    return this.#state !== OPEN;
  }
  /** Bytes not yet handed to the kernel (in-flight write included). */
  get bufferedAmount(): number {
    return this.#queued + this.#inFlight;
  }
  /** Bytes handed to the kernel so far. */
  get sentBytes(): number {
    return this.#sentBytes;
  }
  /** Resolves once the socket is released and every pending op ended. */
  get finished(): Promise<void> {
    if (this.#done) return Promise.resolve();
    return (this.#finished ??= Promise.withResolvers<void>()).promise;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    this.#lend = handlers.lend === true;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Starts the read pump: one `conn.read` in flight at a time, each continued by
   * one `.then` (no async frame stays alive on an idle socket).
   */
  #pump(): void {
    this.#reading = true;
    this.#readNext();
  }

  #readNext(): void {
    if (this.#paused && this.#state === OPEN) {
      this.#pumpEnded();
      return;
    }
    this.#readingIntoTarget = this.#target !== null;
    let p: Promise<number | null>;
    try {
      const buf = this.#target ?? this.#buf ?? (this.#buf = new Uint8Array(this.#readSize));
      this.#readingInto = buf;
      p = this.#conn.read(buf);
    } catch (e) {
      this.#readFailed(e);
      return;
    }
    p.then(this.#onRead, this.#onReadFailed);
  }

  #afterRead(n: number | null): void {
    const buf = this.#readingInto!;
    const intoTarget = this.#readingIntoTarget;
    this.#readingInto = null;
    let more: boolean;
    try {
      if (n === null) {
        this.#eof = true;
        more = false;
      } else {
        // While closing (lingering), what arrives is discarded.
        more = this.#state !== OPEN || this.#deliver(buf, n, intoTarget);
      }
    } catch (e) {
      this.#readFailed(e);
      return;
    }
    if (more) this.#readNext();
    else this.#pumpEnded();
  }

  #readFailed(e: unknown): void {
    this.#reading = false;
    this.#readingInto = null;
    this.#forgetReadBuffer();
    this.#pumpStopped?.resolve();
    if (!this.#released && !this.#detached) this.#release(isCancel(e) ? undefined : asError(e));
    else this.#maybeFinish();
  }

  #pumpEnded(): void {
    this.#reading = false;
    this.#pumpStopped?.resolve();
    if (this.#eof) {
      this.#forgetReadBuffer();
      this.#afterEof();
    }
  }

  /**
   * Hands `n` bytes read into `buf` to `onData` (or holds them while paused).
   *
   * @param intoTarget `buf` was the `readInto` target when the read started
   * @returns `false` when the pump must stop (paused)
   */
  #deliver(buf: Uint8Array, n: number, intoTarget: boolean): boolean {
    let chunk: Uint8Array;
    let lent = false;
    if (intoTarget) {
      chunk = buf.subarray(0, n);
      if (this.#target === buf) this.#target = n < buf.length ? buf.subarray(n) : null;
    } else if (this.#lend && !this.#paused) {
      // Lent: the receiver copies what it keeps, so one buffer serves every read,
      // and one view every read of the same size.
      const view = this.#lentView;
      if (view !== null && this.#lentOf === buf && view.length === n) chunk = view;
      else {
        chunk = this.#lentView = buf.subarray(0, n);
        this.#lentOf = buf;
      }
      lent = true;
      if (n === buf.length && this.#readSize < MAX_READ) {
        this.#readSize <<= 1;
        this.#forgetReadBuffer();
      } else if (n < buf.length >> 3 && this.#readSize > MIN_READ) {
        this.#readSize = smallerRead(n);
        this.#forgetReadBuffer();
      }
    } else if (n >= buf.length >> 1) {
      chunk = n === buf.length ? buf : buf.subarray(0, n);
      this.#forgetReadBuffer();
      if (n === buf.length && this.#readSize < MAX_READ) this.#readSize <<= 1;
    } else {
      chunk = buf.slice(0, n);
      if (n < buf.length >> 3 && this.#readSize > MIN_READ) {
        this.#readSize = smallerRead(n);
        this.#forgetReadBuffer();
      }
    }
    if (this.#paused) {
      (this.#held ??= []).push(chunk);
      return false;
    }
    this.#handlers.onData?.(chunk, lent);
    return true;
  }

  /** Drops the read buffer (and the view of it kept for lending). */
  #forgetReadBuffer(): void {
    this.#buf = null;
    this.#lentView = null;
    this.#lentOf = null;
  }

  #afterEof(): void {
    if (this.#state !== OPEN) {
      // We are closing and the peer finished too: nothing more to wait for.
      if (!this.#writing) this.#release(undefined);
      return;
    }
    if (this.#paused) return; // delivered on resume()
    if (!this.#endDelivered) {
      this.#endDelivered = true;
      this.#handlers.onEnd?.();
    }
  }

  pause(): void {
    this.#paused = true;
  }

  readInto(target: Uint8Array | null): void {
    this.#target = target !== null && target.length > 0 ? target : null;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#state !== OPEN || this.#reading) return;
    if (this.#held !== null || this.#eof) this.#deliverHeld();
    else this.#pump();
  }

  async #deliverHeld(): Promise<void> {
    this.#reading = true; // keeps a second pump from starting meanwhile
    await null; // deliver outside resume(), like a read would
    this.#reading = false;
    if (this.#released) {
      this.#maybeFinish();
      return;
    }
    const held = this.#held;
    this.#held = null;
    if (held !== null) {
      for (let i = 0; i < held.length; i++) {
        if (this.#state !== OPEN) return;
        if (this.#paused) {
          this.#held = held.slice(i);
          return;
        }
        this.#handlers.onData?.(held[i]!);
      }
    }
    if (this.#state !== OPEN || this.#paused) return;
    if (this.#eof) this.#afterEof();
    else this.#pump();
  }

  // ---------------------------------------------------------------- writing

  write(data: Uint8Array, length: number = data.length): boolean {
    if (this.#state !== OPEN) return false;
    if (length !== data.length) data = data.subarray(0, length);
    if (data.length > 0) {
      if (this.#writing) {
        this.#queue.push(data);
        this.#queued += data.length;
      } else {
        this.#writing = true;
        this.#send(data);
      }
    }
    if (this.#queued + this.#inFlight >= HIGH_WATER_MARK) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  #takeQueued(): Uint8Array | undefined {
    const queue = this.#queue;
    const first = queue[0];
    if (first === undefined) return undefined;
    let count = 1;
    let total = first.length;
    while (count < queue.length && total < COALESCE_LIMIT) {
      const next = queue[count]!;
      if (total + next.length > COALESCE_LIMIT && next.length >= COALESCE_LIMIT >> 2) break;
      total += next.length;
      count++;
    }
    this.#queued -= total;
    if (count === 1) {
      queue.shift();
      return first;
    }
    const joined = new Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const piece = queue[i]!;
      joined.set(piece, offset);
      offset += piece.length;
    }
    queue.splice(0, count);
    return joined;
  }

  /**
   * Starts one `conn.write` of `chunk` (with `#writing` set): no async frame, one
   * `.then` per write. `#sent` continues with the rest, then with the queue.
   */
  #send(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#inFlight = chunk.length;
    let p: Promise<number>;
    try {
      p = this.#conn.write(chunk);
    } catch (e) {
      this.#writeFailed(e);
      return;
    }
    p.then(this.#onSent, this.#onWriteFailed);
  }

  /** `conn.write` wrote `n` bytes of `#chunk` (it may write fewer than given). */
  #sent(n: number): void {
    this.#sentBytes += n;
    const chunk = this.#chunk!;
    if (n < chunk.length && !this.#released) {
      this.#send(chunk.subarray(n));
      return;
    }
    this.#chunk = null;
    if (!this.#released) {
      const next = this.#takeQueued();
      if (next !== undefined) {
        this.#send(next);
        return;
      }
    }
    this.#writing = false;
    this.#inFlight = 0;
    if (this.#released) {
      this.#maybeFinish();
    } else if (this.#state === CLOSING) {
      this.#shutdown();
    } else if (this.#needDrain) {
      this.#needDrain = false;
      this.#handlers.onDrain?.();
    }
  }

  #writeFailed(e: unknown): void {
    this.#chunk = null;
    this.#writing = false;
    this.#inFlight = 0;
    if (!this.#released) this.#release(isCancel(e) ? undefined : asError(e));
    else this.#maybeFinish();
  }

  // ---------------------------------------------------------------- closing

  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    if (!this.#writing) this.#shutdown();
  }

  abort(): void {
    if (this.#released) return;
    this.#state = CLOSED;
    this.#release(undefined);
  }

  /** Everything is flushed: shut our write side, wait for the peer's EOF. */
  #shutdown(): void {
    if (this.#eof) {
      this.#release(undefined);
      return;
    }
    try {
      this.#conn.closeWrite();
    } catch {
      this.#release(undefined);
      return;
    }
    this.#held = null;
    this.#paused = false;
    (this.#linger = new Deadline(() => this.#release(undefined))).set(LINGER_MS);
    if (!this.#reading) this.#pump();
  }

  /** Releases the socket; pending ops end with a cancel error soon after. */
  #release(error: Error | undefined): void {
    if (this.#released) return;
    this.#released = true;
    this.#state = CLOSED;
    if (error !== undefined && this.#error === undefined) this.#error = error;
    this.#queue = [];
    this.#queued = 0;
    this.#held = null;
    this.#linger?.clear();
    this.#linger = null;
    try {
      this.#conn.close();
    } catch {
      // already closed by the runtime
    }
    this.#maybeFinish();
  }

  #maybeFinish(): void {
    if (this.#done || this.#reading || this.#writing) return;
    if (!this.#released && !this.#detached) return;
    this.#done = true;
    if (!this.#detached) {
      try {
        this.#handlers.onClose?.(this.#error);
      } finally {
        this.#finished?.resolve();
      }
    } else {
      this.#finished?.resolve();
    }
  }

  /**
   * Hands the raw connection over (for `startTls`): waits for the read pump to
   * stop, then gives up the connection without closing it.
   *
   * @returns the connection
   */
  async detach(): Promise<Deno.Conn> {
    if (this.#state !== OPEN) throw new Error("Cannot start TLS on a closed transport");
    if (this.#writing || this.#queued > 0) {
      throw new Error("Cannot start TLS while writes are pending; wait for onDrain first");
    }
    this.#paused = true;
    if (this.#reading) {
      await (this.#pumpStopped ??= Promise.withResolvers<void>()).promise;
      this.#pumpStopped = null;
    }
    if (this.#held !== null || this.#eof || this.#state !== OPEN) {
      throw new Error("Cannot start TLS: the peer sent data or closed before the handshake");
    }
    this.#detached = true;
    this.#state = CLOSED;
    this.#forgetReadBuffer();
    this.#maybeFinish();
    return this.#conn;
  }
}

/** A {@linkcode Listener} over `Deno.listen` / `Deno.listenTls`. */
class DenoListener implements Listener {
  readonly addr: Address;
  readonly isSecure: boolean;
  #listener: Deno.Listener;
  #onConnection: (t: Transport) => void;
  #closed = false;
  #done = false;
  #finished: PromiseWithResolvers<void> | null = null;

  constructor(listener: Deno.Listener, secure: boolean, onConnection: (t: Transport) => void) {
    this.#listener = listener;
    this.isSecure = secure;
    this.#onConnection = onConnection;
    this.addr = netAddress(listener.addr);
    this.#acceptLoop();
  }

  get finished(): Promise<void> {
    if (this.#done) return Promise.resolve();
    return (this.#finished ??= Promise.withResolvers<void>()).promise;
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closed || isCancel(e)) break;
        continue; // e.g. a handshake-level or EMFILE error: keep accepting
      }
      if (this.#closed) {
        conn.close();
        break;
      }
      if (!this.isSecure) noDelay(conn);
      const transport = new DenoTransport(conn, this.isSecure);
      try {
        this.#onConnection(transport);
      } catch (e) {
        transport.abort();
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    this.#done = true;
    this.#finished?.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Listens on TCP or TLS with Deno's API.
 *
 * @param options where to listen
 * @param onConnection called with every accepted connection
 * @returns the listener
 */
export function listen(
  options: ListenOptions,
  onConnection: (t: Transport) => void,
): Listener {
  const hostname = bareHostname(options.hostname);
  const port = options.port;
  // Deno gates reusePort behind --unstable-net and ends the process when it is
  // used without the flag; `Deno.listenDatagram` exists only with that flag.
  const reusePort = options.reusePort === true && "listenDatagram" in Deno;
  if (options.tls !== undefined) {
    const listener = Deno.listenTls(
      {
        hostname,
        port,
        cert: options.tls.cert,
        key: options.tls.key,
        ...(reusePort ? { reusePort: true } : {}),
      } as Deno.ListenTlsOptions & Deno.TlsCertifiedKeyPem,
    );
    return new DenoListener(listener, true, onConnection);
  }
  const listener = Deno.listen({
    hostname,
    port,
    transport: "tcp",
    ...(reusePort ? { reusePort: true } : {}),
  });
  return new DenoListener(listener, false, onConnection);
}

async function handshake(
  conn: Deno.TlsConn,
  hostname: string,
  port: number,
): Promise<Transport> {
  try {
    await conn.handshake();
  } catch (e) {
    try {
      conn.close();
    } catch {
      // already closed
    }
    throw tlsError(hostname, port, e);
  }
  return new DenoTransport(conn, true);
}

/**
 * Connects over TCP or TLS with Deno's API.
 *
 * @param options where to connect and how
 * @returns the connected transport (TLS handshake done)
 */
export async function connect(options: ConnectOptions): Promise<Transport> {
  const hostname = bareHostname(options.hostname);
  const port = options.port;
  const tls = options.tls;
  if (tls?.insecure) {
    const { connectNodeTls } = await import("./node_tls.ts");
    return connectNodeTls(hostname, port, tls);
  }
  let tcp: Deno.TcpConn;
  try {
    if (tls !== undefined && (tls.serverName === undefined || tls.serverName === hostname)) {
      const conn = await Deno.connectTls({
        hostname,
        port,
        ...(tls.caCerts ? { caCerts: tls.caCerts } : {}),
      });
      return await handshake(conn, hostname, port);
    }
    tcp = await Deno.connect({ hostname, port, transport: "tcp" });
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("TLS handshake")) throw e;
    throw connectError(hostname, port, e);
  }
  if (tls === undefined) {
    noDelay(tcp);
    return new DenoTransport(tcp, false);
  }
  return await upgrade(tcp, hostname, port, tls);
}

async function upgrade(
  tcp: Deno.Conn,
  hostname: string,
  port: number,
  tls: ClientTlsOptions,
): Promise<Transport> {
  noDelay(tcp);
  let conn: Deno.TlsConn;
  try {
    conn = await Deno.startTls(tcp as Deno.TcpConn, {
      hostname: tls.serverName ?? hostname,
      ...(tls.caCerts ? { caCerts: tls.caCerts } : {}),
    });
  } catch (e) {
    try {
      tcp.close();
    } catch {
      // already closed
    }
    throw tlsError(hostname, port, e);
  }
  return await handshake(conn, hostname, port);
}

/**
 * Upgrades a plain client transport to TLS (e.g. after `CONNECT`).
 *
 * @param t a plain transport made by this backend; pause it in `onData` first
 * @param options TLS options and the name to verify
 * @returns the TLS transport; `t` is given up (its `finished` resolves)
 */
export async function startTls(
  t: Transport,
  options: ClientTlsOptions & { hostname: string },
): Promise<Transport> {
  if (!(t instanceof DenoTransport)) {
    throw new TypeError("startTls needs a transport of this backend");
  }
  if (t.isSecure) throw new Error("The transport is already TLS");
  if (options.insecure) throw new Error("Insecure startTls is not supported on Deno");
  const remote = t.remoteAddr;
  const tcp = await t.detach();
  const hostname = bareHostname(options.hostname);
  return await upgrade(tcp, hostname, remote.port, {
    ...options,
    serverName: options.serverName ?? hostname,
  });
}

/**
 * Resolves a host name to all its addresses (IPv4 and IPv6), like
 * `getaddrinfo` (so `/etc/hosts` counts).
 *
 * @param hostname host name or IP literal
 * @returns the addresses, in the resolver's order
 */
export async function resolveHost(hostname: string): Promise<string[]> {
  hostname = bareHostname(hostname);
  if (isIpLiteral(hostname)) return [hostname];
  const { lookup } = await import("node:dns/promises");
  const results = await lookup(hostname, { all: true });
  return results.map((r) => r.address);
}
