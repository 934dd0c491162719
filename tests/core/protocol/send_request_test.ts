/**
 * `Connection.sendRequest` and the request heads a client connection writes from
 * the head it wrote before: the same bytes and states as `send()` on a connection
 * that never sent anything.
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
  IDLE,
  LocalProtocolError,
  OutputBuffer,
  Request,
  Response,
  SEND_BODY,
} from "../../../core/protocol/mod.ts";
import { bytes, sendAll, text } from "./_helpers.ts";

/** Reads a bodiless 200 on a client connection and starts its next cycle. */
function answer(conn: Connection): void {
  conn.receiveData(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  assert.ok(conn.nextEvent() instanceof Response);
  assert.ok(conn.nextEvent() instanceof EndOfMessage);
  conn.startNextCycle();
  assert.equal(conn.ourState, IDLE);
}

/** What a connection that never sent anything writes for `req` and `body`. */
function fresh(req: Request, body: string): string {
  const events = body === ""
    ? [req, new EndOfMessage()]
    : [req, new Data(bytes(body)), new EndOfMessage()];
  return text(sendAll(new Connection(CLIENT), ...events));
}

function post(target: string, fields: [string, string][], method = "POST"): Request {
  return new Request({ method, target, headers: [["Host", "a.example"], ...fields] });
}

const json = (n: number): [string, string][] => [
  ["content-type", "application/json"],
  ["content-length", String(n)],
];

/** Requests one after another, and their bodies: each differs from the one before in one way. */
const SEQUENCE: [Request, string][] = [
  [post("/a", json(7)), '{"a":1}'],
  // Only the Content-Length value differs (fields made anew: equal, not the same arrays).
  [post("/a", json(12)), '{"a":12345}'.padEnd(12)],
  [post("/a", json(5)), "12345"],
  [post("/a", json(10_000)), "x".repeat(10_000)],
  [post("/a", json(3)), "abc"],
  [post("/a", json(3)), "xyz"],
  [post("/c", json(10_000)), "x".repeat(10_000)],
  // Five digits to one: the head is shorter than the one it is written from.
  [post("/c", json(3)), "abc"],
  [post("/b", json(3)), "abc"], // another target
  [post("/b", json(3), "PUT"), "abc"], // another method
  [post("/b", [["content-type", "application/json"], ["Content-Length", "4"]]), "abcd"],
  [post("/b", [["x-id", "1"], ["content-length", "4"]]), "abcd"],
  [post("/b", [["x-id", "22"], ["content-length", "4"]]), "abcd"], // a field before the last
  [post("/b", [["X-Id", "22"], ["content-length", "4"]]), "abcd"], // a name's case
  [post("/b", [["x-id", "22"], ["content-length", "4"], ["x-n", "1"]]), "abcd"], // one more
  [post("/b", [["x-id", "22"], ["content-length", "4"], ["x-n", "1000"]]), "abcd"], // last, not a length
  [post("/b", [["x-id", "22"], ["transfer-encoding", "chunked"]]), "abc"],
  [post("/b", [["x-id", "22"], ["transfer-encoding", "Chunked"]]), "abc"],
  [post("/b", [], "GET"), ""],
  [post("/b", [["content-length", "0"]]), ""],
  [post("/b", [["content-length", "2"]]), "ab"],
];

test("sendRequest: the bytes send() writes on a new connection, one request after another", () => {
  const conn = new Connection(CLIENT);
  for (const [i, [req, body]] of SEQUENCE.entries()) {
    // Into an empty buffer and after bytes already there, each grown to the exact size
    // (no room to spare past the head written from).
    for (const before of ["", "ahead"]) {
      if (i > 0 || before !== "") answer(conn);
      const out = new OutputBuffer();
      out.push(bytes(before));
      conn.sendRequest(req, bytes(body), out);
      assert.equal(
        text(out.bytes.subarray(0, out.length)),
        before + fresh(req, body),
        `request ${i}`,
      );
      assert.equal(conn.ourState, DONE);
    }
  }
});

test("send(): a request head written from the one before is the same as on a new connection", () => {
  const conn = new Connection(CLIENT);
  for (const [i, [req, body]] of SEQUENCE.entries()) {
    if (i > 0) answer(conn);
    const events = body === ""
      ? [req, new EndOfMessage()]
      : [req, new Data(bytes(body)), new EndOfMessage()];
    assert.equal(text(sendAll(conn, ...events)), fresh(req, body), `request ${i}`);
    // The same request again, and back to the one before.
    answer(conn);
    assert.equal(text(sendAll(conn, ...events)), fresh(req, body), `request ${i} again`);
  }
});

test("sendRequest: a body that is not what the head frames is a LocalProtocolError, out unchanged", () => {
  const conn = new Connection(CLIENT);
  const out = new OutputBuffer();
  conn.sendRequest(post("/a", json(3)), bytes("abc"), out);
  answer(conn);
  const before = out.length;
  assert.throws(
    () => conn.sendRequest(post("/a", json(4)), bytes("abc"), out),
    LocalProtocolError,
  );
  assert.equal(out.length, before);
  assert.equal(conn.ourState, ERROR);
  assert.throws(
    () => conn.sendRequest(post("/a", json(3)), bytes("abc"), out),
    /after a protocol error/,
  );
});

test("sendRequest: only in IDLE, as send()", () => {
  const conn = new Connection(CLIENT);
  conn.send(post("/a", json(3)));
  assert.equal(conn.ourState, SEND_BODY);
  assert.throws(
    () => conn.sendRequest(post("/a", json(3)), bytes("abc"), new OutputBuffer()),
    /Cannot send a request in state SEND_BODY/,
  );
  assert.equal(conn.ourState, ERROR);
});
