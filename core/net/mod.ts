/**
 * `core/net`: the socket abstraction ({@linkcode Transport}, {@linkcode Listener})
 * with a backend per runtime (Deno, Bun) picked at run time, plus the readiness
 * loop ({@linkcode select}, {@linkcode Pollable}, {@linkcode ReadySignal}) and
 * shared-timer deadlines ({@linkcode Deadline}).
 *
 * @example Echo server
 * ```ts
 * import { listen } from "./mod.ts";
 * const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
 *   t.setHandlers({ onData: (bytes) => t.write(bytes), onEnd: () => t.close() });
 * });
 * listener.close();
 * await listener.finished;
 * ```
 *
 * @module
 */

import type {
  ClientTlsOptions,
  ConnectOptions,
  Listener,
  ListenOptions,
  Transport,
} from "./types.ts";
import * as denoBackend from "./deno.ts";
import * as bunBackend from "./bun.ts";
import { denoFiles, type FileSystem, nodeFiles, type SyncFile } from "./file.ts";

export type {
  Address,
  ClientTlsOptions,
  ConnectOptions,
  Listener,
  ListenOptions,
  ServerTlsOptions,
  Transport,
  TransportHandlers,
} from "./types.ts";
export { type Pollable, ReadySignal, select } from "./loop.ts";
export { Deadline } from "./deadline.ts";
export type { FileStat, SyncFile } from "./file.ts";

const RUNTIME: "deno" | "bun" = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : (() => {
    throw new Error("Unsupported runtime: @uhttp/core runs on Deno and Bun");
  })();

const backend = RUNTIME === "bun" ? bunBackend : denoBackend;
const files: FileSystem = RUNTIME === "bun" ? nodeFiles : denoFiles;

/**
 * Which runtime backend is in use.
 *
 * @returns `"deno"` or `"bun"`
 *
 * @example
 * ```ts
 * import { runtimeName } from "./mod.ts";
 * console.log(runtimeName()); // "deno" under Deno
 * ```
 */
export function runtimeName(): "deno" | "bun" {
  return RUNTIME;
}

/**
 * Starts listening (synchronously: throws at once when the address is in use).
 * Every accepted connection is handed to `onConnection`; for TLS the transport
 * delivers plaintext (the handshake may still be running).
 *
 * @param options address, port, `reusePort`, `tls`
 * @param onConnection called with each accepted connection; set its handlers at once
 * @returns the listener; `close()` it and await `finished` when done
 *
 * @example
 * ```ts
 * import { listen } from "./mod.ts";
 * const listener = listen({ hostname: "::", port: 0 }, (t) => t.close());
 * console.log(listener.addr.port > 0); // true
 * listener.close();
 * await listener.finished;
 * ```
 */
export function listen(options: ListenOptions, onConnection: (t: Transport) => void): Listener {
  return backend.listen(options, onConnection);
}

/**
 * Connects over TCP, or TLS when `options.tls` is given (the handshake is done
 * when the promise resolves).
 *
 * @param options host, port and TLS options
 * @returns the connected transport
 * @throws Error naming the address when the connection is refused, the name
 * does not resolve or the TLS handshake fails
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * try {
 *   const t = await connect({ hostname: "127.0.0.1", port: 1 });
 *   t.close();
 * } catch (e) {
 *   console.log((e as Error).message); // Could not connect to "127.0.0.1:1": ...
 * }
 * ```
 */
export function connect(options: ConnectOptions): Promise<Transport> {
  return backend.connect(options);
}

/**
 * Upgrades a connected plain client transport to TLS, e.g. after a proxy's
 * answer to `CONNECT`. Call it once the last plaintext bytes arrived, after
 * `t.pause()` (typically inside `onData`) and with nothing left to write. The
 * old transport is given up (its `finished` resolves, `onClose` is not called).
 *
 * @param t the plain transport
 * @param options TLS options and `hostname`, the name to verify (and SNI)
 * @returns the TLS transport, handshake done
 *
 * @example
 * ```ts
 * import { startTls, type Transport } from "./mod.ts";
 * async function secure(t: Transport): Promise<Transport> {
 *   t.pause();
 *   return await startTls(t, { hostname: "example.com" });
 * }
 * ```
 */
export function startTls(
  t: Transport,
  options: ClientTlsOptions & { hostname: string },
): Promise<Transport> {
  return backend.startTls(t, options);
}

/**
 * Resolves a host name to all its addresses (IPv4 and IPv6), for clients that
 * try every address in turn. IP literals come back as they are.
 *
 * @param hostname host name or IP address (brackets allowed)
 * @returns the addresses
 *
 * @example
 * ```ts
 * import { resolveHost } from "./mod.ts";
 * console.log(await resolveHost("127.0.0.1")); // ["127.0.0.1"]
 * ```
 */
export function resolveHost(hostname: string): Promise<string[]> {
  return backend.resolveHost(hostname);
}

/**
 * Opens a file for reading, or for writing (created, or truncated when it exists),
 * with the runtime's own synchronous file API.
 *
 * @param path The file's path.
 * @param mode `"read"` or `"write"`.
 * @returns The open file; close it with {@linkcode SyncFile.close}.
 * @throws the runtime's error when the file cannot be opened.
 *
 * @example
 * ```ts
 * import { openFile, removeFile } from "./mod.ts";
 * const path = Deno.makeTempFileSync();
 * const out = openFile(path, "write");
 * out.writeAll(new TextEncoder().encode("hello"));
 * out.close();
 * console.log(Deno.readTextFileSync(path)); // hello
 * removeFile(path);
 * ```
 */
export function openFile(path: string, mode: "read" | "write"): SyncFile {
  return files.open(path, mode);
}

/**
 * Removes a file.
 *
 * @param path The file's path.
 * @throws the runtime's error when it cannot be removed (for one, when it does not exist).
 *
 * @example
 * ```ts
 * import { removeFile } from "./mod.ts";
 * removeFile(Deno.makeTempFileSync());
 * ```
 */
export function removeFile(path: string): void {
  files.remove(path);
}
