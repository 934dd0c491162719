/**
 * Heads received one after another on one connection. The connection keeps the
 * lines it parsed and takes a line received again byte for byte from there, so
 * every head here must give exactly what it gives on a fresh connection: the
 * same events, the same error. The series put lines of the same length that
 * differ by one byte at the same place, a line that repeats between others that
 * change, obs-fold, and bytes above 0x7e. A short head that came again line for
 * line is also kept whole, and one that comes again byte for byte after it gives
 * what it gave without being parsed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLIENT,
  Connection,
  EndOfMessage,
  type Event,
  MUST_CLOSE,
  type RemoteProtocolError,
  Request,
  Response,
  SERVER,
} from "../../../core/protocol/mod.ts";
import { bytes, collect, getRequest, mergeData, summarize } from "./_helpers.ts";
import { prng } from "../../_prng.ts";

/** What one head gave: its events (Data merged), or its error. */
interface Parsed {
  events: unknown[];
  error: string | null;
}

/** The bytes of `s` in a view of an array that holds the bytes of `before` ahead of them. */
function after(before: string, s: string): Uint8Array {
  return bytes(before + s).subarray(before.length);
}

/**
 * Feeds one message to `conn` (set up for it) and takes every event; with `cut`
 * inside the message, it comes in two reads, split before byte `cut`; each read
 * is a view of an array that holds the bytes of `before` ahead of it.
 */
function parseOne(conn: Connection, message: string, cut = 0, before = ""): Parsed {
  if (conn.ourRole === CLIENT) {
    conn.send(getRequest());
    conn.send(new EndOfMessage());
  }
  const events: Event[] = [];
  let c: { events: Event[]; error: unknown } = { events: [], error: null };
  const at = cut < message.length ? cut : 0;
  if (at > 0) {
    conn.receiveData(after(before, message.slice(0, at)));
    c = collect(conn);
    events.push(...c.events);
  }
  if (c.error === null) {
    conn.receiveData(after(before, message.slice(at)));
    c = collect(conn);
    events.push(...c.events);
  }
  if (c.error !== null) {
    const e = c.error as RemoteProtocolError;
    return { events: summarize(mergeData(events)), error: `${e.statusHint} ${e.message}` };
  }
  return { events: summarize(mergeData(events)), error: null };
}

/** Ends the exchange so that the next message can come. */
function nextCycle(conn: Connection): void {
  if (conn.ourRole === SERVER) {
    conn.send(new Response({ status: 204, headers: [] }));
    conn.send(new EndOfMessage());
  }
  conn.startNextCycle();
}

/**
 * Each message parsed in turn on one connection, against each on a fresh one,
 * up to the first error (which `errorLast` wants to be the series' last).
 * The connection keeps lines from its second head on, so the first message
 * goes twice. With `forgetEvery` n, the connection forgets what it kept before
 * every n-th message. With `cut`, each message comes in two reads (see `parseOne`).
 */
function checkSeries(
  role: typeof CLIENT | typeof SERVER,
  series: string[],
  errorLast = true,
  forgetEvery = 0,
  cut = 0,
): void {
  const shared = new Connection(role);
  const messages = [series[0]!, ...series];
  for (const [i, message] of messages.entries()) {
    if (forgetEvery > 0 && i % forgetEvery === 0) shared.forgetHeadLines();
    const expected = parseOne(new Connection(role), message);
    const got = parseOne(shared, message, cut);
    assert.deepEqual(got, expected, `message ${i}: ${JSON.stringify(message)}`);
    if (got.error !== null) {
      if (errorLast) assert.equal(i, messages.length - 1, "an error ends the series");
      return;
    }
    if (shared.theirState === MUST_CLOSE) return;
    nextCycle(shared);
  }
}

const get = (start: string, ...fields: string[]) =>
  `${start}\r\n${fields.map((f) => f + "\r\n").join("")}\r\n`;

test("repeated heads: requests give what a fresh connection gives", () => {
  checkSeries(SERVER, [
    get("GET /a HTTP/1.1", "Host: a.example", "X-Tag: one"),
    get("GET /a HTTP/1.1", "Host: a.example", "X-Tag: one"),
    get("GET /b HTTP/1.1", "Host: a.example", "X-Tag: two"),
    get("GET /b HTTP/1.1", "Host: b.example", "x-tag: two"),
    get("GET /b HTTP/1.1", "Host: b.example", "x-tag: two", "X-New: 1"),
    get("PUT /b HTTP/1.1", "Host: b.example", "Content-Length: 2") + "hi",
    get("PUT /b HTTP/1.1", "Host: b.example", "Content-Length: 3") + "hey",
    get("PUT /b HTTP/1.1", "Host: b.example", "X-Tag:  two ", "Content-Length: 0"),
    get("GET /b HTTP/1.1", "Host: b.example", "X-Tag: tw\xe9"),
    get("GET /b HTTP/1.1", "Host: b.example", "X-Tag: two"),
    get("GET /b HTTP/1.1", "Host: b.example", "Transfer-Encoding: chunked") +
    "2\r\nhi\r\n0\r\n\r\n",
    get("GET /b HTTP/1.1", "Host: b.example", "Connection: close"),
  ]);
});

test("repeated heads: what was kept is forgotten and kept again", () => {
  const series = [
    get("GET /a HTTP/1.1", "Host: a.example", "X-Tag: one"),
    get("GET /a HTTP/1.1", "Host: a.example", "X-Tag: one"),
    get("GET /a HTTP/1.1", "Host: b.example", "X-Tag: one"),
    get("GET /a HTTP/1.1", "Host: b.example", "X-Tag: two", "X-New: 1"),
    get("GET /ab HTTP/1.1", "Host: b.example", "X-Tag: two", "X-New: 1"),
    get("GET /a HTTP/1.1", "Host: b.example", "X-Tag: two", "X-New: 1"),
    get("GET /a HTTP/1.1", "Host: b/example"),
  ];
  for (const every of [1, 2, 3]) checkSeries(SERVER, series, true, every);
  const ok = (status: string, length: number) =>
    get(`HTTP/1.1 ${status}`, "Content-Type: text/plain", `Content-Length: ${length}`) +
    "x".repeat(length);
  const responses = [ok("200 OK", 2), ok("200 OK", 2), ok("201 OK", 3), ok("200 OK", 3)];
  for (const every of [1, 2]) checkSeries(CLIENT, responses, true, every);
});

test("repeated heads: a line that changes by one byte is checked again", () => {
  const ok = ["Host: a.example", "X-Tag: one"];
  checkSeries(SERVER, [get("GET /a HTTP/1.1", ...ok), get("GET /a HTTP/1.2", ...ok)]);
  checkSeries(SERVER, [get("GET /a HTTP/1.1", ...ok), get("GET /a HTTP/1.1", "Host: a/example")]);
  checkSeries(SERVER, [
    get("GET /a HTTP/1.1", ...ok),
    get("GET /a HTTP/1.1", ok[0]!, "X-Tag :one"),
  ]);
  checkSeries(SERVER, [get("GET /a HTTP/1.1", ...ok), get("GET /a HTTP/1.1", ok[0]!, " X-Tag:on")]);
  checkSeries(SERVER, [get("GET /a HTTP/1.1", ...ok), get("GET /a HTTP/1.1", ...ok, ok[0]!)]);
  checkSeries(SERVER, [get("GET /a HTTP/1.1", ...ok), get("GET * HTTP/1.1", ...ok)]);
  checkSeries(SERVER, [
    get("GET /a HTTP/1.1", ...ok, "Content-Length: 1") + "x",
    get("GET /a HTTP/1.1", ...ok, "Content-Length: x"),
  ]);
});

test("repeated heads: lines that outgrow what was kept of them", () => {
  // The second line of the second head spells what would lie after the first
  // line's old place if the grown first line were written there.
  checkSeries(SERVER, [
    get("GET / HTTP/1.1", "Host: a", "X-A: 1", "X-B: 2"),
    get("GET / HTTP/1.1", "Host: a", "X-A: 123X-C: 9", "X-C: 9"),
    get("GET / HTTP/1.1", "Host: a", "X-A: 123X-C: 9", "X-C: 9"),
  ]);
  // Lines growing and shrinking, the same head in between: what is kept moves.
  const grown = (n: number) =>
    get(
      `GET /${"p".repeat(n)} HTTP/1.1`,
      "Host: a",
      ...[1, 2, 3, 4, 5].map((k) => `X-${k}: ${String(k).repeat((n * k) % 40)}`),
    );
  const series: string[] = [];
  for (let n = 0; n < 30; n++) series.push(grown(n), grown(n), grown(29 - n));
  checkSeries(SERVER, series);
  // A line too long to keep, between lines that are kept.
  const long = "v".repeat(1100);
  checkSeries(SERVER, [
    get("GET / HTTP/1.1", "Host: a", `X-Long: ${long}`, "X-B: 2"),
    get("GET / HTTP/1.1", "Host: a", `X-Long: ${long}`, "X-B: 2"),
    get("GET / HTTP/1.1", "Host: a", `X-Long: ${long.slice(1)}w`, "X-B: 3"),
  ]);
  // Long lines kept until their bytes in all pass what a connection keeps: a line
  // after that is parsed each time, and so is one that grows past its room when
  // there is no more; the line it was before is still found kept.
  const cookies = (...lengths: number[]) =>
    get(
      "GET / HTTP/1.1",
      "Host: a",
      ...lengths.map((n, k) => `Cookie: c${k}=${String.fromCharCode(0x61 + (n % 26)).repeat(n)}`),
    );
  checkSeries(SERVER, [
    cookies(1000, 1000, 1000, 900, 100),
    cookies(1000, 1000, 1000, 900, 100),
    cookies(1000, 1000, 1000, 1000, 100),
    cookies(1000, 1000, 1000, 900, 100),
    cookies(1000, 1000, 1000, 900, 101),
    cookies(1000, 1000, 1000, 900, 100, 50),
    cookies(1000, 1000, 1000, 900, 100, 51),
    cookies(1000, 1000, 1000, 900, 100, 50),
  ]);
});

test("repeated heads: responses give what a fresh connection gives", () => {
  const ok = (status: string, ...fields: string[]) => get(`HTTP/1.1 ${status}`, ...fields);
  checkSeries(CLIENT, [
    ok("200 OK", "Content-Type: text/plain", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", "Content-Length: 2") + "hi",
    ok("201 OK", "Content-Type: text/plain", "Content-Length: 3") + "hey",
    ok("201 Ok", "Content-Type: text/plaiN", "Content-Length: 3") + "hey",
    ok("200 OK", "Content-Type: text/plain", "X-Long: a", " b", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", "X-Long: a", " b", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", " b", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", "Content-Length: 2") + "hi",
    ok("200 \xc9t\xe9", "Content-Type: text/plain", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Type: text/plain", "Transfer-Encoding: chunked") + "2\r\nhi\r\n0\r\n\r\n",
    get("HTTP/1.0 200 OK", "Content-Type: text/plain", "Content-Length: 2") + "hi",
  ]);
  checkSeries(CLIENT, [
    ok("200 OK", "Content-Length: 2") + "hi",
    ok("20x OK", "Content-Length: 2") + "hi",
  ]);
  checkSeries(CLIENT, [
    ok("200 OK", "Content-Length: 2") + "hi",
    ok("200 OK", "Content-Length: 2", "Content-Length: 3") + "hi",
  ]);
});

test("repeated heads: lines that differ in one byte, in views at any offset", () => {
  // A change at any place of a kept line (its last bytes included) is seen,
  // wherever the view of the read starts in its array, and whatever the array
  // holds ahead of it (here also the head before, so that a comparison reading
  // from the array's start rather than the view's would find the line).
  for (const length of [1, 2, 3, 4, 5, 32, 33, 34, 35, 36, 45]) {
    const value = (changed: number) =>
      Array.from({ length }, (_, i) => i === changed ? "Z" : String.fromCharCode(0x61 + i % 26))
        .join("");
    for (let changed = 0; changed < length; changed++) {
      for (const ahead of ["", "x", "xy", "xyz", null]) {
        const conn = new Connection(SERVER);
        let last = "";
        for (const v of [value(-1), value(-1), value(changed), value(-1), value(changed)]) {
          const message = get("GET /a HTTP/1.1", "Host: a", `X-Long: ${v}`, `X-${v}: 1`);
          const expected = parseOne(new Connection(SERVER), message);
          assert.deepEqual(parseOne(conn, message, 0, ahead ?? last), expected);
          nextCycle(conn);
          last = message;
        }
      }
    }
  }
});

test("repeated heads: each request is an event of its own, sharing the head's immutable fields", () => {
  // Taken from what the connection kept (its lines for the third head, the whole
  // third head for the fourth), each request is still a new event equal to the first.
  const conn = new Connection(SERVER);
  const heads: Request[] = [];
  for (let i = 0; i < 4; i++) {
    conn.receiveData(bytes(get("GET /a HTTP/1.1", "Host: a.example", "X-Tag: one")));
    const req = conn.nextEvent();
    assert.ok(req instanceof Request);
    heads.push(req);
    conn.nextEvent();
    nextCycle(conn);
  }
  for (let i = 1; i < heads.length; i++) {
    assert.notEqual(heads[i], heads[i - 1]);
    assert.deepEqual(heads[i], heads[0]);
  }
  // The fourth head is the third again, byte for byte: it gets the third's fields.
  assert.equal(heads[3]!.headers, heads[2]!.headers);
  assert.deepEqual([...heads[3]!.headers], [["Host", "a.example"], ["X-Tag", "one"]]);
});

test("repeated heads: a head that comes again byte for byte, in two reads", () => {
  // The first read holds part of the head (or all of it and part of the body);
  // a shorter head follows, whole when the cut lies beyond it.
  const request = get("PUT /a HTTP/1.1", "Host: a", "Content-Length: 2") + "hi";
  const short = get("GET / HTTP/1.1", "Host: a");
  for (let cut = 1; cut < request.length; cut++) {
    checkSeries(SERVER, [request, request, short, request, short], true, 0, cut);
  }
  const response = get("HTTP/1.1 200 OK", "Content-Length: 2") + "hi";
  const empty = get("HTTP/1.1 204 No Content");
  for (let cut = 1; cut < response.length; cut++) {
    checkSeries(CLIENT, [response, response, empty, response, empty], true, 0, cut);
  }
});

test("repeated heads: the same head, then one that goes on after its empty line would be", () => {
  // What follows the kept head's bytes decides nothing: a head that starts with
  // them but has more fields differs at the kept empty line.
  const short = get("GET /a HTTP/1.1", "Host: a");
  checkSeries(SERVER, [
    short,
    short,
    get("GET /a HTTP/1.1", "Host: a", "Content-Length: 2") + "hi",
    short,
    short,
    get("GET /a HTTP/1.1", "Host: a", "Transfer-Encoding: chunked") + "0\r\n\r\n",
    short,
    "GET /a HTTP/1.1\nHost: a\n\n",
    "GET /a HTTP/1.1\nHost: a\n\n",
    short,
  ]);
});

test("repeated heads: heads of over 512 bytes kept whole, and heads too long for it", () => {
  // 1.2 KB heads, the same for their first 640 bytes: kept whole.
  const medium = (tag: string) =>
    get("GET /a HTTP/1.1", "Host: a", `X-Pad: ${"x".repeat(600)}`, `X-Tag: ${tag.repeat(600)}`);
  checkSeries(SERVER, [
    medium("a"),
    medium("a"),
    medium("a"),
    medium("a"),
    medium("b"),
    medium("a"),
    medium("a"),
    medium("a"),
    medium("b"),
  ]);
  // 2.4 KB heads: their lines are kept, the heads are not kept whole.
  const long = (tag: string) =>
    get("GET /a HTTP/1.1", "Host: a", ...[1, 2, 3].map((k) => `X-Pad-${k}: ${tag.repeat(800)}`));
  checkSeries(SERVER, [long("a"), long("a"), long("b"), long("b")]);
  const small = get("GET /a HTTP/1.1", "Host: a");
  // A long head leaves the short one kept before it in place.
  checkSeries(SERVER, [small, small, long("a"), small, long("a"), small]);
});

test("repeated heads: pipelined copies of one request, in one read", () => {
  const one = get("PUT /a HTTP/1.1", "Host: a", "Content-Length: 2");
  const other = get("PUT /a HTTP/1.1", "Host: a", "Content-Length: 3");
  const messages = [one + "hi", one + "yo", one + "ab", other + "hey", one + "ok", one + "zz"];
  const conn = new Connection(SERVER);
  conn.receiveData(bytes(messages.join("")));
  for (const [i, message] of messages.entries()) {
    const expected = parseOne(new Connection(SERVER), message);
    const c = collect(conn);
    assert.equal(c.error, null);
    assert.deepEqual(summarize(mergeData(c.events)), expected.events, `message ${i}`);
    nextCycle(conn);
  }
});

test("repeated heads: random series of lines that look alike", () => {
  // Lines drawn from a small set, most of the same length and differing in one
  // byte, some invalid, some too long to keep, some folded (valid in responses).
  const r = prng(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const starts = {
    [SERVER]: ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "PUT /a HTTP/1.1", "GET /a HTTP/1.0"],
    [CLIENT]: ["HTTP/1.1 200 OK", "HTTP/1.1 201 OK", "HTTP/1.1 200 Ok", "HTTP/1.0 200 OK"],
  };
  const fields = [
    "X-A: 1",
    "X-A: 2",
    "x-a: 1",
    "X-B: 1",
    "X-A:  1",
    "X-A : 1",
    "Accept: */*",
    "Accept: *;*",
    "Host: a",
    "Host: b",
    "Host: /",
    `X-Long: ${"z".repeat(1030)}`,
    `X-Long: ${"y".repeat(1030)}`,
    `Cookie: ${"z".repeat(1000)}`,
    `Cookie: ${"y".repeat(1000)}`,
    " folded",
    "X-\xe9: 1",
  ];
  for (let n = 0; n < 300; n++) {
    const role = r() < 0.5 ? SERVER : CLIENT;
    const series = Array.from({ length: 6 }, () => {
      const lines = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(fields));
      if (role === SERVER && r() < 0.8) lines.unshift("Host: h");
      const body = pick(["", "x", "xy"]);
      if (role === CLIENT || body !== "") lines.push(`Content-Length: ${body.length}`);
      return get(pick(starts[role]), ...lines) + body;
    });
    // Now and then what the connection kept is forgotten between heads.
    checkSeries(role, series, false, r() < 0.25 ? 1 + Math.floor(r() * 3) : 0);
  }
});
