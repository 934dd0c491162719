/**
 * Start-up of a program using the library, on Deno and on Bun: the wall time from
 * starting the runtime to its exit, and the resident memory at the end, for
 * `startup_child.ts exchange` (import the library, one request from our client to
 * our server in the same loop, close both) against `startup_child.ts empty` (the
 * runtime alone). Medians of `--runs` runs, the two programs alternated. Not part
 * of the targets of benchmarks.md; a check that the library adds little to
 * starting a program, measured by hand:
 *
 * ```sh
 * deno run -A bench/startup.ts            # 20 runs of each program on each runtime
 * deno run -A bench/startup.ts --runs=5
 * ```
 *
 * @module
 */
import { fail } from "./clients/common.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CHILD = `${ROOT}bench/startup_child.ts`;
const runsArg = Deno.args.find((a) => a.startsWith("--runs="));
const RUNS = runsArg === undefined ? 20 : Number(runsArg.slice(7));
if (!Number.isInteger(RUNS) || RUNS <= 0) fail("--runs wants a positive integer");

/** The runtimes to measure: this Deno, and Bun when npm installed it. */
function runtimes(): [string, string[]][] {
  const list: [string, string[]][] = [["deno", [Deno.execPath(), "run", "-A"]]];
  const bun = `${ROOT}node_modules/.bin/bun`;
  try {
    Deno.statSync(bun);
    list.push(["bun", [bun]]);
  } catch { /* not installed */ }
  return list;
}

/** One run: wall time in ms and the child's resident memory in bytes. */
async function once(command: string[], program: string): Promise<[number, number]> {
  const t0 = performance.now();
  const out = await new Deno.Command(command[0]!, {
    args: [...command.slice(1), CHILD, program],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const ms = performance.now() - t0;
  if (!out.success) fail(`${command.join(" ")} ${program} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return [ms, (JSON.parse(lines[lines.length - 1]!) as { rss: number }).rss];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

console.log(`| runtime | program | wall ms (median of ${RUNS}) | RSS MB |`);
console.log("| --- | --- | --- | --- |");
for (const [name, command] of runtimes()) {
  const results: Record<string, [number[], number[]]> = { empty: [[], []], exchange: [[], []] };
  await once(command, "exchange"); // fills the runtime's caches (Deno's transpiled modules)
  for (let i = 0; i < RUNS; i++) {
    for (const program of ["empty", "exchange"]) {
      const [ms, rss] = await once(command, program);
      results[program]![0].push(ms);
      results[program]![1].push(rss);
    }
  }
  for (const [program, [ms, rss]] of Object.entries(results)) {
    const wall = median(ms).toFixed(0);
    console.log(`| ${name} | ${program} | ${wall} | ${(median(rss) / 2 ** 20).toFixed(1)} |`);
  }
}
