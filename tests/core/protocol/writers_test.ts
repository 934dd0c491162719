/**
 * Serialising tests: status lines, header validation, automatic framing, chunked
 * output, HEAD/204/304 responses and data passthrough.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLIENT,
  Connection,
  Data,
  DONE,
  EndOfMessage,
  ERROR,
  Fields,
  InformationalResponse,
  LocalProtocolError,
  MUST_CLOSE,
  Request,
  Response,
  SERVER,
} from "../../../core/protocol/mod.ts";
import { bytes, collect, concat, sendAll, text } from "./_helpers.ts";

/** A server connection that has received `request` (HTTP/1.1 GET by default). */
function serverAfter(request = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"): Connection {
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(request));
  const c = collect(conn);
  assert.equal(c.error, null);
  return conn;
}

function headOf(out: Uint8Array | null): string {
  assert.ok(out !== null);
  return text(out);
}

// ---------------------------------------------------------------- status line

const STATUS_LINES: [number, string, string][] = [
  [200, "", "HTTP/1.1 200 OK\r\n"],
  [201, "", "HTTP/1.1 201 Created\r\n"],
  [404, "", "HTTP/1.1 404 Not Found\r\n"],
  [418, "", "HTTP/1.1 418 I'm a teapot\r\n"],
  [431, "", "HTTP/1.1 431 Request Header Fields Too Large\r\n"],
  [500, "", "HTTP/1.1 500 Internal Server Error\r\n"],
  [505, "", "HTTP/1.1 505 HTTP Version Not Supported\r\n"],
  [200, "Fine Thanks", "HTTP/1.1 200 Fine Thanks\r\n"],
  [599, "", "HTTP/1.1 599 \r\n"],
  [799, "", "HTTP/1.1 799 \r\n"],
  [999, "", "HTTP/1.1 999 \r\n"],
];
for (const [status, reason, line] of STATUS_LINES) {
  test(`status line: ${status} ${reason || "(table reason)"}`, () => {
    const conn = serverAfter();
    const head = headOf(
      conn.send(new Response({ status, reason, headers: [["Content-Length", "0"]] })),
    );
    assert.ok(head.startsWith(line), JSON.stringify(head));
    assert.ok(head.endsWith("\r\n\r\n"));
  });
}

test("status line: HTTP/1.1 is written even to an HTTP/1.0 client", () => {
  const conn = serverAfter("GET / HTTP/1.0\r\n\r\n");
  const head = headOf(conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] })));
  assert.ok(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
});

test("status line: informational responses use the table too", () => {
  const conn = serverAfter();
  assert.equal(
    headOf(conn.send(new InformationalResponse({ status: 103, headers: [["Link", "</s.css>"]] }))),
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n",
  );
});

test("serialising: header names keep their casing and order", () => {
  const conn = serverAfter();
  const head = headOf(
    conn.send(
      new Response({
        status: 200,
        headers: [["X-First", "1"], ["content-length", "0"], ["X-Last", " padded\t"]],
      }),
    ),
  );
  assert.equal(
    head,
    "HTTP/1.1 200 OK\r\nX-First: 1\r\ncontent-length: 0\r\nX-Last: padded\r\n\r\n",
  );
});

test("serialising: obs-text in a value goes out as the same latin-1 bytes", () => {
  const conn = serverAfter();
  const value = "\x80\x9f\xa0\xff";
  const out = conn.send(
    new Response({ status: 200, headers: [["X", value], ["Content-Length", "0"]] }),
  );
  assert.ok(out !== null);
  const at = text(out).indexOf("X: ") + 3;
  assert.deepEqual([...out.subarray(at, at + 4)], [0x80, 0x9f, 0xa0, 0xff]);
});

test("serialising: only SP and HTAB are stripped from values (not 0xA0, VT or FF)", () => {
  const f = new Fields([["X", " \t\xa0a\x0b\x0c\t "]]);
  assert.deepEqual([...f.get("x")!].map((c) => c.charCodeAt(0)), [0xa0, 0x61, 0x0b, 0x0c]);
  const conn = serverAfter();
  const head = headOf(conn.send(new Response({ status: 200, headers: f })));
  assert.ok(head.includes("\r\nX: \xa0a\x0b\x0c\r\n"), JSON.stringify(head));
});

// ---------------------------------------------------------------- header validation

const BAD_FIELDS: [string, string, string][] = [
  ["CR in a value", "X-A", "a\rb"],
  ["LF in a value", "X-A", "a\nb"],
  ["CRLF in a value", "X-A", "a\r\nInjected: yes"],
  ["NUL in a value", "X-A", "a\x00b"],
  ["CR in a name", "X-\rA", "v"],
  ["LF in a name", "X-\nA", "v"],
  ["NUL in a name", "X-\x00A", "v"],
  ["space in a name", "X A", "v"],
  ["colon in a name", "X:A", "v"],
  ["empty name", "", "v"],
  ["non-latin-1 value", "X-A", "\u20ac"],
];
for (const [name, field, value] of BAD_FIELDS) {
  test(`header validation: ${name} is a LocalProtocolError and nothing is sent`, () => {
    assert.throws(
      () => new Response({ status: 200, headers: [[field, value]] }),
      LocalProtocolError,
    );
    assert.throws(
      () => new Request({ method: "GET", target: "/", headers: [["Host", "a"], [field, value]] }),
      LocalProtocolError,
    );
    assert.throws(
      () => new InformationalResponse({ status: 103, headers: [[field, value]] }),
      LocalProtocolError,
    );
    assert.throws(() => new EndOfMessage([[field, value]]), LocalProtocolError);
    assert.throws(() => new Fields({ [field]: value }), LocalProtocolError);
  });
}

test("header validation: invalid method, target or reason is a LocalProtocolError", () => {
  assert.throws(
    () => new Request({ method: "G T", target: "/", headers: [["Host", "a"]] }),
    LocalProtocolError,
  );
  assert.throws(
    () => new Request({ method: "GET", target: "/a b", headers: [["Host", "a"]] }),
    LocalProtocolError,
  );
  assert.throws(
    () => new Request({ method: "GET", target: "/\r\n", headers: [["Host", "a"]] }),
    LocalProtocolError,
  );
  assert.throws(() => new Response({ status: 200, reason: "OK\r\nX: y" }), LocalProtocolError);
  assert.throws(() => new Response({ status: 99 }), LocalProtocolError);
  assert.throws(() => new Response({ status: 1000 }), LocalProtocolError);
  assert.throws(() => new Response({ status: 101 }), LocalProtocolError);
  assert.throws(() => new InformationalResponse({ status: 200 }), LocalProtocolError);
});

test("header validation: a 1.1 Request needs exactly one Host", () => {
  assert.throws(() => new Request({ method: "GET", target: "/" }), LocalProtocolError);
  assert.throws(
    () => new Request({ method: "GET", target: "/", headers: [["Host", "a"], ["host", "b"]] }),
    LocalProtocolError,
  );
  const r = new Request({ method: "GET", target: "/", httpVersion: "1.0" });
  assert.equal(r.httpVersion, "1.0");
});

// ---------------------------------------------------------------- automatic framing

test("framing: Content-Length given is used exactly", () => {
  const conn = serverAfter();
  const head = headOf(conn.send(new Response({ status: 200, headers: [["Content-Length", "5"]] })));
  assert.ok(!head.toLowerCase().includes("transfer-encoding"), head);
  assert.equal(head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  assert.equal(text(conn.send(new Data(bytes("hel")))!), "hel");
  assert.equal(text(conn.send(new Data(bytes("lo")))!), "lo");
  assert.equal(conn.send(new EndOfMessage())!.length, 0);
  assert.equal(conn.ourState, DONE);
});

test("framing: no length to an HTTP/1.1 client adds transfer-encoding: chunked", () => {
  const conn = serverAfter();
  const head = headOf(
    conn.send(new Response({ status: 200, headers: [["Content-Type", "text/plain"]] })),
  );
  assert.equal(
    head,
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n",
  );
  assert.equal(text(conn.send(new Data(bytes("hello")))!), "5\r\nhello\r\n");
  assert.equal(text(conn.send(new EndOfMessage())!), "0\r\n\r\n");
  assert.equal(conn.ourState, DONE);
});

test("framing: no length to an HTTP/1.0 client closes (connection: close, raw body)", () => {
  const conn = serverAfter("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const head = headOf(conn.send(new Response({ status: 200 })));
  const lower = head.toLowerCase();
  assert.ok(!lower.includes("transfer-encoding"), head);
  assert.ok(!lower.includes("content-length"), head);
  assert.ok(lower.includes("\r\nconnection: close\r\n"), head);
  assert.equal(text(conn.send(new Data(bytes("hello")))!), "hello");
  assert.equal(conn.send(new EndOfMessage())!.length, 0);
  assert.equal(conn.ourState, MUST_CLOSE);
});

test("framing: a chunked response asked for explicitly to an HTTP/1.0 client is close-delimited", () => {
  const conn = serverAfter("GET / HTTP/1.0\r\n\r\n");
  const head = headOf(
    conn.send(new Response({ status: 200, headers: [["Transfer-Encoding", "chunked"]] })),
  );
  assert.ok(!head.toLowerCase().includes("transfer-encoding"), head);
  assert.equal(text(conn.send(new Data(bytes("abc")))!), "abc");
});

test("framing: more bytes than Content-Length is a LocalProtocolError and ERROR", () => {
  const conn = serverAfter();
  conn.send(new Response({ status: 200, headers: [["Content-Length", "3"]] }));
  conn.send(new Data(bytes("ab")));
  assert.throws(() => conn.send(new Data(bytes("cd"))), LocalProtocolError);
  assert.equal(conn.ourState, ERROR);
  assert.throws(() => conn.send(new EndOfMessage()), LocalProtocolError);
});

test("framing: fewer bytes than Content-Length fails at EndOfMessage", () => {
  const conn = serverAfter();
  conn.send(new Response({ status: 200, headers: [["Content-Length", "3"]] }));
  conn.send(new Data(bytes("ab")));
  assert.throws(() => conn.send(new EndOfMessage()), LocalProtocolError);
  assert.equal(conn.ourState, ERROR);
});

test("framing: a request without length cannot carry body data", () => {
  const conn = new Connection(CLIENT);
  conn.send(new Request({ method: "POST", target: "/", headers: [["Host", "a"]] }));
  assert.throws(() => conn.send(new Data(bytes("x"))), LocalProtocolError);
  assert.equal(conn.ourState, ERROR);
});

test("framing: a chunked request", () => {
  const conn = new Connection(CLIENT);
  const out = sendAll(
    conn,
    new Request({
      method: "POST",
      target: "/up",
      headers: [["Host", "a"], ["Transfer-Encoding", "chunked"]],
    }),
    new Data(bytes("abc")),
    new Data(new Uint8Array(0)),
    new EndOfMessage([["X-Sum", "1"]]),
  );
  assert.equal(
    text(out),
    "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n",
  );
});

test("framing: a request with both Content-Length and Transfer-Encoding is refused", () => {
  const conn = new Connection(CLIENT);
  assert.throws(
    () =>
      conn.send(
        new Request({
          method: "POST",
          target: "/",
          headers: [["Host", "a"], ["Transfer-Encoding", "chunked"], ["Content-Length", "3"]],
        }),
      ),
    LocalProtocolError,
  );
});

test("framing: trailers on a non-chunked body are refused", () => {
  const conn = serverAfter();
  conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] }));
  assert.throws(() => conn.send(new EndOfMessage([["X", "1"]])), LocalProtocolError);
});

// ---------------------------------------------------------------- chunked output

const CHUNK_SIZES: [number, string][] = [
  [1, "1"],
  [10, "a"],
  [15, "f"],
  [16, "10"],
  [255, "ff"],
  [4096, "1000"],
  [65535, "ffff"],
];
for (const [size, hex] of CHUNK_SIZES) {
  test(`chunked output: ${size} bytes -> size line "${hex}"`, () => {
    const conn = serverAfter();
    conn.send(new Response({ status: 200 }));
    const data = new Uint8Array(size).fill(0x61);
    const out = conn.send(new Data(data));
    assert.ok(out !== null);
    const prefix = `${hex}\r\n`;
    assert.equal(text(out.subarray(0, prefix.length)), prefix);
    assert.deepEqual(out.subarray(prefix.length, prefix.length + size), data);
    assert.equal(text(out.subarray(prefix.length + size)), "\r\n");
    assert.equal(out.length, prefix.length + size + 2);
  });
}

test("chunked output: empty Data writes nothing", () => {
  const conn = serverAfter();
  conn.send(new Response({ status: 200 }));
  const out = conn.send(new Data(new Uint8Array(0)));
  assert.ok(out !== null);
  assert.equal(out.length, 0);
  assert.deepEqual(conn.sendWithDataPassthrough(new Data(new Uint8Array(0))), []);
  assert.equal(text(conn.send(new EndOfMessage())!), "0\r\n\r\n");
});

test("chunked output: EndOfMessage with trailers", () => {
  const conn = serverAfter();
  conn.send(new Response({ status: 200 }));
  const out = conn.send(new EndOfMessage([["X-Checksum", "abc"], ["X-More", "d"]]));
  assert.equal(text(out!), "0\r\nX-Checksum: abc\r\nX-More: d\r\n\r\n");
});

test("chunked output: a client reads back exactly what the server wrote", () => {
  const server = serverAfter();
  const client = new Connection(CLIENT);
  client.send(new Request({ method: "GET", target: "/", headers: [["Host", "a"]] }));
  client.send(new EndOfMessage());
  const payload = new Uint8Array(300).map((_, i) => i & 0xff);
  client.receiveData(
    sendAll(
      server,
      new Response({ status: 200 }),
      new Data(payload.subarray(0, 255)),
      new Data(payload.subarray(255)),
      new EndOfMessage([["X-Sum", "300"]]),
    ),
  );
  const c = collect(client);
  const body = concat(...c.events.filter((e) => e instanceof Data).map((e) => (e as Data).data));
  assert.deepEqual(body, payload);
  const end = c.events.at(-1);
  assert.ok(end instanceof EndOfMessage);
  assert.equal(end.trailers.get("x-sum"), "300");
});

// ---------------------------------------------------------------- HEAD / 204 / 304

test("HEAD: the response keeps Content-Length but sends no body", () => {
  const conn = serverAfter("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  const head = headOf(
    conn.send(new Response({ status: 200, headers: [["Content-Length", "100"]] })),
  );
  assert.equal(head, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  assert.throws(() => conn.send(new Data(bytes("x"))), LocalProtocolError);
});

test("HEAD: EndOfMessage right after the head writes nothing", () => {
  const conn = serverAfter("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  conn.send(new Response({ status: 200, headers: [["Content-Length", "100"]] }));
  assert.equal(conn.send(new EndOfMessage())!.length, 0);
  assert.equal(conn.ourState, DONE);
});

test("HEAD: without a length the head looks like the GET one, and has no body", () => {
  const conn = serverAfter("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  const head = headOf(conn.send(new Response({ status: 200 })));
  assert.ok(head.startsWith("HTTP/1.1 200 OK\r\n"));
  assert.equal(conn.send(new EndOfMessage())!.length, 0);
  assert.equal(conn.ourState, DONE);
});

for (const status of [204, 304]) {
  test(`${status}: no body and no framing header added`, () => {
    const conn = serverAfter();
    const head = headOf(conn.send(new Response({ status })));
    assert.ok(!head.toLowerCase().includes("transfer-encoding"), head);
    assert.throws(() => conn.send(new Data(bytes("x"))), LocalProtocolError);
  });
  test(`${status}: EndOfMessage writes nothing`, () => {
    const conn = serverAfter();
    conn.send(new Response({ status }));
    assert.equal(conn.send(new EndOfMessage())!.length, 0);
    assert.equal(conn.ourState, DONE);
  });
}

// ---------------------------------------------------------------- passthrough

test("passthrough: a chunked body piece is the same Uint8Array object", () => {
  const conn = serverAfter();
  conn.sendWithDataPassthrough(new Response({ status: 200 }));
  const data = bytes("hello world");
  const pieces = conn.sendWithDataPassthrough(new Data(data));
  assert.ok(pieces !== null);
  assert.ok(pieces.some((p) => p === data), "body bytes not copied");
  assert.equal(text(concat(...pieces)), "b\r\nhello world\r\n");
});

test("passthrough: a Content-Length body piece is the same Uint8Array object", () => {
  const conn = serverAfter();
  conn.sendWithDataPassthrough(new Response({ status: 200, headers: [["Content-Length", "11"]] }));
  const data = bytes("hello world");
  const pieces = conn.sendWithDataPassthrough(new Data(data));
  assert.ok(pieces !== null);
  assert.deepEqual(pieces.length, 1);
  assert.ok(pieces[0] === data, "body bytes not copied");
});

test("passthrough: head pieces join to what send() returns", () => {
  const a = serverAfter();
  const b = serverAfter();
  const res = new Response({ status: 200, headers: [["Content-Length", "0"]] });
  const pieces = a.sendWithDataPassthrough(res);
  assert.deepEqual(concat(...pieces!), b.send(res));
});

// ---------------------------------------------------------------- request serialising

test("request: bytes, and a server reads back the same request", () => {
  const client = new Connection(CLIENT);
  const out = sendAll(
    client,
    new Request({
      method: "PUT",
      target: "/a?b=c",
      headers: [["Host", "example.com"], ["Content-Length", "3"], ["X-Raw", "\xe9"]],
    }),
    new Data(bytes("abc")),
    new EndOfMessage(),
  );
  assert.equal(
    text(out),
    "PUT /a?b=c HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nX-Raw: \xe9\r\n\r\nabc",
  );
  const server = new Connection(SERVER);
  server.receiveData(out);
  const c = collect(server);
  const req = c.events[0] as Request;
  assert.equal(req.method, "PUT");
  assert.equal(req.target, "/a?b=c");
  assert.equal(req.headers.get("x-raw"), "\xe9");
  assert.equal(text((c.events[1] as Data).data), "abc");
});
