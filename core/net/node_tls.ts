/**
 * Insecure client TLS for Deno: Deno's own `connectTls` always verifies the
 * certificate chain, so a connection with `insecure: true` is made with
 * `node:tls` (`rejectUnauthorized: false`) and wrapped as a
 * {@linkcode Transport}. Loaded on demand only.
 *
 * @module
 */

import type { TLSSocket } from "node:tls";
import type { Address, ClientTlsOptions, Transport, TransportHandlers } from "./types.ts";
import { asError, connectError, toAddress } from "./address.ts";

const NO_HANDLERS: TransportHandlers = {};

/** A {@linkcode Transport} over a `node:tls` socket. */
class NodeTlsTransport implements Transport {
  #socket: TLSSocket;
  #handlers: TransportHandlers = NO_HANDLERS;
  #closed = false;
  #done = false;
  #needDrain = false;
  /** Bytes accepted by write() so far. */
  #accepted = 0;
  #error: Error | undefined = undefined;
  #finished = Promise.withResolvers<void>();
  readonly localAddr: Address;
  readonly remoteAddr: Address;
  readonly isSecure = true;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
    this.localAddr = toAddress(socket.localAddress ?? "", socket.localPort ?? 0);
    this.remoteAddr = toAddress(socket.remoteAddress ?? "", socket.remotePort ?? 0);
    socket.on("data", (chunk: Uint8Array) => {
      if (!this.#closed) this.#handlers.onData?.(chunk);
    });
    socket.on("end", () => {
      if (!this.#closed) this.#handlers.onEnd?.();
    });
    socket.on("drain", () => {
      if (this.#needDrain && !this.#closed) {
        this.#needDrain = false;
        this.#handlers.onDrain?.();
      }
    });
    socket.on("error", (e: Error) => {
      this.#error ??= e;
    });
    socket.on("close", () => {
      this.#closed = true;
      if (this.#done) return;
      this.#done = true;
      try {
        this.#handlers.onClose?.(this.#error);
      } finally {
        this.#finished.resolve();
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }
  get sentBytes(): number {
    return this.#accepted - this.#socket.writableLength;
  }
  get finished(): Promise<void> {
    return this.#finished.promise;
  }
  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }
  write(data: Uint8Array, length: number = data.length): boolean {
    if (this.#closed) return false;
    if (length !== data.length) data = data.subarray(0, length);
    this.#accepted += data.length;
    if (this.#socket.write(data)) return true;
    this.#needDrain = true;
    return false;
  }
  pause(): void {
    this.#socket.pause();
  }
  resume(): void {
    this.#socket.resume();
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
  }
  abort(): void {
    this.#closed = true;
    this.#socket.destroy();
  }
}

/**
 * Connects with TLS without verifying the peer's certificate.
 *
 * @param hostname host to connect to
 * @param port port to connect to
 * @param tls TLS options (`serverName` is sent as SNI)
 * @returns the connected transport, handshake done
 */
export async function connectNodeTls(
  hostname: string,
  port: number,
  tls: ClientTlsOptions,
): Promise<Transport> {
  const { connect } = await import("node:tls");
  const serverName = tls.serverName ?? hostname;
  return await new Promise<Transport>((resolve, reject) => {
    const socket = connect({
      host: hostname,
      port,
      rejectUnauthorized: false,
      ...(serverName.includes(":") || /^[\d.]+$/.test(serverName)
        ? {}
        : { servername: serverName }),
      ...(tls.caCerts ? { ca: tls.caCerts } : {}),
    });
    const onError = (e: Error) => {
      socket.destroy();
      reject(connectError(hostname, port, asError(e)));
    };
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      socket.off("error", onError);
      socket.setNoDelay(true);
      resolve(new NodeTlsTransport(socket));
    });
  });
}
