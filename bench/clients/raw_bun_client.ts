/**
 * Ceiling client: raw `Bun.connect` sockets (native, callback-driven) against the
 * raw fixed responder. Each socket writes a fixed GET, counts a fixed number of
 * bytes (the responder's response length) and writes the next, parsing nothing.
 * Modes: `seq ORIGIN N` (C1), `conc ORIGIN N C` (C2: C sockets, N GETs in all),
 * `download ORIGIN TIMES BODY_BYTES` (C3).
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { fixedResponse } from "../servers/raw_common.ts";
import { ARGS, fail, intArg, report, warmupOps } from "./common.ts";

declare const Bun: any;

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: raw_bun_client.ts seq|conc|download ORIGIN ...");
const url = new URL(origin);
const bodyBytes = mode === "download" ? intArg(3, 0) : 0;
const expected = fixedResponse(bodyBytes).length;
const REQUEST = new TextEncoder().encode(`GET / HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);

/** GETs not yet written in the current run, shared by the sockets. */
let left = 0;
/** Sockets with a GET in flight in the current run. */
let busy = 0;
let done: (() => void) | null = null;

/** Writes the next GET of the run on `s`, or settles the run once no socket is busy. */
function next(s: any): void {
  if (left > 0) {
    left--;
    s.write(REQUEST);
  } else if (--busy === 0) done?.();
}

function connect(): Promise<any> {
  return Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    data: { got: 0 },
    socket: {
      data(s: any, chunk: Uint8Array) {
        s.data.got += chunk.length;
        if (s.data.got < expected) return;
        s.data.got = 0;
        next(s);
      },
      error() {
        fail("socket error");
      },
      close() {},
    },
  });
}

/** Runs `n` exchanges over `sockets` (at most `n` of them start one). */
function run(sockets: any[], n: number): Promise<void> {
  return new Promise((resolve) => {
    left = n;
    done = resolve;
    busy = sockets.length;
    for (const s of sockets) next(s);
  });
}

const ops = mode === "download" ? intArg(2, 1) : intArg(2, 20_000);
const count = mode === "conc" ? intArg(3, 50) : 1;
const sockets = await Promise.all(Array.from({ length: count }, connect));
for (const s of sockets) s.setNoDelay?.(true);
await run(sockets, mode === "download" ? 1 : warmupOps(ops));
const t0 = performance.now();
await run(sockets, ops);
report(ops, ops * expected, performance.now() - t0);
for (const s of sockets) s.end();
