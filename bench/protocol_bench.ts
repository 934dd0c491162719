/**
 * Micro-benchmarks of the sans-I/O protocol core: parsing a browser's GET head and
 * serialising a small response, on `Connection(SERVER)`. Run with
 * `deno bench -A bench/protocol_bench.ts` (or `deno task bench`).
 *
 * Each benchmark checks its result once at load time, so a broken core fails here
 * instead of producing a fast but meaningless figure.
 *
 * @module
 */
import {
  Connection,
  Data,
  EndOfMessage,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
  SERVER,
} from "../core/protocol/mod.ts";

/** A GET head as Chrome sends it for a navigation (about 600 bytes). */
const BROWSER_GET = [
  "GET /api/items?page=2&sort=desc HTTP/1.1",
  "Host: www.example.com",
  "Connection: keep-alive",
  'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"',
  "sec-ch-ua-mobile: ?0",
  'sec-ch-ua-platform: "Linux"',
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/131.0.0.0 Safari/537.36",
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp," +
  "*/*;q=0.8",
  "Sec-Fetch-Site: same-origin",
  "Sec-Fetch-Mode: navigate",
  "Sec-Fetch-User: ?1",
  "Sec-Fetch-Dest: document",
  "Accept-Encoding: gzip, deflate, br, zstd",
  "Accept-Language: en-US,en;q=0.9",
  "Cookie: session=4f1c2a9e7b3d8f60; theme=dark",
  "",
  "",
].join("\r\n");
const HEAD = new TextEncoder().encode(BROWSER_GET);
const HEADER_COUNT = 14;

const BODY = new Uint8Array(1000).fill(0x61);
const RESPONSE_HEADERS: [string, string][] = [
  ["Content-Type", "text/plain; charset=utf-8"],
  ["Content-Length", String(BODY.length)],
  ["Cache-Control", "no-store"],
  ["Date", "Tue, 01 Sep 2026 12:00:00 GMT"],
  ["Server", "uhttp"],
];

/** Feeds one head and reads events up to EndOfMessage; returns the Request. */
function parseOne(conn: Connection): Request {
  conn.receiveData(HEAD);
  let request: Request | null = null;
  for (;;) {
    const event = conn.nextEvent();
    if (event instanceof Request) request = event;
    else if (event instanceof EndOfMessage) break;
    else if (event === NEED_DATA || event === PAUSED) throw new Error("Head did not parse whole");
  }
  if (request === null) throw new Error("No request event");
  return request;
}

/** Sends the 1000-byte response and returns the number of bytes to write. */
function respond(conn: Connection): number {
  const head = conn.send(new Response({ status: 200, headers: RESPONSE_HEADERS }));
  const body = conn.send(new Data(BODY));
  const end = conn.send(new EndOfMessage());
  return (head?.length ?? 0) + (body?.length ?? 0) + (end?.length ?? 0);
}

// Sanity checks, once.
{
  const conn = new Connection(SERVER);
  const request = parseOne(conn);
  if (
    request.method !== "GET" || request.target !== "/api/items?page=2&sort=desc" ||
    request.headers.get("host") !== "www.example.com" ||
    [...request.headers].length !== HEADER_COUNT
  ) {
    throw new Error("The browser GET head parsed wrong");
  }
  const written = respond(conn);
  if (written < BODY.length + 100) throw new Error(`Response of only "${written}" bytes`);
  conn.startNextCycle();
  console.log(`head: ${HEAD.length} bytes, ${HEADER_COUNT} fields; response: ${written} bytes`);
}

// Deno ignores b.start()/b.end() for iterations under 10 µs, so the benchmarks that
// time only one part of a cycle do it for BATCH connections per iteration: divide the
// time by BATCH (multiply iter/s by BATCH) for one operation.
const BATCH = 10;
const NO_CONTENT = new Response({ status: 204 });
const parsers = Array.from({ length: BATCH }, () => new Connection(SERVER));
Deno.bench({
  name: `parse browser GET head, keep-alive Connection (x${BATCH})`,
  group: "parse",
  fn(b) {
    b.start();
    for (const conn of parsers) parseOne(conn);
    b.end();
    // A server can only start the next cycle once it has answered: not timed.
    for (const conn of parsers) {
      conn.send(NO_CONTENT);
      conn.send(new EndOfMessage());
      conn.startNextCycle();
    }
  },
});

Deno.bench({
  name: "parse browser GET head, new Connection each",
  group: "parse",
  fn() {
    parseOne(new Connection(SERVER));
  },
});

const serialisers = Array.from({ length: BATCH }, () => new Connection(SERVER));
Deno.bench({
  name: `serialise 1000-byte response, send() (x${BATCH})`,
  group: "serialise",
  fn(b) {
    for (const conn of serialisers) parseOne(conn);
    b.start();
    for (const conn of serialisers) respond(conn);
    b.end();
    for (const conn of serialisers) conn.startNextCycle();
  },
});

const passthroughs = Array.from({ length: BATCH }, () => new Connection(SERVER));
Deno.bench({
  name: `serialise 1000-byte response, sendWithDataPassthrough() (x${BATCH})`,
  group: "serialise",
  fn(b) {
    for (const conn of passthroughs) parseOne(conn);
    b.start();
    for (const conn of passthroughs) {
      conn.sendWithDataPassthrough(new Response({ status: 200, headers: RESPONSE_HEADERS }));
      conn.sendWithDataPassthrough(new Data(BODY));
      conn.sendWithDataPassthrough(new EndOfMessage());
    }
    b.end();
    for (const conn of passthroughs) conn.startNextCycle();
  },
});

const cycle = new Connection(SERVER);
Deno.bench({
  name: "full keep-alive cycle: parse GET + 1000-byte response",
  group: "cycle",
  fn() {
    parseOne(cycle);
    respond(cycle);
    cycle.startNextCycle();
  },
});
