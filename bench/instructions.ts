/**
 * Instructions per request spent by our client and our server on Deno, counted by
 * valgrind on in-memory sockets. Requests per second on a shared virtual machine move
 * by 20-30% from one run to the next, so a change worth 1-3% cannot be seen in them;
 * this count repeats to within about 0.1%, so it can (bench/LIMITS.md).
 *
 * - `client`: `HttpClient`, 50 clients with one connection each sending `GET /`,
 *   `Deno.connect` replaced by connections answering each request with a fixed
 *   hello-world response (the raw responder's, bench/servers/raw_common.ts). With
 *   `--headers`, each request carries two fields of its own (`accept` and
 *   `x-request-id`, the `headers` option); with `--auth`, the clients send Basic
 *   credentials (the `auth` option); with `--cookie`, a cookie from their jar; with
 *   `--json`, they send `POST /` with a small JSON body (the `json` option), its length
 *   changing from one request to the next.
 * - `server`: `HttpServer` with a `for await` loop answering `respond("Hello, World!")`,
 *   `Deno.listen` replaced by a listener handing out 50 connections, each sending its
 *   next `GET /` once the answer to the one before was written (as wrk does in S1).
 *   With `--alternating`, each connection sends two different heads by turns
 *   (`GET /a` and `GET /bb`, both with an `Accept` field), so that no head comes
 *   again right after itself: the path of a head that was not kept whole. With
 *   `--browser`, the heads are a browser's (716 bytes: Firefox's fields and a
 *   420-byte Cookie), for `GET /api/items/1` (and `/api/items/22` by turns). With
 *   `--post`, they are `POST /api/items` with the client's small JSON bodies by
 *   turns (parsed into `conn.data`). With
 *   `--headers`, each answer also carries two fields of its own (`respond()`'s
 *   `headers` option: `cache-control` and `x-served-by`). With `--json`, each answer
 *   is an object of about 1 KB, sent as JSON (`respond(object)`).
 *
 * Every byte our code handles is real; only the kernel is left out. Each path is run
 * under valgrind (with V8 single-threaded and seeded, so that the same work is done
 * each time) for two request counts; the difference divided by the difference in
 * requests leaves out start-up and compiling. Each count takes the fewest instructions
 * of `--runs` runs (a run now and then does extra work: a garbage collection moved).
 * Compiling still goes on for a while after 20 000 requests (the client counts about
 * 2% fewer between 50 000 and 150 000), so compare figures taken with the same counts.
 * Needs valgrind (Debian package `valgrind`); takes a few minutes.
 *
 * The count weighs byte loops over typed arrays too heavily against builtins: on
 * Deno, copying 75 bytes in a loop counted 2 108 instructions and with `set()` 710,
 * though both take about 55 ns natively. A change that trades one for the other
 * is timed as well.
 *
 * ```sh
 * deno run -A bench/instructions.ts                 # both paths
 * deno run -A bench/instructions.ts client --runs=1 # one path, one run per count
 * deno run -A bench/instructions.ts server --alternating # heads that change every time
 * deno run -A bench/instructions.ts server --browser --alternating # a browser's heads
 * deno run -A bench/instructions.ts server --headers    # answers with headers of their own
 * deno run -A bench/instructions.ts client --headers    # requests with headers of their own
 * deno run -A bench/instructions.ts client --auth --cookie # Basic credentials and a cookie
 * deno run -A bench/instructions.ts client --json       # POSTs with a small JSON body
 * deno run -A bench/instructions.ts server --json       # answers made from an object
 * deno run -A bench/instructions.ts server --post       # POSTs with a small JSON body
 * deno run -A bench/instructions.ts server --allocated  # bytes allocated per request
 * deno run -A bench/instructions.ts --smoke         # the workloads alone, no valgrind
 * ```
 *
 * With `--allocated`, the same workloads run natively instead (in seconds), with the
 * young generation made large enough (128 MiB) that no collection runs, and the growth
 * of the heap is printed: what V8 allocates per request, the difference between runs
 * of 10 000 and 40 000 requests divided by 30 000. It repeats to within a few bytes.
 *
 * Compare commits by running it in a worktree of each (`git worktree add`). CI runs
 * `--smoke` so that the workloads keep working.
 *
 * @module
 */

import { fail } from "./clients/common.ts";
import { fixedResponse } from "./servers/raw_common.ts";

const CONNECTIONS = 50;
/** The options that choose the heads the server workload receives. */
const HEAD_OPTIONS = ["--alternating", "--browser", "--post"];
/** The options of the client workload alone: Basic credentials, a cookie in its jar. */
const CLIENT_OPTIONS = ["--auth", "--cookie"];
/** The options of the workloads: those, and `--headers` and `--json` for either. */
const WORKLOAD_OPTIONS = [...HEAD_OPTIONS, ...CLIENT_OPTIONS, "--headers", "--json"];
/** What the server answers with under `--headers`. */
const WITH_HEADERS = { headers: { "cache-control": "no-store", "x-served-by": "uhttp" } };
/** What the server answers with under `--json`: 987 bytes of JSON, about S5's body. */
const JSON_ANSWER = {
  items: Array.from(
    { length: 18 },
    (_, i) => ({ id: i, name: `item-${i}`, price: i * 3 + 0.5, ok: true }),
  ),
};
/** What the client asks with under `--headers`. */
const ASKING_WITH_HEADERS = { headers: { accept: "application/json", "x-request-id": "42" } };
/** What the client sends under `--json` by turns: 50 to 54 bytes of JSON, a length that changes each time. */
const JSON_BODIES = [[1], [1, 2], [1, 2, 3]].map((values) => ({
  id: 42,
  name: "sensor-7",
  values,
  ok: true,
}));

/** A browser's fields after Host, its Cookie 420 bytes long. */
const BROWSER_FIELDS = [
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "Accept-Language: en-US,en;q=0.5",
  "Accept-Encoding: gzip, deflate, br",
  "Connection: keep-alive",
  "Cookie: " +
  Array.from({ length: 12 }, (_, i) => `_ga_${i}=GA1.1.${1234567890 + i * 7919}.${1700000000 + i}`)
    .join("; "),
];

/** The heads each connection of the server workload sends, by turns, for `options`. */
function serverHeads(options: readonly string[]): Uint8Array[] {
  const alternating = options.includes("--alternating");
  const browser = options.includes("--browser");
  const targets = browser ? ["/api/items/1", "/api/items/22"] : alternating ? ["/a", "/bb"] : ["/"];
  const fields = browser ? BROWSER_FIELDS : alternating ? ["Accept: */*"] : [];
  if (options.includes("--post")) {
    // The client workload's bodies by turns (a head that changes with its Content-Length).
    return JSON_BODIES.map((data) => {
      const body = JSON.stringify(data);
      const lines = [
        "POST /api/items HTTP/1.1",
        "Host: 127.0.0.1:8080",
        "Content-Type: application/json",
        `Content-Length: ${body.length}`,
      ];
      return new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n" + body);
    });
  }
  return targets.slice(0, alternating ? 2 : 1).map((target) => {
    const lines = [`GET ${target} HTTP/1.1`, "Host: 127.0.0.1:8080", ...fields];
    return new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  });
}
const V8_FLAGS = "--single-threaded,--predictable,--random-seed=1,--hash-seed=1";

/** The value of `--name=value`, or `dflt`. */
function option(name: string, dflt: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  const v = arg === undefined ? dflt : Number(arg.slice(name.length + 3));
  if (!Number.isInteger(v) || v <= 0) fail(`--${name} wants a positive integer`);
  return v;
}

const ADDR = { transport: "tcp" as const, hostname: "127.0.0.1", port: 8080 };

/**
 * An in-memory connection. Each `write` asks `answer` for what the peer sends back,
 * which the next `read` gives; `null` from `answer` means the peer closed.
 */
class MemoryConn {
  readonly localAddr = ADDR;
  readonly remoteAddr = ADDR;
  #waiting: { buf: Uint8Array; resolve: (n: number | null) => void } | null = null;
  #ready: Uint8Array | null;
  #ended = false;
  #answer: () => Uint8Array | null;

  /** `first`: what the first read gives (`null`: it waits for a write). */
  constructor(first: Uint8Array | null, answer: () => Uint8Array | null) {
    this.#ready = first;
    this.#answer = answer;
  }
  setNoDelay(): void {}
  read(buf: Uint8Array): Promise<number | null> {
    const ready = this.#ready;
    if (ready !== null) {
      this.#ready = null;
      buf.set(ready);
      return Promise.resolve(ready.length);
    }
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting = { buf, resolve });
  }
  write(bytes: Uint8Array): Promise<number> {
    const next = this.#answer();
    const waiting = this.#waiting;
    this.#waiting = null;
    if (next === null) {
      this.#ended = true;
      waiting?.resolve(null);
    } else if (waiting !== null) {
      waiting.buf.set(next);
      waiting.resolve(next.length);
    } else this.#ready = next;
    return Promise.resolve(bytes.length);
  }
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.#ended = true;
    this.#waiting?.resolve(null);
    this.#waiting = null;
  }
}

type Patchable = Record<string, unknown>;

async function clientWorkload(requests: number, options: readonly string[]): Promise<void> {
  const asked = options.includes("--headers") ? ASKING_WITH_HEADERS : undefined;
  const json = options.includes("--json");
  const response = fixedResponse(0);
  (Deno as unknown as Patchable).connect = () =>
    Promise.resolve(new MemoryConn(null, () => response));
  const { HttpClient } = await import("../client/mod.ts");
  const clientOptions = {
    ...(options.includes("--auth") ? { auth: ["alice", "pw"] as const } : {}),
    ...(options.includes("--cookie") ? { cookies: { session: "abc123" } } : {}),
  };
  const clients = Array.from(
    { length: CONNECTIONS },
    () => new HttpClient("127.0.0.1:8080", clientOptions),
  );
  let left = requests;
  await Promise.all(clients.map(async (client) => {
    while (left > 0) {
      left--;
      const res = await (json
        ? client.post("/", { ...asked, json: JSON_BODIES[left % 3] })
        : client.get("/", asked))
        .wait();
      if (res?.status !== 200 || res.data.length !== 13) {
        fail("client workload: bad response");
      }
    }
  }));
  for (const client of clients) client.close();
}

async function serverWorkload(requests: number, options: readonly string[]): Promise<void> {
  const heads = serverHeads(options);
  let sent = 0;
  const conns = Array.from({ length: CONNECTIONS }, () => {
    let turn = 0;
    const next = () => {
      if (sent === requests) return null;
      sent++;
      return heads[turn++ % heads.length]!;
    };
    return new MemoryConn(next(), next);
  });
  let closeListener = () => {};
  const listener = {
    addr: ADDR,
    accept: () => {
      const conn = conns.pop();
      if (conn !== undefined) return Promise.resolve(conn);
      return new Promise<never>((_, reject) => {
        closeListener = () => reject(new Deno.errors.BadResource("listener closed"));
      });
    },
    close: () => closeListener(),
  };
  (Deno as unknown as Patchable).listen = () => listener;
  const { HttpServer } = await import("../server/mod.ts");
  const server = new HttpServer({ address: "127.0.0.1", port: 0, keepAliveMaxRequests: 1e9 });
  const answer = options.includes("--headers") ? WITH_HEADERS : undefined;
  const data = options.includes("--json") ? JSON_ANSWER : "Hello, World!";
  let answered = 0;
  for await (const conn of server) {
    conn.respond(data, answer);
    if (++answered === requests) break;
  }
  await server.close();
  if (answered !== requests) fail(`server workload: ${answered} of ${requests} requests answered`);
}

/** The arguments that make this script run one workload of `requests` requests. */
function workloadArgs(path: string, requests: number, options: readonly string[]): string[] {
  return [
    new URL(import.meta.url).pathname,
    `--workload=${path}`,
    `--requests=${requests}`,
    ...options,
  ];
}

/** Runs one workload under valgrind; returns the instructions it took. */
async function count(
  path: string,
  requests: number,
  options: readonly string[],
): Promise<number> {
  const args = [
    "--tool=cachegrind",
    "--cache-sim=no",
    "--cachegrind-out-file=/dev/null",
    "--smc-check=all-non-file",
    Deno.execPath(),
    "run",
    "-A",
    `--v8-flags=${V8_FLAGS}`,
    ...workloadArgs(path, requests, options),
  ];
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("valgrind", { args, stdout: "null", stderr: "piped" }).output();
  } catch {
    fail("valgrind is not installed (Debian package valgrind)");
  }
  const text = new TextDecoder().decode(out.stderr);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(text);
  if (!out.success || refs === null) {
    const last = text.trim().split("\n").filter((l) => !l.startsWith("==")).pop();
    fail(`the ${path} workload failed under valgrind${last ? `: ${last}` : ""}`);
  }
  return Number(refs[1]!.replaceAll(",", ""));
}

async function fewest(
  path: string,
  requests: number,
  runs: number,
  options: readonly string[],
): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, await count(path, requests, options));
  return best;
}

/** The two runs `--allocated` takes the difference of, in requests. */
const HEAP_SMALL = 10_000;
const HEAP_LARGE = 40_000;
/** What the child of `--allocated` prints last: the heap in use, in bytes. */
const HEAP_USED = "heap used:";

/**
 * Runs one workload natively, with a young generation too large to fill and V8 tracing
 * its collections; returns the heap in use at its end, or fails when a collection ran
 * (the heap would then hold less than was allocated).
 */
async function heapUsed(path: string, requests: number, options: readonly string[]) {
  const args = [
    "run",
    "-A",
    "--v8-flags=--trace-gc,--single-threaded,--min-semi-space-size=128,--max-semi-space-size=128",
    ...workloadArgs(path, requests, options),
    "--heap-used",
  ];
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped" }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const last = lines.pop()!;
  if (!out.success || !last.startsWith(HEAP_USED)) fail(`the ${path} workload failed`);
  // --trace-gc prints one line per collection, like "[1:0x..]  83 ms: Scavenge ...".
  if (lines.some((l) => / ms: /.test(l))) fail(`a collection ran in the ${path} workload`);
  return Number(last.slice(HEAP_USED.length));
}

const workload = Deno.args.find((a) => a.startsWith("--workload="))?.slice(11);
const workloadOptions = Deno.args.filter((a) => WORKLOAD_OPTIONS.includes(a));
if (workload !== undefined) {
  const requests = option("requests", 1000);
  if (workload === "client") await clientWorkload(requests, workloadOptions);
  else if (workload === "server") await serverWorkload(requests, workloadOptions);
  else fail(`unknown workload ${JSON.stringify(workload)}`);
  if (Deno.args.includes("--heap-used")) console.log(HEAP_USED, Deno.memoryUsage().heapUsed);
} else if (Deno.args.includes("--smoke")) {
  await clientWorkload(1000, []);
  await clientWorkload(1000, ["--headers", "--auth", "--cookie"]);
  await clientWorkload(1000, ["--json"]);
  await serverWorkload(1000, []);
  await serverWorkload(1000, ["--alternating"]);
  await serverWorkload(1000, ["--browser", "--alternating"]);
  await serverWorkload(1000, ["--headers"]);
  await serverWorkload(1000, ["--json"]);
  await serverWorkload(1000, ["--post"]);
  console.log(
    "client and server workloads ran (1000 requests each; the client's three times, the server's six times)",
  );
} else {
  const which = Deno.args.find((a) => !a.startsWith("--")) ?? "both";
  if (which !== "client" && which !== "server" && which !== "both") {
    fail(
      "usage: instructions.ts [client|server|both] [--alternating] [--browser] [--post] [--headers] " +
        "[--auth] [--cookie] [--json] [--allocated] [--runs=3] [--small=20000] [--large=100000]",
    );
  }
  const serverOnly = workloadOptions.find((o) => HEAD_OPTIONS.includes(o));
  if (serverOnly !== undefined && which !== "server") {
    fail(`${serverOnly} is a server option`);
  }
  const clientOnly = workloadOptions.find((o) => CLIENT_OPTIONS.includes(o));
  if (clientOnly !== undefined && which !== "client") {
    fail(`${clientOnly} is a client option`);
  }
  const paths = which === "both" ? ["client", "server"] : [which];
  const what = (path: string) =>
    workloadOptions.length > 0 ? `${path} (${workloadOptions.join(" ")})` : path;
  if (Deno.args.includes("--allocated")) {
    for (const path of paths) {
      const a = await heapUsed(path, HEAP_SMALL, workloadOptions);
      const b = await heapUsed(path, HEAP_LARGE, workloadOptions);
      const perRequest = Math.round((b - a) / (HEAP_LARGE - HEAP_SMALL));
      console.log(`${what(path)}: ${perRequest} bytes allocated per request`);
    }
  } else {
    const runs = option("runs", 3);
    const small = option("small", 20_000);
    const large = option("large", 100_000);
    if (large <= small) fail("--large must be more than --small");
    for (const path of paths) {
      // The two counts run side by side: they count instructions, not time.
      const [a, b] = await Promise.all([
        fewest(path, small, runs, workloadOptions),
        fewest(path, large, runs, workloadOptions),
      ]);
      const perRequest = Math.round((b - a) / (large - small));
      console.log(`${what(path)}: ${perRequest} instructions per request`);
    }
  }
}
