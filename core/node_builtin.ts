/**
 * Node built-in modules, loaded where they are first used rather than imported
 * statically. On Deno a static `node:` import loads the Node compatibility layer
 * when the program starts: `node:fs` or `node:crypto` alone adds about 30 ms and
 * 13 MB to the start-up of a program that may never use it.
 *
 * @module
 */
import type * as NodeCrypto from "node:crypto";
import type * as NodeFs from "node:fs";

/** `process.getBuiltinModule` (Deno 2 and Bun): loads a built-in synchronously. */
function builtin<T>(id: string): T {
  const process = (globalThis as unknown as {
    process: { getBuiltinModule(id: string): T };
  }).process;
  return process.getBuiltinModule(id);
}

let cryptoModule: typeof NodeCrypto | null = null;
let fsModule: typeof NodeFs | null = null;

/**
 * `node:crypto`, loaded on the first call.
 *
 * @returns The module.
 *
 * @example
 * ```ts
 * import { nodeCrypto } from "./node_builtin.ts";
 * console.log(nodeCrypto().createHash("md5").update("").digest("hex"));
 * // d41d8cd98f00b204e9800998ecf8427e
 * ```
 */
export function nodeCrypto(): typeof NodeCrypto {
  return cryptoModule ??= builtin<typeof NodeCrypto>("node:crypto");
}

/**
 * `node:fs`, loaded on the first call.
 *
 * @returns The module.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_builtin.ts";
 * console.log(nodeFs().existsSync("/")); // true
 * ```
 */
export function nodeFs(): typeof NodeFs {
  return fsModule ??= builtin<typeof NodeFs>("node:fs");
}
