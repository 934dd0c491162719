/**
 * Ceiling client: raw `Deno.connect` loops against the raw fixed responder. Each
 * loop writes a fixed GET and reads a fixed number of bytes (the responder's
 * response length, computed from the same body size), parsing nothing. Modes:
 * `seq ORIGIN N` (C1), `conc ORIGIN N C` (C2: C loops, one connection each, N
 * GETs in all), `download ORIGIN TIMES BODY_BYTES` (C3).
 *
 * @module
 */
import { fixedResponse } from "../servers/raw_common.ts";
import { ARGS, fail, intArg, report, runShared, warmupOps } from "./common.ts";

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: raw_deno_client.ts seq|conc|download ORIGIN ...");
const url = new URL(origin);
const bodyBytes = mode === "download" ? intArg(3, 0) : 0;
const expected = fixedResponse(bodyBytes).length;
const REQUEST = new TextEncoder().encode(`GET / HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);

/** One connection with its read buffer, made once (the timed part allocates nothing). */
interface Loop {
  conn: Deno.TcpConn;
  buf: Uint8Array;
}

async function connect(): Promise<Loop> {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  conn.setNoDelay(true);
  return { conn, buf: new Uint8Array(mode === "download" ? 256 * 1024 : 4096) };
}

async function one({ conn, buf }: Loop): Promise<number> {
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

const ops = mode === "download" ? intArg(2, 1) : intArg(2, 20_000);
const count = mode === "conc" ? intArg(3, 50) : 1;
const loops = await Promise.all(Array.from({ length: count }, connect));
await runShared(loops, mode === "download" ? 1 : warmupOps(ops), one);
const t0 = performance.now();
const bytes = await runShared(loops, ops, one);
report(ops, bytes, performance.now() - t0);
for (const { conn } of loops) conn.close();
