/**
 * Ceiling client: a raw `Deno.connect` loop against the raw fixed responder. It
 * writes a fixed GET and reads a fixed number of bytes (the responder's response
 * length, computed from the same body size), parsing nothing. Modes:
 * `seq ORIGIN N` (C1), `download ORIGIN TIMES BODY_BYTES` (C3).
 *
 * @module
 */
import { fixedResponse } from "../servers/raw_common.ts";
import { ARGS, fail, intArg, report, warmupOps } from "./common.ts";

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: raw_deno_client.ts seq|download ORIGIN ...");
const url = new URL(origin);
const bodyBytes = mode === "download" ? intArg(3, 0) : 0;
const expected = fixedResponse(bodyBytes).length;
const REQUEST = new TextEncoder().encode(`GET / HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);

const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
conn.setNoDelay(true);
const buf = new Uint8Array(256 * 1024);

async function one(): Promise<number> {
  let out = REQUEST;
  while (out.length > 0) out = out.subarray(await conn.write(out));
  let got = 0;
  while (got < expected) {
    const n = await conn.read(buf);
    if (n === null) fail("connection closed early");
    got += n;
  }
  return got;
}

const ops = mode === "seq" ? intArg(2, 20_000) : intArg(2, 1);
for (let i = mode === "seq" ? warmupOps(ops) : 1; i > 0; i--) await one();
const t0 = performance.now();
let bytes = 0;
for (let i = 0; i < ops; i++) bytes += await one();
report(ops, bytes, performance.now() - t0);
conn.close();
