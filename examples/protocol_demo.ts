/**
 * HTTP/1.1 over a real socket, built from the two lowest layers of
 * `@uhttp/core`.
 *
 * A tiny server listens on 127.0.0.1 (a free port) with `listen` from core/net and
 * speaks HTTP through the sans-I/O protocol core (`Connection(SERVER)`). A client opens
 * ONE connection with `connect`, sends two requests on it (keep-alive) through
 * `Connection(CLIENT)`, prints what goes over the wire and what comes back, then both
 * sides close and the program exits.
 *
 * Run: `deno run -A examples/protocol_demo.ts` or `bun examples/protocol_demo.ts`.
 *
 * @module
 */
import process from "node:process";
import { connect, listen, runtimeName } from "../core/net/mod.ts";
import type { Transport } from "../core/net/types.ts";
import {
  CLIENT,
  Connection,
  ConnectionClosed,
  Data,
  EndOfMessage,
  type Event,
  MUST_CLOSE,
  NEED_DATA,
  PAUSED,
  RemoteProtocolError,
  Request,
  Response,
  SERVER,
} from "../core/protocol/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Shows bytes as they look on the wire: CR LF as "\r\n", one line per line. */
function wire(prefix: string, bytes: Uint8Array): string {
  const text = decoder.decode(bytes).replace(/\r\n/g, "\\r\\n\n");
  return text.split("\n").filter((l) => l !== "").map((l) => `${prefix}${l}`).join("\n");
}

// ---------------------------------------------------------------------------------------
// The server: one protocol Connection per accepted socket.

const serverClosed: Promise<void>[] = [];

function serve(transport: Transport): void {
  const conn = new Connection(SERVER);
  const peer = `${transport.remoteAddr.hostname}:${transport.remoteAddr.port}`;
  let served = 0;
  let request: Request | null = null;
  let body = 0;
  let resolveClosed!: () => void;
  serverClosed.push(new Promise<void>((resolve) => resolveClosed = resolve));
  console.log(`[server] accepted a connection from ${peer}`);

  function answer(status: number, text: string): void {
    const bytes = encoder.encode(text);
    const head = conn.send(
      new Response({
        status,
        headers: [["Content-Type", "text/plain; charset=utf-8"], [
          "Content-Length",
          String(bytes.length),
        ]],
      }),
    );
    const data = conn.send(new Data(bytes));
    const end = conn.send(new EndOfMessage());
    for (const piece of [head, data, end]) if (piece && piece.length > 0) transport.write(piece);
  }

  function pump(): void {
    for (;;) {
      let event: Event | typeof NEED_DATA | typeof PAUSED;
      try {
        event = conn.nextEvent();
      } catch (error) {
        if (!(error instanceof RemoteProtocolError)) throw error;
        console.log(`[server] bad request from ${peer}: ${error.message}`);
        try {
          answer(error.statusHint, "Bad request\n");
        } catch { /* too late to answer */ }
        transport.close();
        return;
      }
      if (event === NEED_DATA || event === PAUSED) return;
      if (event instanceof Request) {
        request = event;
        body = 0;
        console.log(
          `[server] request #${served + 1} on ${peer}: ${event.method} ${event.target} ` +
            `(HTTP/${event.httpVersion}, ${[...event.headers].length} header fields)`,
        );
      } else if (event instanceof Data) {
        body += event.data.length;
      } else if (event instanceof EndOfMessage && request) {
        served++;
        const text = `Hello from @uhttp/core on ${runtimeName()}!\n` +
          `You asked for ${request.target}; this is request #${served} on this connection` +
          (body > 0 ? ` (you sent ${body} bytes)` : "") + ".\n";
        answer(200, text);
        request = null;
        if (conn.ourState === MUST_CLOSE) {
          transport.close();
          return;
        }
        conn.startNextCycle(); // keep-alive: ready for the next request (maybe already buffered)
      } else if (event instanceof ConnectionClosed) {
        console.log(`[server] ${peer} closed its side after ${served} request(s); closing ours`);
        transport.close();
        return;
      }
    }
  }

  transport.setHandlers({
    onData(bytes) {
      conn.receiveData(bytes);
      pump();
    },
    onEnd() {
      conn.receiveData(new Uint8Array(0));
      pump();
    },
    onClose(error) {
      if (error) console.log(`[server] connection from ${peer} failed: ${error.message}`);
      resolveClosed();
    },
  });
}

// ---------------------------------------------------------------------------------------
// The client: one socket, one protocol Connection, requests one after the other.

class Client {
  readonly conn = new Connection(CLIENT);
  readonly closed: Promise<void>;
  #wake: (() => void) | null = null;
  #error: Error | null = null;

  constructor(readonly transport: Transport) {
    let resolveClosed!: () => void;
    this.closed = new Promise<void>((resolve) => resolveClosed = resolve);
    transport.setHandlers({
      onData: (bytes) => {
        this.conn.receiveData(bytes);
        this.#notify();
      },
      onEnd: () => {
        this.conn.receiveData(new Uint8Array(0));
        this.#notify();
      },
      onClose: (error) => {
        this.#error = error ?? null;
        this.#notify();
        resolveClosed();
      },
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Sends one request and reads its whole response. */
  async request(method: string, target: string, body?: string): Promise<Response> {
    const bytes = body === undefined ? undefined : encoder.encode(body);
    const headers: [string, string][] = [["Host", "127.0.0.1"], ["User-Agent", "uhttp-demo"]];
    if (bytes) headers.push(["Content-Length", String(bytes.length)]);
    const pieces = [this.conn.send(new Request({ method, target, headers }))];
    if (bytes) pieces.push(this.conn.send(new Data(bytes)));
    pieces.push(this.conn.send(new EndOfMessage()));
    for (const piece of pieces) {
      if (!piece || piece.length === 0) continue;
      console.log(wire("  > ", piece));
      this.transport.write(piece);
    }

    let response: Response | null = null;
    const chunks: Uint8Array[] = [];
    for (;;) {
      const event = this.conn.nextEvent();
      if (event === NEED_DATA) {
        if (this.transport.closed) throw this.#error ?? new Error("Connection closed early");
        await new Promise<void>((resolve) => this.#wake = resolve);
      } else if (event instanceof Response) {
        response = event;
      } else if (event instanceof Data) {
        chunks.push(event.data);
      } else if (event instanceof EndOfMessage) {
        break;
      } else if (event instanceof ConnectionClosed || event === PAUSED) {
        throw new Error("The server closed the connection without a whole response");
      }
    }
    if (!response) throw new Error("No response");
    console.log(`  < HTTP/${response.httpVersion} ${response.status} ${response.reason}`);
    for (const [name, value] of response.headers) console.log(`  < ${name}: ${value}`);
    console.log("  <");
    for (const chunk of chunks) console.log(wire("  < ", chunk));
    if (this.conn.keepAlive) this.conn.startNextCycle();
    return response;
  }
}

// ---------------------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  console.error("demo: gave up after 10 s (something did not answer or close)");
  process.exit(1);
}, 10_000);

const listener = listen({ hostname: "127.0.0.1", port: 0 }, serve);
const { hostname, port } = listener.addr;
console.log(`@uhttp/core demo on ${runtimeName()}: HTTP/1.1 over a real TCP socket`);
console.log('("  > " lines: bytes the client writes; "  < " lines: the response it reads)\n');
console.log(`[server] listening on http://${hostname}:${port}/`);

const transport = await connect({ hostname, port });
const client = new Client(transport);
console.log(
  `[client] connected from ${transport.localAddr.hostname}:${transport.localAddr.port}\n`,
);

console.log("[client] request 1:");
await client.request("GET", "/hello");
console.log("\n[client] request 2, on the same connection (keep-alive):");
await client.request("POST", "/echo?n=2", "ping");

console.log("\n[client] done; closing the connection");
transport.close();
await client.closed;
await Promise.all(serverClosed);
listener.close();
clearTimeout(watchdog);
console.log("[server] stopped listening. Bye!");
