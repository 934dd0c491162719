/**
 * Test helpers of the client tests: a raw scripted server on core/net `listen`
 * that splits requests (Content-Length or chunked bodies) and lets each test
 * answer with exact bytes.
 *
 * @module
 */
import { listen, type Transport } from "../../core/net/mod.ts";

/** Decodes bytes as latin-1 (one character per byte). */
export function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Encodes a string as latin-1 bytes. */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A request as the raw server saw it. */
export interface RawRequest {
  method: string;
  target: string;
  /** Lowercase names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Header names in the order and casing received. */
  rawHead: string;
  body: Uint8Array;
  /** Index of the connection (0-based, in accept order). */
  connection: number;
}

/** One accepted connection of the raw server. */
export class RawSocket {
  readonly transport: Transport;
  readonly index: number;
  /** Resolves when the socket closed. */
  readonly closed: Promise<void>;
  #buf = "";
  /** Everything received on this socket, latin-1. */
  received = "";
  #headOnly: ((req: RawRequest, s: RawSocket) => void) | undefined;
  #pendingHead: RawRequest | null = null;

  constructor(
    t: Transport,
    index: number,
    onRequest: (req: RawRequest, s: RawSocket) => void,
    onHead?: (req: RawRequest, s: RawSocket) => void,
  ) {
    this.transport = t;
    this.index = index;
    this.#headOnly = onHead;
    let done!: () => void;
    this.closed = new Promise((r) => done = r);
    t.setHandlers({
      onData: (b) => {
        const text = latin1(b);
        this.received += text;
        this.#buf += text;
        this.#split(onRequest);
      },
      onEnd: () => t.close(), // the peer closed: close our side too
      onClose: () => done(),
    });
  }

  #split(onRequest: (req: RawRequest, s: RawSocket) => void): void {
    while (true) {
      let req = this.#pendingHead;
      if (req === null) {
        const end = this.#buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end + 4);
        const lines = head.split("\r\n");
        const [method = "", target = ""] = (lines[0] ?? "").split(" ");
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const c = line.indexOf(":");
          const k = line.slice(0, c).toLowerCase();
          const v = line.slice(c + 1).trim();
          headers[k] = headers[k] === undefined ? v : headers[k] + ", " + v;
        }
        req = {
          method,
          target,
          headers,
          rawHead: head,
          body: new Uint8Array(0),
          connection: this.index,
        };
        this.#pendingHead = req;
        this.#headOnly?.(req, this);
      }
      if (req.headers["transfer-encoding"]?.includes("chunked")) {
        // Decode chunks; wait for the last one.
        let pos = 0;
        let body = "";
        let complete = false;
        while (true) {
          const eol = this.#buf.indexOf("\r\n", pos);
          if (eol < 0) break;
          const size = parseInt(this.#buf.slice(pos, eol).split(";")[0]!, 16);
          if (size === 0) {
            const end = this.#buf.indexOf("\r\n\r\n", eol);
            const endBare = this.#buf.slice(eol, eol + 4) === "\r\n\r\n";
            if (endBare) {
              pos = eol + 4;
              complete = true;
            } else if (end >= 0) {
              pos = end + 4;
              complete = true;
            }
            break;
          }
          if (this.#buf.length < eol + 2 + size + 2) break;
          body += this.#buf.slice(eol + 2, eol + 2 + size);
          pos = eol + 2 + size + 2;
        }
        if (!complete) return;
        this.#buf = this.#buf.slice(pos);
        req.body = bytes(body);
      } else {
        const n = Number(req.headers["content-length"] ?? "0");
        if (this.#buf.length < n) return;
        req.body = bytes(this.#buf.slice(0, n));
        this.#buf = this.#buf.slice(n);
      }
      this.#pendingHead = null;
      onRequest(req, this);
    }
  }

  /** Writes text (latin-1) or bytes. */
  write(data: string | Uint8Array): void {
    this.transport.write(typeof data === "string" ? bytes(data) : data);
  }

  /** Closes gracefully (after buffered bytes). */
  close(): void {
    this.transport.close();
  }
}

/** A running raw server. */
export interface RawServer {
  port: number;
  requests: RawRequest[];
  sockets: RawSocket[];
  /** Closes the listener and every socket, and waits for them. */
  close(): Promise<void>;
}

/**
 * Starts a raw server on 127.0.0.1 (or `hostname`), port 0.
 *
 * @param onRequest Called for every complete request.
 * @param options `hostname`, `onHead` (called when a head arrives, before its body).
 */
export function rawServer(
  onRequest: (req: RawRequest, s: RawSocket) => void,
  options: {
    hostname?: string;
    onHead?: (req: RawRequest, s: RawSocket) => void;
    tls?: { cert: string; key: string };
  } = {},
): RawServer {
  const sockets: RawSocket[] = [];
  const requests: RawRequest[] = [];
  const where = { hostname: options.hostname ?? "127.0.0.1", port: 0 };
  const listener = listen(options.tls ? { ...where, tls: options.tls } : where, (t) => {
    const s = new RawSocket(t, sockets.length, (req, sock) => {
      requests.push(req);
      onRequest(req, sock);
    }, options.onHead);
    sockets.push(s);
  });
  return {
    port: listener.addr.port,
    requests,
    sockets,
    async close() {
      listener.close();
      for (const s of sockets) s.transport.abort();
      await Promise.all(sockets.map((s) => s.closed));
    },
  };
}

/** An HTTP/1.1 response with Content-Length. */
export function ok(body = "ok", extra = ""): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

/** Resolves after `ms` milliseconds (only for "nothing must happen" windows). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
