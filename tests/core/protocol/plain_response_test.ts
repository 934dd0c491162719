import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Connection,
  DONE,
  EndOfMessage,
  ERROR,
  FieldBlock,
  LocalProtocolError,
  MUST_CLOSE,
  NEED_DATA,
  OutputBuffer,
  PAUSED,
  type PlainResponse,
  Response,
  SEND_RESPONSE,
  SERVER,
} from "../../../core/protocol/mod.ts";
import { bytes, text } from "./_helpers.ts";

const DATE = "Sun, 06 Nov 1994 08:49:37 GMT";

/** A server connection that received `request` (head and end), or nothing. */
function serverAfter(request: string | null): Connection {
  const conn = new Connection(SERVER);
  if (request !== null) {
    conn.receiveData(bytes(request));
    // The head and its end (the state pauses at the end of an upgrade request).
    for (let e = conn.nextEvent(); !(e instanceof EndOfMessage); e = conn.nextEvent()) {
      assert.ok(e !== NEED_DATA && e !== PAUSED);
    }
  }
  return conn;
}

function plain(conn: Connection, head: PlainResponse, body = ""): string {
  const out = new OutputBuffer();
  conn.sendPlainResponse(head, bytes(body), out);
  return text(out.bytes.subarray(0, out.length));
}

/**
 * What `sendResponse` makes of the same fields: the block's first, and its
 * Content-Type or Date instead of the head's.
 */
function general(conn: Connection, head: PlainResponse, body = ""): string {
  const block = head.fields ?? null;
  const fields: [string, string][] = block === null ? [] : [...block.fields];
  const has = (name: string) => block !== null && block.fields.get(name) !== null;
  if (head.contentType !== null && !has("content-type")) {
    fields.push(["content-type", head.contentType]);
  }
  if (head.contentLength !== -1) fields.push(["content-length", String(head.contentLength)]);
  if (head.date !== null && !has("date")) fields.push(["date", head.date]);
  if (head.close) fields.push(["connection", "close"]);
  const out = new OutputBuffer();
  conn.sendResponse(new Response({ status: head.status, headers: fields }), bytes(body), out);
  return text(out.bytes.subarray(0, out.length));
}

function head(init: Partial<PlainResponse> = {}): PlainResponse {
  return {
    status: 200,
    contentType: "text/plain",
    contentLength: 2,
    date: DATE,
    close: false,
    ...init,
  };
}

test("sendPlainResponse writes the fields in order, then the body", () => {
  const conn = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.equal(
    plain(conn, head(), "hi"),
    `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\ndate: ${DATE}\r\n\r\nhi`,
  );
  assert.equal(conn.ourState, DONE);
  assert.equal(conn.keepAlive, true);
  conn.startNextCycle();
});

test("sendPlainResponse tells an HTTP/1.0 keep-alive peer connection: keep-alive", () => {
  const conn = serverAfter("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert.equal(
    plain(conn, head({ contentType: null, date: null }), "hi"),
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nhi",
  );
  assert.equal(conn.ourState, DONE);
});

test("sendPlainResponse closes for an HTTP/1.0 peer without keep-alive", () => {
  const conn = serverAfter("GET / HTTP/1.0\r\n\r\n");
  assert.equal(
    plain(conn, head({ contentType: null, date: null }), "hi"),
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi",
  );
  assert.equal(conn.ourState, MUST_CLOSE);
});

test("sendPlainResponse with close writes connection: close once and must close", () => {
  const conn = serverAfter("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  assert.equal(
    plain(conn, head({ close: true, date: null }), "hi"),
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi",
  );
  assert.equal(conn.ourState, MUST_CLOSE);
});

test("sendPlainResponse to HEAD keeps content-length and sends no body", () => {
  const conn = serverAfter("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.equal(
    plain(conn, head({ contentLength: 13, date: null })),
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\n",
  );
  assert.equal(conn.ourState, DONE);
  const again = serverAfter("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.throws(
    () => plain(again, head({ contentLength: 2 }), "hi"),
    (e) => e instanceof LocalProtocolError && e.message === "This message cannot have a body",
  );
  assert.equal(again.ourState, ERROR);
});

test("sendPlainResponse 204 and 304 carry no body and keep the connection", () => {
  for (const status of [204, 304]) {
    const conn = serverAfter("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert.equal(
      plain(conn, head({ status, contentType: null, contentLength: -1 })),
      `HTTP/1.1 ${status} ${status === 204 ? "No Content" : "Not Modified"}\r\ndate: ${DATE}\r\n` +
        "connection: keep-alive\r\n\r\n",
    );
    assert.equal(conn.ourState, DONE);
    assert.equal(conn.keepAlive, true);
  }
});

test("sendPlainResponse makes the same bytes and states as sendResponse", () => {
  const requests = [
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
    "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    null, // answered before any request (a 408, say)
  ];
  const heads: [PlainResponse, string][] = [
    [head(), "hi"],
    [head({ contentLength: 0, contentType: null }), ""],
    [head({ status: 404, close: true }), "no"],
    [head({ status: 204, contentType: null, contentLength: -1 }), ""],
    [head({ status: 304, contentLength: -1, date: null }), ""],
    [head({ status: 999, contentType: " text/x ", date: null }), "hi"],
    [head({ status: 200, contentLength: -1 }), ""], // chunked (or until close)
    [head({ fields: new FieldBlock([["Cache-Control", "no-store"], ["x-a", " 1 "]]) }), "hi"],
    [head({ fields: new FieldBlock({ "Content-Type": "text/x", DATE: "today" }) }), "hi"],
    [head({ status: 204, contentLength: -1, fields: new FieldBlock({ "x-a": "1" }) }), ""],
    // Fields that frame the body or close: the general path.
    [head({ fields: new FieldBlock({ Connection: "close" }) }), "hi"],
    [head({ fields: new FieldBlock({ "content-length": "2" }) }), "hi"],
  ];
  for (const req of requests) {
    for (const [h, body] of heads) {
      const isHead = req?.startsWith("HEAD") ?? false;
      const b = isHead ? "" : body;
      const a = serverAfter(req);
      const g = serverAfter(req);
      const label = JSON.stringify([req, h]);
      assert.equal(plain(a, h, b), general(g, h, b), label);
      assert.deepEqual(a.states, g.states, label);
      assert.equal(a.keepAlive, g.keepAlive, label);
    }
  }
});

test("sendPlainResponse checks the body against content-length like sendResponse", () => {
  const long = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.throws(
    () => plain(long, head({ contentLength: 1 }), "hi"),
    (e) =>
      e instanceof LocalProtocolError &&
      e.message === "Too much data for the declared Content-Length of 1 bytes",
  );
  assert.equal(long.ourState, ERROR);
  const short = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const out = new OutputBuffer();
  assert.throws(
    () => short.sendPlainResponse(head({ contentLength: 3 }), bytes("hi"), out),
    (e) =>
      e instanceof LocalProtocolError &&
      e.message === "Too little data for the declared Content-Length: 2 of 3 bytes sent",
  );
  assert.equal(short.ourState, ERROR);
  assert.equal(out.length, 0);
  assert.throws(() => plain(short, head(), "hi"), /Cannot send after a protocol error/);
});

test("sendPlainResponse rejects invalid values before changing anything", () => {
  const conn = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.throws(
    () => plain(conn, head({ contentType: "text/plain\r\nx-evil: 1" }), "hi"),
    (e) =>
      e instanceof LocalProtocolError && e.message === 'Invalid value for header "content-type"',
  );
  assert.throws(
    () => plain(conn, head({ date: "a\nb" }), "hi"),
    (e) => e instanceof LocalProtocolError && e.message === 'Invalid value for header "date"',
  );
  assert.throws(
    () => plain(conn, head({ status: 101 }), "hi"),
    (e) =>
      e instanceof LocalProtocolError &&
      e.message === "Response needs a status of 200 or more, not 101",
  );
  assert.throws(
    () => plain(conn, head({ contentLength: 1.5 }), "hi"),
    (e) => e instanceof LocalProtocolError && e.message === "Invalid Content-Length header",
  );
  // Only the content-length check above reaches the state machine (as sendResponse).
  assert.equal(conn.ourState, ERROR);
  const fresh = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.throws(() => plain(fresh, head({ status: 1000 }), "hi"), /Invalid status code 1000/);
  assert.equal(fresh.ourState, SEND_RESPONSE);
});

test("sendPlainResponse refuses a second response", () => {
  const conn = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  plain(conn, head(), "hi");
  assert.throws(
    () => plain(conn, head(), "hi"),
    (e) => e instanceof LocalProtocolError && e.message === "Cannot send a response in state DONE",
  );
  assert.equal(conn.ourState, ERROR);
});

test("sendPlainResponse appends after what the buffer holds", () => {
  const conn = serverAfter("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  const out = new OutputBuffer(4);
  conn.sendPlainResponse(head({ date: null }), bytes("a1"), out);
  conn.startNextCycle();
  for (let e = conn.nextEvent(); !(e instanceof EndOfMessage); e = conn.nextEvent()) { /* head */ }
  conn.sendPlainResponse(head({ date: null, contentLength: 12345 }), bytes("b".repeat(12345)), out);
  const one = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ";
  assert.equal(
    text(out.bytes.subarray(0, out.length)),
    one + "2\r\n\r\na1" + one + "12345\r\n\r\n" + "b".repeat(12345),
  );
});

test("sendPlainResponse writes a field block after the status line, before its own fields", () => {
  const conn = serverAfter("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const fields = new FieldBlock({ "X-Served-By": "uhttp", "content-type": "text/x" });
  assert.equal(fields.plain, true);
  assert.equal(
    plain(conn, head({ fields }), "hi"),
    "HTTP/1.1 200 OK\r\nX-Served-By: uhttp\r\ncontent-type: text/x\r\ncontent-length: 2\r\n" +
      `date: ${DATE}\r\n\r\nhi`,
  );
});

test("FieldBlock checks its fields as Fields does, and tells framing fields apart", () => {
  assert.throws(
    () => new FieldBlock({ "x-a": "1\r\nx-evil: 1" }),
    (e) => e instanceof LocalProtocolError && e.message === 'Invalid value for header "x-a"',
  );
  assert.throws(() => new FieldBlock([["bad name", "1"]]), LocalProtocolError);
  for (const name of ["Content-Length", "transfer-encoding", "CONNECTION"]) {
    assert.equal(new FieldBlock([[name, "1"]]).plain, false, name);
  }
  assert.equal(new FieldBlock({ upgrade: "h2c", "x-a": "1" }).plain, true);
});
