/**
 * Connection tests: the seed 004 (h11) examples without a socket, keep-alive,
 * pipelining, 100-continue, Upgrade/CONNECT and state handling.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLIENT,
  CLOSED,
  Connection,
  ConnectionClosed,
  Data,
  DONE,
  EndOfMessage,
  ERROR,
  IDLE,
  InformationalResponse,
  LocalProtocolError,
  MIGHT_SWITCH_PROTOCOL,
  MUST_CLOSE,
  NEED_DATA,
  PAUSED,
  Request,
  Response,
  SEND_BODY,
  SEND_RESPONSE,
  SERVER,
  SWITCHED_PROTOCOL,
} from "../../../core/protocol/mod.ts";
import {
  bytes,
  collect,
  concat,
  EOF,
  feedThreeWays,
  kinds,
  mergeData,
  type Outcome,
  requestOf,
  responseOf,
  sendAll,
  summarize,
  text,
} from "./_helpers.ts";

const XML = "<?xml version='1.0' encoding='us-ascii'?>\n\n<slideshow>\n</slideshow>";
const SEED_RESPONSE = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nServer: gunicorn/19.7.1\r\n" +
  "Date: Tue, 02 May 2017 07:28:53 GMT\r\nContent-Type: application/xml\r\n" +
  `Content-Length: ${XML.length}\r\nAccess-Control-Allow-Origin: *\r\nVia: 1.1 vegur\r\n\r\n${XML}`;

function httpbinRequest(target = "/xml"): Request {
  return new Request({ method: "GET", target, headers: [["Host", "httpbin.org"]] });
}

// ---------------------------------------------------------------- seed 004

test("seed 004: a client's GET is the same bytes h11 sends, and EndOfMessage is empty", () => {
  const conn = new Connection(CLIENT);
  const out = conn.send(httpbinRequest());
  assert.ok(out !== null);
  assert.equal(text(out), "GET /xml HTTP/1.1\r\nHost: httpbin.org\r\n\r\n");
  const end = conn.send(new EndOfMessage());
  assert.ok(end !== null);
  assert.equal(end.length, 0);
  assert.equal(conn.ourState, DONE);
  assert.equal(conn.theirState, SEND_RESPONSE);
});

test("seed 004: the client reads Response, Data and EndOfMessage", () => {
  const conn = new Connection(CLIENT);
  conn.send(httpbinRequest());
  conn.send(new EndOfMessage());
  feedThreeWays(bytes(SEED_RESPONSE), CLIENT, (o) => {
    const res = responseOf(o);
    assert.equal(res.status, 200);
    assert.equal(res.reason, "OK");
    assert.equal(res.httpVersion, "1.1");
    assert.equal(res.headers.get("content-type"), "application/xml");
    assert.equal(res.headers.get("Server"), "gunicorn/19.7.1");
    assert.equal(text(o.body), XML);
    assert.deepEqual(kinds(o), ["Response", "Data", "EndOfMessage"]);
    assert.equal(o.conn.ourState, DONE);
    assert.equal(o.conn.theirState, DONE);
  });
});

test("seed 004: split input gives NEED_DATA, then the Response once the head is in", () => {
  const conn = new Connection(CLIENT);
  conn.send(httpbinRequest());
  conn.send(new EndOfMessage());
  const all = bytes(SEED_RESPONSE);
  const split = SEED_RESPONSE.indexOf("\r\n\r\n") + 4 + 20;
  conn.receiveData(all.subarray(0, 100));
  assert.equal(conn.nextEvent(), NEED_DATA);
  conn.receiveData(all.subarray(100, split));
  const res = conn.nextEvent();
  assert.ok(res instanceof Response);
  assert.equal(res.headers.get("content-length"), String(XML.length));
  // The body streams out as it arrives.
  const first = conn.nextEvent();
  assert.ok(first instanceof Data);
  assert.ok(first.data.length > 0 && first.data.length < XML.length);
  assert.equal(conn.nextEvent(), NEED_DATA);
  conn.receiveData(all.subarray(split));
  const rest = conn.nextEvent();
  assert.ok(rest instanceof Data);
  assert.equal(text(concat(first.data, rest.data)), XML);
  assert.ok(conn.nextEvent() instanceof EndOfMessage);
  assert.equal(conn.nextEvent(), NEED_DATA);
});

test("seed 004: request round trip client -> server -> client", () => {
  const client = new Connection(CLIENT);
  const server = new Connection(SERVER);
  const reqBytes = sendAll(
    client,
    new Request({
      method: "POST",
      target: "/post",
      headers: [["Host", "httpbin.org"], ["Content-Length", "10"]],
    }),
    new Data(bytes("1234567890")),
    new EndOfMessage(),
  );
  assert.equal(
    text(reqBytes),
    "POST /post HTTP/1.1\r\nHost: httpbin.org\r\nContent-Length: 10\r\n\r\n1234567890",
  );
  server.receiveData(reqBytes);
  const got = collect(server);
  assert.deepEqual(got.events.map((e) => e.constructor.name), ["Request", "Data", "EndOfMessage"]);
  const req = got.events[0] as Request;
  assert.equal(req.method, "POST");
  assert.equal(req.target, "/post");
  assert.deepEqual([...req.headers], [["Host", "httpbin.org"], ["Content-Length", "10"]]);
  assert.equal(text((got.events[1] as Data).data), "1234567890");
  assert.equal(server.theirState, DONE);
  assert.equal(server.ourState, SEND_RESPONSE);

  const resBytes = sendAll(
    server,
    new Response({ status: 200, headers: [["Content-Type", "text/plain"]] }),
    new Data(bytes("hello ")),
    new Data(bytes("world")),
    new EndOfMessage(),
  );
  client.receiveData(resBytes);
  const back = collect(client);
  const res = back.events[0];
  assert.ok(res instanceof Response);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.equal(res.headers.get("transfer-encoding"), "chunked");
  const body = back.events.filter((e) => e instanceof Data).map((e) => text((e as Data).data));
  assert.equal(body.join(""), "hello world");
  assert.ok(back.events.at(-1) instanceof EndOfMessage);
  assert.deepEqual([client.ourState, client.theirState], [DONE, DONE]);
  assert.deepEqual([server.ourState, server.theirState], [DONE, DONE]);
});

test("seed 004: keep-alive cycle with startNextCycle", () => {
  const client = new Connection(CLIENT);
  const server = new Connection(SERVER);
  for (const target of ["/xml", "/get", "/third"]) {
    server.receiveData(sendAll(client, httpbinRequest(target), new EndOfMessage()));
    const got = collect(server);
    assert.equal((got.events[0] as Request).target, target);
    const body = bytes(`you asked for ${target}`);
    client.receiveData(
      sendAll(
        server,
        new Response({ status: 200, headers: [["Content-Length", String(body.length)]] }),
        new Data(body),
        new EndOfMessage(),
      ),
    );
    const back = collect(client);
    assert.equal(back.stop, NEED_DATA);
    assert.equal(
      text((back.events.find((e) => e instanceof Data) as Data).data),
      `you asked for ${target}`,
    );
    assert.deepEqual([client.ourState, client.theirState], [DONE, DONE]);
    assert.deepEqual([server.ourState, server.theirState], [DONE, DONE]);
    client.startNextCycle();
    server.startNextCycle();
    assert.deepEqual([client.ourState, client.theirState], [IDLE, IDLE]);
    assert.deepEqual(server.states, { CLIENT: IDLE, SERVER: IDLE });
  }
});

test("seed 004: sending a Response as a client, or two Requests, is a LocalProtocolError", () => {
  const a = new Connection(CLIENT);
  assert.throws(() => a.send(new Response({ status: 200 })), LocalProtocolError);
  assert.equal(a.ourState, ERROR);
  const b = new Connection(CLIENT);
  b.send(httpbinRequest());
  assert.throws(() => b.send(httpbinRequest()), LocalProtocolError);
  assert.equal(b.ourState, ERROR);
  assert.throws(() => b.send(new EndOfMessage()), LocalProtocolError, "errors are sticky");
});

// ---------------------------------------------------------------- states

test("states: server walks IDLE -> SEND_RESPONSE -> SEND_BODY -> DONE", () => {
  const conn = new Connection(SERVER);
  assert.deepEqual(conn.states, { CLIENT: IDLE, SERVER: IDLE });
  assert.equal(conn.theirHttpVersion, null);
  conn.receiveData(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"));
  assert.ok(conn.nextEvent() instanceof Request);
  assert.deepEqual(conn.states, { CLIENT: SEND_BODY, SERVER: SEND_RESPONSE });
  assert.equal(conn.theirHttpVersion, "1.1");
  assert.equal(conn.nextEvent(), NEED_DATA);
  conn.send(new InformationalResponse({ status: 103, headers: [["Link", "</a>"]] }));
  assert.equal(conn.ourState, SEND_RESPONSE);
  conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] }));
  assert.equal(conn.ourState, SEND_BODY);
  conn.send(new EndOfMessage());
  assert.equal(conn.ourState, DONE);
  assert.throws(() => conn.startNextCycle(), LocalProtocolError, "client not done yet");
  conn.receiveData(bytes("abc"));
  assert.ok(conn.nextEvent() instanceof Data);
  assert.ok(conn.nextEvent() instanceof EndOfMessage);
  assert.deepEqual(conn.states, { CLIENT: DONE, SERVER: DONE });
  conn.startNextCycle();
  assert.deepEqual(conn.states, { CLIENT: IDLE, SERVER: IDLE });
});

/** A client connection that sent `method /` and received `head` up to its Response event. */
function answered(method: string, head: string): Connection {
  const conn = new Connection(CLIENT);
  conn.send(new Request({ method, target: "/", headers: [["Host", "a"]] }));
  conn.send(new EndOfMessage());
  conn.receiveData(bytes(head));
  assert.ok(conn.nextEvent() instanceof Response);
  return conn;
}

test("theirBodyLength: the framing's length, not the field's", () => {
  assert.equal(new Connection(CLIENT).theirBodyLength, null, "before any message");
  assert.equal(answered("GET", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n").theirBodyLength, 7);
  assert.equal(answered("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n").theirBodyLength, 0);
  assert.equal(answered("GET", "HTTP/1.1 304 OK\r\nContent-Length: 7\r\n\r\n").theirBodyLength, 0);
  const chunked = answered("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  assert.equal(chunked.theirBodyLength, null);
  assert.equal(answered("GET", "HTTP/1.1 200 OK\r\n\r\n").theirBodyLength, null, "until close");
  const done = answered("GET", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  assert.ok(done.nextEvent() instanceof EndOfMessage);
  assert.equal(done.theirBodyLength, null, "after the message");

  const server = new Connection(SERVER);
  server.receiveData(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"));
  assert.ok(server.nextEvent() instanceof Request);
  assert.equal(server.theirBodyLength, 3);
});

test("takeWholeBody: a body all here ends the message in one call", () => {
  const conn = answered("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1");
  assert.equal(text(conn.takeWholeBody()!), "hello");
  assert.equal(conn.theirState, DONE);
  assert.equal(conn.bufferedLength, 8, "the bytes after the body stay");
  assert.equal(conn.takeWholeBody(), null, "nothing left to take");
  assert.equal(conn.nextEvent(), PAUSED);

  const head = answered("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
  assert.equal(head.takeWholeBody()!.length, 0);
  assert.equal(head.theirState, DONE);
  head.startNextCycle();
  assert.deepEqual(head.states, { CLIENT: IDLE, SERVER: IDLE });

  const server = new Connection(SERVER);
  server.receiveData(bytes("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"));
  assert.ok(server.nextEvent() instanceof Request);
  assert.equal(server.takeWholeBody()!.length, 0);
  assert.equal(server.theirState, DONE);
  assert.equal(server.theyAreWaitingFor100Continue, false);
});

test("takeWholeBody: the rest after Data events; null while bytes are missing", () => {
  const conn = answered(
    "GET",
    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc",
  );
  assert.equal(conn.takeWholeBody(), null);
  assert.equal(conn.theirState, SEND_BODY, "nothing changes");
  assert.equal(text((conn.nextEvent() as Data).data), "abc");
  conn.receiveData(bytes("defg"));
  assert.equal(conn.takeWholeBody(), null);
  conn.receiveData(bytes("hij"));
  assert.equal(text(conn.takeWholeBody()!), "defghij");
  assert.equal(conn.theirState, MUST_CLOSE, "Connection: close still applies");
});

test("takeWholeBody: null for bodies without a length, too long, or outside a body", () => {
  const chunked = answered("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  assert.equal(chunked.takeWholeBody(), null);
  assert.ok(chunked.nextEvent() instanceof EndOfMessage, "left for nextEvent");
  const untilClose = answered("GET", "HTTP/1.1 200 OK\r\n\r\nabc");
  assert.equal(untilClose.takeWholeBody(), null);
  const long = answered("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  assert.equal(long.takeWholeBody(4), null, "longer than maxLength");
  assert.equal(long.theirState, SEND_BODY, "nothing changes");
  assert.equal(text(long.takeWholeBody(5)!), "hello");

  const idle = new Connection(SERVER);
  assert.equal(idle.takeWholeBody(), null, "no message yet");
  idle.receiveData(bytes("GET / HTTP/1.1\r\n"));
  assert.equal(idle.takeWholeBody(), null, "inside a head");
  assert.equal(idle.theirState, IDLE);
});

test("states: ConnectionClosed sent returns null and moves our side to CLOSED", () => {
  const conn = new Connection(CLIENT);
  conn.send(httpbinRequest());
  conn.send(new EndOfMessage());
  conn.receiveData(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  collect(conn);
  assert.equal(conn.ourState, MUST_CLOSE);
  assert.equal(conn.send(new ConnectionClosed()), null);
  assert.equal(conn.ourState, CLOSED);
  assert.equal(conn.sendWithDataPassthrough(new ConnectionClosed()), null);
});

test("states: sendFailed puts our side in ERROR", () => {
  const conn = new Connection(SERVER);
  conn.sendFailed();
  assert.equal(conn.ourState, ERROR);
  assert.throws(() => conn.send(new Response({ status: 500 })), LocalProtocolError);
});

// ---------------------------------------------------------------- keep-alive

interface KeepAliveRow {
  name: string;
  request: string;
  keepAlive: boolean;
  /** The connection header the server's response should carry, if any. */
  connectionHeader?: string;
}

const KEEP_ALIVE: KeepAliveRow[] = [
  {
    name: "HTTP/1.1 default keeps alive",
    request: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    keepAlive: true,
  },
  {
    name: "HTTP/1.1 Connection: close",
    request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    keepAlive: false,
    connectionHeader: "close",
  },
  {
    name: "HTTP/1.1 Connection: foo, Close (token list, any case)",
    request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n",
    keepAlive: false,
    connectionHeader: "close",
  },
  {
    name: "HTTP/1.1 close in a second Connection field",
    request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo\r\nConnection: CLOSE\r\n\r\n",
    keepAlive: false,
    connectionHeader: "close",
  },
  {
    name: "HTTP/1.1 Connection: closed is not close",
    request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n",
    keepAlive: true,
  },
  {
    name: "HTTP/1.0 default closes",
    request: "GET / HTTP/1.0\r\n\r\n",
    keepAlive: false,
    connectionHeader: "close",
  },
  {
    name: "HTTP/1.0 Connection: keep-alive stays alive",
    request: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    keepAlive: true,
    connectionHeader: "keep-alive",
  },
  {
    name: "HTTP/1.0 Connection: Keep-Alive in a list stays alive",
    request: "GET / HTTP/1.0\r\nConnection: foo,  Keep-Alive \r\n\r\n",
    keepAlive: true,
    connectionHeader: "keep-alive",
  },
  {
    name: "HTTP/1.0 keep-alive and close: close wins",
    request: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
    keepAlive: false,
    connectionHeader: "close",
  },
];

for (const row of KEEP_ALIVE) {
  test(`keep-alive: ${row.name}`, () => {
    feedThreeWays(bytes(row.request), SERVER, (o: Outcome) => {
      requestOf(o);
      const conn = o.conn;
      assert.equal(conn.theirState, row.keepAlive ? DONE : MUST_CLOSE, "client state");
      if (o.mode === "trailing") return; // checked by the helper (pipelined request)
      const head = text(
        conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] }))!,
      ).toLowerCase();
      conn.send(new EndOfMessage());
      assert.equal(conn.ourState, row.keepAlive ? DONE : MUST_CLOSE, "server state");
      if (row.connectionHeader !== undefined) {
        assert.ok(head.includes(`\r\nconnection: ${row.connectionHeader}\r\n`), head);
      } else {
        assert.ok(!head.includes("\r\nconnection:"), head);
      }
      if (row.keepAlive) {
        conn.startNextCycle();
        assert.deepEqual(conn.states, { CLIENT: IDLE, SERVER: IDLE });
      } else {
        assert.throws(() => conn.startNextCycle(), LocalProtocolError);
      }
    });
  });
}

test("keep-alive: a server response with Connection: close makes both sides MUST_CLOSE", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  collect(conn);
  assert.equal(conn.theirState, DONE);
  conn.send(
    new Response({ status: 200, headers: [["Connection", "close"], ["Content-Length", "0"]] }),
  );
  conn.send(new EndOfMessage());
  assert.deepEqual(conn.states, { CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE });
  assert.equal(conn.keepAlive, false);
});

const CLIENT_KEEP_ALIVE: [string, string, boolean][] = [
  ["HTTP/1.1 response keeps alive", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true],
  [
    "HTTP/1.1 response with Connection: close",
    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    false,
  ],
  ["HTTP/1.0 response closes", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false],
  [
    "HTTP/1.0 response with Connection: keep-alive",
    "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
    true,
  ],
];
for (const [name, input, alive] of CLIENT_KEEP_ALIVE) {
  test(`keep-alive (client): ${name}`, () => {
    feedThreeWays(bytes(input), CLIENT, (o) => {
      responseOf(o);
      assert.equal(o.conn.theirState, alive ? DONE : MUST_CLOSE);
      assert.equal(o.conn.ourState, alive ? DONE : MUST_CLOSE);
    });
  });
}

// ---------------------------------------------------------------- requests we send

/** A client connection that has sent a request with `headers` (and `body`, if any). */
function sentRequest(
  headers: [string, string][],
  body = "",
  httpVersion = "1.1",
): { conn: Connection; wire: string } {
  const conn = new Connection(CLIENT);
  const req = new Request({ method: "POST", target: "/", headers, httpVersion });
  let wire = text(conn.send(req)!);
  if (body !== "" && !conn.clientIsWaitingFor100Continue) {
    wire += text(conn.send(new Data(bytes(body)))!);
  }
  return { conn, wire };
}

test("the fields of a request we send decide its framing and the connection's fate", () => {
  const host: [string, string] = ["Host", "a"];
  const ok = bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const finish = (conn: Connection) => {
    if (conn.ourState !== DONE) conn.send(new EndOfMessage());
    conn.receiveData(ok);
    collect(conn);
  };
  // Framing: chunked, a length, or none; both at once is refused.
  assert.match(
    sentRequest([host, ["Transfer-Encoding", "chunked"]], "abc").wire,
    /\r\n\r\n3\r\nabc\r\n$/,
  );
  assert.match(sentRequest([host, ["Content-Length", "3"]], "abc").wire, /\r\n\r\nabc$/);
  assert.throws(
    () => sentRequest([host, ["Content-Length", "3"], ["Transfer-Encoding", "chunked"]]),
    LocalProtocolError,
  );
  assert.throws(() => sentRequest([host], "abc"), LocalProtocolError, "a body without framing");
  // Keep-alive: by default, not with Connection: close, not for HTTP/1.0 unless asked.
  for (
    const [headers, version, state] of [
      [[host], "1.1", DONE],
      [[host, ["Connection", "close"]], "1.1", MUST_CLOSE],
      [[], "1.0", MUST_CLOSE],
      [[["Connection", "keep-alive"]], "1.0", DONE],
    ] as const
  ) {
    const { conn } = sentRequest(headers.map(([k, v]) => [k, v]), "", version);
    finish(conn);
    assert.equal(conn.ourState, state, `${JSON.stringify(headers)} HTTP/${version}`);
  }
  // Expect: 100-continue holds the body back.
  assert.equal(
    sentRequest([host, ["Content-Length", "3"], ["Expect", "100-continue"]], "abc").conn
      .clientIsWaitingFor100Continue,
    true,
  );
  assert.equal(
    sentRequest([host, ["Content-Length", "3"]], "abc").conn.clientIsWaitingFor100Continue,
    false,
  );
  // Upgrade: a 101 switches the protocol.
  const up = sentRequest([host, ["Connection", "upgrade"], ["Upgrade", "websocket"]]).conn;
  up.send(new EndOfMessage());
  up.receiveData(
    bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"),
  );
  collect(up);
  assert.equal(up.theirState, SWITCHED_PROTOCOL);
});

// ---------------------------------------------------------------- pipelining

function respond(conn: Connection, body = ""): Uint8Array {
  return sendAll(
    conn,
    new Response({ status: 200, headers: [["Content-Length", String(body.length)]] }),
    new Data(bytes(body)),
    new EndOfMessage(),
  );
}

function pipelined(inputs: Uint8Array[], targets: string[]): void {
  for (const pieces of inputs) {
    const conn = new Connection(SERVER);
    conn.receiveData(pieces);
    const seen: string[] = [];
    for (let i = 0; i < targets.length; i++) {
      const c = collect(conn);
      assert.equal(c.error, null);
      const req = c.events[0];
      assert.ok(req instanceof Request, `request ${i + 1}`);
      seen.push(req.target);
      assert.ok(c.events.at(-1) instanceof EndOfMessage);
      const last = i === targets.length - 1;
      assert.equal(c.stop, last ? NEED_DATA : PAUSED, `after request ${i + 1}`);
      if (!last) {
        // Still paused, even when asked again or when more bytes come.
        assert.equal(conn.nextEvent(), PAUSED);
      }
      respond(conn, "ok");
      conn.startNextCycle();
    }
    assert.deepEqual(seen, targets);
  }
}

test("pipelining: two requests in one buffer", () => {
  pipelined(
    [bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")],
    ["/1", "/2"],
  );
});

test("pipelining: three requests with bodies in one buffer", () => {
  pipelined(
    [
      bytes(
        "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
          "POST /2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ndef\r\n0\r\n\r\n" +
          "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
      ),
    ],
    ["/1", "/2", "/3"],
  );
});

test("pipelining: stray CRLF between requests is skipped", () => {
  pipelined(
    [bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")],
    ["/1", "/2"],
  );
});

/** Every request the connection yields, answering each; `between` runs after each one. */
function drainRequests(conn: Connection, between: (i: number) => void = () => {}): unknown[] {
  const seen: unknown[] = [];
  for (let i = 0;; i++) {
    const c = collect(conn);
    assert.equal(c.error, null);
    if (c.events.length === 0) return seen;
    seen.push(summarize(mergeData(c.events)));
    between(i);
    respond(conn, "ok");
    conn.startNextCycle();
  }
}

/**
 * Requests whose heads the parser slices from one decoded text when they come in
 * one read: a body with NUL and lone high bytes between them, an obs-text field
 * value (a lone high byte), targets of several lengths. No byte sequence here is
 * valid UTF-8 beyond ASCII, so byte and character positions agree.
 */
const PIPELINE = [
  "GET /first HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n",
  "POST /upload?x=1 HTTP/1.1\r\nHost: a.example\r\nContent-Length: 6\r\n\r\nab\x00\xff\x80c",
  "GET /after-body HTTP/1.1\r\nHost: a.example\r\nX-Id: 3\r\n\r\n",
  "GET /latin HTTP/1.1\r\nHost: a.example\r\nX-Obs: caf\xe9\r\n\r\n",
  "DELETE /last/one HTTP/1.1\r\nHost: b.example\r\nConnection: keep-alive\r\n\r\n",
];
/** The same with valid UTF-8 sequences, in a field value and in a chunked body. */
const PIPELINE_UTF8 = [
  ...PIPELINE.slice(0, 3),
  "GET /utf8 HTTP/1.1\r\nHost: a.example\r\nX-Obs: caf\xc3\xa9\r\n\r\n",
  "PUT /chunked HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "2\r\n\xc3\xa9\r\n0\r\nX-Trailer: t\r\n\r\n",
  ...PIPELINE.slice(3),
];

/** What a connection yields for `requests`, each read on its own. */
function oneByOne(requests: string[]): unknown[] {
  return requests.map((r) => {
    const conn = new Connection(SERVER);
    conn.receiveData(bytes(r));
    return drainRequests(conn)[0];
  });
}

test("pipelining: heads read together parse as if each was read alone", () => {
  for (const requests of [PIPELINE, PIPELINE_UTF8]) {
    const conn = new Connection(SERVER);
    conn.receiveData(bytes(requests.join("")));
    assert.deepEqual(drainRequests(conn), oneByOne(requests));
  }
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(PIPELINE_UTF8.join("")));
  const got = drainRequests(conn) as [string, string, string, string, string[][]][][];
  assert.deepEqual(got.map((r) => r[0]![2]), [
    "/first",
    "/upload?x=1",
    "/after-body",
    "/utf8",
    "/chunked",
    "/latin",
    "/last/one",
  ]);
  assert.deepEqual(got[3]![0]![4][1], ["X-Obs", "caf\xc3\xa9"]);
  assert.deepEqual(got[5]![0]![4][1], ["X-Obs", "caf\xe9"]);
});

test("pipelining: heads still buffered after keepBufferedData or more data parse right", () => {
  const input = bytes(PIPELINE.join(""));
  const expected = oneByOne(PIPELINE);
  // A reused read buffer: copied with keepBufferedData after the first two
  // requests, then overwritten; the rest must come from the copy.
  const lent = input.slice();
  const a = new Connection(SERVER);
  a.receiveData(lent);
  assert.deepEqual(
    drainRequests(a, (i) => {
      if (i === 1) {
        a.keepBufferedData();
        lent.fill(0x41);
      }
    }),
    expected,
  );
  // One read buffer reused for the next read, with other requests of the same layout.
  const reused = input.slice();
  const c = new Connection(SERVER);
  c.receiveData(reused);
  assert.deepEqual(drainRequests(c), expected);
  const renamed = PIPELINE.map((r) => r.replace(/ \/[a-z]/, (m) => m.toUpperCase()));
  reused.set(bytes(renamed.join("")));
  c.receiveData(reused);
  assert.deepEqual(drainRequests(c), oneByOne(renamed));
  // The last requests' bytes arriving in a second read, after two heads were parsed.
  const cut = input.length - 60;
  const b = new Connection(SERVER);
  b.receiveData(input.slice(0, cut));
  assert.deepEqual(
    drainRequests(b, (i) => {
      if (i === 1) b.receiveData(input.slice(cut));
    }),
    expected,
  );
});

test("pipelining: a request arriving while paused waits for startNextCycle", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
  collect(conn);
  conn.receiveData(bytes("GET /2 HTTP/1.1\r\n"));
  assert.equal(conn.nextEvent(), PAUSED);
  conn.receiveData(bytes("Host: a\r\n\r\n"));
  assert.equal(conn.nextEvent(), PAUSED);
  respond(conn);
  assert.equal(conn.nextEvent(), PAUSED);
  conn.startNextCycle();
  const c = collect(conn);
  assert.equal((c.events[0] as Request).target, "/2");
});

test("pipelining: a pipelined request split byte by byte parses after the cycle", () => {
  const conn = new Connection(SERVER);
  const all = bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n");
  const events: unknown[] = [];
  for (let i = 0; i < all.length; i++) {
    conn.receiveData(all.slice(i, i + 1));
    events.push(...collect(conn).events);
  }
  assert.deepEqual(events.map((e) => (e as object).constructor.name), ["Request", "EndOfMessage"]);
  respond(conn);
  conn.startNextCycle();
  const c = collect(conn);
  assert.equal((c.events[0] as Request).headers.get("host"), "b");
});

test("pipelining: an invalid pipelined request errors only when it is reached", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost : a\r\n\r\n"));
  const first = collect(conn);
  assert.equal(first.error, null);
  assert.equal(first.stop, PAUSED);
  respond(conn);
  conn.startNextCycle();
  const second = collect(conn);
  assert.ok(second.error !== null);
});

// ---------------------------------------------------------------- 100-continue

const EXPECT_BODY = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n";

test("100-continue: Expect sets the flags on the server until 100 goes out", () => {
  feedThreeWays(bytes(`${EXPECT_BODY}Expect: 100-continue\r\n\r\n`), SERVER, (o) => {
    const conn = o.conn;
    requestOf(o);
    assert.equal(conn.theyAreWaitingFor100Continue, true);
    assert.equal(conn.clientIsWaitingFor100Continue, true);
    const out = conn.send(new InformationalResponse({ status: 100 }));
    assert.equal(text(out!), "HTTP/1.1 100 Continue\r\n\r\n");
    assert.equal(conn.theyAreWaitingFor100Continue, false);
    assert.equal(conn.clientIsWaitingFor100Continue, false);
  }, { trailing: false });
});

test("100-continue: case-insensitive token", () => {
  feedThreeWays(bytes(`${EXPECT_BODY}Expect: 100-Continue\r\n\r\n`), SERVER, (o) => {
    requestOf(o);
    assert.equal(o.conn.theyAreWaitingFor100Continue, true);
  }, { trailing: false });
});

test("100-continue: cleared by sending the final response", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(`${EXPECT_BODY}Expect: 100-continue\r\n\r\n`));
  collect(conn);
  assert.equal(conn.theyAreWaitingFor100Continue, true);
  conn.send(new Response({ status: 417, headers: [["Content-Length", "0"]] }));
  assert.equal(conn.theyAreWaitingFor100Continue, false);
  assert.equal(conn.clientIsWaitingFor100Continue, false);
});

test("100-continue: cleared when body bytes arrive", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(`${EXPECT_BODY}Expect: 100-continue\r\n\r\n`));
  collect(conn);
  assert.equal(conn.theyAreWaitingFor100Continue, true);
  conn.receiveData(bytes("he"));
  const c = collect(conn);
  assert.ok(c.events[0] instanceof Data);
  assert.equal(conn.theyAreWaitingFor100Continue, false);
  assert.equal(conn.clientIsWaitingFor100Continue, false);
});

test("100-continue: not set for HTTP/1.0", () => {
  feedThreeWays(
    bytes("POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"),
    SERVER,
    (o) => {
      requestOf(o);
      assert.equal(o.conn.theyAreWaitingFor100Continue, false);
      assert.equal(o.conn.clientIsWaitingFor100Continue, false);
    },
    { trailing: false },
  );
});

test("100-continue: not set without the header or with another expectation", () => {
  for (const extra of ["", "Expect: something-else\r\n"]) {
    const conn = new Connection(SERVER);
    conn.receiveData(bytes(`${EXPECT_BODY}${extra}\r\n`));
    collect(conn);
    assert.equal(conn.theyAreWaitingFor100Continue, false);
  }
});

test("100-continue: client side waits until a 100 arrives", () => {
  const conn = new Connection(CLIENT);
  conn.send(
    new Request({
      method: "PUT",
      target: "/f",
      headers: [["Host", "a"], ["Content-Length", "5"], ["Expect", "100-continue"]],
    }),
  );
  assert.equal(conn.clientIsWaitingFor100Continue, true);
  assert.equal(conn.theyAreWaitingFor100Continue, false, "we are the client");
  conn.receiveData(bytes("HTTP/1.1 100 Continue\r\n\r\n"));
  const c = collect(conn);
  assert.ok(c.events[0] instanceof InformationalResponse);
  assert.equal(conn.clientIsWaitingFor100Continue, false);
});

test("100-continue: client side stops waiting once it sends body bytes", () => {
  const conn = new Connection(CLIENT);
  conn.send(
    new Request({
      method: "PUT",
      target: "/f",
      headers: [["Host", "a"], ["Content-Length", "5"], ["Expect", "100-continue"]],
    }),
  );
  conn.send(new Data(bytes("hello")));
  assert.equal(conn.clientIsWaitingFor100Continue, false);
});

// ---------------------------------------------------------------- Upgrade / CONNECT

const UPGRADE = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const FRAME = Uint8Array.of(
  0x81,
  0x85,
  0x37,
  0xfa,
  0x21,
  0x3d,
  0x7f,
  0x9f,
  0x4d,
  0x51,
  0x58,
  0x0d,
  0x0a,
);

test("upgrade: 101 switches both sides and hands over the bytes after the head", () => {
  feedThreeWays(bytes(UPGRADE), SERVER, (o) => {
    const conn = o.conn;
    requestOf(o);
    assert.deepEqual(kinds(o), ["Request", "EndOfMessage"]);
    assert.equal(conn.theirState, MIGHT_SWITCH_PROTOCOL);
    assert.equal(conn.nextEvent(), PAUSED, "paused while the switch is pending");
    const out = conn.send(
      new InformationalResponse({
        status: 101,
        headers: [["Upgrade", "websocket"], ["Connection", "Upgrade"]],
      }),
    );
    assert.ok(text(out!).startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    assert.deepEqual(conn.states, { CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL });
    assert.equal(conn.nextEvent(), PAUSED);
    const expected = o.mode === "trailing" ? FRAME : new Uint8Array(0);
    assert.deepEqual(conn.trailingData.data, expected);
    assert.equal(conn.trailingData.closed, false);
  }, { trailing: FRAME });
});

test("upgrade: a 200 instead of 101 denies the switch", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(concat(bytes(UPGRADE), bytes("GET /next HTTP/1.1\r\nHost: a\r\n\r\n")));
  collect(conn);
  assert.equal(conn.theirState, MIGHT_SWITCH_PROTOCOL);
  respond(conn, "no upgrade");
  assert.equal(conn.theirState, DONE);
  assert.equal(conn.ourState, DONE);
  conn.startNextCycle();
  const c = collect(conn);
  assert.equal((c.events[0] as Request).target, "/next");
});

test("upgrade: client side switches on 101 and keeps the following bytes", () => {
  const conn = new Connection(CLIENT);
  conn.send(
    new Request({
      method: "GET",
      target: "/chat",
      headers: [["Host", "a"], ["Upgrade", "websocket"], ["Connection", "Upgrade"]],
    }),
  );
  conn.send(new EndOfMessage());
  assert.equal(conn.ourState, MIGHT_SWITCH_PROTOCOL);
  conn.receiveData(
    concat(
      bytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      ),
      FRAME,
    ),
  );
  const c = collect(conn);
  assert.ok(c.events[0] instanceof InformationalResponse);
  assert.equal(c.events.length, 1);
  assert.equal(c.stop, PAUSED);
  assert.deepEqual(conn.states, { CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL });
  assert.deepEqual(conn.trailingData.data, FRAME);
});

test("upgrade: client side falls back to DONE when the server answers 200", () => {
  const conn = new Connection(CLIENT);
  conn.send(
    new Request({ method: "GET", target: "/", headers: [["Host", "a"], ["Upgrade", "h2c"]] }),
  );
  conn.send(new EndOfMessage());
  conn.receiveData(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  const c = collect(conn);
  assert.deepEqual(c.events.map((e) => e.constructor.name), ["Response", "Data", "EndOfMessage"]);
  assert.deepEqual(conn.states, { CLIENT: DONE, SERVER: DONE });
});

test("upgrade: CONNECT 2xx from the server switches both sides", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(concat(bytes("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), FRAME));
  const c = collect(conn);
  assert.equal((c.events[0] as Request).method, "CONNECT");
  assert.equal(c.stop, PAUSED);
  const out = conn.send(new Response({ status: 200 }));
  const head = text(out!).toLowerCase();
  assert.ok(head.startsWith("http/1.1 200 ok\r\n"), head);
  assert.ok(!head.includes("transfer-encoding"), head);
  assert.deepEqual(conn.states, { CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL });
  assert.deepEqual(conn.trailingData.data, FRAME);
});

test("upgrade: 101 without an Upgrade request cannot be sent", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  collect(conn);
  assert.throws(() => conn.send(new InformationalResponse({ status: 101 })), LocalProtocolError);
});

test("upgrade: EOF after the switch is visible in trailingData.closed", () => {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(UPGRADE));
  collect(conn);
  conn.send(new InformationalResponse({ status: 101, headers: [["Upgrade", "websocket"]] }));
  conn.receiveData(FRAME);
  conn.receiveData(EOF);
  assert.deepEqual(conn.trailingData, { data: FRAME, closed: true });
});

test("states: a response sent before any request (408) closes the connection", () => {
  // Nothing can follow such a response on this connection (there is no request to pair
  // it with and startNextCycle() cannot run), so the peer must be told it closes.
  const conn = new Connection(SERVER);
  const head = text(
    conn.send(new Response({ status: 408, headers: [["Content-Length", "0"]] }))!,
  ).toLowerCase();
  conn.send(new EndOfMessage());
  assert.ok(head.startsWith("http/1.1 408 request timeout\r\n"), head);
  assert.ok(head.includes("\r\nconnection: close\r\n"), head);
  assert.equal(conn.ourState, MUST_CLOSE);
});
