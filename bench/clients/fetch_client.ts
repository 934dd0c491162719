/**
 * Anchor client: the runtime's `fetch` (Deno or Bun). Modes:
 * - `seq ORIGIN N`: N sequential keep-alive GETs of `/` (C1), body read fully.
 * - `conc ORIGIN N C`: N GETs by C concurrent loops (C2).
 * - `download ORIGIN TIMES`: GET `/` TIMES times, body read into memory (C3).
 * - `updown ORIGIN BYTES`: POST `/upload` of BYTES bytes, then GET `/download?n=BYTES` (S4).
 * Prints `{"ops","bytes","seconds"}` for the timed part (after a warm-up).
 *
 * @module
 */
import { ARGS, fail, intArg, report, runShared, warmupOps } from "./common.ts";

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: fetch_client.ts seq|conc|download|updown ORIGIN ...");

async function get(path: string): Promise<number> {
  const res = await fetch(origin + path);
  const n = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) fail(`GET ${path}: status ${res.status}`);
  return n;
}

/** `n` GETs of `/` by `c` concurrent loops (fetch pools the connections itself). */
function loop(n: number, c: number): Promise<number> {
  return runShared(Array.from({ length: c }, (_, i) => i), n, () => get("/"));
}

async function updown(size: number, body: Uint8Array<ArrayBuffer>): Promise<void> {
  const up = await fetch(origin + "/upload", { method: "POST", body });
  const text = await up.text();
  if (text !== String(size)) fail(`upload: server counted ${JSON.stringify(text)}, sent ${size}`);
  const got = await get(`/download?n=${size}`);
  if (got !== size) fail(`download: got ${got} bytes, expected ${size}`);
}

if (mode === "seq" || mode === "conc") {
  const n = intArg(2, 20_000);
  const c = mode === "conc" ? intArg(3, 50) : 1;
  await loop(warmupOps(n), c);
  const t0 = performance.now();
  const bytes = await loop(n, c);
  report(n, bytes, performance.now() - t0);
} else if (mode === "download") {
  const times = intArg(2, 1);
  await get("/");
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < times; i++) bytes += await get("/");
  report(times, bytes, performance.now() - t0);
} else if (mode === "updown") {
  const size = intArg(2, 1 << 20);
  await updown(1 << 16, new Uint8Array(1 << 16).fill(97));
  const body = new Uint8Array(size).fill(97);
  const t0 = performance.now();
  await updown(size, body);
  report(2, 2 * size, performance.now() - t0);
} else fail(`unknown mode ${JSON.stringify(mode)}`);
