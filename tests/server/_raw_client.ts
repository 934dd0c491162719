/**
 * A small raw-socket client for the server tests: sends exact bytes, keeps every
 * byte received (for wire-level assertions), and parses responses with the protocol
 * core's client side (so the server's output is checked by the strict parser too).
 *
 * @module
 */
import {
  CLIENT,
  Connection,
  ConnectionClosed,
  Data,
  EndOfMessage,
  type Fields,
  InformationalResponse,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
} from "../../core/protocol/mod.ts";
import { connect } from "../../core/net/mod.ts";
import type { ClientTlsOptions, Transport } from "../../core/net/types.ts";
import { concatBytes } from "../../core/bytes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Latin-1 bytes of a string. */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Latin-1 text of bytes. */
export function text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A parsed response. */
export interface RawResponse {
  status: number;
  reason: string;
  headers: Fields;
  body: Uint8Array;
  /** Body as UTF-8 text. */
  text: string;
  /** Statuses of 1xx responses seen before this one. */
  informational: number[];
  trailers: Fields;
}

/** Raw client over a real socket. */
export class RawClient {
  readonly transport: Transport;
  /** Every byte received, in order. */
  received: Uint8Array[] = [];
  #pending: Uint8Array[] = [];
  #eof = false;
  #closed = false;
  #wake: (() => void) | null = null;
  #proto = new Connection(CLIENT, { maxIncompleteEventSize: 1 << 20 });

  private constructor(t: Transport) {
    this.transport = t;
    t.setHandlers({
      onData: (b) => {
        this.received.push(b);
        this.#pending.push(b);
        this.#notify();
      },
      onEnd: () => {
        this.#eof = true;
        this.#notify();
      },
      onClose: () => {
        this.#eof = true;
        this.#closed = true;
        this.#notify();
      },
    });
  }

  /** Connects to a test server. */
  static async connect(
    port: number,
    hostname = "127.0.0.1",
    tls?: ClientTlsOptions,
  ): Promise<RawClient> {
    const t = await connect({ hostname, port, ...(tls ? { tls } : {}) });
    return new RawClient(t);
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Waits for more input; `false` on timeout. */
  async #more(deadline: number): Promise<boolean> {
    if (this.#pending.length > 0 || this.#eof) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ok = await new Promise<boolean>((resolve) => {
      this.#wake = () => resolve(true);
      timer = setTimeout(() => resolve(false), left);
    });
    clearTimeout(timer);
    this.#wake = null;
    return ok;
  }

  /** Sends bytes (a string is sent as latin-1). */
  send(data: string | Uint8Array): void {
    this.transport.write(typeof data === "string" ? latin1(data) : data);
  }

  /** All bytes received so far, as latin-1 text. */
  get receivedText(): string {
    return this.received.map(text).join("");
  }

  /** `true` once the server closed (EOF or reset). */
  get eof(): boolean {
    return this.#eof && this.#pending.length === 0;
  }

  /**
   * Reads and parses the next response.
   *
   * @param method The request method it answers (framing of HEAD).
   * @param timeoutMs Time to wait for it.
   * @returns The response, or `null` when the connection closed first.
   */
  async readResponse(method = "GET", timeoutMs = 3000): Promise<RawResponse | null> {
    const deadline = performance.now() + timeoutMs;
    const p = this.#proto;
    if (p.ourState === "DONE" && p.theirState === "DONE") p.startNextCycle();
    if (p.ourState === "IDLE") {
      p.send(new Request({ method, target: "/", headers: [["host", "x"]] }));
      p.send(new EndOfMessage());
    }
    const informational: number[] = [];
    let head: Response | null = null;
    const body: Uint8Array[] = [];
    for (;;) {
      const ev = p.nextEvent();
      if (ev === NEED_DATA || ev === PAUSED) {
        if (this.#pending.length > 0) {
          for (const b of this.#pending.splice(0)) p.receiveData(b);
          continue;
        }
        if (this.#eof) {
          p.receiveData(new Uint8Array(0));
          this.#eof = false; // delivered once
          this.#eofSeen = true;
          continue;
        }
        if (this.#eofSeen) return null;
        if (!(await this.#more(deadline))) {
          throw new Error(`No complete response within ${timeoutMs} ms`);
        }
        continue;
      }
      if (ev instanceof InformationalResponse) informational.push(ev.status);
      else if (ev instanceof Response) head = ev;
      else if (ev instanceof Data) body.push(ev.data);
      else if (ev instanceof EndOfMessage) {
        const all = concatBytes(body);
        return {
          status: head!.status,
          reason: head!.reason,
          headers: head!.headers,
          body: all,
          text: dec.decode(all),
          informational,
          trailers: ev.trailers,
        };
      } else if (ev instanceof ConnectionClosed) return null;
    }
  }
  #eofSeen = false;

  /** Waits until the server closes; returns every byte received after the call. */
  async readUntilClose(timeoutMs = 3000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let out = "";
    for (;;) {
      if (this.#pending.length > 0) out += this.#pending.splice(0).map(text).join("");
      if (this.#eof || this.#eofSeen) return out;
      if (!(await this.#more(deadline))) throw new Error(`Not closed within ${timeoutMs} ms`);
    }
  }

  /** Resolves `true` when the server closes within `timeoutMs`, else `false`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.#pending.splice(0);
      if (this.#eof || this.#eofSeen) return true;
      if (!(await this.#more(deadline))) return false;
    }
  }

  /** `true` when nothing arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    if (this.#pending.length > 0) return false;
    const got = await this.#more(performance.now() + ms);
    return !got || (this.#pending.length === 0 && !this.#eof);
  }

  /** Closes our side and waits until the socket is released. */
  async close(): Promise<void> {
    this.transport.close();
    await this.transport.finished;
  }

  /** Resets the connection and waits until the socket is released. */
  async abort(): Promise<void> {
    this.transport.abort();
    await this.transport.finished;
  }
}

/** UTF-8 bytes. */
export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** A GET request's bytes. */
export function get(path: string, extra = ""): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
}

/**
 * Runs a server loop answering every request with `handler` until `stop()`.
 * Returns the stop function (awaits the loop's end).
 */
export function serve(
  server: { wait(ms?: number): Promise<unknown>; closed: boolean },
  // deno-lint-ignore no-explicit-any
  handler: (conn: any) => void | Promise<void>,
): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running && !server.closed) {
      const conn = await server.wait(50);
      if (conn) await handler(conn);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

import { HttpServer } from "../../server/mod.ts";
import type { HttpConnection, HttpServerOptions } from "../../server/mod.ts";

/**
 * Starts a server on 127.0.0.1:0 answering with `handler`, runs `body`, then closes
 * the server and waits for every socket to be released.
 */
export async function withServer(
  options: HttpServerOptions,
  handler: (conn: HttpConnection, server: HttpServer) => void | Promise<void>,
  body: (server: HttpServer) => Promise<void>,
): Promise<void> {
  const server = new HttpServer({ address: "127.0.0.1", port: 0, ...options });
  const stop = serve(server, (c: HttpConnection) => handler(c, server));
  try {
    await body(server);
  } finally {
    await server.close();
    await stop();
  }
}

/** Opens a raw client, runs `fn`, always closes it. */
export async function withClient<T>(
  port: number,
  fn: (c: RawClient) => Promise<T>,
  hostname = "127.0.0.1",
): Promise<T> {
  const c = await RawClient.connect(port, hostname);
  try {
    return await fn(c);
  } finally {
    await c.abort();
  }
}
