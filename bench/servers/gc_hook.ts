/**
 * S3 helper: on SIGUSR2 the server runs a full garbage collection, so that the
 * harness reads its RSS without garbage left over from the warm-up. Works when
 * the runtime exposes a collector (`deno run --v8-flags=--expose-gc`, Bun's
 * `Bun.gc`); otherwise does nothing. Costs nothing while no signal comes.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any

/** Installs the SIGUSR2 handler (Deno or Bun). */
export function installGcHook(): void {
  const g = globalThis as any;
  if (g.Bun !== undefined) {
    g.process.on("SIGUSR2", () => g.Bun.gc(true));
  } else if (typeof Deno !== "undefined" && typeof g.gc === "function") {
    Deno.addSignalListener("SIGUSR2", () => g.gc());
  }
}
