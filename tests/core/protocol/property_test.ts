/**
 * Random-input property tests of the parser. Any bytes, fed whole or split
 * anywhere, in either role, either parse or raise `RemoteProtocolError`: never
 * another exception, never a hang. Valid messages parse the same whole and split.
 *
 * Reproduce a failure with the seed it prints:
 * `UHTTP_FUZZ_SEED=1234 UHTTP_FUZZ_ITERATIONS=3000 deno test -A tests/core/protocol/property_test.ts`
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  CLIENT,
  Connection,
  ConnectionClosed,
  DONE,
  EndOfMessage,
  type Event,
  NEED_DATA,
  PAUSED,
  RemoteProtocolError,
  Request,
  Response,
  type Role,
  SEND_RESPONSE,
  SERVER,
} from "../../../core/protocol/mod.ts";
import { bytes, concat, EOF, mergeData, summarize, text } from "./_helpers.ts";
import { prng } from "../../_prng.ts";

const SEED = Number(process.env.UHTTP_FUZZ_SEED ?? 20240521) >>> 0;
const ITERATIONS = Number(process.env.UHTTP_FUZZ_ITERATIONS ?? 3000);

class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------- generators

const METHODS = ["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "CONNECT", "get"];
const TARGETS = ["/", "/a/b?c=d", "*", "example.com:443", "http://x.example/p", "/%20"];
const NAMES = [
  "Host",
  "Content-Length",
  "Transfer-Encoding",
  "Connection",
  "Expect",
  "Upgrade",
  "Accept",
  "X-Custom",
  "Set-Cookie",
  "Cookie",
];
const CL_VALUES = [
  "0",
  "1",
  "5",
  "5, 5",
  "10",
  "+5",
  "-1",
  "5 5",
  "0x5",
  "",
  "9007199254740992",
  "3",
];
const TE_VALUES = [
  "chunked",
  "Chunked",
  "gzip, chunked",
  "gzip",
  "chunked, chunked",
  "chunked;x=1",
  "",
];
const VALUES = [
  "a",
  "close",
  "keep-alive",
  "100-continue",
  "websocket",
  "x\x80\xff",
  " spaced ",
  "a,b",
];

function randomValue(r: Rand, name: string): string {
  if (name === "Content-Length") return r.pick(CL_VALUES);
  if (name === "Transfer-Encoding") return r.pick(TE_VALUES);
  return r.pick(VALUES);
}

/** Body bytes: mostly ASCII, some NUL and bytes that are never valid UTF-8 alone. */
const BODY_BYTES = ["b", "b", "b", "b", "\x00", "\xff", "\x80", "\xc3"];

function randomBody(r: Rand, headers: [string, string][], valid = false): string {
  const te = headers.find(([n]) => n === "Transfer-Encoding");
  if (te !== undefined && (valid || r.chance(0.8))) {
    let s = "";
    const chunks = r.int(3);
    for (let i = 0; i < chunks; i++) {
      const data = bodyBytes(r, 1 + r.int(20));
      s += data.length.toString(16) + (r.chance(0.2) ? ";ext=1" : "") + "\r\n" + data + "\r\n";
    }
    return s + "0\r\n" + (r.chance(0.3) ? "X-Trailer: t\r\n" : "") + "\r\n";
  }
  const cl = headers.find(([n]) => n === "Content-Length");
  // A valid message without a length has no body (requests here; responses get one).
  if (cl === undefined && valid) return "";
  const n = cl !== undefined ? parseInt(cl[1], 10) : r.int(10);
  return bodyBytes(r, Number.isFinite(n) && n >= 0 && n < 100 ? n : r.int(10));
}

function bodyBytes(r: Rand, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += r.pick(BODY_BYTES);
  return s;
}

/** A well-formed message (request for the server side, response for the client). */
function validMessage(r: Rand, role: Role, keepAlive = false): string {
  if (role === SERVER) {
    const v11 = keepAlive || r.chance(0.85);
    const headers: [string, string][] = [];
    if (v11 || r.chance(0.5)) headers.push(["Host", "example.com"]);
    if (r.chance(0.5)) headers.push(["Accept", "*/*"]);
    const bodyKind = r.int(3);
    if (bodyKind === 1) headers.push(["Content-Length", String(r.int(30))]);
    if (bodyKind === 2 && v11) headers.push(["Transfer-Encoding", "chunked"]);
    if (r.chance(0.2)) {
      headers.push(["Connection", keepAlive ? "keep-alive" : r.pick(["close", "keep-alive"])]);
    }
    if (r.chance(0.1)) headers.push(["X-Obs", r.pick(["caf\xe9 \x80", "caf\xc3\xa9"])]);
    const head =
      `${r.pick(["GET", "POST", "PUT", "DELETE"])} ${r.pick(["/", "/a?b=c", "/x/y"])} HTTP/1.${
        v11 ? 1 : 0
      }\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join("") + "\r\n";
    return head + randomBody(r, headers, true);
  }
  const status = r.pick([200, 201, 204, 301, 304, 404, 500]);
  const headers: [string, string][] = [["Server", "fuzz"]];
  const bodyKind = r.int(2);
  if (bodyKind === 0) headers.push(["Content-Length", String(r.int(30))]);
  else headers.push(["Transfer-Encoding", "chunked"]);
  const head = `HTTP/1.1 ${status} ${r.pick(["OK", "", "Some Reason"])}\r\n` +
    headers.map(([n, v]) => `${n}: ${v}\r\n`).join("") + "\r\n";
  return head + (status === 204 || status === 304 ? "" : randomBody(r, headers, true));
}

/** A head built from random, possibly invalid parts. */
function randomHead(r: Rand, role: Role): string {
  const headers: [string, string][] = [];
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    const name = r.pick(NAMES);
    headers.push([name, randomValue(r, name)]);
  }
  if (r.chance(0.7)) headers.unshift(["Host", "h"]);
  const start = role === SERVER
    ? `${r.pick(METHODS)} ${r.pick(TARGETS)} ${
      r.pick(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.x"])
    }`
    : `${r.pick(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0"])} ${
      r.pick(["100", "101", "200", "204", "304", "404", "999", "2x0"])
    } ${r.pick(["OK", "", "Continue"])}`;
  const eol = r.chance(0.9) ? "\r\n" : "\n";
  const head = start + eol + headers.map(([k, v]) => `${k}: ${v}${eol}`).join("") + eol;
  return head + randomBody(r, headers);
}

const INSERTS = ["\r", "\n", "\x00", " ", ":", "\t", "\r\n", ";", ",", "\x80", "\x16\x03"];

function mutate(r: Rand, input: Uint8Array): Uint8Array {
  let b = input;
  const rounds = 1 + r.int(3);
  for (let i = 0; i < rounds; i++) {
    const at = r.int(b.length + 1);
    switch (r.int(6)) {
      case 0: { // bit flip
        if (b.length === 0) break;
        const c = b.slice();
        const p = r.int(c.length);
        c[p] = c[p]! ^ (1 << r.int(8));
        b = c;
        break;
      }
      case 1: // insert a special byte
        b = concat(b.subarray(0, at), bytes(r.pick(INSERTS)), b.subarray(at));
        break;
      case 2: // cut
        b = b.subarray(0, at);
        break;
      case 3: { // delete a range
        const len = 1 + r.int(5);
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + len)));
        break;
      }
      case 4: { // duplicate a header line
        const s = text(b);
        const lines = s.split("\r\n");
        if (lines.length > 2) {
          const k = 1 + r.int(lines.length - 2);
          lines.splice(k, 0, lines[k]!);
          b = bytes(lines.join("\r\n"));
        }
        break;
      }
      default: { // random bytes in the middle
        const len = 1 + r.int(4);
        const junk = new Uint8Array(len).map(() => r.int(256));
        b = concat(b.subarray(0, at), junk, b.subarray(at));
      }
    }
  }
  return b;
}

function randomBytes(r: Rand): Uint8Array {
  const len = r.int(120);
  const alphabet = bytes("GET / HTTP/1.1\r\n:;, \t0123456789abcdefHost\x00\x80\xff\x16\x03");
  return new Uint8Array(len).map(() =>
    r.chance(0.7) ? alphabet[r.int(alphabet.length)]! : r.int(256)
  );
}

function splitAt(r: Rand, input: Uint8Array): Uint8Array[] {
  const cuts = new Set<number>();
  const n = r.chance(0.2) ? input.length : r.int(5);
  for (let i = 0; i < n; i++) cuts.add(r.int(input.length + 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let prev = 0;
  for (const c of sorted) {
    if (c > prev) pieces.push(input.subarray(prev, c));
    prev = c;
  }
  if (prev < input.length) pieces.push(input.subarray(prev));
  return pieces;
}

// ---------------------------------------------------------------- driver

interface Run {
  events: Event[];
  error: RemoteProtocolError | null;
}

function fail(message: string, input: Uint8Array, extra = ""): never {
  throw new assert.AssertionError({
    message: `${message} (seed ${SEED}) input ${JSON.stringify(text(input))} ${extra}`,
  });
}

/**
 * Feeds `pieces` (then maybe EOF) to a connection in `role`, answering requests
 * (server) or sending the next request (client) so pipelined messages get parsed.
 */
function drive(
  role: Role,
  input: Uint8Array,
  pieces: readonly Uint8Array[],
  eof: boolean,
  method: string,
): Run {
  const conn = new Connection(role, { maxIncompleteEventSize: 512 });
  const sendRequest = () => {
    conn.send(
      new Request({
        method,
        target: method === "CONNECT" ? "h:443" : "/",
        headers: [["Host", method === "CONNECT" ? "h:443" : "h"]],
      }),
    );
    conn.send(new EndOfMessage());
  };
  if (role === CLIENT) sendRequest();
  const events: Event[] = [];
  let budget = input.length * 4 + 100;
  const queue = [...pieces];
  if (eof) queue.push(EOF);
  let fed = 0;
  while (true) {
    if (--budget < 0) fail("nextEvent() loop did not settle", input);
    let ev;
    try {
      ev = conn.nextEvent();
    } catch (e) {
      if (e instanceof RemoteProtocolError) {
        if (conn.theirState !== "ERROR") fail("theirState not ERROR after an error", input);
        return { events, error: e };
      }
      fail(`nextEvent() threw ${String(e)}`, input, (e as Error).stack ?? "");
    }
    if (ev instanceof ConnectionClosed) {
      events.push(ev);
      return { events, error: null };
    }
    if (ev !== NEED_DATA && ev !== PAUSED) {
      events.push(ev);
      continue;
    }
    // Move the exchange on if we can.
    try {
      if (
        role === SERVER && conn.ourState === SEND_RESPONSE &&
        (conn.theirState === DONE || conn.theirState === "MUST_CLOSE" ||
          conn.theirState === "MIGHT_SWITCH_PROTOCOL")
      ) {
        conn.send(new Response({ status: 404, headers: [["Content-Length", "0"]] }));
        conn.send(new EndOfMessage());
        const states = conn.states;
        if (states.CLIENT === DONE && states.SERVER === DONE) conn.startNextCycle();
        continue;
      }
      if (role === CLIENT && conn.ourState === DONE && conn.theirState === DONE) {
        conn.startNextCycle();
        sendRequest();
        continue;
      }
    } catch (e) {
      fail(`answering threw ${String(e)}`, input, (e as Error).stack ?? "");
    }
    if (fed >= queue.length) return { events, error: null };
    try {
      conn.receiveData(queue[fed++]!);
    } catch (e) {
      fail(`receiveData() threw ${String(e)}`, input);
    }
  }
}

function describe(run: Run): string {
  return JSON.stringify({
    events: summarize(mergeData(run.events)),
    error: run.error === null ? null : run.error.statusHint,
  });
}

// ---------------------------------------------------------------- properties

test(`property: random and mutated input parses or raises RemoteProtocolError (seed ${SEED})`, () => {
  console.log(`protocol fuzz: seed ${SEED}, ${ITERATIONS} iterations`);
  const r = new Rand(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const role: Role = r.chance(0.5) ? SERVER : CLIENT;
    const kind = r.int(3);
    const input = kind === 0
      ? randomBytes(r)
      : kind === 1
      ? mutate(r, bytes(validMessage(r, role)))
      : mutate(r, bytes(randomHead(r, role)));
    const eof = r.chance(0.3);
    const method = r.pick(["GET", "HEAD", "CONNECT", "POST"]);
    const whole = drive(role, input, [input], eof, method);
    const split = drive(role, input, splitAt(r, input), eof, method);
    drive(role, input, [...input].map((b) => Uint8Array.of(b)), eof, method);
    // Once the input is complete (EOF), whether it is refused must not depend on how
    // it was split. (Without EOF an incomplete head may be refused early or later.)
    if (eof && (whole.error === null) !== (split.error === null)) {
      fail(
        "whole and split feeds disagree on an error",
        input,
        `role ${role} eof ${eof} method ${method}: whole ${describe(whole)} split ${
          describe(split)
        }`,
      );
    }
  }
});

test(`property: valid messages parse the same whole and split (seed ${SEED})`, () => {
  const r = new Rand(SEED ^ 0x5bd1e995);
  const n = Math.max(1, Math.floor(ITERATIONS / 3));
  for (let i = 0; i < n; i++) {
    const role: Role = r.chance(0.5) ? SERVER : CLIENT;
    // One to five messages back to back (pipelined requests / successive responses).
    const count = 1 + r.int(5);
    let s = "";
    for (let k = 0; k < count; k++) s += validMessage(r, role, count > 1);
    const input = bytes(s);
    const whole = drive(role, input, [input], false, "GET");
    if (whole.error !== null) {
      fail(`valid input refused: ${whole.error.message}`, input, `role ${role}`);
    }
    const heads = whole.events.filter((e) => !(e instanceof EndOfMessage) && "headers" in e);
    if (heads.length !== count) {
      fail(`expected ${count} messages, got ${heads.length}`, input, describe(whole));
    }
    for (const pieces of [splitAt(r, input), [...input].map((b) => Uint8Array.of(b))]) {
      const split = drive(role, input, pieces, false, "GET");
      if (describe(split) !== describe(whole)) {
        fail(
          "valid input parsed differently when split",
          input,
          `${describe(split)} vs ${describe(whole)}`,
        );
      }
    }
  }
});
