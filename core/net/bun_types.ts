/**
 * The small part of Bun's socket API that the Bun backend uses, declared here
 * so the code type-checks under `deno check` without Bun's own type package.
 *
 * @module
 */

/** A TLS error as Bun reports it in the `handshake` callback. */
export interface BunTlsError extends Error {
  code?: string;
}

/** A TCP or TLS socket of `Bun.listen` / `Bun.connect`. */
export interface BunSocket<D> {
  data: D;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort: number;
  /**
   * Writes `data[byteOffset, byteOffset + byteLength)` (all of it by default); returns
   * the number of bytes written (maybe less than asked; -1 or 0 when closed).
   */
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  terminate(): void;
  shutdown(halfClose?: boolean): void;
  pause(): void;
  resume(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  upgradeTLS<E>(options: {
    data?: E;
    tls: BunClientTls;
    socket: BunSocketHandler<E>;
  }): [BunSocket<D>, BunSocket<E>];
}

/** Socket callbacks (one object shared by every socket). */
export interface BunSocketHandler<D> {
  binaryType?: "uint8array" | "buffer" | "arraybuffer";
  open?(socket: BunSocket<D>): void;
  data?(socket: BunSocket<D>, data: Uint8Array): void;
  drain?(socket: BunSocket<D>): void;
  end?(socket: BunSocket<D>): void;
  close?(socket: BunSocket<D>, error?: Error): void;
  error?(socket: BunSocket<D>, error: Error): void;
  handshake?(socket: BunSocket<D>, success: boolean, authorizationError: BunTlsError | null): void;
  connectError?(socket: BunSocket<D>, error: Error): void;
  timeout?(socket: BunSocket<D>): void;
}

/** Client TLS options of `Bun.connect` / `upgradeTLS`. */
export interface BunClientTls {
  ca?: string[];
  serverName?: string;
  rejectUnauthorized?: boolean;
}

/** A listening socket of `Bun.listen`. */
export interface BunListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** The `Bun` global, as far as the backend uses it. */
export interface BunApi {
  listen<D>(options: {
    hostname: string;
    port: number;
    reusePort?: boolean;
    allowHalfOpen?: boolean;
    tls?: { cert: string; key: string };
    socket: BunSocketHandler<D>;
  }): BunListener;
  connect<D>(options: {
    hostname: string;
    port: number;
    allowHalfOpen?: boolean;
    tls?: BunClientTls;
    data?: D;
    socket: BunSocketHandler<D>;
  }): Promise<BunSocket<D>>;
  dns: {
    lookup(
      hostname: string,
      options?: { family?: 0 | 4 | 6 },
    ): Promise<{ address: string; family: 4 | 6 }[]>;
  };
}
