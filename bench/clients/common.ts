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

/**
 * Runs `n` operations spread over `workers`: each worker does one after another,
 * all workers at once, until `n` have started. Returns the sum of the operations'
 * results (bytes read).
 */
export async function runShared<W>(
  workers: readonly W[],
  n: number,
  op: (worker: W) => Promise<number>,
): Promise<number> {
  let left = n;
  let total = 0;
  await Promise.all(workers.map(async (w) => {
    while (left > 0) {
      left--;
      const got = await op(w); // read `total` after the await: the workers share it
      total += got;
    }
  }));
  return total;
}

/** Warm-up count for `n` timed operations. */
export function warmupOps(n: number): number {
  return Math.max(1, Math.min(2000, Math.floor(n / 10)));
}
