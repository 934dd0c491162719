/**
 * Property tests against a live echo server: random and mutated requests (bit
 * flips, inserted CR/LF/NUL, cut at random points), sent whole and fragmented,
 * then the client half-closes. Each connection must get only well-formed
 * responses (errors as text/plain + close), must be closed by the server soon
 * after our FIN (never hang), and after every batch a normal request is served.
 *
 * Seeded: the seed is printed; replay with `UHTTP_FUZZ_SEED=<seed>`. About 5 s in
 * CI; `UHTTP_FUZZ_LONG=1` runs for minutes (`UHTTP_FUZZ_SECONDS` to choose).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  bytes,
  concat,
  delay,
  echoOf,
  latin1,
  parseResponse,
  pool,
  RawConn,
  type ServerProcess,
  simpleGet,
  startServer,
} from "./_helpers.ts";
import { checkError } from "./_runner.ts";
import { CASES } from "./cases.ts";
import { rowBytes } from "./_runner.ts";
import { prng } from "../_prng.ts";

const SEED = process.env.UHTTP_FUZZ_SEED
  ? Number(process.env.UHTTP_FUZZ_SEED) >>> 0
  : (Math.random() * 2 ** 32) >>> 0;
const LONG = process.env.UHTTP_FUZZ_LONG === "1";
const TOTAL_S = Number(process.env.UHTTP_FUZZ_SECONDS ?? (LONG ? 300 : 5));
/** Time slice of each of the three fuzz tests. */
const SLICE_MS = (TOTAL_S * 1000) / 3;
/** How long the server may take to close after our FIN. */
const CLOSE_MS = 3000;
const BATCH = 48;
const CONCURRENCY = 24;

console.log(`fuzz seed: ${SEED} (replay with UHTTP_FUZZ_SEED=${SEED}); ${TOTAL_S} s`);

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, a: readonly T[]): T => a[int(r, a.length)]!;

// Valid requests to start from: the table's valid rows (no HEAD: a fuzzed HEAD
// response cannot be told apart on the wire) and a few more.
const CORPUS: Uint8Array[] = [
  ...CASES.filter((c) => {
    const e = c.expect;
    const ok = e === 200 ||
      (Array.isArray(e) && e.every((x) => typeof x === "object" && x.status === 200 && !x.head));
    return ok && !c.name.includes("HEAD") && !c.name.includes("standard method");
  }).map(rowBytes).filter((b): b is Uint8Array => b !== null && b.length < 4000),
  bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
  bytes(
    'POST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"a":[1,2,3]}',
  ),
  bytes("PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"),
  bytes(
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
  ),
  bytes(
    "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n",
  ),
];

const NASTY_LINES = [
  "Transfer-Encoding: chunked\r\n",
  "Transfer-Encoding: gzip, chunked\r\n",
  "Content-Length: 3\r\n",
  "Content-Length: -1\r\n",
  "Content-Length: 99999999999999999999\r\n",
  "Content-Length: 1000000\r\n",
  "Expect: 100-continue\r\n",
  "Connection: close\r\n",
  "Connection: keep-alive\r\n",
  "Host: y\r\n",
  " folded\r\n",
  "X: \x00\r\n",
  "X : y\r\n",
  "\r\n",
  "Upgrade: websocket\r\n",
];
const INSERTS = [
  "\r",
  "\n",
  "\x00",
  " ",
  "\t",
  ":",
  ",",
  ";",
  "\r\n",
  "\r\n\r\n",
  "0\r\n\r\n",
  "\xff",
];

function mutate(r: Rand, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const n = 1 + int(r, 4);
  for (let k = 0; k < n; k++) {
    const pos = int(r, b.length + 1);
    switch (int(r, 9)) {
      case 0: // bit flip
        if (b.length > 0) {
          const i = int(r, b.length);
          b[i] = b[i]! ^ (1 << int(r, 8));
        }
        break;
      case 1: // insert a special byte sequence
        b = concat([b.subarray(0, pos), bytes(pick(r, INSERTS)), b.subarray(pos)]);
        break;
      case 2: // delete a range
        b = concat([b.subarray(0, pos), b.subarray(Math.min(b.length, pos + 1 + int(r, 8)))]);
        break;
      case 3: // cut
        b = b.slice(0, pos);
        break;
      case 4: { // duplicate a range
        const len = int(r, 24);
        b = concat([b.subarray(0, pos + len), b.subarray(pos, pos + len), b.subarray(pos + len)]);
        break;
      }
      case 5: // random byte
        if (b.length > 0) b[int(r, b.length)] = int(r, 256);
        break;
      case 6: { // a nasty header line after the first line end
        const lf = b.indexOf(10);
        const at = lf < 0 ? pos : lf + 1;
        b = concat([b.subarray(0, at), bytes(pick(r, NASTY_LINES)), b.subarray(at)]);
        break;
      }
      case 7: { // change line ends
        const s = latin1(b).replace(/\r\n/g, () => pick(r, ["\r\n", "\r\n", "\n", "\r", "\n\r"]));
        b = bytes(s);
        break;
      }
      default: // append another request
        b = concat([b, pick(r, CORPUS)]);
    }
  }
  return b;
}

function randomInput(r: Rand): Uint8Array {
  if (r() < 0.5) {
    const b = new Uint8Array(int(r, 200));
    for (let i = 0; i < b.length; i++) b[i] = int(r, 256);
    return b;
  }
  const atoms = [
    "GET",
    "POST",
    "HEAD ",
    " ",
    "/",
    "HTTP/1.1",
    "HTTP/1.0",
    "HTTP/",
    "\r\n",
    "\n",
    "\r",
    ":",
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "chunked",
    "0",
    "5",
    "ffff",
    ";",
    ",",
    "\x00",
    "\t",
    "hello",
    "Expect",
    "100-continue",
  ];
  let s = "";
  const n = 1 + int(r, 30);
  for (let i = 0; i < n; i++) s += pick(r, atoms);
  return bytes(s);
}

interface Input {
  data: Uint8Array;
  /** Split points (sorted) for fragmented sending; empty: one write. */
  splits: number[];
}

function splitsFor(r: Rand, len: number, fragmented: boolean): number[] {
  if (!fragmented || len < 2) return [];
  const k = 1 + int(r, Math.min(8, len - 1));
  const set = new Set<number>();
  for (let i = 0; i < k; i++) set.add(1 + int(r, len - 1));
  return [...set].sort((a, b) => a - b);
}

function show(inp: Input): string {
  const s = latin1(inp.data, 0, Math.min(inp.data.length, 600));
  return `input ${JSON.stringify(s)}${inp.data.length > 600 ? "..." : ""} splits [${inp.splits}]`;
}

/** Sends one input, half-closes, and checks what comes back. */
async function probe(port: number, inp: Input): Promise<void> {
  const conn = await RawConn.open(port);
  try {
    const cuts = [0, ...inp.splits, inp.data.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      if (i > 0) await delay(1);
      await conn.write(inp.data.subarray(cuts[i], cuts[i + 1]));
    }
    conn.end();
    const all = await conn.waitClosed(CLOSE_MS);
    if (all === "timeout") {
      assert.fail(
        `server did not close ${CLOSE_MS} ms after the client's FIN; got ${
          JSON.stringify(latin1(conn.buffered, 0, Math.min(200, conn.buffered.length)))
        }; ${show(inp)}`,
      );
    }
    // Which requests were HEAD is not known here (that would take parsing the
    // input): a response is read as one to HEAD (no body) when it is complete
    // only that way and the input has a HEAD in it.
    const mayHaveHead = latin1(inp.data, 0, inp.data.length).includes("HEAD ");
    let rest = all;
    while (rest.length > 0) {
      let r;
      let toHead = false;
      try {
        r = parseResponse(rest, false, true);
        if (r === null && mayHaveHead) {
          r = parseResponse(rest, true, true);
          toHead = true;
        }
      } catch (e) {
        assert.fail(`malformed response (${(e as Error).message}); ${show(inp)}`);
      }
      if (r === null) {
        if (conn.wasReset) return; // cut by a reset after the server gave up
        assert.fail(
          `incomplete response before the close: ${
            JSON.stringify(latin1(rest, 0, Math.min(300, rest.length)))
          }; ${show(inp)}`,
        );
      }
      assert.ok(r.status >= 100 && r.status <= 599, `status ${r.status}; ${show(inp)}`);
      rest = rest.subarray(r.raw.length);
      if (r.status >= 400) {
        checkError(r, inp.data, show(inp));
        assert.equal(rest.length, 0, `bytes after an error response; ${show(inp)}`);
      } else if (r.status === 200 && !toHead) {
        echoOf(r);
      }
    }
  } finally {
    await conn.close();
  }
}

let server: Promise<ServerProcess> | null = null;
function echo(): Promise<ServerProcess> {
  server ??= startServer();
  return server;
}

async function healthy(s: ServerProcess, what: string): Promise<void> {
  assert.ok(s.alive(), `echo server died after ${what}: ${s.stderr().slice(0, 2000)}`);
  const r = await simpleGet(s.port, "/health", 2000);
  assert.equal(r.status, 200, `normal request after ${what}`);
  assert.equal(echoOf(r).target, "/health");
}

async function fuzz(stream: number, make: (r: Rand) => Input): Promise<void> {
  const s = await echo();
  const r = prng((SEED ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
  const end = Date.now() + SLICE_MS;
  let batches = 0;
  let cases = 0;
  while (Date.now() < end || batches === 0) {
    const batch = Array.from({ length: BATCH }, () => make(r));
    await pool(batch, CONCURRENCY, (inp) => probe(s.port, inp));
    batches++;
    cases += batch.length;
    await healthy(s, `batch ${batches} (seed ${SEED}, stream ${stream})`);
  }
  console.log(`fuzz stream ${stream}: ${cases} inputs in ${batches} batches`);
}

test("fuzz: mutated valid requests sent whole", { timeout: SLICE_MS + 30_000 }, async () => {
  await fuzz(0, (r) => {
    const data = mutate(r, pick(r, CORPUS));
    return { data, splits: [] };
  });
});

test("fuzz: mutated valid requests sent fragmented", { timeout: SLICE_MS + 30_000 }, async () => {
  await fuzz(1, (r) => {
    const data = mutate(r, pick(r, CORPUS));
    return { data, splits: splitsFor(r, data.length, true) };
  });
});

test(
  "fuzz: random bytes and token soup, whole and fragmented",
  { timeout: SLICE_MS + 30_000 },
  async () => {
    await fuzz(2, (r) => {
      const data = randomInput(r);
      return { data, splits: splitsFor(r, data.length, r() < 0.5) };
    });
  },
);

test("fuzz: the echo server survived and stops cleanly", async () => {
  const s = await echo();
  await healthy(s, "all fuzzing");
  await s.stop();
  assert.ok(
    !/uncaught|panicked/i.test(s.stderr()),
    `echo server stderr: ${s.stderr().slice(0, 2000)}`,
  );
});
