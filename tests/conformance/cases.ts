/**
 * The raw-socket case table of conformance.md: what a client sends to the echo
 * server (possibly in several writes with delays) and what must come back. Every
 * failing case found later becomes a row here.
 *
 * A row's `expect`:
 * - a status code (or a list of acceptable codes where the spec allows either),
 * - `"closed"`: the server closes without a byte,
 * - `"no response yet"`: nothing comes and the connection stays open,
 * - `"error or closed"`: an error response or a close without a byte,
 * - a list of {@linkcode Reply} for several responses on one connection.
 *
 * After a successful last reply the runner checks `after` (default `"open"`): the
 * connection must still serve a follow-up `GET /__next` as the very next response
 * (which also proves that no smuggled request was parsed from a body); with
 * `"closed"` the server must close without another byte. Error replies must be
 * `text/plain` with `connection: close`, must not reflect the request, and the
 * connection must close after them.
 *
 * @module
 */

/** One step of a case: bytes to write (latin-1 string) or a control step. */
export type Step =
  | string
  | { readonly delay: number }
  | { readonly interim: number }
  | { readonly quiet: number }
  | { readonly end: true };

/** What the echo JSON must say (each given field is compared exactly). */
export interface EchoExpect {
  readonly method?: string;
  readonly target?: string;
  readonly version?: string;
  readonly headers?: readonly (readonly [string, string])[];
  /** The request body as latin-1 text (compared with the decoded base64). */
  readonly body?: string;
}

/** One expected response. */
export interface Reply {
  readonly status: number | readonly number[];
  readonly echo?: EchoExpect;
  /** The response answers a HEAD request (no body on the wire). */
  readonly head?: boolean;
  /** The server may leave this response out (an optional `100 Continue`). */
  readonly optional?: boolean;
  /** Response header fields that must be present (lowercase names, values compared case-insensitively). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What must come back. */
export type Expect =
  | number
  | readonly number[]
  | "closed"
  | "no response yet"
  | "error or closed"
  | readonly Reply[];

/** One row of the table. */
export interface Case {
  readonly name: string;
  readonly category: string;
  readonly send: readonly Step[];
  readonly expect: Expect;
  /** Echo fields of the single 200 when `expect` is 200. */
  readonly echo?: EchoExpect;
  /** What the connection does after the last successful reply. @default "open" */
  readonly after?: "open" | "closed";
  /** Also run it split at every byte boundary (only for rows made of writes). */
  readonly fragment?: boolean;
}

const H = "Host: x\r\n";
const HOST: [string, string] = ["host", "x"];
const MARK = "<script>alert(1)</script>";

/** Puts a short delay between the parts, so that each is a write of its own. */
function frag(...parts: string[]): Step[] {
  const out: Step[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push({ delay: 20 });
    out.push(p);
  });
  return out;
}

function post(headers: string, body: string): string {
  return `POST / HTTP/1.1\r\n${H}${headers}\r\n${body}`;
}

function chunked(body: string): string {
  return post("Transfer-Encoding: chunked\r\n", body);
}

function cl(value: string, body = "hello"): string {
  return post(`Content-Length: ${value}\r\n`, body);
}

const GET = `GET / HTTP/1.1\r\n${H}\r\n`;
const SMUGGLED = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;

const rows: Case[] = [];
function add(category: string, list: Omit<Case, "category">[]): void {
  for (const c of list) rows.push({ category, ...c });
}

// --- Host -------------------------------------------------------------------
add("host", [
  { name: "HTTP/1.1 without Host", send: ["GET / HTTP/1.1\r\n\r\n"], expect: 400 },
  { name: "two Host fields", send: [`GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`], expect: 400 },
  { name: "two identical Host fields", send: [`GET / HTTP/1.1\r\n${H}${H}\r\n`], expect: 400 },
  {
    name: "two Host fields in different case",
    send: [`GET / HTTP/1.1\r\nHost: a\r\nHOST: a\r\n\r\n`],
    expect: 400,
  },
  {
    name: "HTTP/1.0 without Host is served",
    send: ["GET /ten HTTP/1.0\r\n\r\n"],
    expect: 200,
    echo: { method: "GET", target: "/ten", version: "1.0", headers: [] },
    after: "closed",
  },
  {
    name: "HTTP/1.0 with two Host fields",
    send: [`GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n`],
    expect: 400,
  },
  {
    name: "empty Host value is a Host",
    send: [`GET / HTTP/1.1\r\nHost:\r\n\r\n`],
    expect: 200,
    echo: { headers: [["host", ""]] },
  },
  {
    name: "Host with a space (invalid value, RFC 9112 3.2)",
    send: [`GET / HTTP/1.1\r\nHost: a b\r\n\r\n`],
    expect: 400,
  },
  {
    name: "Host with a slash (invalid value)",
    send: [`GET / HTTP/1.1\r\nHost: a/b\r\n\r\n`],
    expect: 400,
  },
  {
    name: "Host with userinfo (invalid value)",
    send: [`GET / HTTP/1.1\r\nHost: u@a\r\n\r\n`],
    expect: 400,
  },
  {
    name: "Host with port",
    send: [`GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n`],
    expect: 200,
    echo: { headers: [["host", "example.com:8080"]] },
  },
]);

// --- Transfer-Encoding ----------------------------------------------------------
add("transfer-encoding", [
  {
    name: "TE chunked and CL",
    send: [post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "CL and TE chunked",
    send: [post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "CL.TE smuggling (CL 6, TE chunked, body 0 CRLF CRLF G)",
    send: [post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nG")],
    expect: 400,
  },
  {
    name: "TE.CL smuggling (CL 4, TE chunked, a chunk holding a request)",
    send: [
      post(
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`,
      ),
    ],
    expect: 400,
  },
  {
    name: "TE list gzip, chunked",
    send: [post("Transfer-Encoding: gzip, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 501],
  },
  {
    name: "TE list chunked, chunked in one field",
    send: [post("Transfer-Encoding: chunked, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "Transfer-Encoding: chunked twice",
    send: [
      post(
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
      ),
    ],
    expect: 400,
  },
  {
    name: "TE chunked then TE identity",
    send: [
      post(
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
      ),
    ],
    expect: 400,
  },
  {
    name: "TE chunked not last (chunked, gzip)",
    send: [post("Transfer-Encoding: chunked, gzip\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 501],
  },
  {
    name: "TE gzip (unknown coding)",
    send: [post("Transfer-Encoding: gzip\r\n", "hello")],
    expect: 501,
  },
  {
    name: "TE xchunked (unknown coding)",
    send: [post("Transfer-Encoding: xchunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 501,
  },
  {
    name: "TE identity",
    send: [post("Transfer-Encoding: identity\r\n", "hello")],
    expect: [400, 501],
  },
  {
    name: "TE with HTTP/1.0",
    send: [`POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
    expect: 400,
  },
  {
    name: "TE and CL with HTTP/1.0",
    send: [
      `POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello`,
    ],
    expect: 400,
  },
  {
    name: "TE empty value",
    send: [post("Transfer-Encoding:\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "TE with vertical tab before chunked",
    send: [post("Transfer-Encoding: \x0bchunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 501],
  },
  {
    name: "TE chunked with an empty list element",
    send: [post("Transfer-Encoding: chunked,\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "TE chunked with a parameter",
    send: [post("Transfer-Encoding: chunked;q=1\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 501],
  },
  {
    name: "TE quoted chunked",
    send: [post('Transfer-Encoding: "chunked"\r\n', "5\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 501],
  },
  {
    name: "TE obs-folded value",
    send: [post("Transfer-Encoding:\r\n chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "TE with space before colon",
    send: [post("Transfer-Encoding : chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "TE Chunked in other case is chunked",
    send: [post("Transfer-Encoding: ChUnKeD\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 200,
    echo: { method: "POST", body: "hello" },
  },
  {
    name: "TE chunked with spaces and tabs around",
    send: [post("Transfer-Encoding: \t chunked \t\r\n", "5\r\nhello\r\n0\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "CL hidden behind a bare-LF line with TE is still both",
    send: [post("Content-Length: 5\r\nX: y\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "TE hidden behind a bare CR",
    send: [post("X: y\rTransfer-Encoding: chunked\r\nContent-Length: 5\r\n", "hello")],
    expect: 400,
  },
]);

// --- Content-Length ---------------------------------------------------------------
add("content-length", [
  {
    name: "CL 5",
    send: [cl("5")],
    expect: 200,
    echo: { method: "POST", target: "/", headers: [HOST, ["content-length", "5"]], body: "hello" },
    fragment: true,
  },
  { name: "CL 0", send: [cl("0", "")], expect: 200, echo: { body: "" } },
  {
    name: "CL repeated with the same value",
    send: [post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")],
    expect: 200,
    echo: { body: "hello" },
  },
  { name: "CL list 5, 5", send: [cl("5, 5")], expect: 200, echo: { body: "hello" } },
  { name: "CL list 5,5", send: [cl("5,5")], expect: 200, echo: { body: "hello" } },
  {
    name: "CL conflicting fields 5 and 6",
    send: [post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")],
    expect: 400,
  },
  { name: "CL conflicting list 5, 6", send: [cl("5, 6", "hello!")], expect: 400 },
  { name: "CL negative", send: [cl("-5")], expect: 400 },
  { name: "CL with plus sign", send: [cl("+5")], expect: 400 },
  { name: "CL hex 0x5", send: [cl("0x5")], expect: 400 },
  { name: "CL hex digit a", send: [cl("a", "helloworld")], expect: 400 },
  { name: "CL overflowing (20 digits)", send: [cl("99999999999999999999")], expect: 400 },
  { name: "CL just over MAX_SAFE_INTEGER", send: [cl("9007199254740992")], expect: 400 },
  {
    name: "CL MAX_SAFE_INTEGER is over the body limit",
    send: [cl("9007199254740991")],
    expect: 413,
  },
  { name: "CL over maxContentLength (head only)", send: [cl("600000", "")], expect: 413 },
  { name: "CL with a space inside", send: [cl("1 0", "helloworld")], expect: 400 },
  {
    name: "CL padded with spaces",
    send: [post("Content-Length:    5   \r\n", "hello")],
    expect: 200,
    echo: { headers: [HOST, ["content-length", "5"]], body: "hello" },
  },
  {
    name: "CL padded with tabs",
    send: [post("Content-Length:\t5\t\r\n", "hello")],
    expect: 200,
    echo: { body: "hello" },
  },
  { name: "CL empty", send: [post("Content-Length:\r\n", "hello")], expect: 400 },
  {
    name: "CL empty followed by CL 5",
    send: [post("Content-Length:\r\nContent-Length: 5\r\n", "hello")],
    expect: 400,
  },
  {
    name: "CL 5 followed by an empty CL",
    send: [post("Content-Length: 5\r\nContent-Length:\r\n", "hello")],
    expect: 400,
  },
  { name: "CL with a trailing comma", send: [cl("5,")], expect: 400 },
  { name: "CL decimal 5.0", send: [cl("5.0")], expect: 400 },
  { name: "CL exponent 5e0", send: [cl("5e0")], expect: 400 },
  { name: "CL with a vertical tab", send: [cl("\x0b5")], expect: 400 },
  { name: "CL with a non-ASCII digit", send: [cl("\xef\xbc\x95")], expect: 400 },
  { name: "CL with leading zeros", send: [cl("005")], expect: 200, echo: { body: "hello" } },
  {
    name: "CL on GET carries a body",
    send: [`GET /g HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`],
    expect: 200,
    echo: { method: "GET", target: "/g", body: "hello" },
  },
  {
    name: "CL body with every byte value",
    send: [cl("256", Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(""))],
    expect: 200,
    echo: { body: Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("") },
  },
  { name: "CL body not complete yet", send: [cl("10", "hello")], expect: "no response yet" },
]);

// --- chunked bodies ----------------------------------------------------------
add("chunked", [
  {
    name: "one chunk",
    send: [chunked("5\r\nhello\r\n0\r\n\r\n")],
    expect: 200,
    echo: { headers: [HOST, ["transfer-encoding", "chunked"]], body: "hello" },
    fragment: true,
  },
  {
    name: "several chunks",
    send: [chunked("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n")],
    expect: 200,
    echo: { body: "hello world" },
  },
  {
    name: "upper-case hex size",
    send: [chunked("A\r\n0123456789\r\n0\r\n\r\n")],
    expect: 200,
    echo: { body: "0123456789" },
  },
  {
    name: "size with leading zeros",
    send: [chunked("0005\r\nhello\r\n000\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "16 hex digit size",
    send: [chunked("0000000000000005\r\nhello\r\n0\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "17 hex digit size",
    send: [chunked("00000000000000005\r\nhello\r\n0\r\n\r\n")],
    expect: 400,
  },
  {
    name: "chunk extensions are ignored",
    send: [chunked('5;name=value;flag;q="a b"\r\nhello\r\n0;last\r\n\r\n')],
    expect: 200,
    echo: { body: "hello" },
    fragment: true,
  },
  { name: "space before extension", send: [chunked("5 ;a=b\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "space after size", send: [chunked("5 \r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "tab after size", send: [chunked("5\t\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "size 0x5", send: [chunked("0x5\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "negative size", send: [chunked("-5\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "size with plus sign", send: [chunked("+5\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "empty size line", send: [chunked("\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "non-hex size", send: [chunked("g\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "size line ends in bare LF", send: [chunked("5\nhello\r\n0\r\n\r\n")], expect: 400 },
  {
    name: "last-chunk line ends in bare LF",
    send: [chunked("5\r\nhello\r\n0\n\r\n")],
    expect: 400,
  },
  { name: "chunk data ends in bare LF", send: [chunked("5\r\nhello\n0\r\n\r\n")], expect: 400 },
  { name: "chunk data ends in bare CR", send: [chunked("5\r\nhello\r0\r\n\r\n")], expect: 400 },
  { name: "chunk longer than its size", send: [chunked("5\r\nhelloXX\r\n0\r\n\r\n")], expect: 400 },
  { name: "chunk data without CRLF", send: [chunked("5\r\nhello0\r\n\r\n")], expect: 400 },
  { name: "bare CR in an extension", send: [chunked("5;a\rb\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "bare LF in an extension", send: [chunked("5;a\nb\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  { name: "NUL in the size line", send: [chunked("5\x00\r\nhello\r\n0\r\n\r\n")], expect: 400 },
  {
    name: "huge chunk size",
    send: [chunked("ffffffffffffffff\r\nhello\r\n0\r\n\r\n")],
    expect: [400, 413],
  },
  {
    name: "trailers",
    send: [chunked("5\r\nhello\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
    fragment: true,
  },
  {
    name: "Content-Length in trailers does not frame",
    send: [chunked("5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "Transfer-Encoding in trailers does not frame",
    send: [chunked("5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n")],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "trailer with space before colon",
    send: [chunked("5\r\nhello\r\n0\r\nX-T : 1\r\n\r\n")],
    expect: 400,
  },
  {
    name: "trailer with obs-fold",
    send: [chunked("5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n")],
    expect: 400,
  },
  {
    name: "trailer with NUL",
    send: [chunked("5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n")],
    expect: 400,
  },
  {
    name: "trailer line without colon",
    send: [chunked("5\r\nhello\r\n0\r\nnocolon\r\n\r\n")],
    expect: 400,
  },
  {
    name: "last chunk without the final CRLF",
    send: [chunked("5\r\nhello\r\n0\r\n")],
    expect: "no response yet",
  },
  { name: "chunk data incomplete", send: [chunked("5\r\nhel")], expect: "no response yet" },
  { name: "size line incomplete", send: [chunked("5")], expect: "no response yet" },
  {
    name: "body cut by the client closing",
    send: [chunked("5\r\nhel"), { end: true }],
    expect: "error or closed",
  },
]);

// --- field syntax -------------------------------------------------------------------
add("fields", [
  { name: "NUL in a value", send: [`GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`], expect: 400 },
  { name: "NUL in a name", send: [`GET / HTTP/1.1\r\n${H}X-\x00A: 1\r\n\r\n`], expect: 400 },
  { name: "bare CR in a value", send: [`GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`], expect: 400 },
  { name: "CR CR LF after a value", send: [`GET / HTTP/1.1\r\n${H}X-A: a\r\r\n\r\n`], expect: 400 },
  {
    name: "control byte in a name",
    send: [`GET / HTTP/1.1\r\n${H}X\x01A: 1\r\n\r\n`],
    expect: 400,
  },
  { name: "DEL in a name", send: [`GET / HTTP/1.1\r\n${H}X\x7fA: 1\r\n\r\n`], expect: 400 },
  { name: "space inside a name", send: [`GET / HTTP/1.1\r\n${H}X A: 1\r\n\r\n`], expect: 400 },
  { name: "non-token in a name", send: [`GET / HTTP/1.1\r\n${H}X${MARK}: 1\r\n\r\n`], expect: 400 },
  { name: "obs-text in a name", send: [`GET / HTTP/1.1\r\n${H}X\xe9: 1\r\n\r\n`], expect: 400 },
  { name: "empty name", send: [`GET / HTTP/1.1\r\n${H}: value\r\n\r\n`], expect: 400 },
  { name: "line without colon", send: [`GET / HTTP/1.1\r\n${H}NoColonHere\r\n\r\n`], expect: 400 },
  {
    name: "control bytes and DEL in a value are kept",
    send: [`GET / HTTP/1.1\r\n${H}X-C: a\x01b\x1fc\x7fd\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-c", "a\x01b\x1fc\x7fd"]] },
  },
  {
    name: "obs-text in a value is latin-1",
    send: [`GET / HTTP/1.1\r\n${H}X-O: \x80\x9f\xa0\xe9\xff\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-o", "\x80\x9f\xa0\xe9\xff"]] },
    fragment: true,
  },
  {
    name: "only spaces and tabs are stripped from values",
    send: [`GET / HTTP/1.1\r\n${H}X-S: \t  a \t b \t \r\nX-V: \x0ba\x0b\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-s", "a \t b"], ["x-v", "\x0ba\x0b"]] },
  },
  {
    name: "empty value",
    send: [`GET / HTTP/1.1\r\n${H}X-Empty:\r\nX-Blank:   \r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-empty", ""], ["x-blank", ""]] },
  },
  {
    name: "names lowercased, order and repeats kept",
    send: [`GET / HTTP/1.1\r\n${H}X-MiXeD: 1\r\nB: 2\r\nx-mixed: 3\r\nA:b:c\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-mixed", "1"], ["b", "2"], ["x-mixed", "3"], ["a", "b:c"]] },
  },
  {
    name: "every token character in a name",
    send: [`GET / HTTP/1.1\r\n${H}!#$%&'*+-.^_\`|~09AZaz: t\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["!#$%&'*+-.^_`|~09azaz", "t"]] },
  },
  {
    name: "100 fields",
    send: [
      `GET / HTTP/1.1\r\n${H}${
        Array.from({ length: 100 }, (_, i) => `X-${i}: ${i}\r\n`).join("")
      }\r\n`,
    ],
    expect: 200,
    echo: {
      headers: [HOST, ...Array.from({ length: 100 }, (_, i) => [`x-${i}`, `${i}`] as const)],
    },
  },
]);

// --- line endings ---------------------------------------------------------------------
add("line-endings", [
  { name: "bare CR ends the request line", send: [`GET / HTTP/1.1\r${H}\r\n`], expect: 400 },
  {
    name: "bare CR ends a field line",
    send: [`GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n`],
    expect: 400,
  },
  { name: "bare CR in the empty line", send: [`GET / HTTP/1.1\r\n${H}\r\r\n`], expect: 400 },
  { name: "bare CR inside the request line", send: [`GET /\r HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  {
    name: "bare CR as the empty line",
    send: [`GET / HTTP/1.1\r\n${H}\r`, { delay: 20 }, "X"],
    expect: 400,
  },
  {
    name: "bare LF line ends are accepted",
    send: ["GET /lf HTTP/1.1\nHost: x\nX-A: 1\n\n"],
    expect: 200,
    echo: { target: "/lf", headers: [HOST, ["x-a", "1"]] },
    fragment: true,
  },
  {
    name: "mixed CRLF and LF line ends",
    send: ["GET /mix HTTP/1.1\r\nHost: x\nX-A: 1\r\n\n"],
    expect: 200,
    echo: { target: "/mix", headers: [HOST, ["x-a", "1"]] },
  },
]);

// --- obs-fold and whitespace before colon ------------------------------------------------------
add("obs-fold", [
  {
    name: "obs-fold with a space",
    send: [`GET / HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`],
    expect: 400,
  },
  {
    name: "obs-fold with a tab",
    send: [`GET / HTTP/1.1\r\n${H}X-A: a\r\n\tb\r\n\r\n`],
    expect: 400,
  },
  {
    name: "first field line starts with a space",
    send: [`GET / HTTP/1.1\r\n ${H}\r\n`],
    expect: 400,
  },
  { name: "folded Host", send: [`GET / HTTP/1.1\r\nHost:\r\n x\r\n\r\n`], expect: 400 },
]);
add("space-before-colon", [
  { name: "space before colon in Host", send: [`GET / HTTP/1.1\r\nHost : x\r\n\r\n`], expect: 400 },
  { name: "tab before colon", send: [`GET / HTTP/1.1\r\n${H}X-A\t: 1\r\n\r\n`], expect: 400 },
  {
    name: "space before colon in Content-Length",
    send: [post("Content-Length : 5\r\n", "hello")],
    expect: 400,
  },
]);

// --- request line and versions ----------------------------------------------------------
add("request-line", [
  { name: "two spaces after the method", send: [`GET  / HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "space after the version", send: [`GET / HTTP/1.1 \r\n${H}\r\n`], expect: 400 },
  { name: "tabs as separators", send: [`GET\t/\tHTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "space in the target", send: [`GET /a b HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "non-ASCII in the target", send: [`GET /\xe9 HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "DEL in the target", send: [`GET /\x7f HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "control byte in the target", send: [`GET /\x01 HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "empty target", send: [`GET  HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "no version (HTTP/0.9 simple request)", send: ["GET /\r\n\r\n"], expect: 400 },
  { name: "only a method", send: ["GET\r\n\r\n"], expect: 400 },
  { name: "non-token method", send: [`G(T / HTTP/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "unknown method", send: [`FOO / HTTP/1.1\r\n${H}\r\n`], expect: 501 },
  { name: "method is case-sensitive", send: [`get / HTTP/1.1\r\n${H}\r\n`], expect: 501 },
  {
    name: "CONNECT without a tunnel is refused, the server survives",
    send: [`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`],
    expect: [400, 405, 501],
  },
  {
    name: "GET * is refused (asterisk-form is for OPTIONS)",
    send: [`GET * HTTP/1.1\r\n${H}\r\n`],
    expect: 400,
  },
  {
    name: "GET with an authority-form target is refused",
    send: [`GET example.com:80 HTTP/1.1\r\n${H}\r\n`],
    expect: 400,
  },
  {
    name: "target without a leading slash is refused",
    send: [`GET ?x HTTP/1.1\r\n${H}\r\n`],
    expect: 400,
  },
  {
    name: "absolute-form target is accepted",
    send: [`GET http://example.com/a?b HTTP/1.1\r\n${H}\r\n`],
    expect: 200,
    echo: { method: "GET", target: "http://example.com/a?b" },
  },
  {
    name: "OPTIONS *",
    send: [`OPTIONS * HTTP/1.1\r\n${H}\r\n`],
    expect: 200,
    echo: { method: "OPTIONS", target: "*" },
  },
  {
    name: "absolute-form target",
    send: [`GET http://x/y?z=1 HTTP/1.1\r\n${H}\r\n`],
    expect: 200,
    echo: { target: "http://x/y?z=1" },
  },
  {
    name: "target kept raw",
    send: [`GET /a%20b/../c?d=%7e&e+f#g HTTP/1.1\r\n${H}\r\n`],
    expect: 200,
    echo: { target: "/a%20b/../c?d=%7e&e+f#g" },
  },
  {
    name: "every standard method",
    send: [
      ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].map((m) =>
        `${m} /${m} HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`
      ).join(""),
    ],
    expect: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].map((m) => ({
      status: 200,
      head: m === "HEAD",
      ...(m === "HEAD" ? {} : { echo: { method: m, target: `/${m}` } }),
    })),
  },
  {
    name: "HTTP/1.0 request",
    send: [`GET / HTTP/1.0\r\n${H}\r\n`],
    expect: 200,
    echo: { version: "1.0", headers: [HOST] },
    after: "closed",
  },
  {
    name: "HTTP/1.1 request",
    send: [GET],
    expect: 200,
    echo: { method: "GET", target: "/", version: "1.1", headers: [HOST], body: "" },
    fragment: true,
  },
  { name: "HTTP/2.0", send: [`GET / HTTP/2.0\r\n${H}\r\n`], expect: 505 },
  { name: "HTTP/0.9", send: [`GET / HTTP/0.9\r\n${H}\r\n`], expect: 505 },
  { name: "HTTP/1.2", send: [`GET / HTTP/1.2\r\n${H}\r\n`], expect: 505 },
  { name: "HTTP/3.0", send: [`GET / HTTP/3.0\r\n${H}\r\n`], expect: 505 },
  { name: "HTTP/9.9", send: [`GET / HTTP/9.9\r\n${H}\r\n`], expect: 505 },
  { name: "version HTTP/2", send: [`GET / HTTP/2\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTP/11", send: [`GET / HTTP/11\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTP/1.10", send: [`GET / HTTP/1.10\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTP/1.1x", send: [`GET / HTTP/1.1x\r\n${H}\r\n`], expect: 400 },
  { name: "version http/1.1", send: [`GET / http/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTP/1.", send: [`GET / HTTP/1.\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTP/A.B", send: [`GET / HTTP/A.B\r\n${H}\r\n`], expect: 400 },
  { name: "version HTTZ/1.1", send: [`GET / HTTZ/1.1\r\n${H}\r\n`], expect: 400 },
  { name: "version with a space inside", send: [`GET / HTTP/ 1.1\r\n${H}\r\n`], expect: 400 },
  {
    name: "a leading empty line is ignored",
    send: [`\r\nGET /lead HTTP/1.1\r\n${H}\r\n`],
    expect: 200,
    echo: { target: "/lead" },
  },
  { name: "a head of only empty lines", send: ["\r\n".repeat(6000)], expect: [400, 431] },
  { name: "NUL as the first byte (no line end sent)", send: ["\x00"], expect: 400 },
  { name: "space as the first byte (no line end sent)", send: [" GET"], expect: 400 },
  {
    name: "TLS ClientHello on the plain port (no line end sent)",
    send: ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"],
    expect: "error or closed",
  },
  { name: "SSH banner", send: ["SSH-2.0-OpenSSH_9.2\r\n\r\n"], expect: 400 },
  { name: "binary garbage line", send: ["\x80\x81\x82\xff\xfe\r\n\r\n"], expect: 400 },
]);

// --- head size --------------------------------------------------------------------------
add("head-size", [
  {
    name: "9000-byte field",
    send: [`GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(9000)}\r\n\r\n`],
    expect: 431,
  },
  {
    name: "9000-byte target",
    send: [`GET /${"a".repeat(9000)} HTTP/1.1\r\n${H}\r\n`],
    expect: 431,
  },
  {
    name: "200 fields of 50 bytes",
    send: [
      `GET / HTTP/1.1\r\n${H}${
        Array.from({ length: 200 }, (_, i) =>
          `X-F${String(i).padStart(3, "0")}: ${"v".repeat(40)}\r\n`).join("")
      }\r\n`,
    ],
    expect: 431,
  },
  {
    name: "over-long head that never ends",
    send: [`GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(9000)}`],
    expect: 431,
  },
  {
    name: "over-long request line that never ends",
    send: [`GET /${"a".repeat(9000)}`],
    expect: 431,
  },
  {
    name: "7000-byte head is served",
    send: [`GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(7000)}\r\n\r\n`],
    expect: 200,
    echo: { headers: [HOST, ["x-big", "a".repeat(7000)]] },
  },
]);

// --- incomplete requests -----------------------------------------------------------------
add("incomplete", [
  { name: "request line without its end", send: ["GET / HTTP/1.1"], expect: "no response yet" },
  { name: "request line ending in CR", send: ["GET / HTTP/1.1\r"], expect: "no response yet" },
  {
    name: "head without the empty line",
    send: [`GET / HTTP/1.1\r\n${H}`],
    expect: "no response yet",
  },
  {
    name: "head ending in CR LF CR",
    send: [`GET / HTTP/1.1\r\n${H}\r`],
    expect: "no response yet",
  },
  {
    name: "head cut by the client closing",
    send: [`GET / HTTP/1.1\r\n${H}`, { end: true }],
    expect: "error or closed",
  },
]);

// --- connection management ---------------------------------------------------------------
add("connection", [
  {
    name: "HTTP/1.0 closes by default",
    send: [`GET / HTTP/1.0\r\n${H}\r\n`],
    expect: 200,
    after: "closed",
  },
  {
    name: "HTTP/1.0 keep-alive",
    send: [`GET /k HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n`],
    expect: 200,
    echo: { target: "/k", version: "1.0" },
    after: "open",
    fragment: true,
  },
  {
    name: "HTTP/1.1 Connection: close",
    send: [`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    expect: 200,
    after: "closed",
  },
  {
    name: "Connection token list with close in other case",
    send: [`GET / HTTP/1.1\r\n${H}Connection: keep-alive, CLOSE\r\n\r\n`],
    expect: 200,
    after: "closed",
  },
  {
    name: "HEAD keeps the connection in frame",
    send: [`HEAD /h HTTP/1.1\r\n${H}\r\n`],
    expect: [{ status: 200, head: true }],
  },
  {
    name: "HTTP/1.0 keep-alive with a body",
    send: [`POST / HTTP/1.0\r\n${H}Connection: keep-alive\r\nContent-Length: 5\r\n\r\nhello`],
    expect: 200,
    echo: { body: "hello" },
  },
]);

// --- pipelining ---------------------------------------------------------------------------
const get = (t: string, extra = "") => `GET ${t} HTTP/1.1\r\n${H}${extra}\r\n`;
add("pipelining", [
  {
    name: "three GETs in one write",
    send: [get("/1") + get("/2") + get("/3")],
    expect: [1, 2, 3].map((i) => ({ status: 200, echo: { target: `/${i}` } })),
    fragment: true,
  },
  {
    name: "POST with body then GET",
    send: [cl("5", "hello") + get("/after")],
    expect: [{ status: 200, echo: { body: "hello" } }, { status: 200, echo: { target: "/after" } }],
  },
  {
    name: "chunked POST then GET",
    send: [chunked("5\r\nhello\r\n0\r\n\r\n") + get("/after")],
    expect: [{ status: 200, echo: { body: "hello" } }, { status: 200, echo: { target: "/after" } }],
    fragment: true,
  },
  {
    name: "30 GETs in one write",
    send: [Array.from({ length: 30 }, (_, i) => get(`/${i}`)).join("")],
    expect: Array.from({ length: 30 }, (_, i) => ({ status: 200, echo: { target: `/${i}` } })),
  },
  {
    name: "stray CRLF between requests",
    send: [get("/a") + "\r\n" + get("/b")],
    expect: [{ status: 200, echo: { target: "/a" } }, { status: 200, echo: { target: "/b" } }],
  },
  {
    name: "second request invalid",
    send: [get("/ok") + `GET /bad HTTP/1.1\r\n${H}X A: 1\r\n\r\n`],
    expect: [{ status: 200, echo: { target: "/ok" } }, { status: 400 }],
  },
  {
    name: "Connection: close stops the pipeline",
    send: [get("/last", "Connection: close\r\n") + get("/never")],
    expect: [{ status: 200, echo: { target: "/last" } }],
    after: "closed",
  },
  {
    name: "second request split across writes",
    send: frag(get("/1") + "GET /2 HT", "TP/1.1\r\nHo", "st: x\r\n\r", "\n"),
    expect: [{ status: 200, echo: { target: "/1" } }, { status: 200, echo: { target: "/2" } }],
  },
  {
    name: "HEAD then GET",
    send: [`HEAD /h HTTP/1.1\r\n${H}\r\n` + get("/g")],
    expect: [{ status: 200, head: true }, { status: 200, echo: { target: "/g" } }],
  },
  {
    name: "keepAliveMaxRequests: the 100th response says close, the 101st is not answered",
    send: [Array.from({ length: 101 }, (_, i) => get(`/${i}`)).join("")],
    expect: Array.from({ length: 100 }, (_, i) => ({
      status: 200,
      echo: { target: `/${i}` },
      ...(i === 99 ? { headers: { connection: "close" } } : {}),
    })),
    after: "closed",
  },
  {
    name: "HTTP/1.0 keep-alive then HTTP/1.1",
    send: [`GET /10 HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n` + get("/11")],
    expect: [
      { status: 200, echo: { target: "/10", version: "1.0" } },
      { status: 200, echo: { target: "/11", version: "1.1" } },
    ],
  },
]);

// --- Expect: 100-continue ----------------------------------------------------------------
add("expect-100", [
  {
    name: "100 Continue before the body",
    send: [post("Expect: 100-continue\r\nContent-Length: 5\r\n", ""), { interim: 100 }, "hello"],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "100-Continue token in other case",
    send: [post("Expect: 100-Continue\r\nContent-Length: 5\r\n", ""), { interim: 100 }, "hello"],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "100 Continue with a chunked body",
    send: [
      post("Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n", ""),
      { interim: 100 },
      "5\r\nhello\r\n0\r\n\r\n",
    ],
    expect: 200,
    echo: { body: "hello" },
  },
  {
    name: "body sent without waiting for 100",
    send: [post("Expect: 100-continue\r\nContent-Length: 5\r\n", "hello")],
    expect: [{ status: 100, optional: true }, { status: 200, echo: { body: "hello" } }],
  },
  {
    name: "413 instead of 100 when the length is over the limit",
    send: [post("Expect: 100-continue\r\nContent-Length: 600000\r\n", "")],
    expect: 413,
  },
  {
    name: "501 instead of 100 for an unknown coding",
    send: [post("Expect: 100-continue\r\nTransfer-Encoding: gzip\r\n", "")],
    expect: 501,
  },
  {
    name: "no 100 for HTTP/1.0",
    send: [
      `POST / HTTP/1.0\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n`,
      { quiet: 150 },
      "hello",
    ],
    expect: 200,
    echo: { body: "hello" },
    after: "closed",
  },
  {
    name: "Expect on a GET without body",
    send: [get("/e", "Expect: 100-continue\r\n")],
    expect: [{ status: 100, optional: true }, { status: 200, echo: { target: "/e" } }],
  },
]);

// --- smuggling through bodies ------------------------------------------------------------
add("smuggling", [
  {
    name: "CL body that looks like a request",
    send: [cl(String(SMUGGLED.length), SMUGGLED)],
    expect: 200,
    echo: { body: SMUGGLED },
  },
  {
    name: "GET body that looks like a request",
    send: [`GET / HTTP/1.1\r\n${H}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],
    expect: 200,
    echo: { body: SMUGGLED },
  },
  {
    name: "chunk data that looks like a request",
    send: [chunked(`${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`)],
    expect: 200,
    echo: { body: SMUGGLED },
  },
  {
    name: "body that looks like a request arriving late",
    send: frag(cl(String(SMUGGLED.length), ""), SMUGGLED.slice(0, 10), SMUGGLED.slice(10)),
    expect: 200,
    echo: { body: SMUGGLED },
  },
  {
    name: "trailer section that looks like a request",
    send: [chunked(`0\r\n${SMUGGLED.replace("GET /smuggled HTTP/1.1", "X-Get: /smuggled")}`)],
    expect: 200,
    echo: { body: "" },
  },
  {
    name: "Connection: close body followed by a request",
    send: [post("Connection: close\r\nContent-Length: 5\r\n", "hello" + SMUGGLED)],
    expect: 200,
    echo: { body: "hello" },
    after: "closed",
  },
  {
    name: "TE in HTTP/1.0 with a request in the body",
    send: [`POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
    expect: 400,
  },
  {
    name: "NUL after a field name",
    send: [post("Content-Length\x00: 5\r\n", "hello")],
    expect: 400,
  },
]);

// --- error responses never reflect input -----------------------------------------------------
add("reflection", [
  {
    name: "markup in a bad field name",
    send: [`GET / HTTP/1.1\r\n${H}${MARK}: 1\r\n\r\n`],
    expect: 400,
  },
  {
    name: "markup in the target with a bad version",
    send: [`GET /${MARK} HTTP/2.0\r\n${H}\r\n`],
    expect: [400, 505],
  },
  {
    name: "markup in a transfer coding",
    send: [post(`Transfer-Encoding: ${MARK}\r\n`, "")],
    expect: [400, 501],
  },
  {
    name: "markup in Content-Length",
    send: [post(`Content-Length: ${MARK}\r\n`, "")],
    expect: 400,
  },
  { name: "markup as the method", send: [`${MARK} / HTTP/1.1\r\n${H}\r\n`], expect: 400 },
]);

/** Every row of the table. */
export const CASES: readonly Case[] = rows;

/** The follow-up request the runner sends to prove the connection is still in frame. */
export const FOLLOW_UP = "GET /__next HTTP/1.1\r\nHost: next\r\nConnection: close\r\n\r\n";
