/**
 * Helpers of the conformance suites: spawn a server script (the echo server of
 * conformance.md) under the runtime running the tests, talk to it over raw TCP
 * (`node:net`, independent of core/net), and parse what comes back with a small
 * response parser of its own (independent of core/protocol), so that a bug in the
 * project cannot hide itself.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { concatBytes } from "../../core/bytes.ts";

/** Repository root (the directory holding deno.json). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Path of the echo server of conformance.md (`UHTTP_ECHO_SERVER` runs the suites
 * against another script that keeps the same contract).
 */
export const ECHO_SERVER: string = process.env.UHTTP_ECHO_SERVER ||
  fileURLToPath(new URL("../../examples/echo_server.ts", import.meta.url));

/** Which runtime runs the tests. */
export const RUNTIME: "deno" | "bun" = "Deno" in globalThis ? "deno" : "bun";

/** Encodes a string as latin-1 bytes (each code unit one byte). */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Decodes bytes as latin-1 by hand (each byte one code unit). */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  let s = "";
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** Base64 of latin-1 text taken as bytes. */
export function base64Latin1(s: string): string {
  return btoa(s);
}

/** Resolves after `ms` milliseconds (the timer is always cleared). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The path and arguments that run a script under the current runtime. */
export function runtimeCommand(script: string, args: readonly string[]): [string, string[]] {
  if (RUNTIME === "deno") {
    const d = (globalThis as unknown as { Deno: { execPath(): string } }).Deno;
    return [d.execPath(), ["run", "-A", script, ...args]];
  }
  return [process.execPath, [script, ...args]];
}

/** A server script running as a child process. */
export interface ServerProcess {
  /** Port it listens on (from its first stdout line). */
  readonly port: number;
  /** The child process. */
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Everything it wrote to stdout after the first line. */
  stdout(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Stops it and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Runs `script` under this runtime (Deno: `deno run -A`, Bun: `bun`) and waits for
 * its first stdout line `listening on http://127.0.0.1:PORT/`.
 */
export function startServer(
  script: string = ECHO_SERVER,
  args: readonly string[] = ["--port", "0"],
  startTimeoutMs = 20_000,
): Promise<ServerProcess> {
  if (!existsSync(script)) {
    return Promise.reject(new Error(`Server script "${script}" does not exist yet`));
  }
  const [cmd, argv] = runtimeCommand(script, args);
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let out = "";
  let rest = "";
  let exited = false;
  // Never outlive the test process (a filtered run or a timeout skips the test
  // that stops the server).
  const killOnExit = () => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const exit = new Promise<void>((r) =>
    child.once("exit", () => {
      exited = true;
      process.removeListener("exit", killOnExit);
      r();
    })
  );
  child.stderr!.setEncoding("latin1");
  child.stderr!.on("data", (d: string) => {
    if (err.length < 100_000) err += d;
  });
  child.stdout!.setEncoding("latin1");
  return new Promise<ServerProcess>((resolve, reject) => {
    let port = 0;
    const timer = setTimeout(() => {
      fail(new Error(`Server did not print its address within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      exit.then(() => reject(new Error(`${e.message}; stderr: ${err.slice(0, 2000)}`)));
    };
    child.once("exit", (code) => {
      if (port === 0) fail(new Error(`Server exited with code ${code} before listening`));
    });
    child.stdout!.on("data", (d: string) => {
      if (port !== 0) {
        if (rest.length < 100_000) rest += d;
        return;
      }
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      const line = out.slice(0, nl).trim();
      rest = out.slice(nl + 1);
      const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(line);
      if (!m) {
        fail(new Error(`Unexpected first stdout line "${line}"`));
        return;
      }
      port = Number(m[1]);
      clearTimeout(timer);
      resolve({
        port,
        child,
        stderr: () => err,
        stdout: () => rest,
        alive: () => !exited,
        async stop() {
          if (exited) return;
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exit;
          clearTimeout(t);
        },
      });
    });
  });
}

/** What {@linkcode RawConn.read} returns when the connection ended or the time ran out. */
export type ReadEnd = "closed" | "timeout";

/** A parsed HTTP/1.1 response as it came on the wire. */
export interface WireResponse {
  /** The raw status line. */
  statusLine: string;
  status: number;
  /** Header fields in order, names lowercased, values latin-1. */
  headers: [string, string][];
  body: Uint8Array;
  /** All the bytes of this response. */
  raw: Uint8Array;
}

/** The value of the first header named `name` (lowercase), or undefined. */
export function header(r: WireResponse, name: string): string | undefined {
  for (const [k, v] of r.headers) if (k === name) return v;
  return undefined;
}

/**
 * One raw TCP connection to 127.0.0.1 with a byte buffer and a strict response
 * parser on top. Never throws for a reset: it counts as closed.
 */
export class RawConn {
  readonly socket: net.Socket;
  #buf: Uint8Array = new Uint8Array(0);
  #closed = false;
  #reset = false;
  #waiters: (() => void)[] = [];
  #closedPromise: Promise<void>;
  /** Total bytes received. */
  received = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    let done!: () => void;
    this.#closedPromise = new Promise((r) => done = r);
    socket.on("data", (d: Uint8Array) => {
      const b = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      this.received += b.length;
      this.#buf = this.#buf.length === 0 ? b.slice() : concat([this.#buf, b]);
      this.#wake();
    });
    socket.on("error", () => {
      this.#reset = true;
    });
    socket.on("end", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
      done();
    });
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port: number, timeoutMs = 5000): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`Connect to port ${port} timed out`));
      }, timeoutMs);
      s.once("connect", () => {
        clearTimeout(t);
        s.removeAllListeners("error");
        resolve(new RawConn(s));
      });
      s.once("error", (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /** Whether the peer closed (or reset) the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the connection was reset (an error on the socket). */
  get wasReset(): boolean {
    return this.#reset;
  }

  /** Bytes received and not consumed yet. */
  get buffered(): Uint8Array {
    return this.#buf;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Waits for more data or the end, at most `ms`. Returns false on timeout. */
  #more(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((f) => f !== wake);
        resolve(false);
      }, ms);
      const wake = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  /** Writes bytes (errors from a peer that closed are ignored). */
  write(data: Uint8Array | string): Promise<void> {
    const b = typeof data === "string" ? bytes(data) : data;
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        this.socket.write(b, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** Half-closes: sends FIN, keeps reading. */
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Destroys the socket and waits until it is closed. */
  async close(): Promise<void> {
    this.socket.destroy();
    await this.#closedPromise;
  }

  /** Resets the connection (RST) when the runtime supports it, else destroys it. */
  async reset(): Promise<void> {
    const s = this.socket as net.Socket & { resetAndDestroy?: () => void };
    if (typeof s.resetAndDestroy === "function") {
      try {
        s.resetAndDestroy();
      } catch {
        s.destroy();
      }
    } else s.destroy();
    await this.#closedPromise;
  }

  /** Waits until the peer closes; returns the bytes that came before, or "timeout". */
  async waitClosed(ms: number): Promise<Uint8Array | "timeout"> {
    const end = Date.now() + ms;
    while (!this.#closed) {
      const left = end - Date.now();
      if (left <= 0 || !(await this.#more(left))) {
        if (!this.#closed) return "timeout";
      }
    }
    const b = this.#buf;
    this.#buf = new Uint8Array(0);
    return b;
  }

  /** Asserts-free check: true when nothing arrives and the connection stays open for `ms`. */
  async quiet(ms: number): Promise<boolean> {
    if (this.#buf.length > 0 || this.#closed) return false;
    await this.#more(ms);
    return this.#buf.length === 0 && !this.#closed;
  }

  /**
   * Reads one response. `head` says it answers a HEAD request (no body).
   * Returns "closed" when the connection ended before a complete response (any
   * partial bytes stay in `buffered`), "timeout" when none came in `ms`.
   * Throws when the bytes are not a valid HTTP/1.1 response.
   */
  async readResponse(ms = 3000, head = false): Promise<WireResponse | ReadEnd> {
    const end = Date.now() + ms;
    while (true) {
      const r = parseResponse(this.#buf, head, this.#closed);
      if (r !== null) {
        this.#buf = this.#buf.slice(r.raw.length);
        return r;
      }
      if (this.#closed) return "closed";
      const left = end - Date.now();
      if (left <= 0 || !(await this.#more(left))) {
        const again = parseResponse(this.#buf, head, this.#closed);
        if (again !== null) {
          this.#buf = this.#buf.slice(again.raw.length);
          return again;
        }
        return this.#closed ? "closed" : "timeout";
      }
    }
  }
}

function indexOfSeq(b: Uint8Array, seq: readonly number[], from: number): number {
  outer: for (let i = from; i <= b.length - seq.length; i++) {
    for (let j = 0; j < seq.length; j++) if (b[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = [13, 10];
const CRLFCRLF = [13, 10, 13, 10];

/**
 * Parses one response at the start of `b` (strictly: CRLF line ends, status line
 * `HTTP/1.1 DDD reason`, token names). Returns null when incomplete. A body
 * delimited by the close is complete only when `closed`.
 */
export function parseResponse(b: Uint8Array, head: boolean, closed: boolean): WireResponse | null {
  const endHead = indexOfSeq(b, CRLFCRLF, 0);
  if (endHead < 0) {
    if (
      b.length > 0 &&
      !/^H(T(T(P(\/(1(\.(1( )?)?)?)?)?)?)?)?$/.test(latin1(b, 0, Math.min(9, b.length)))
    ) {
      throw new Error(`Not an HTTP/1.1 response: "${latin1(b, 0, Math.min(80, b.length))}"`);
    }
    return null;
  }
  const lines = latin1(b, 0, endHead).split("\r\n");
  const statusLine = lines[0]!;
  const m = /^HTTP\/1\.1 (\d{3})(?: [\t\x20-\x7e\x80-\xff]*)?$/.exec(statusLine);
  if (!m) throw new Error(`Bad status line "${statusLine}"`);
  const status = Number(m[1]);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const hm = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!hm) throw new Error(`Bad response header line "${line}"`);
    headers.push([hm[1]!.toLowerCase(), hm[2]!]);
  }
  let pos = endHead + 4;
  const all = (name: string) => headers.filter(([k]) => k === name).map(([, v]) => v);
  const te = all("transfer-encoding");
  const cl = all("content-length");
  if (te.length > 0 && cl.length > 0) throw new Error("Response has both TE and CL");
  if (cl.length > 1) throw new Error("Response has several Content-Length fields");
  let body: Uint8Array;
  if (head || (status >= 100 && status < 200) || status === 204 || status === 304) {
    body = new Uint8Array(0);
  } else if (te.length > 0) {
    if (te.join(",").toLowerCase().replace(/\s/g, "") !== "chunked") {
      throw new Error(`Unexpected response Transfer-Encoding "${te.join(",")}"`);
    }
    const parts: Uint8Array[] = [];
    while (true) {
      const eol = indexOfSeq(b, CRLF, pos);
      if (eol < 0) return null;
      const sizeLine = latin1(b, pos, eol);
      const sm = /^([0-9a-fA-F]{1,16})(;.*)?$/.exec(sizeLine);
      if (!sm) throw new Error(`Bad chunk size line "${sizeLine}"`);
      const size = parseInt(sm[1]!, 16);
      pos = eol + 2;
      if (size === 0) {
        // trailers
        while (true) {
          const e = indexOfSeq(b, CRLF, pos);
          if (e < 0) return null;
          const line = latin1(b, pos, e);
          pos = e + 2;
          if (line === "") break;
        }
        break;
      }
      if (b.length < pos + size + 2) return null;
      parts.push(b.subarray(pos, pos + size));
      if (b[pos + size] !== 13 || b[pos + size + 1] !== 10) throw new Error("Bad chunk end");
      pos += size + 2;
    }
    body = concat(parts);
  } else if (cl.length === 1) {
    if (!/^\d+$/.test(cl[0]!)) throw new Error(`Bad response Content-Length "${cl[0]}"`);
    const n = Number(cl[0]);
    if (b.length < pos + n) return null;
    body = b.slice(pos, pos + n);
    pos += n;
  } else {
    if (!closed) return null;
    body = b.slice(pos);
    pos = b.length;
  }
  return { statusLine, status, headers, body, raw: b.slice(0, pos) };
}

/** The echo JSON of conformance.md. */
export interface Echo {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  body: string;
}

/** Parses a response body as the echo JSON (throws with the text when it is not). */
export function echoOf(r: WireResponse): Echo {
  const text = new TextDecoder().decode(r.body);
  try {
    return JSON.parse(text) as Echo;
  } catch {
    throw new Error(`Response body is not JSON: "${text.slice(0, 200)}"`);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Sends one simple GET on a fresh connection and returns the response (closes after). */
export async function simpleGet(port: number, target = "/", ms = 3000): Promise<WireResponse> {
  const c = await RawConn.open(port);
  try {
    await c.write(`GET ${target} HTTP/1.1\r\nHost: check\r\nConnection: close\r\n\r\n`);
    const r = await c.readResponse(ms);
    if (typeof r === "string") throw new Error(`No response to GET ${target}: ${r}`);
    return r;
  } finally {
    await c.close();
  }
}
