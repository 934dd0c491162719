/**
 * Ceiling client: a raw `Bun.connect` (native, callback-driven) loop against the
 * raw fixed responder: writes a fixed GET, counts a fixed number of bytes (the
 * responder's response length), parses nothing. Modes: `seq ORIGIN N` (C1),
 * `download ORIGIN TIMES BODY_BYTES` (C3).
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { fixedResponse } from "../servers/raw_common.ts";
import { ARGS, fail, intArg, report, warmupOps } from "./common.ts";

declare const Bun: any;

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: raw_bun_client.ts seq|download ORIGIN ...");
const url = new URL(origin);
const bodyBytes = mode === "download" ? intArg(3, 0) : 0;
const expected = fixedResponse(bodyBytes).length;
const REQUEST = new TextEncoder().encode(`GET / HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);

let got = 0;
let left = 0;
let done: (() => void) | null = null;

const socket = await Bun.connect({
  hostname: url.hostname,
  port: Number(url.port),
  socket: {
    data(s: any, chunk: Uint8Array) {
      got += chunk.length;
      if (got < expected) return;
      got = 0;
      if (--left > 0) s.write(REQUEST);
      else done?.();
    },
    error() {
      fail("socket error");
    },
    close() {},
  },
});
socket.setNoDelay?.(true);

function run(n: number): Promise<void> {
  return new Promise((resolve) => {
    left = n;
    done = resolve;
    socket.write(REQUEST);
  });
}

const ops = mode === "seq" ? intArg(2, 20_000) : intArg(2, 1);
await run(mode === "seq" ? warmupOps(ops) : 1);
const t0 = performance.now();
await run(ops);
report(ops, ops * expected, performance.now() - t0);
socket.end();
