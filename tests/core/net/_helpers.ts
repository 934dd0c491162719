/**
 * Shared helpers of the core/net tests (not a test file itself).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import {
  listen,
  type Listener,
  type ListenOptions,
  type Transport,
} from "../../../core/net/mod.ts";

const FIXTURES = new URL("../../fixtures/tls/", import.meta.url);

/** Reads a file of tests/fixtures/tls as text. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}

/** Records what a transport delivers and lets a test await it. */
export class Peer {
  readonly chunks: Uint8Array[] = [];
  received = 0;
  ended = false;
  closed = false;
  closeError: Error | undefined = undefined;
  drains = 0;
  #waiters: Array<() => void> = [];

  constructor(readonly t: Transport) {
    t.setHandlers({
      onData: (bytes) => {
        this.chunks.push(bytes);
        this.received += bytes.length;
        this.#wake();
      },
      onEnd: () => {
        this.ended = true;
        this.#wake();
      },
      onDrain: () => {
        this.drains++;
        this.#wake();
      },
      onClose: (error) => {
        this.closed = true;
        this.closeError = error;
        this.#wake();
      },
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `condition()` holds (checked after every event). */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** All bytes received so far, joined. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.received);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  /** Received bytes as text. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/** A listener that echoes everything and closes when the peer is done. */
export class EchoServer {
  readonly listener: Listener;
  readonly peers: Peer[] = [];
  #waiters: Array<() => void> = [];

  constructor(options: ListenOptions) {
    this.listener = listen(options, (t) => {
      const peer = new Peer(t);
      t.setHandlers({
        onData: (bytes) => t.write(bytes),
        onEnd: () => t.close(),
        onClose: (error) => {
          peer.closed = true;
          peer.closeError = error;
        },
      });
      this.peers.push(peer);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Resolves with the n-th accepted connection (0-based). */
  async accepted(n = 0): Promise<Peer> {
    while (this.peers.length <= n) await new Promise<void>((r) => this.#waiters.push(r));
    return this.peers[n]!;
  }

  /** Closes the listener and waits for every accepted connection to finish. */
  async close(): Promise<void> {
    this.listener.close();
    await this.listener.finished;
    await Promise.all(this.peers.map((p) => p.t.finished));
  }
}

export const encoder: TextEncoder = new TextEncoder();

/** A deterministic pattern of `size` bytes. */
export function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >>> 11)) & 0xff;
  return out;
}
