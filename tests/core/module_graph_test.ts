/**
 * What importing the library loads. On Deno a static `node:` import loads the
 * Node compatibility layer when the program starts (`node:fs` or `node:crypto`
 * alone adds about 30 ms and 13 MB to start-up), so the library's static graph
 * must hold none, nor the `uhttp` command's: Node built-ins are loaded where
 * they are first used. Read from `deno info --json`, Deno's own view of the
 * graph; under Bun, where built-ins cost nothing to load, there is nothing to
 * check.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ON_BUN = "Bun" in globalThis;

interface GraphModule {
  specifier: string;
  dependencies?: {
    specifier: string;
    code?: { specifier?: string };
    isDynamic?: boolean;
  }[];
}

/** Every `node:` module that `entry` or a module it imports statically imports statically. */
function staticNodeImports(entry: string): string[] {
  const info = JSON.parse(
    execFileSync(process.execPath, ["info", "--json", entry], { cwd: ROOT, encoding: "utf8" }),
  ) as { roots: string[]; modules: GraphModule[] };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const found: string[] = [];
  const seen = new Set<string>();
  const pending = [...info.roots];
  while (pending.length > 0) {
    const spec = pending.pop()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    for (const dep of bySpecifier.get(spec)?.dependencies ?? []) {
      const code = dep.code?.specifier;
      if (code === undefined || dep.isDynamic === true) continue; // type-only or loaded later
      if (code.startsWith("node:")) {
        found.push(`${spec.slice(spec.indexOf(ROOT) + ROOT.length)} imports ${code}`);
      } else pending.push(code);
    }
  }
  return found;
}

for (
  const entry of ["mod.ts", "server/mod.ts", "client/mod.ts", "core/protocol/mod.ts", "cli.ts"]
) {
  test(`module graph: ${entry} imports no node: module statically`, {
    skip: ON_BUN ? "Bun loads its built-in modules at no cost" : false,
  }, () => {
    assert.deepEqual(staticNodeImports(entry), []);
  });
}
