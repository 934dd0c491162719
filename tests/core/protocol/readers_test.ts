/**
 * Parser tests: start line, status line, line ends, fields, head size, framing,
 * chunked bodies, EOF. Every input runs whole, one byte at a time and with
 * trailing bytes (see `feedThreeWays`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLIENT,
  ConnectionClosed,
  Data,
  DONE,
  EndOfMessage,
  type InformationalResponse,
  MUST_CLOSE,
  PAUSED,
  Request,
  Response,
  type Role,
  SERVER,
  SWITCHED_PROTOCOL,
} from "../../../core/protocol/mod.ts";
import {
  bytes,
  codes,
  collect,
  EOF,
  expectError,
  type FeedOptions,
  feedThreeWays,
  getRequest,
  kinds,
  newConnection,
  type Outcome,
  requestOf,
  responseOf,
  text,
} from "./_helpers.ts";

interface Row {
  name: string;
  input: string;
  role?: Role;
  check: (o: Outcome) => void;
  options?: FeedOptions;
}

function run(group: string, rows: Row[]): void {
  for (const row of rows) {
    test(`${group}: ${row.name}`, () => {
      feedThreeWays(bytes(row.input), row.role ?? SERVER, row.check, row.options ?? {});
    });
  }
}

/** A check that a request parsed with these parts (and no body). */
function req(
  method: string,
  target: string,
  version = "1.1",
  more?: (r: Request, o: Outcome) => void,
): (o: Outcome) => void {
  return (o) => {
    const r = requestOf(o);
    assert.equal(r.method, method);
    assert.equal(r.target, target);
    assert.equal(r.httpVersion, version);
    assert.deepEqual(kinds(o).slice(0, 2), ["Request", "EndOfMessage"]);
    more?.(r, o);
  };
}

/** A check on the value of one header of a parsed request. */
function header(name: string, expected: string | number[]): (o: Outcome) => void {
  return (o) => {
    const head = o.head;
    assert.equal(o.error, null, `unexpected error: ${o.error?.message}`);
    assert.ok(head !== undefined, "a head came out");
    const value = head.headers.get(name);
    assert.ok(value !== null, `header ${name} present`);
    if (typeof expected === "string") assert.equal(value, expected);
    else assert.deepEqual(codes(value), expected);
  };
}

const H = "Host: example.com\r\n";

// ---------------------------------------------------------------- request line

run("request line", [
  { name: "simple GET", input: `GET / HTTP/1.1\r\n${H}\r\n`, check: req("GET", "/") },
  {
    name: "method is case-sensitive (kept as sent)",
    input: `get / HTTP/1.1\r\n${H}\r\n`,
    check: req("get", "/"),
  },
  {
    name: "mixed-case method kept",
    input: `GeT / HTTP/1.1\r\n${H}\r\n`,
    check: req("GeT", "/"),
  },
  {
    name: "extension method token",
    input: `M-SEARCH * HTTP/1.1\r\n${H}\r\n`,
    check: req("M-SEARCH", "*"),
  },
  { name: "method not a token", input: `GE@T / HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  { name: "method with colon", input: `GE:T / HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  {
    name: "two spaces after method",
    input: `GET  / HTTP/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
  {
    name: "two spaces after target",
    input: `GET /  HTTP/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
  { name: "space after version", input: `GET / HTTP/1.1 \r\n${H}\r\n`, check: expectError(400) },
  { name: "tab as separator", input: `GET\t/ HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  { name: "missing target", input: `GET HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  { name: "missing version (HTTP/0.9 style)", input: `GET /\r\n${H}\r\n`, check: expectError(400) },
  { name: "space inside target", input: `GET /a b HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  {
    name: "every visible ASCII character in target",
    input: `GET /az09-._~!$&'()*+,;=:@%20?q=/?#"<>[]\\^\`{|} HTTP/1.1\r\n${H}\r\n`,
    check: req("GET", `/az09-._~!$&'()*+,;=:@%20?q=/?#"<>[]\\^\`{|}`),
  },
  { name: "DEL in target", input: `GET /a\x7f HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  { name: "obs-text in target", input: `GET /\xe9 HTTP/1.1\r\n${H}\r\n`, check: expectError(400) },
  {
    name: "control byte in target",
    input: `GET /\x01 HTTP/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
  {
    name: "absolute-form target",
    input: `GET http://example.com/x?y HTTP/1.1\r\n${H}\r\n`,
    check: req("GET", "http://example.com/x?y"),
  },
  {
    name: "HTTP/1.0 without Host",
    input: "GET / HTTP/1.0\r\n\r\n",
    check: req("GET", "/", "1.0"),
  },
  { name: "HTTP/2.0 gets 505", input: `GET / HTTP/2.0\r\n${H}\r\n`, check: expectError(505) },
  { name: "HTTP/0.9 gets 505", input: `GET / HTTP/0.9\r\n${H}\r\n`, check: expectError(505) },
  { name: "HTTP/3.1 gets 505", input: `GET / HTTP/3.1\r\n${H}\r\n`, check: expectError(505) },
  { name: "HTTP/1.x is 400", input: `GET / HTTP/1.x\r\n${H}\r\n`, check: expectError(400) },
  { name: "HTTP/1.10 is 400", input: `GET / HTTP/1.10\r\n${H}\r\n`, check: expectError(400) },
  { name: "HTTP/11 is 400", input: `GET / HTTP/11\r\n${H}\r\n`, check: expectError(400) },
  { name: "HTTP/1 is 400", input: `GET / HTTP/1\r\n${H}\r\n`, check: expectError(400) },
  {
    name: "lowercase http/1.1 is 400",
    input: `GET / http/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
  { name: "HTTP/1.1x is 400", input: `GET / HTTP/1.1x\r\n${H}\r\n`, check: expectError(400) },
  {
    name: "leading empty line (CRLF) ignored",
    input: `\r\nGET / HTTP/1.1\r\n${H}\r\n`,
    check: req("GET", "/"),
  },
  {
    name: "leading empty line (bare LF) ignored",
    input: `\nGET / HTTP/1.1\r\n${H}\r\n`,
    check: req("GET", "/"),
  },
  {
    name: "leading space rejected",
    input: ` GET / HTTP/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
  {
    name: "leading bare CR rejected",
    input: `\rGET / HTTP/1.1\r\n${H}\r\n`,
    check: expectError(400),
  },
]);

test("request line: only empty lines up to the limit is an error", () => {
  feedThreeWays(
    bytes("\r\n".repeat(100)),
    SERVER,
    (o) => {
      assert.ok(o.error !== null, "a head of only empty lines past the limit is refused");
      assert.ok([400, 431].includes(o.error.statusHint), `statusHint ${o.error.statusHint}`);
    },
    { maxIncompleteEventSize: 64, trailing: false },
  );
});

test("request line: a few empty lines then EOF is a clean close or an error, not a request", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes("\r\n"));
  const c = collect(conn);
  assert.deepEqual(c.events, []);
  conn.receiveData(EOF);
  const end = collect(conn);
  assert.ok(
    end.error !== null || end.events[0] instanceof ConnectionClosed,
    "no request comes out of empty lines",
  );
});

const EARLY: [string, string][] = [
  ["space", " G"],
  ["tab", "\tG"],
  ["NUL", "\x00\x00"],
  ["control byte 0x01", "\x01G"],
  ["TLS ClientHello (2 bytes)", "\x16\x03"],
  ["TLS ClientHello (3 bytes)", "\x16\x03\x01"],
];
for (const [name, input] of EARLY) {
  test(`early rejection: ${name} is refused before the line ends`, () => {
    const conn = newConnection(SERVER);
    conn.receiveData(bytes(input));
    const c = collect(conn);
    assert.ok(c.error !== null, `nextEvent() throws on ${JSON.stringify(input)} alone`);
    assert.equal(conn.theirState, "ERROR");
  });
}

test("early rejection: a leading empty line fed byte by byte is not rejected", () => {
  const conn = newConnection(SERVER);
  for (const b of bytes("\r\n\r")) {
    conn.receiveData(Uint8Array.of(b));
    const c = collect(conn);
    assert.equal(c.error, null, "CR/LF of a leading empty line are fine");
  }
});

// ---------------------------------------------------------------- status line

function status(code: number, reason: string | number[], version = "1.1"): (o: Outcome) => void {
  return (o) => {
    const res = responseOf(o);
    assert.equal(res.status, code);
    if (typeof reason === "string") assert.equal(res.reason, reason);
    else assert.deepEqual(codes(res.reason), reason);
    assert.equal(res.httpVersion, version);
  };
}

const CL0 = "Content-Length: 0\r\n";
run("status line", [
  {
    name: "HTTP/1.1 200 OK",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\n${CL0}\r\n`,
    check: status(200, "OK"),
  },
  {
    name: "empty reason",
    role: CLIENT,
    input: `HTTP/1.1 200 \r\n${CL0}\r\n`,
    check: status(200, ""),
  },
  {
    name: "missing reason",
    role: CLIENT,
    input: `HTTP/1.1 200\r\n${CL0}\r\n`,
    check: status(200, ""),
  },
  {
    name: "reason with spaces, tab and obs-text kept as latin-1",
    role: CLIENT,
    input: `HTTP/1.1 404 Not  Found\t\x80\x9f\xa0\xff\r\n${CL0}\r\n`,
    check: status(404, [...codes("Not  Found\t"), 0x80, 0x9f, 0xa0, 0xff]),
  },
  {
    name: "HTTP/1.0 response",
    role: CLIENT,
    input: `HTTP/1.0 200 OK\r\n${CL0}\r\n`,
    check: status(200, "OK", "1.0"),
  },
  {
    name: "unknown status code 599 accepted",
    role: CLIENT,
    input: `HTTP/1.1 599 Whatever\r\n${CL0}\r\n`,
    check: status(599, "Whatever"),
  },
  {
    name: "two-digit status",
    role: CLIENT,
    input: `HTTP/1.1 20 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "four-digit status",
    role: CLIENT,
    input: `HTTP/1.1 2000 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "letters in status",
    role: CLIENT,
    input: `HTTP/1.1 2x0 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "two spaces before status",
    role: CLIENT,
    input: `HTTP/1.1  200 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "no space before status",
    role: CLIENT,
    input: `HTTP/1.1200 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "bad version",
    role: CLIENT,
    input: `HTTP/1.x 200 OK\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "garbage instead of a status line",
    role: CLIENT,
    input: `hello world\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "NUL in reason",
    role: CLIENT,
    input: `HTTP/1.1 200 O\x00K\r\n${CL0}\r\n`,
    check: expectError(),
  },
]);

// ---------------------------------------------------------------- line ends

run("line ends", [
  {
    name: "bare LF in request line and headers",
    input: "GET / HTTP/1.1\nHost: a\nX: 1\n\n",
    check: req("GET", "/", "1.1", (r) => assert.equal(r.headers.get("x"), "1")),
  },
  {
    name: "mixed CRLF and bare LF",
    input: "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\n",
    check: req("GET", "/", "1.1", (r) => assert.equal(r.headers.get("host"), "a")),
  },
  {
    name: "bare LF ending the head after CRLF lines",
    input: "GET / HTTP/1.1\r\nHost: a\r\n\n",
    check: req("GET", "/"),
  },
  {
    name: "bare LF in a status line and headers",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
    check: (o) => {
      status(200, "OK")(o);
      assert.equal(text(o.body), "hi");
    },
  },
  {
    name: "bare CR ending the request line",
    input: "GET / HTTP/1.1\rHost: a\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "bare CR in target",
    input: "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "bare CR in a value",
    input: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "bare CR in a name",
    input: "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "bare CR as the empty line",
    input: "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n",
    check: expectError(400),
  },
  {
    name: "CR CR LF at a line end",
    input: "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "bare CR in a response header",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n",
    check: expectError(),
  },
]);

// ---------------------------------------------------------------- fields

const OBS_TEXT: number[] = [];
for (let c = 0x80; c <= 0xff; c++) OBS_TEXT.push(c);

run("fields", [
  {
    name: "names keep their casing, lookup is case-insensitive",
    input: "GET / HTTP/1.1\r\nHost: a\r\nX-Mixed-Case: v\r\n\r\n",
    check: req("GET", "/", "1.1", (r) => {
      assert.deepEqual(r.headers.names, ["Host", "X-Mixed-Case"]);
      assert.deepEqual(r.headers.lowerNames, ["host", "x-mixed-case"]);
      assert.equal(r.headers.get("X-MIXED-CASE"), "v");
    }),
  },
  {
    name: "repeated fields joined by get(), listed by getAll()",
    input: "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\naccept: b\r\n\r\n",
    check: req("GET", "/", "1.1", (r) => {
      assert.equal(r.headers.get("accept"), "a, b");
      assert.deepEqual(r.headers.getAll("Accept"), ["a", "b"]);
    }),
  },
  {
    name: "token characters in a name",
    input: "GET / HTTP/1.1\r\nHost: a\r\nX!#$%&'*+-.^_`|~9: v\r\n\r\n",
    check: header("x!#$%&'*+-.^_`|~9", "v"),
  },
  {
    name: "name not a token",
    input: `GET / HTTP/1.1\r\n${H}X@Y: 1\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "name with a space inside",
    input: `GET / HTTP/1.1\r\n${H}X Y: 1\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "name with obs-text",
    input: `GET / HTTP/1.1\r\n${H}X\xe9: 1\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "line without a colon",
    input: `GET / HTTP/1.1\r\n${H}NoColon\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "space before colon",
    input: "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "tab before colon",
    input: `GET / HTTP/1.1\r\n${H}X-A\t: 1\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "space before colon in a response",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
    check: expectError(),
  },
  { name: "empty name", input: `GET / HTTP/1.1\r\n${H}: value\r\n\r\n`, check: expectError(400) },
  {
    name: "value loses surrounding spaces and tabs",
    input: `GET / HTTP/1.1\r\n${H}X: \t a \t b\t \r\n\r\n`,
    check: header("x", "a \t b"),
  },
  {
    name: "value without space after colon",
    input: `GET / HTTP/1.1\r\n${H}X:v\r\n\r\n`,
    check: header("x", "v"),
  },
  {
    name: "empty value",
    input: `GET / HTTP/1.1\r\n${H}X:\r\n\r\n`,
    check: header("x", ""),
  },
  {
    name: "value of only whitespace is empty",
    input: `GET / HTTP/1.1\r\n${H}X: \t \r\n\r\n`,
    check: header("x", ""),
  },
  {
    name: "vertical tab and form feed are not stripped",
    input: `GET / HTTP/1.1\r\n${H}X: \x0ba\x0c\r\n\r\n`,
    check: header("x", [0x0b, 0x61, 0x0c]),
  },
  {
    name: "0xA0 is not stripped",
    input: `GET / HTTP/1.1\r\n${H}X: \xa0a\xa0\r\n\r\n`,
    check: header("x", [0xa0, 0x61, 0xa0]),
  },
  {
    name: "control bytes 0x01 and 0x7F kept",
    input: `GET / HTTP/1.1\r\n${H}X: a\x01b\x7fc\r\n\r\n`,
    check: header("x", [0x61, 0x01, 0x62, 0x7f, 0x63]),
  },
  {
    name: "obs-text 0x80-0xFF kept as latin-1",
    input: `GET / HTTP/1.1\r\n${H}X: ${String.fromCharCode(...OBS_TEXT)}\r\n\r\n`,
    check: header("x", OBS_TEXT),
  },
  {
    // Short parts are made into strings without decoding the head until a long
    // one needs it (Host, last here): both ways agree.
    name: "values of 1 to 20 bytes with obs-text kept as latin-1",
    input: "GET / HTTP/1.1\r\n" +
      Array.from({ length: 20 }, (_, n) => `X${n + 1}: ${"\xe9a".repeat(10).slice(0, n + 1)}\r\n`)
        .join("") +
      `${H}\r\n`,
    check: (o) => {
      const all = codes("\xe9a".repeat(10));
      for (let n = 1; n <= 20; n++) header(`x${n}`, all.slice(0, n))(o);
    },
  },
  {
    name: "obs-text in a response value kept as latin-1",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\nX: \x80\x85\x9f\r\n${CL0}\r\n`,
    check: header("x", [0x80, 0x85, 0x9f]),
  },
  {
    name: "NUL in a value",
    input: `GET / HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "NUL at the end of a value",
    input: `GET / HTTP/1.1\r\n${H}X: a\x00\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "NUL in a name",
    input: `GET / HTTP/1.1\r\n${H}X\x00: a\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "LF in a value splits it into an invalid line",
    input: `GET / HTTP/1.1\r\n${H}X: a\nb\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "NUL in a response value",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\nX: a\x00b\r\n${CL0}\r\n`,
    check: expectError(),
  },
  {
    name: "obs-fold with a space in a request",
    input: `GET / HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "obs-fold with a tab in a request",
    input: `GET / HTTP/1.1\r\n${H}X: a\r\n\tb\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "whitespace before the first header of a request",
    input: `GET / HTTP/1.1\r\n ${H}\r\n`,
    check: expectError(400),
  },
  {
    name: "obs-fold in a response becomes one space",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\nX: a\r\n b\r\n${CL0}\r\n`,
    check: header("x", "a b"),
  },
  {
    name: "obs-fold in a response: surrounding whitespace collapses",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\nX: a \r\n\t  b  \r\n${CL0}\r\n`,
    check: header("x", "a b"),
  },
  {
    name: "obs-fold over several lines in a response",
    role: CLIENT,
    input: `HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\tc\r\n${CL0}\r\n`,
    check: (o) => {
      header("x", "a b c")(o);
      assert.equal(o.head?.headers.get("content-length"), "0");
      // The continuation lines add no fields of their own.
      assert.deepEqual(o.head?.headers.names, ["X", "Content-Length"]);
    },
  },
  {
    name: "Host missing in HTTP/1.1",
    input: "GET / HTTP/1.1\r\nX: a\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "two Host fields in HTTP/1.1",
    input: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "two Host fields in HTTP/1.0",
    input: "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n",
    check: expectError(400),
  },
  {
    name: "Host in any case",
    input: "GET / HTTP/1.1\r\nhOsT: a\r\n\r\n",
    check: header("host", "a"),
  },
  {
    name: "empty Host value is allowed",
    input: "GET / HTTP/1.1\r\nHost:\r\n\r\n",
    check: header("host", ""),
  },
  {
    name: "HTTP/1.0 with one Host",
    input: "GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
    check: req("GET", "/", "1.0"),
  },
]);

// ---------------------------------------------------------------- head size

function headOfSize(size: number, end = true): string {
  const start = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  const tail = end ? "\r\n\r\n" : "";
  return start + "a".repeat(size - start.length - tail.length) + tail;
}

test("head size: default limit is 16 KiB; a head of exactly 16384 bytes parses", () => {
  const input = headOfSize(16 * 1024);
  assert.equal(input.length, 16384);
  feedThreeWays(bytes(input), SERVER, req("GET", "/"));
});

test("head size: a head of 16385 bytes gets 431", () => {
  feedThreeWays(bytes(headOfSize(16 * 1024 + 1)), SERVER, expectError(431));
});

test("head size: an unfinished head over the limit gets 431 before its end", () => {
  feedThreeWays(bytes(headOfSize(16 * 1024 + 10, false)), SERVER, expectError(431), {
    trailing: false,
  });
});

test("head size: a custom maxIncompleteEventSize is honoured", () => {
  feedThreeWays(bytes(headOfSize(200)), SERVER, req("GET", "/"), { maxIncompleteEventSize: 200 });
  feedThreeWays(bytes(headOfSize(201)), SERVER, expectError(431), {
    maxIncompleteEventSize: 200,
  });
});

test("head size: a response head over the limit is an error", () => {
  const input = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(300);
  feedThreeWays(bytes(input), CLIENT, expectError(431), {
    maxIncompleteEventSize: 200,
    trailing: false,
  });
});

// ---------------------------------------------------------------- request framing

/** A check that a request parsed with this body. */
function body(expected: string, more?: (o: Outcome) => void): (o: Outcome) => void {
  return (o) => {
    requestOf(o);
    assert.equal(text(o.body), expected);
    assert.ok(o.end instanceof EndOfMessage, "EndOfMessage");
    assert.equal(kinds(o).at(-1), "EndOfMessage");
    more?.(o);
  };
}

const POST = "POST / HTTP/1.1\r\nHost: a\r\n";
const TE = "Transfer-Encoding: chunked\r\n";
run("request framing", [
  {
    name: "neither TE nor CL: no body",
    input: `POST / HTTP/1.1\r\nHost: a\r\n\r\n`,
    check: (o) => {
      requestOf(o);
      assert.deepEqual(kinds(o), ["Request", "EndOfMessage"]);
    },
  },
  {
    name: "Content-Length body",
    input: `${POST}Content-Length: 5\r\n\r\nhello`,
    check: body("hello"),
  },
  { name: "Content-Length: 0", input: `${POST}Content-Length: 0\r\n\r\n`, check: body("") },
  {
    name: "Content-Length with leading zeros",
    input: `${POST}Content-Length: 005\r\n\r\nhello`,
    check: body("hello"),
  },
  {
    name: "Content-Length list of equal values",
    input: `${POST}Content-Length: 5, 5\r\n\r\nhello`,
    check: body("hello"),
  },
  {
    name: "repeated identical Content-Length fields",
    input: `${POST}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`,
    check: body("hello"),
  },
  {
    name: "Content-Length list of different values",
    input: `${POST}Content-Length: 5, 6\r\n\r\nhello!`,
    check: expectError(400),
  },
  {
    name: "repeated different Content-Length fields",
    input: `${POST}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    check: expectError(400),
  },
  {
    name: "Content-Length with a plus sign",
    input: `${POST}Content-Length: +5\r\n\r\nhello`,
    check: expectError(400),
  },
  {
    name: "negative Content-Length",
    input: `${POST}Content-Length: -1\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "Content-Length with a space inside",
    input: `${POST}Content-Length: 5 5\r\n\r\nhello`,
    check: expectError(400),
  },
  {
    name: "hex Content-Length",
    input: `${POST}Content-Length: 0x5\r\n\r\nhello`,
    check: expectError(400),
  },
  {
    name: "empty Content-Length",
    input: `${POST}Content-Length:\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "Content-Length with a decimal point",
    input: `${POST}Content-Length: 5.0\r\n\r\nhello`,
    check: expectError(400),
  },
  {
    name: "Content-Length of 2^53 overflows",
    input: `${POST}Content-Length: 9007199254740992\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "Content-Length of 20 digits overflows",
    input: `${POST}Content-Length: 99999999999999999999\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "Content-Length of 2^53 - 1 is accepted",
    input: `${POST}Content-Length: 9007199254740991\r\n\r\nabc`,
    check: (o) => {
      requestOf(o);
      assert.equal(text(o.body), "abc");
      assert.equal(o.end, undefined);
    },
    options: { trailing: false },
  },
  {
    name: "Transfer-Encoding and Content-Length",
    input: `${POST}${TE}Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "Content-Length and Transfer-Encoding (other order)",
    input: `${POST}Content-Length: 5\r\n${TE}\r\n5\r\nhello\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  { name: "chunked body", input: `${POST}${TE}\r\n5\r\nhello\r\n0\r\n\r\n`, check: body("hello") },
  {
    name: "chunked case-insensitive",
    input: `${POST}Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    check: body("hello"),
  },
  {
    name: "CHUNKED upper case",
    input: `${POST}Transfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    check: body("hello"),
  },
  {
    name: "TE gzip, chunked gets 501",
    input: `${POST}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    check: expectError(501),
  },
  {
    name: "TE gzip gets 501",
    input: `${POST}Transfer-Encoding: gzip\r\n\r\n`,
    check: expectError(501),
  },
  {
    name: "TE identity gets 501",
    input: `${POST}Transfer-Encoding: identity\r\n\r\n`,
    check: expectError(501),
  },
  {
    name: "TE chunked, chunked is 400",
    input: `${POST}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "two TE fields are 400",
    input: `${POST}${TE}${TE}\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "TE chunked with a parameter is 400",
    input: `${POST}Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "empty TE is 400",
    input: `${POST}Transfer-Encoding:\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "TE list with an empty element is 400",
    input: `${POST}Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n`,
    check: expectError(400),
  },
  {
    name: "TE in an HTTP/1.0 request is 400",
    input: `POST / HTTP/1.0\r\n${TE}\r\n5\r\nhello\r\n0\r\n\r\n`,
    check: expectError(400),
  },
]);

// ---------------------------------------------------------------- chunked bodies

function chunked(b: string): string {
  return `${POST}${TE}\r\n${b}`;
}

run("chunked", [
  {
    name: "two chunks",
    input: chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
    check: body("hello world"),
  },
  { name: "hex size a", input: chunked("a\r\n0123456789\r\n0\r\n\r\n"), check: body("0123456789") },
  { name: "hex size A", input: chunked("A\r\n0123456789\r\n0\r\n\r\n"), check: body("0123456789") },
  {
    name: "size 10 hex",
    input: chunked(`10\r\n${"x".repeat(16)}\r\n0\r\n\r\n`),
    check: body("x".repeat(16)),
  },
  {
    name: "16 hex digits",
    input: chunked("0000000000000005\r\nhello\r\n0000000000000000\r\n\r\n"),
    check: body("hello"),
  },
  {
    name: "17 hex digits",
    input: chunked("00000000000000005\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  { name: "no size digits", input: chunked("\r\nhello\r\n0\r\n\r\n"), check: expectError(400) },
  {
    name: "only an extension",
    input: chunked(";x\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  { name: "non-hex size", input: chunked("g\r\nhello\r\n0\r\n\r\n"), check: expectError(400) },
  { name: "size with a sign", input: chunked("+5\r\nhello\r\n0\r\n\r\n"), check: expectError(400) },
  { name: "size with 0x", input: chunked("0x5\r\nhello\r\n0\r\n\r\n"), check: expectError(400) },
  { name: "space after size", input: chunked("5 \r\nhello\r\n0\r\n\r\n"), check: expectError(400) },
  {
    name: "extensions ignored",
    input: chunked('5;foo=bar;q="a b"\r\nhello\r\n0;last\r\n\r\n'),
    check: body("hello"),
  },
  {
    name: "extension with space after ;",
    input: chunked("5; foo\r\nhello\r\n0\r\n\r\n"),
    check: body("hello"),
  },
  {
    name: "space before ;",
    input: chunked("5 ;foo\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "tab before ;",
    input: chunked("5\t;foo\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "bare CR in an extension",
    input: chunked("5;a\rb\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "bare LF in an extension",
    input: chunked("5;a\nb\r\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "size line ending in bare LF",
    input: chunked("5\nhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "last-chunk line ending in bare LF",
    input: chunked("5\r\nhello\r\n0\n\r\n"),
    check: expectError(400),
  },
  {
    name: "size line ending in bare CR",
    input: chunked("5\rhello\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "data followed by a bare LF",
    input: chunked("5\r\nhello\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "data followed by another byte",
    input: chunked("5\r\nhelloX\r\n0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "data followed by CR and another byte",
    input: chunked("5\r\nhello\rX0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "data followed by LF CR",
    input: chunked("5\r\nhello\n\r0\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "trailers exposed on EndOfMessage",
    input: chunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:  d \r\n\r\n"),
    check: body("hello", (o) => {
      assert.equal(o.end?.trailers.get("x-checksum"), "abc");
      assert.equal(o.end?.trailers.get("X-Other"), "d");
      assert.deepEqual(o.end?.trailers.names, ["X-Checksum", "X-Other"]);
      assert.equal(o.head?.headers.has("x-checksum"), false);
    }),
  },
  {
    name: "no trailers: empty",
    input: chunked("5\r\nhello\r\n0\r\n\r\n"),
    check: body("hello", (o) => assert.equal(o.end?.trailers.size, 0)),
  },
  {
    name: "Content-Length, Transfer-Encoding and Host in trailers do not change framing",
    input: chunked(
      "5\r\nhello\r\n0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nHost: evil\r\n\r\n",
    ),
    check: body("hello", (o) => {
      assert.equal(o.end?.trailers.get("content-length"), "5");
      assert.equal(o.head?.headers.get("host"), "a");
      assert.equal(o.conn.theirState, DONE);
    }),
  },
  {
    name: "trailer name not a token",
    input: chunked("0\r\nBad Name: x\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "trailer with space before colon",
    input: chunked("0\r\nX : x\r\n\r\n"),
    check: expectError(400),
  },
  { name: "trailer with empty name", input: chunked("0\r\n: x\r\n\r\n"), check: expectError(400) },
  {
    name: "trailer value with NUL",
    input: chunked("0\r\nX: a\x00b\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "trailer value with bare CR",
    input: chunked("0\r\nX: a\rb\r\n\r\n"),
    check: expectError(400),
  },
  { name: "trailer obs-fold", input: chunked("0\r\nX: a\r\n b\r\n\r\n"), check: expectError(400) },
  {
    name: "trailer line without colon",
    input: chunked("0\r\nnocolon\r\n\r\n"),
    check: expectError(400),
  },
  {
    name: "chunk data split across many Data events keeps bytes exact",
    input: chunked("3\r\n\x00\xff\r\r\n0\r\n\r\n"),
    check: (o) => {
      requestOf(o);
      assert.deepEqual([...o.body], [0x00, 0xff, 0x0d]);
    },
  },
]);

test("chunked: a huge chunk size line is refused, not buffered forever", () => {
  feedThreeWays(bytes(chunked("5;" + "x".repeat(400))), SERVER, (o) => {
    assert.ok(o.error !== null, "too long a chunk size line is an error");
  }, { maxIncompleteEventSize: 200, trailing: false });
});

test("chunked: a huge trailer section is refused, not buffered forever", () => {
  feedThreeWays(bytes(chunked("0\r\nX: " + "x".repeat(400))), SERVER, (o) => {
    assert.ok(o.error !== null, "too large a trailer section is an error");
  }, { maxIncompleteEventSize: 200, trailing: false });
});

test("chunked: Data events of a chunk carry chunkStart and chunkEnd", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes(chunked("5\r\nhello\r\n0\r\n\r\n")));
  const c = collect(conn);
  const data = c.events.filter((e) => e instanceof Data) as Data[];
  assert.equal(data.length, 1);
  assert.equal(data[0]!.chunkStart, true);
  assert.equal(data[0]!.chunkEnd, true);
});

// ---------------------------------------------------------------- response framing

function responseBody(
  expected: string,
  closes = false,
  more?: (o: Outcome) => void,
): (o: Outcome) => void {
  return (o) => {
    responseOf(o);
    assert.equal(text(o.body), expected);
    assert.ok(o.end instanceof EndOfMessage, "EndOfMessage");
    if (closes) assert.equal(kinds(o).at(-1), "ConnectionClosed");
    more?.(o);
  };
}

run("response framing", [
  {
    name: "Content-Length body",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    check: responseBody("hello", false, (o) => assert.equal(o.conn.theirState, DONE)),
  },
  {
    name: "neither TE nor CL: body until close",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\n\r\nhello, until close",
    check: responseBody("hello, until close", true, (o) => {
      assert.deepEqual(kinds(o), ["Response", "Data", "EndOfMessage", "ConnectionClosed"]);
    }),
    options: { eof: true },
  },
  {
    name: "chunked response",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    check: responseBody("hello"),
  },
  {
    name: "TE gzip, chunked: chunked",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    check: responseBody("hello"),
  },
  {
    name: "TE gzip: until close",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    check: responseBody("5\r\nhello\r\n0\r\n\r\n", true),
    options: { eof: true },
  },
  {
    name: "Content-Length list of equal values",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi",
    check: responseBody("hi"),
  },
  {
    name: "conflicting Content-Length",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!",
    check: expectError(),
  },
  {
    name: "invalid Content-Length",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nhi",
    check: expectError(),
  },
  {
    name: "204 has no body whatever its headers say",
    role: CLIENT,
    input: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
    check: (o) => {
      responseOf(o);
      assert.deepEqual(kinds(o), ["Response", "EndOfMessage"]);
    },
  },
  {
    name: "304 has no body whatever its headers say",
    role: CLIENT,
    input: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    check: (o) => {
      responseOf(o);
      assert.deepEqual(kinds(o), ["Response", "EndOfMessage"]);
    },
  },
  {
    name: "304 without framing headers has no body",
    role: CLIENT,
    input: "HTTP/1.1 304 Not Modified\r\n\r\n",
    check: (o) => assert.deepEqual(kinds(o), ["Response", "EndOfMessage"]),
  },
  {
    name: "response to HEAD has no body (Content-Length: 100)",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
    check: (o) => {
      const res = responseOf(o);
      assert.equal(res.headers.get("content-length"), "100");
      assert.deepEqual(kinds(o), ["Response", "EndOfMessage"]);
      assert.equal(o.conn.theirState, DONE);
    },
    options: { request: getRequest("HEAD") },
  },
  {
    name: "response to HEAD with chunked has no body",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    check: (o) => assert.deepEqual(kinds(o), ["Response", "EndOfMessage"]),
    options: { request: getRequest("HEAD") },
  },
  {
    name: "100 Continue then the final response",
    role: CLIENT,
    input: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    check: (o) => {
      assert.deepEqual(kinds(o), ["InformationalResponse", "Response", "Data", "EndOfMessage"]);
      const info = o.events[0] as InformationalResponse;
      assert.equal(info.status, 100);
      assert.equal(responseOf(o).status, 200);
      assert.equal(text(o.body), "hi");
    },
  },
  {
    name: "103 Early Hints with headers then the final response",
    role: CLIENT,
    input:
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    check: (o) => {
      assert.deepEqual(kinds(o), ["InformationalResponse", "Response", "EndOfMessage"]);
      const info = o.events[0] as InformationalResponse;
      assert.equal(info.status, 103);
      assert.equal(info.headers.get("link"), "</a.css>; rel=preload");
    },
  },
  {
    name: "1xx with Content-Length has no body",
    role: CLIENT,
    input: "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    check: (o) => assert.deepEqual(kinds(o), ["InformationalResponse", "Response", "EndOfMessage"]),
  },
  {
    name: "2xx to CONNECT switches protocol",
    role: CLIENT,
    input: "HTTP/1.1 200 Connection Established\r\n\r\n",
    check: (o) => {
      assert.deepEqual(kinds(o), ["Response"]);
      assert.equal(o.conn.theirState, SWITCHED_PROTOCOL);
      assert.equal(o.conn.ourState, SWITCHED_PROTOCOL);
      assert.equal(o.stop, o.mode === "trailing" ? PAUSED : o.stop);
    },
    options: {
      trailing: bytes("\x16\x03\x01tunnel bytes"),
      setup: (conn) => {
        conn.send(
          new Request({
            method: "CONNECT",
            target: "example.com:443",
            headers: [["Host", "example.com:443"]],
          }),
        );
        conn.send(new EndOfMessage());
      },
    },
  },
  {
    name: "407 to CONNECT does not switch",
    role: CLIENT,
    input: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
    check: responseBody("no", false, (o) => {
      assert.equal(o.conn.theirState, DONE);
      assert.equal(o.conn.ourState, DONE);
    }),
    options: {
      setup: (conn) => {
        conn.send(
          new Request({ method: "CONNECT", target: "a:443", headers: [["Host", "a:443"]] }),
        );
        conn.send(new EndOfMessage());
      },
    },
  },
]);

test("response framing: trailing bytes after a CONNECT 2xx are in trailingData", () => {
  const conn = newConnection(CLIENT, {
    request: new Request({ method: "CONNECT", target: "a:443", headers: [["Host", "a:443"]] }),
  });
  conn.receiveData(bytes("HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01\x02\x00"));
  const c = collect(conn);
  assert.deepEqual(kinds({ events: c.events } as Outcome), ["Response"]);
  assert.equal(c.stop, PAUSED);
  assert.deepEqual([...conn.trailingData.data], [0x16, 0x03, 0x01, 0x02, 0x00]);
  assert.equal(conn.trailingData.closed, false);
});

// ---------------------------------------------------------------- EOF

run("EOF", [
  {
    name: "EOF mid request head",
    input: "GET / HTTP/1.1\r\nHost: a\r\n",
    check: expectError(400),
    options: { eof: true },
  },
  {
    name: "EOF mid request line",
    input: "GET / HT",
    check: expectError(400),
    options: { eof: true },
  },
  {
    name: "EOF mid response head",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Le",
    check: expectError(),
    options: { eof: true },
  },
  {
    name: "EOF mid Content-Length body says 3 of 10 bytes",
    input: `${POST}Content-Length: 10\r\n\r\nabc`,
    check: (o) => {
      expectError(400)(o);
      assert.match(o.error!.message, /\b3\b/, `received count in "${o.error!.message}"`);
      assert.match(o.error!.message, /\b10\b/, `expected count in "${o.error!.message}"`);
    },
    options: { eof: true },
  },
  {
    name: "EOF mid Content-Length response body",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd",
    check: (o) => {
      expectError()(o);
      assert.match(o.error!.message, /\b4\b/);
      assert.match(o.error!.message, /\b10\b/);
    },
    options: { eof: true },
  },
  {
    name: "EOF mid chunk says how many bytes came and were expected",
    input: chunked("5\r\nab"),
    check: (o) => {
      expectError(400)(o);
      assert.match(o.error!.message, /\b2\b/, `received count in "${o.error!.message}"`);
      assert.match(o.error!.message, /\b[35]\b/, `expected count in "${o.error!.message}"`);
    },
    options: { eof: true },
  },
  {
    name: "EOF before the last chunk",
    input: chunked("5\r\nhello\r\n"),
    check: (o) => {
      expectError(400)(o);
      assert.match(o.error!.message, /\b5\b/, `received count in "${o.error!.message}"`);
    },
    options: { eof: true },
  },
  {
    name: "EOF inside trailers",
    input: chunked("5\r\nhello\r\n0\r\nX: a\r\n"),
    check: expectError(400),
    options: { eof: true },
  },
  {
    name: "EOF after a complete request: ConnectionClosed",
    input: `GET / HTTP/1.1\r\n${H}\r\n`,
    check: (o) => {
      assert.deepEqual(kinds(o), ["Request", "EndOfMessage", "ConnectionClosed"]);
      assert.equal(o.conn.theirState, "CLOSED");
    },
    options: { eof: true },
  },
  {
    name: "EOF after a complete response: ConnectionClosed",
    role: CLIENT,
    input: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    check: (o) => {
      assert.deepEqual(kinds(o), ["Response", "EndOfMessage", "ConnectionClosed"]);
    },
    options: { eof: true },
  },
]);

test("EOF: on a fresh connection gives ConnectionClosed", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(EOF);
  const c = collect(conn);
  assert.ok(c.events[0] instanceof ConnectionClosed);
  assert.equal(conn.theirState, "CLOSED");
});

test("EOF: data after EOF throws", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(EOF);
  assert.throws(() => conn.receiveData(bytes("GET / HTTP/1.1\r\n")));
});

test("EOF: trailingData reports closed", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes(`GET / HTTP/1.1\r\n${H}\r\n`));
  conn.receiveData(EOF);
  assert.equal(conn.trailingData.closed, true);
});

// ---------------------------------------------------------------- sticky errors

test("errors are sticky: nextEvent() keeps throwing and theirState is ERROR", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
  const first = collect(conn);
  assert.ok(first.error !== null);
  assert.equal(conn.theirState, "ERROR");
  assert.throws(() => conn.nextEvent(), (e) => e === first.error || e instanceof Error);
  conn.receiveData(bytes(`GET / HTTP/1.1\r\n${H}\r\n`));
  const again = collect(conn);
  assert.ok(again.error !== null, "still failing after valid bytes");
  assert.equal(conn.theirState, "ERROR");
});

test("errors: a server can still answer 400 after a RemoteProtocolError, with connection: close", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes("GARBAGE\r\n\r\n"));
  const c = collect(conn);
  assert.ok(c.error !== null);
  const out = conn.send(new Response({ status: 400, headers: [["Content-Length", "0"]] }));
  assert.ok(out !== null);
  const head = text(out).toLowerCase();
  assert.ok(head.startsWith("http/1.1 400 bad request\r\n"), head);
  assert.ok(head.includes("connection: close\r\n"), head);
  conn.send(new EndOfMessage());
  assert.equal(conn.ourState, MUST_CLOSE);
});

test("errors: every RemoteProtocolError carries a status hint", () => {
  const conn = newConnection(SERVER);
  conn.receiveData(bytes("GET / HTTP/1.1\r\n\r\n"));
  const c = collect(conn);
  assert.ok(c.error !== null);
  assert.equal((c.error as { statusHint: number }).statusHint, 400);
  assert.ok(c.error instanceof Error);
});

test("responses: a Response event from the client side has status and headers", () => {
  const conn = newConnection(CLIENT);
  conn.receiveData(bytes("HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"));
  const c = collect(conn);
  const res = c.events[0];
  assert.ok(res instanceof Response);
  assert.equal(res.status, 201);
  assert.equal(res.reason, "Created");
  assert.equal(res.headers.get("location"), "/x");
  assert.equal(conn.theirHttpVersion, "1.1");
});

test("responses: a head and a body that is not UTF-8 in one array keep every field and byte", () => {
  // A short body is decoded along with the head (one decode of the whole array);
  // a longer one is not. Neither may change the head's text or the body's bytes.
  for (const size of [3, 64, 65, 200]) {
    const body = new Uint8Array(size).map((_, i) => [0xff, 0xc3, 0xe2, 0x82][i % 4]!);
    const head = bytes(
      `HTTP/1.1 200 Fine\r\nX-A: one\r\nContent-Length: ${size}\r\nX-Last: end value\r\n\r\n`,
    );
    const all = new Uint8Array(head.length + size);
    all.set(head);
    all.set(body, head.length);
    const conn = newConnection(CLIENT);
    conn.receiveData(all);
    const c = collect(conn);
    const res = c.events[0];
    assert.ok(res instanceof Response, `size ${size}`);
    assert.equal(res.reason, "Fine");
    assert.deepEqual([...res.headers], [
      ["X-A", "one"],
      ["Content-Length", String(size)],
      ["X-Last", "end value"],
    ]);
    const got = c.events.filter((e) => e instanceof Data).map((e) => [...(e as Data).data]).flat();
    assert.deepEqual(got, [...body], `size ${size}`);
    assert.ok(c.events.at(-1) instanceof EndOfMessage);
  }
});
