/**
 * Shared helpers of the protocol tests: feeding bytes three ways (whole, one byte
 * at a time, whole plus trailing bytes that must stay untouched) and collecting
 * events until the connection needs data or pauses.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  CLIENT,
  Connection,
  ConnectionClosed,
  Data,
  DONE,
  EndOfMessage,
  type Event,
  InformationalResponse,
  MUST_CLOSE,
  NEED_DATA,
  PAUSED,
  RemoteProtocolError,
  Request,
  Response,
  type Role,
  SERVER,
  SWITCHED_PROTOCOL,
} from "../../../core/protocol/mod.ts";
import { concatBytes } from "../../../core/bytes.ts";

/** Encodes a string as latin-1 bytes (each code unit one byte). */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`Not latin-1: ${JSON.stringify(s)}`);
    out[i] = c;
  }
  return out;
}

/** Decodes bytes as latin-1 by hand. */
export function text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Joins byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** The empty array that means EOF to `receiveData`. */
export const EOF: Uint8Array = new Uint8Array(0);

/** What `collect` stopped on. */
export type Stop = typeof NEED_DATA | typeof PAUSED | ConnectionClosed | "error";

/** Events collected from a connection, and why collecting stopped. */
export interface Collected {
  events: Event[];
  stop: Stop;
  error: unknown;
}

/**
 * Calls `nextEvent()` until NEED_DATA, PAUSED, ConnectionClosed or an error, at most
 * `limit` times (an assertion fails beyond: the parser would loop forever).
 * Only `RemoteProtocolError` may be thrown; anything else fails the test.
 */
export function collect(conn: Connection, limit = 100_000): Collected {
  const events: Event[] = [];
  for (let i = 0; i < limit; i++) {
    let ev;
    try {
      ev = conn.nextEvent();
    } catch (e) {
      if (!(e instanceof RemoteProtocolError)) {
        throw new assert.AssertionError({
          message: `nextEvent() threw something else than RemoteProtocolError: ${String(e)}`,
        });
      }
      return { events, stop: "error", error: e };
    }
    if (ev === NEED_DATA || ev === PAUSED) return { events, stop: ev, error: null };
    events.push(ev);
    if (ev instanceof ConnectionClosed) return { events, stop: ev, error: null };
  }
  throw new assert.AssertionError({ message: `nextEvent() did not stop after ${limit} calls` });
}

/** Merges consecutive Data events into one (so byte-at-a-time and whole feeds compare). */
export function mergeData(events: readonly Event[]): Event[] {
  const out: Event[] = [];
  for (const ev of events) {
    const prev = out[out.length - 1];
    if (ev instanceof Data && prev instanceof Data) {
      out[out.length - 1] = new Data(concat(prev.data, ev.data));
    } else if (ev instanceof Data) {
      out.push(new Data(ev.data));
    } else {
      out.push(ev);
    }
  }
  return out;
}

/** The three ways an input is fed. */
export type Mode = "whole" | "bytewise" | "trailing";
/** Every mode, in the order `feedThreeWays` runs them. */
export const MODES: readonly Mode[] = ["whole", "bytewise", "trailing"];

/** The result of feeding an input one way. */
export interface Outcome {
  mode: Mode;
  conn: Connection;
  /** Every event, consecutive Data merged. */
  events: Event[];
  /** The body: every Data's bytes joined. */
  body: Uint8Array;
  /** The RemoteProtocolError thrown, or null. */
  error: RemoteProtocolError | null;
  /** What the last `collect` stopped on. */
  stop: Stop;
  /** The first head event (Request / Response / InformationalResponse) or undefined. */
  head: Request | Response | InformationalResponse | undefined;
  /** The EndOfMessage, if one came. */
  end: EndOfMessage | undefined;
}

/** Options of {@linkcode feedThreeWays}. */
export interface FeedOptions {
  /** Runs before feeding (default for CLIENT: send `GET /` + EndOfMessage). */
  setup?: (conn: Connection) => void;
  /** The request a CLIENT sends first (when no `setup`). */
  request?: Request;
  /** Feed EOF after the input. */
  eof?: boolean;
  /** The trailing bytes; `false` skips the trailing mode (input is not a whole message). */
  trailing?: Uint8Array | false;
  /** Connection option. */
  maxIncompleteEventSize?: number;
}

/** The pipelined request used as trailing bytes on the server side. */
export const NEXT_REQUEST: Uint8Array = bytes("GET /__next HTTP/1.1\r\nHost: next\r\n\r\n");
/** The trailing bytes used on the client side (a stray second response). */
export const NEXT_RESPONSE: Uint8Array = bytes("HTTP/1.1 204 No Content\r\n\r\n");

/** A minimal GET request a client sends before it may parse a response. */
export function getRequest(method = "GET", headers: [string, string][] = []): Request {
  return new Request({ method, target: "/", headers: [["Host", "example.com"], ...headers] });
}

/** A new connection set up as the options say. */
export function newConnection(role: Role, options: FeedOptions = {}): Connection {
  const conn = options.maxIncompleteEventSize === undefined
    ? new Connection(role)
    : new Connection(role, { maxIncompleteEventSize: options.maxIncompleteEventSize });
  if (options.setup) options.setup(conn);
  else if (role === CLIENT) {
    conn.send(options.request ?? getRequest());
    conn.send(new EndOfMessage());
  }
  return conn;
}

/** Feeds `pieces` (then EOF when asked) and collects every event. */
export function feed(
  conn: Connection,
  pieces: readonly Uint8Array[],
  eof: boolean,
  mode: Mode = "whole",
): Outcome {
  const events: Event[] = [];
  let error: RemoteProtocolError | null = null;
  let stop: Stop = NEED_DATA;
  const run = () => {
    const c = collect(conn);
    events.push(...c.events);
    stop = c.stop;
    if (c.error !== null) error = c.error as RemoteProtocolError;
  };
  for (const piece of pieces) {
    conn.receiveData(piece);
    run();
    if (error !== null || stop instanceof ConnectionClosed) break;
  }
  if (eof && error === null && !(stop instanceof ConnectionClosed)) {
    conn.receiveData(EOF);
    run();
  }
  const merged = mergeData(events);
  const body = concat(...merged.filter((e): e is Data => e instanceof Data).map((e) => e.data));
  const head = merged.find((e) =>
    e instanceof Request || e instanceof Response || e instanceof InformationalResponse
  ) as Request | Response | InformationalResponse | undefined;
  const end = merged.find((e) => e instanceof EndOfMessage) as EndOfMessage | undefined;
  return { mode, conn, events: merged, body, error, stop, head, end };
}

function splitBytes(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.slice(i, i + 1));
  return out;
}

/** A comparable, JSON-able description of events (Data as latin-1 text). */
export function summarize(events: readonly Event[]): unknown[] {
  return events.map((e) => {
    if (e instanceof Data) return ["Data", text(e.data)];
    if (e instanceof Request) {
      return ["Request", e.method, e.target, e.httpVersion, [...e.headers]];
    }
    if (e instanceof Response || e instanceof InformationalResponse) {
      return [e.constructor.name, e.status, e.reason, e.httpVersion, [...e.headers]];
    }
    if (e instanceof EndOfMessage) return ["EndOfMessage", [...e.trailers]];
    return [e.constructor.name];
  });
}

function summary(o: Outcome): unknown[] {
  return summarize(o.events);
}

/**
 * Runs an input whole, one byte at a time, and whole + trailing bytes, calling
 * `check` for each. Across the three ways the events (Data merged) and the error's
 * `statusHint` must agree. An error must be sticky. In the trailing way, once the
 * message is complete, the next event must be PAUSED and `trailingData` must hold
 * exactly the trailing bytes; on the server side the trailing bytes are a pipelined
 * request that must parse after a response and `startNextCycle()`.
 */
export function feedThreeWays(
  input: Uint8Array,
  role: Role,
  check: (o: Outcome) => void,
  options: FeedOptions = {},
): void {
  const eof = options.eof ?? false;
  const extra = options.trailing === undefined
    ? (role === SERVER ? NEXT_REQUEST : NEXT_RESPONSE)
    : options.trailing;
  let reference: Outcome | null = null;
  for (const mode of MODES) {
    if (mode === "trailing" && extra === false) continue;
    const conn = newConnection(role, options);
    let o: Outcome;
    if (mode === "whole") o = feed(conn, [input], eof, mode);
    else if (mode === "bytewise") o = feed(conn, splitBytes(input), eof, mode);
    else if (eof) {
      // After EOF nothing more may come in: the extra bytes are refused and change nothing.
      o = feed(conn, [input], true, mode);
      assert.throws(() => conn.receiveData(extra as Uint8Array), `[${mode}] data after EOF`);
    } else {
      o = feed(conn, [concat(input, extra as Uint8Array)], false, mode);
    }
    try {
      if (o.error !== null) {
        assert.equal(conn.theirState, "ERROR", "the peer's state after an error");
        assert.throws(() => conn.nextEvent(), RemoteProtocolError, "errors are sticky");
      }
      if (reference !== null) {
        assert.equal(o.error?.statusHint, reference.error?.statusHint, "same error either way");
        if (o.error === null) assert.deepEqual(summary(o), summary(reference), "same events");
      }
      if (mode === "trailing" && !eof && o.error === null) checkTrailing(o, extra as Uint8Array);
      check(o);
    } catch (e) {
      if (e instanceof Error) e.message = `[${mode}] ${e.message}`;
      throw e;
    }
    reference ??= o;
  }
}

function checkTrailing(o: Outcome, extra: Uint8Array): void {
  const conn = o.conn;
  const complete = conn.theirState === DONE || conn.theirState === MUST_CLOSE ||
    conn.theirState === SWITCHED_PROTOCOL || conn.theirState === "MIGHT_SWITCH_PROTOCOL";
  if (!complete) return;
  assert.equal(o.stop, PAUSED, "trailing bytes make nextEvent() return PAUSED");
  assert.deepEqual(conn.trailingData.data, extra, "trailing bytes untouched");
  if (conn.ourRole !== SERVER || conn.theirState !== DONE) return;
  // Answer, then the pipelined request must come out whole.
  conn.send(new Response({ status: 200, headers: [["Content-Length", "0"]] }));
  conn.send(new EndOfMessage());
  if (conn.ourState !== DONE) return;
  conn.startNextCycle();
  const next = collect(conn);
  assert.equal(next.error, null);
  const req = next.events[0];
  assert.ok(req instanceof Request, "pipelined request after startNextCycle()");
  assert.equal(req.target, "/__next");
  assert.ok(next.events[1] instanceof EndOfMessage);
}

/** A check that the input is refused with a RemoteProtocolError with this status hint. */
export function expectError(statusHint = 400, messagePart?: string): (o: Outcome) => void {
  return (o) => {
    assert.ok(
      o.error instanceof RemoteProtocolError,
      `expected RemoteProtocolError(${statusHint}), got events ${JSON.stringify(summary(o))}`,
    );
    assert.equal(o.error.statusHint, statusHint, `statusHint of "${o.error.message}"`);
    if (messagePart !== undefined) {
      assert.ok(o.error.message.includes(messagePart), `message "${o.error.message}"`);
    }
  };
}

/** Asserts no error and returns the head as a Request. */
export function requestOf(o: Outcome): Request {
  assert.equal(o.error, null, `unexpected error: ${o.error?.message}`);
  assert.ok(o.head instanceof Request, "a Request came out");
  return o.head;
}

/** Asserts no error and returns the head as a Response (final). */
export function responseOf(o: Outcome): Response {
  assert.equal(o.error, null, `unexpected error: ${o.error?.message}`);
  const res = o.events.find((e) => e instanceof Response);
  assert.ok(res instanceof Response, "a Response came out");
  return res;
}

/** The names of the events, sentinels excluded (Data merged). */
export function kinds(o: Outcome): string[] {
  return o.events.map((e) => e.constructor.name);
}

/** Char codes of a string (for exact latin-1 comparisons). */
export function codes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  return out;
}

/** Sends events and joins the bytes (null for ConnectionClosed becomes empty). */
export function sendAll(conn: Connection, ...events: Event[]): Uint8Array {
  return concat(...events.map((e) => conn.send(e) ?? EOF));
}
