/**
 * Ours: `HttpClient` of @uhttp/core, under Deno or Bun. Modes as in
 * `fetch_client.ts`: `seq ORIGIN N` (C1), `conc ORIGIN N C` (C2, C clients, one
 * connection each), `download ORIGIN TIMES` (C3, body buffered in memory),
 * `updown ORIGIN BYTES` (S4, one client, one connection).
 * Prints `{"ops","bytes","seconds"}` for the timed part (after a warm-up).
 *
 * The client module is imported by a computed specifier so that this file
 * type-checks (and the harness reports "not available") while `client/mod.ts` is missing.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { ARGS, fail, intArg, report, runShared, warmupOps } from "./common.ts";

const spec = new URL("../../client/mod.ts", import.meta.url).href;
const { HttpClient } = await import(spec) as { HttpClient: new (u: string, o?: object) => any };

const [mode, origin] = ARGS;
if (origin === undefined) fail("usage: uhttp_client.ts seq|conc|download|updown ORIGIN ...");
const OPTIONS = { maxResponseLength: 2 ** 31 - 1 };

async function get(client: any, path: string): Promise<number> {
  const res = await client.get(path).wait();
  if (res === null || res.status !== 200) fail(`GET ${path}: status ${res?.status}`);
  return res.data.length;
}

function loop(clients: any[], n: number): Promise<number> {
  return runShared(clients, n, (c) => get(c, "/"));
}

async function updown(client: any, size: number, body: Uint8Array): Promise<void> {
  const up = await client.post("/upload", { data: body }).wait();
  const text = up?.text();
  if (text !== String(size)) fail(`upload: server counted ${JSON.stringify(text)}, sent ${size}`);
  const got = await get(client, `/download?n=${size}`);
  if (got !== size) fail(`download: got ${got} bytes, expected ${size}`);
}

if (mode === "seq" || mode === "conc") {
  const n = intArg(2, 20_000);
  const c = mode === "conc" ? intArg(3, 50) : 1;
  const clients = Array.from({ length: c }, () => new HttpClient(origin!, OPTIONS));
  await loop(clients, warmupOps(n));
  const t0 = performance.now();
  const bytes = await loop(clients, n);
  report(n, bytes, performance.now() - t0);
  for (const cl of clients) cl.close();
} else if (mode === "download") {
  const times = intArg(2, 1);
  const client = new HttpClient(origin!, OPTIONS);
  await get(client, "/");
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < times; i++) bytes += await get(client, "/");
  report(times, bytes, performance.now() - t0);
  client.close();
} else if (mode === "updown") {
  const size = intArg(2, 1 << 20);
  const client = new HttpClient(origin!, OPTIONS);
  await updown(client, 1 << 16, new Uint8Array(1 << 16).fill(97));
  const body = new Uint8Array(size).fill(97);
  const t0 = performance.now();
  await updown(client, size, body);
  report(2, 2 * size, performance.now() - t0);
  client.close();
} else fail(`unknown mode ${JSON.stringify(mode)}`);
