/**
 * The Bun backend: `Bun.listen` / `Bun.connect` (with `tls`) and
 * `socket.upgradeTLS` behind the {@linkcode Transport} interface.
 *
 * One handler object serves every socket (no closures per connection); each
 * socket's `data` slot points at its transport. Bun hands every `data` callback
 * a fresh `Uint8Array` (`binaryType: "uint8array"`), so it goes to `onData`
 * without a copy. `socket.write` returns how many bytes the kernel took; the
 * rest is queued and written on `drain`.
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
import type {
  BunApi,
  BunClientTls,
  BunListener,
  BunSocket,
  BunSocketHandler,
  BunTlsError,
} from "./bun_types.ts";
import { bareHostname, connectError, isIpLiteral, tlsError, toAddress } from "./address.ts";

function bun(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

const NO_HANDLERS: TransportHandlers = {};

type Socket = BunSocket<BunTransport>;

/** A {@linkcode Transport} over a Bun socket. */
export class BunTransport implements Transport {
  /** @internal the socket; null until open */
  _socket: Socket | null = null;
  #secure: boolean;
  #handlers: TransportHandlers = NO_HANDLERS;
  #local: Address | null = null;
  #remote: Address | null = null;

  #paused = false;
  #held: Uint8Array[] | null = null;
  #heldEnd = false;
  #delivering = false;

  /** Bytes the kernel did not take yet (null while none: an idle socket keeps no array). */
  #queue: Uint8Array[] | null = null;
  #queued = 0;
  #sentBytes = 0;
  #needDrain = false;

  #state = OPEN;
  #detached = false;
  #error: Error | undefined = undefined;
  #done = false;
  #finished: PromiseWithResolvers<void> | null = null;
  /** @internal settles a pending connect on the TLS handshake */
  _handshake: PromiseWithResolvers<void> | null = null;

  constructor(secure: boolean) {
    this.#secure = secure;
  }

  get localAddr(): Address {
    const s = this._socket;
    return this.#local ??= toAddress(s?.localAddress ?? "", s?.localPort ?? 0);
  }
  get remoteAddr(): Address {
    const s = this._socket;
    return this.#remote ??= toAddress(s?.remoteAddress ?? "", s?.remotePort ?? 0);
  }
  get isSecure(): boolean {
    return this.#secure;
  }
  get closed(): boolean {
    return this.#state !== OPEN;
  }
  get bufferedAmount(): number {
    return this.#queued;
  }
  get sentBytes(): number {
    return this.#sentBytes;
  }
  get finished(): Promise<void> {
    if (this.#done) return Promise.resolve();
    return (this.#finished ??= Promise.withResolvers<void>()).promise;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  // ------------------------------------------------------------ from Bun

  /** @internal */
  _data(bytes: Uint8Array): void {
    if (this.#state !== OPEN) return;
    if (this.#paused || this.#held !== null) {
      (this.#held ??= []).push(bytes);
      return;
    }
    this.#handlers.onData?.(bytes);
  }

  /** @internal */
  _end(): void {
    if (this.#state === CLOSING) {
      // we are closing and the peer is done as well
      this._socket?.end();
      return;
    }
    if (this.#state !== OPEN) return;
    if (this.#paused || this.#held !== null) {
      this.#heldEnd = true;
      return;
    }
    this.#handlers.onEnd?.();
  }

  /** @internal */
  _drain(): void {
    const s = this._socket;
    if (s === null || this.#state === CLOSED) return;
    const queue = this.#queue;
    while (queue !== null && queue.length > 0) {
      const chunk = queue[0]!;
      const n = s.write(chunk);
      if (n > 0) {
        this.#queued -= n;
        this.#sentBytes += n;
      }
      if (n < chunk.length) {
        if (n > 0) queue[0] = chunk.subarray(n);
        return;
      }
      queue.shift();
    }
    this.#queue = null;
    if (this.#state === CLOSING) {
      s.end();
    } else if (this.#needDrain) {
      this.#needDrain = false;
      this.#handlers.onDrain?.();
    }
  }

  /** @internal */
  _error(error: Error): void {
    this.#error ??= error;
  }

  /** @internal */
  _close(error: Error | undefined): void {
    if (this.#done) return;
    this.#state = CLOSED;
    this.#done = true;
    this.#queue = null;
    this.#queued = 0;
    this.#held = null;
    const hs = this._handshake;
    if (hs !== null) {
      this._handshake = null;
      hs.reject(error ?? this.#error ?? new Error("Connection closed during the TLS handshake"));
    }
    if (this.#detached) {
      this.#finished?.resolve();
      return;
    }
    try {
      this.#handlers.onClose?.(error ?? this.#error);
    } finally {
      this.#finished?.resolve();
    }
  }

  // ------------------------------------------------------------ Transport

  write(data: Uint8Array, length: number = data.length): boolean {
    const s = this._socket;
    if (this.#state !== OPEN || s === null) return false;
    if (length === 0) return this.#queued === 0;
    if (this.#queued > 0) {
      this.#queue!.push(length === data.length ? data : data.subarray(0, length));
      this.#queued += length;
      this.#needDrain = true;
      return false;
    }
    const n = s.write(data, 0, length);
    const sent = n > 0 ? n : 0;
    this.#sentBytes += sent;
    if (sent === length) return true;
    const rest = sent === 0 && length === data.length ? data : data.subarray(sent, length);
    (this.#queue ??= []).push(rest);
    this.#queued += rest.length;
    this.#needDrain = true;
    return false;
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (this.#state === OPEN) this._socket?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#state !== OPEN) return;
    this._socket?.resume();
    if ((this.#held !== null || this.#heldEnd) && !this.#delivering) this.#deliverHeld();
  }

  async #deliverHeld(): Promise<void> {
    this.#delivering = true;
    await null; // deliver outside resume(), like a read would
    this.#delivering = false;
    while (this.#held !== null && this.#state === OPEN && !this.#paused) {
      const held = this.#held;
      const chunk = held.shift()!;
      if (held.length === 0) this.#held = null;
      this.#handlers.onData?.(chunk);
    }
    if (this.#held === null && this.#heldEnd && this.#state === OPEN && !this.#paused) {
      this.#heldEnd = false;
      this.#handlers.onEnd?.();
    }
  }

  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    if (this.#paused) this._socket?.resume(); // see the peer's EOF
    if (this.#queued === 0) this._socket?.end();
  }

  abort(): void {
    if (this.#state === CLOSED && this.#done) return;
    this.#state = CLOSED;
    this.#queue = null;
    this.#queued = 0;
    this._socket?.terminate();
  }

  /**
   * Gives the socket up for `upgradeTLS`.
   *
   * @returns the socket
   */
  detach(): Socket {
    const s = this._socket;
    if (this.#state !== OPEN || s === null) {
      throw new Error("Cannot start TLS on a closed transport");
    }
    if (this.#queued > 0) {
      throw new Error("Cannot start TLS while writes are pending; wait for onDrain first");
    }
    if (this.#held !== null || this.#heldEnd) {
      throw new Error("Cannot start TLS: the peer sent data or closed before the handshake");
    }
    this.#detached = true;
    this.#state = CLOSED;
    return s;
  }

  /** @internal called by upgradeTLS's socket being swapped */
  _detachDone(): void {
    if (this.#done) return;
    this.#done = true;
    this.#finished?.resolve();
  }
}

/** One handler object for every socket; `socket.data` is the transport. */
const SOCKET_HANDLER: BunSocketHandler<BunTransport> = {
  binaryType: "uint8array",
  open(s) {
    s.data._socket = s;
  },
  data(s, bytes) {
    s.data._data(bytes);
  },
  drain(s) {
    s.data._drain();
  },
  end(s) {
    s.data._end();
  },
  close(s, error) {
    s.data._close(error);
  },
  error(s, error) {
    s.data._error(error);
  },
  handshake(s, success, authorizationError) {
    const t = s.data;
    const hs = t._handshake;
    if (hs === null) return;
    t._handshake = null;
    if (success) hs.resolve();
    else hs.reject(authorizationError ?? new Error("TLS handshake failed"));
  },
};

/** A {@linkcode Listener} over `Bun.listen`. */
class BunTcpListener implements Listener {
  readonly addr: Address;
  readonly isSecure: boolean;
  #listener: BunListener;
  #closed = false;

  constructor(listener: BunListener, hostname: string, secure: boolean) {
    this.#listener = listener;
    this.isSecure = secure;
    this.addr = toAddress(hostname, listener.port);
  }

  get finished(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.stop(false);
  }
}

/**
 * Listens on TCP or TLS with `Bun.listen`.
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
  const secure = options.tls !== undefined;
  const handler: BunSocketHandler<BunTransport> = {
    ...SOCKET_HANDLER,
    open(s) {
      const t = new BunTransport(secure);
      t._socket = s;
      s.data = t;
      try {
        onConnection(t);
      } catch (e) {
        t.abort();
        queueMicrotask(() => {
          throw e;
        });
      }
    },
    // server side: the handshake result shows up as data or a close
    handshake() {},
  };
  const listener = bun().listen<BunTransport>({
    hostname,
    port: options.port,
    allowHalfOpen: true,
    ...(options.reusePort ? { reusePort: true } : {}),
    ...(secure ? { tls: { cert: options.tls!.cert, key: options.tls!.key } } : {}),
    socket: handler,
  });
  return new BunTcpListener(listener, hostname, secure);
}

function clientTls(hostname: string, tls: ClientTlsOptions): BunClientTls {
  const serverName = tls.serverName ?? hostname;
  return {
    serverName,
    rejectUnauthorized: !tls.insecure,
    ...(tls.caCerts ? { ca: tls.caCerts } : {}),
  };
}

/**
 * Connects over TCP or TLS with `Bun.connect`.
 *
 * @param options where to connect and how
 * @returns the connected transport (TLS handshake done)
 */
export async function connect(options: ConnectOptions): Promise<Transport> {
  const hostname = bareHostname(options.hostname);
  const port = options.port;
  const secure = options.tls !== undefined;
  const t = new BunTransport(secure);
  if (secure) t._handshake = Promise.withResolvers<void>();
  let socket: Socket;
  try {
    socket = await bun().connect<BunTransport>({
      hostname,
      port,
      allowHalfOpen: true,
      data: t,
      ...(secure ? { tls: clientTls(hostname, options.tls!) } : {}),
      socket: SOCKET_HANDLER,
    });
  } catch (e) {
    t._handshake?.promise.catch(() => {});
    throw connectError(hostname, port, e);
  }
  t._socket = socket;
  if (t._handshake !== null) {
    try {
      await t._handshake.promise;
    } catch (e) {
      t.abort();
      await t.finished;
      throw tlsError(hostname, port, e as BunTlsError);
    }
  }
  return t;
}

/**
 * Upgrades a plain client transport to TLS (e.g. after `CONNECT`).
 *
 * @param t a plain transport made by this backend
 * @param options TLS options and the name to verify
 * @returns the TLS transport; `t` is given up (its `finished` resolves)
 */
export async function startTls(
  t: Transport,
  options: ClientTlsOptions & { hostname: string },
): Promise<Transport> {
  if (!(t instanceof BunTransport)) {
    throw new TypeError("startTls needs a transport of this backend");
  }
  if (t.isSecure) throw new Error("The transport is already TLS");
  const hostname = bareHostname(options.hostname);
  const port = t.remoteAddr.port;
  const raw = t.detach();
  const next = new BunTransport(true);
  next._handshake = Promise.withResolvers<void>();
  const [, tls] = raw.upgradeTLS<BunTransport>({
    data: next,
    tls: clientTls(hostname, options),
    socket: SOCKET_HANDLER,
  });
  next._socket = tls;
  t._detachDone();
  try {
    await next._handshake.promise;
  } catch (e) {
    next.abort();
    await next.finished;
    throw tlsError(hostname, port, e);
  }
  return next;
}

/**
 * Resolves a host name to all its addresses (IPv4 and IPv6).
 *
 * @param hostname host name or IP literal
 * @returns the addresses, in the resolver's order
 */
export async function resolveHost(hostname: string): Promise<string[]> {
  hostname = bareHostname(hostname);
  if (isIpLiteral(hostname)) return [hostname];
  const results = await bun().dns.lookup(hostname, { family: 0 });
  return results.map((r) => r.address);
}
