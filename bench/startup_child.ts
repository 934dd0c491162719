/**
 * The program `startup.ts` starts and times, under Deno or Bun. `empty` does
 * nothing (the runtime's own start-up); `exchange` imports the library, starts an
 * `HttpServer` on a free port, gets one response from it with an `HttpClient` in
 * the same loop and closes both. Either prints `{"rss":BYTES}`, the process's
 * resident memory at its end.
 *
 * @module
 */
declare const process: {
  argv: string[];
  memoryUsage(): { rss: number };
} | undefined;

const onDeno = typeof Deno !== "undefined" && !("Bun" in globalThis);
const mode = onDeno ? Deno.args[0] : process!.argv[2];

if (mode === "exchange") {
  const { HttpClient, HttpServer, select } = await import("../mod.ts");
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const client = new HttpClient(`http://127.0.0.1:${server.port}`);
  client.get("/");
  let status = 0;
  while (status === 0) {
    await select([server, client], 1000);
    server.processEvents()?.respond("Hello, World!");
    status = client.processEvents()?.status ?? 0;
  }
  client.close();
  await server.close();
  if (status !== 200) throw new Error(`status ${status}`);
} else if (mode !== "empty") {
  throw new Error("usage: startup_child.ts empty|exchange");
}

const rss = onDeno ? Deno.memoryUsage().rss : process!.memoryUsage().rss;
console.log(JSON.stringify({ rss }));
