/**
 * The words `bench/run.ts` writes for a target in `bench/RESULTS.md`: met or not,
 * and by how much. Figures get two decimals, or as many more (up to four) as it
 * takes for a miss never to read as the goal itself ("0.946x", not "0.95x",
 * against a goal of 0.95x).
 *
 * @module
 */

/**
 * `v` with two decimals, or, when it differs from `other`, with the fewest more
 * (at most four) that make it differ from `other` shown the same way.
 *
 * @example
 * ```ts
 * import { apart } from "./verdict.ts";
 * console.log(apart(0.946, 0.95)); // "0.946"
 * console.log(apart(0.946, 0.9)); // "0.95"
 * ```
 */
export function apart(v: number, other: number): string {
  if (v === other) return v.toFixed(2);
  for (let d = 2; d < 4; d++) {
    const shown = v.toFixed(d);
    if (shown !== other.toFixed(d)) return shown;
  }
  return v.toFixed(4);
}

/**
 * How `measured` stands against a target: `op` `goal` (`">="` for a ratio to
 * reach, `"<="` for a limit not to pass), both in `unit` ("x" or " KB").
 *
 * @example
 * ```ts
 * import { verdict } from "./verdict.ts";
 * console.log(verdict(0.946, ">=", 0.95, "x"));
 * // "not met: 0.946x, 0.4% below the target (needs 1.004x more)"
 * console.log(verdict(5.12, "<=", 6, " KB")); // "met (5.12 KB)"
 * ```
 */
export function verdict(measured: number, op: ">=" | "<=", goal: number, unit: string): string {
  const met = op === ">=" ? measured >= goal : measured <= goal;
  if (met) return `met (${measured.toFixed(2)}${unit})`;
  const shown = `${apart(measured, goal)}${unit}`;
  if (op === "<=") return `not met: ${shown}, ${apart(measured - goal, 0)}${unit} over the limit`;
  const below = (1 - measured / goal) * 100;
  const percent = below >= 1 ? below.toFixed(0) : below.toPrecision(1);
  return `not met: ${shown}, ${percent}% below the target ` +
    `(needs ${apart(goal / measured, 1)}x more)`;
}
