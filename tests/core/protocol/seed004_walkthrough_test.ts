/**
 * The walk-through of seed 004 ("Writing your own HTTP/1.1 client"), replayed
 * against a local server over real sockets: the client drives a protocol
 * `Connection(CLIENT)` over `connect()`, the server answers `GET /xml` with the
 * seed's XML document in 200-byte pieces, and the client sees NEED_DATA between
 * the pieces, then Response, Data and EndOfMessage, and reuses the connection
 * (keep-alive) for a second request after startNextCycle().
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLIENT,
  Connection,
  Data,
  DONE,
  EndOfMessage,
  IDLE,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
  SERVER,
} from "../../../core/protocol/mod.ts";
import { connect, listen, type Transport } from "../../../core/net/mod.ts";

const XML = `<?xml version='1.0' encoding='us-ascii'?>

<!--  A SAMPLE set of slides  -->

<slideshow 
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>`;
const XML_BYTES = new TextEncoder().encode(XML);
const JSON_BYTES = new TextEncoder().encode('{"url": "http://httpbin.org/get"}\n');
const PIECE = 200;

type Event = ReturnType<Connection["nextEvent"]>;

/** What one piece of the response made the client's connection say. */
function describe(event: Event): string {
  if (event === NEED_DATA) return "NEED_DATA";
  if (event === PAUSED) return "PAUSED";
  if (event instanceof Response) return `Response ${event.status}`;
  if (event instanceof Data) return `Data ${event.data.length}`;
  if (event instanceof EndOfMessage) return "EndOfMessage";
  return event.constructor.name;
}

/**
 * The server: a protocol Connection(SERVER) per accepted socket, answering in
 * 200-byte pieces; after each piece it waits until the client has it (so every
 * piece arrives on its own).
 */
function startServer(clientHas: (bytes: number) => Promise<void>) {
  const requests: string[] = [];
  const transports: Transport[] = [];
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
    transports.push(t);
    const conn = new Connection(SERVER);
    let sent = 0;
    const answer = async (target: string) => {
      const body = target === "/xml" ? XML_BYTES : JSON_BYTES;
      const head = conn.send(
        new Response({
          status: 200,
          headers: [
            ["Connection", "keep-alive"],
            ["Server", "gunicorn/19.7.1"],
            ["Date", "Tue, 02 May 2017 07:28:53 GMT"],
            ["Content-Type", target === "/xml" ? "application/xml" : "application/json"],
            ["Content-Length", String(body.length)],
            ["Access-Control-Allow-Origin", "*"],
            ["Access-Control-Allow-Credentials", "true"],
            ["Via", "1.1 vegur"],
          ],
        }),
      )!;
      const data = conn.send(new Data(body))!;
      const end = conn.send(new EndOfMessage())!;
      const wire = new Uint8Array(head.length + data.length + end.length);
      wire.set(head, 0);
      wire.set(data, head.length);
      wire.set(end, head.length + data.length);
      for (let offset = 0; offset < wire.length; offset += PIECE) {
        const piece = wire.subarray(offset, offset + PIECE);
        t.write(piece);
        sent += piece.length;
        await clientHas(sent); // the awaited flush
      }
      conn.startNextCycle();
      pump();
    };
    const pump = () => {
      while (true) {
        const event = conn.nextEvent();
        if (event === NEED_DATA || event === PAUSED) return;
        if (event instanceof Request) requests.push(`${event.method} ${event.target}`);
        if (event instanceof EndOfMessage) {
          answer(requests[requests.length - 1]!.split(" ")[1]!);
          return;
        }
      }
    };
    t.setHandlers({
      onData(bytes) {
        conn.receiveData(bytes);
        if (conn.ourState === IDLE || conn.theirState !== DONE) pump();
      },
      onEnd() {
        t.close();
      },
    });
  });
  return { listener, requests, transports };
}

test("seed 004: GET /xml in 200-byte pieces, NEED_DATA between, keep-alive reuse", async () => {
  assert.equal(XML_BYTES.length, 522, "the seed's Content-Length");

  // Client side state, shared with the server's "flush" waits.
  let received = 0;
  const waiters: Array<{ bytes: number; resolve: () => void }> = [];
  const clientHas = (bytes: number) =>
    new Promise<void>((resolve) => {
      if (received >= bytes) resolve();
      else waiters.push({ bytes, resolve });
    });

  const server = startServer(clientHas);
  const t = await connect({ hostname: "127.0.0.1", port: server.listener.addr.port });
  const conn = new Connection(CLIENT);

  /** For every piece received: the events it produced. */
  let pieces: string[][] = [];
  let body: Uint8Array[] = [];
  let response: Response | null = null;
  let finished!: () => void;
  let responseDone = new Promise<void>((r) => finished = r);

  t.setHandlers({
    onData(bytes) {
      received += bytes.length;
      conn.receiveData(bytes);
      const events: string[] = [];
      while (true) {
        const event = conn.nextEvent();
        events.push(describe(event));
        if (event instanceof Response) response = event;
        if (event instanceof Data) body.push(event.data);
        if (event === NEED_DATA || event === PAUSED) break;
        if (event instanceof EndOfMessage) {
          finished();
          break;
        }
      }
      pieces.push(events);
      for (const w of waiters.splice(0)) {
        if (received >= w.bytes) w.resolve();
        else waiters.push(w);
      }
    },
  });

  // In [13]-[19]: the request and its (empty) EndOfMessage.
  const request = conn.send(
    new Request({ method: "GET", target: "/xml", headers: [["Host", "httpbin.org"]] }),
  )!;
  // The seed's h11 lowercases the name; this core keeps the casing as given.
  assert.equal(new TextDecoder().decode(request), "GET /xml HTTP/1.1\r\nHost: httpbin.org\r\n\r\n");
  const eom = conn.send(new EndOfMessage())!;
  assert.equal(eom.length, 0);
  t.write(request);
  await responseDone;

  // The head is longer than 200 bytes: the first piece gives NEED_DATA only.
  assert.deepEqual(pieces[0], ["NEED_DATA"]);
  assert.equal(pieces[1]![0], "Response 200");
  assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
  // Every piece but the last ends waiting for more; the body streams out as Data.
  for (const events of pieces.slice(0, -1)) assert.equal(events.at(-1), "NEED_DATA");
  assert.deepEqual(pieces.at(-1)!.slice(-1), ["EndOfMessage"]);
  assert.ok(pieces.slice(2).every((events) => events[0]!.startsWith("Data")));

  const res = response! as Response;
  assert.equal(res.status, 200);
  assert.equal(res.reason, "OK");
  assert.equal(res.httpVersion, "1.1");
  assert.equal(res.headers.get("content-length"), "522");
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(res.headers.get("via"), "1.1 vegur");
  const joined = new Uint8Array(body.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of body) {
    joined.set(b, offset);
    offset += b.length;
  }
  assert.equal(new TextDecoder().decode(joined), XML);

  // In [47]-[49]: both sides DONE, start the next cycle, both IDLE.
  assert.equal(conn.ourState, DONE);
  assert.equal(conn.theirState, DONE);
  conn.startNextCycle();
  assert.equal(conn.ourState, IDLE);
  assert.equal(conn.theirState, IDLE);

  // In [50]-[51]: a second request on the same connection.
  pieces = [];
  body = [];
  response = null;
  responseDone = new Promise<void>((r) => finished = r);
  t.write(
    conn.send(new Request({ method: "GET", target: "/get", headers: [["Host", "httpbin.org"]] }))!,
  );
  conn.send(new EndOfMessage());
  await responseDone;
  const second = response! as Response;
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("content-type"), "application/json");
  assert.equal(second.headers.get("content-length"), String(JSON_BYTES.length));
  assert.equal(body.reduce((n, b) => n + b.length, 0), JSON_BYTES.length);
  assert.deepEqual(server.requests, ["GET /xml", "GET /get"]);
  assert.equal(server.transports.length, 1, "one connection for both requests");

  t.close();
  await t.finished;
  await Promise.all(server.transports.map((s) => s.finished));
  server.listener.close();
  await server.listener.finished;
});
