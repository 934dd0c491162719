/**
 * Where a Deno process spends its CPU per request, from a `perf record` of it: the
 * kernel, JIT-compiled JavaScript, V8's builtins (promises, typed arrays, the
 * interpreter), the rest of the runtime binary (V8's C++, the ops, Tokio, the
 * garbage collector) on the main thread and on other threads, and the C library.
 * Unlike `--cpu-prof`, which sees only the main thread and charges builtins to their
 * JavaScript callers, this accounts for every sample of the process, so contenders can
 * be compared part by part (bench/LIMITS.md).
 *
 * Needs `perf` (Debian package `linux-perf`). Record the process with V8's perf map
 * on, then give the recording and the number of requests it served:
 *
 * ```sh
 * # a server under wrk (S1), warmed up, then recorded while wrk runs (idle time has no samples)
 * deno run -A --v8-flags=--perf-basic-prof bench/servers/uhttp_server.ts &   # prints its URL
 * SERVER=$!; wrk -t1 -c50 -d2s URL
 * perf record -e cpu-clock -F 4000 -p $SERVER -o /tmp/s1.perf -- sleep 6 & PERF=$!
 * wrk -t1 -c50 -d5s URL                                   # prints how many requests it made
 * wait $PERF; deno run -A bench/perf_split.ts /tmp/s1.perf REQUESTS
 * # a client (C2), start to end: long enough for start-up and compiling to weigh
 * # little, and with its 2 000 warm-up requests counted
 * perf record -e cpu-clock -F 4000 -o /tmp/c2.perf -- deno run -A --v8-flags=--perf-basic-prof \
 *   bench/clients/uhttp_client.ts conc URL 1000000 50
 * deno run -A bench/perf_split.ts /tmp/c2.perf 1002000
 * ```
 *
 * V8 writes its map to `/tmp/perf-PID.map`; it lists the builtins too, at the
 * addresses where V8 maps its copy of them, which `perf` attributes to the binary.
 * (With the flag V8 also leaves a small `isolate-*-v8.log` in the working directory.)
 *
 * @module
 */

import { fail } from "./clients/common.ts";

/** One code object of V8's perf map: start address, size, name. */
interface MapEntry {
  start: bigint;
  end: bigint;
  name: string;
}

const [dataPath, requestsArg, topArg] = Deno.args;
const requests = Number(requestsArg);
if (dataPath === undefined || !(requests > 0)) {
  fail("usage: perf_split.ts PERF_DATA REQUESTS [TOP]");
}
const top = Number(topArg ?? 8);

let script: Deno.CommandOutput;
try {
  script = new Deno.Command("perf", {
    args: ["script", "-i", dataPath, "-G", "-F", "pid,tid,period,ip,sym,dso"],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
} catch {
  fail("perf is not installed (Debian package linux-perf)");
}
if (!script.success) fail(`perf script -i ${dataPath} failed: is it a perf recording?`);

/** The builtins and bytecode handlers of a process's perf map, by address. */
function builtinsOf(pid: number): MapEntry[] {
  const path = `/tmp/perf-${pid}.map`;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    fail(
      `no ${path}: run deno with --v8-flags=--perf-basic-prof, and read the recording before the map is removed`,
    );
  }
  const out: MapEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (Builtin|BytecodeHandler):(\S+)/.exec(line);
    if (m === null) continue;
    const start = BigInt("0x" + m[1]);
    out.push({ start, end: start + BigInt("0x" + m[2]), name: m[4]! });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function find(entries: MapEntry[], ip: bigint): MapEntry | null {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid]!;
    if (ip < e.start) hi = mid - 1;
    else if (ip >= e.end) lo = mid + 1;
    else return e;
  }
  return null;
}

const PARTS = [
  "kernel",
  "JavaScript (JIT-compiled)",
  "V8 builtins",
  "runtime binary, main thread",
  "runtime binary, other threads",
  "C library and others",
] as const;
type Part = typeof PARTS[number];

const ns = new Map<Part, number>(PARTS.map((p) => [p, 0]));
const builtinNs = new Map<string, number>();
const jsNs = new Map<string, number>();
const builtinsByPid = new Map<number, MapEntry[]>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

const SAMPLE = /^\s*(\d+)\/(\d+)\s+(\d+)\s+([0-9a-f]+)\s+(.*?)\s+\(([^()]*)\)\s*$/;
for (const line of new TextDecoder().decode(script.stdout).split("\n")) {
  const m = SAMPLE.exec(line);
  if (m === null) continue;
  const pid = Number(m[1]);
  const period = Number(m[3]);
  const sym = m[5]!;
  const dso = m[6]!;
  let part: Part;
  if (dso === "[kernel.kallsyms]") part = "kernel";
  else if (sym.startsWith("JS:") || dso.endsWith(".map")) {
    part = "JavaScript (JIT-compiled)";
    // "JS:*'name file:///…/readers.ts:258:25": the tier mark and the position (in
    // the transpiled text) dropped, so a function's tiers add up.
    const js = /^(?:JS:)?[*~^+]?'?(.*?)(?: (?:file|ext):.*\/([^/:]+)[:\d]*)?$/.exec(sym)!;
    add(jsNs, js[2] === undefined ? js[1]! : `${js[1] || "(anonymous)"} ${js[2]}`, period);
  } else if (/\.so(\.\d+)*$|^\[/.test(dso)) part = "C library and others";
  else {
    // In the runtime binary: V8's builtins run from its copy mapped from that file.
    // The map is read only here, so a process seen only in the kernel or the C
    // library (a helper, perf itself) needs none.
    let builtins = builtinsByPid.get(pid);
    if (builtins === undefined) builtinsByPid.set(pid, builtins = builtinsOf(pid));
    const builtin = find(builtins, BigInt("0x" + m[4]));
    if (builtin !== null) {
      part = "V8 builtins";
      add(builtinNs, builtin.name, period);
    } else if (Number(m[2]) === pid) part = "runtime binary, main thread";
    else part = "runtime binary, other threads";
  }
  ns.set(part, ns.get(part)! + period);
}

const perRequest = (v: number) => (v / 1000 / requests).toFixed(2);
const total = [...ns.values()].reduce((a, b) => a + b, 0);
if (total === 0) fail(`no samples in ${dataPath}`);
console.log(`| part | µs per request | share |\n| --- | ---: | ---: |`);
for (const [part, v] of ns) {
  console.log(`| ${part} | ${perRequest(v)} | ${(100 * v / total).toFixed(0)}% |`);
}
console.log(`| all | ${perRequest(total)} | 100% |`);
for (const [title, m] of [["builtins", builtinNs], ["JavaScript", jsNs]] as const) {
  const rows = [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\ntop ${title}: ${rows.map(([k, v]) => `${k} ${perRequest(v)}`).join(", ")}`);
}
