/**
 * Shared by the bench client programs: arguments (Deno or Bun) and the result line.
 * Each client prints, as its last stdout line, `{"ops":N,"bytes":B,"seconds":S}`.
 *
 * @module
 */
declare const process: { argv: string[]; exit(code: number): never } | undefined;

/** Command-line arguments under Deno or Bun. */
export const ARGS: string[] = typeof Deno !== "undefined" ? Deno.args : process!.argv.slice(2);

/** Prints the result line the harness reads. */
export function report(ops: number, bytes: number, ms: number): void {
  console.log(JSON.stringify({ ops, bytes, seconds: ms / 1000 }));
}

/** Fails loudly (the harness shows stderr). */
export function fail(message: string): never {
  console.error(message);
  if (typeof Deno !== "undefined") Deno.exit(1);
  return process!.exit(1);
}

/** Parses a positive integer argument. */
export function intArg(i: number, dflt: number): number {
  const v = Number(ARGS[i] ?? dflt);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
}

/** Warm-up count for `n` timed operations. */
export function warmupOps(n: number): number {
  return Math.max(1, Math.min(2000, Math.floor(n / 10)));
}
