/**
 * The `uhttp` command line. Not implemented yet: it arrives with the client.
 *
 * @example
 * ```sh
 * deno run -A jsr:@uhttp/core/cli --version
 * ```
 *
 * @module
 */
import process from "node:process";

/** Version of the command, shown by `uhttp -V`. @example
 * ```ts
 * import { VERSION } from "@uhttp/core/cli";
 * console.log(VERSION);
 * ```
 */
export const VERSION = "0.1.0";

if (import.meta.main) {
  console.error("uhttp: the command line is not available yet in this version");
  process.exitCode = 2;
}
