/**
 * Ours: `HttpServer` of @uhttp/core, under Deno or Bun (`deno run -A` / `bun`).
 * Routes as in `deno_serve.ts`: `GET *` hello world, `POST /echo` JSON echo (S5).
 * With the argument `stream` it runs in event mode for S4: `POST /upload` is read
 * with `acceptBodyStreaming()` and counted, `GET /download?n=BYTES`
 * sends BYTES bytes from a prebuilt buffer. With `loop` it answers as the first
 * mode does, from a readiness loop (`whenReady()`, then `processEvents()` until it
 * returns `null`) instead of `for await`.
 *
 * Options differing from the defaults, so that it is configured like the anchors
 * (which limit neither requests per connection nor open connections):
 * `keepAliveMaxRequests: 1e9`, `maxWaitingClients: 100_000`.
 *
 * The server module is imported by a computed specifier, so this file still
 * type-checks (and the harness reports "not available") before `server/mod.ts` exists.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { installGcHook } from "./gc_hook.ts";

declare const process: { argv: string[] } | undefined;

const args: string[] = typeof Deno !== "undefined" ? Deno.args : process!.argv.slice(2);
const stream = args.includes("stream");
const readinessLoop = args.includes("loop");
installGcHook();

const spec = new URL("../../server/mod.ts", import.meta.url).href;
const { HttpServer } = await import(spec) as { HttpServer: new (o: object) => any };

const server = new HttpServer({
  address: "127.0.0.1",
  port: 0,
  eventMode: stream,
  keepAliveMaxRequests: 1e9,
  maxWaitingClients: 100_000,
});
console.log(`listening on http://127.0.0.1:${server.port}/`);

const HELLO = "Hello, World!";

function answer(conn: any): void {
  if (conn.method === "GET") conn.respond(HELLO);
  else conn.respond(conn.data);
}

if (readinessLoop) {
  while (!server.closed) {
    await server.whenReady();
    for (let conn = server.processEvents(); conn !== null; conn = server.processEvents()) {
      answer(conn);
    }
  }
} else if (!stream) {
  for await (const conn of server) answer(conn);
} else {
  const downloads = new Map<number, Uint8Array>();
  const counts = new Map<unknown, number>();
  for await (const conn of server) {
    switch (conn.event) {
      case "request":
        if (conn.method === "GET" && conn.path === "/download") {
          const n = Number(conn.query.n);
          let body = downloads.get(n);
          if (body === undefined) downloads.set(n, body = new Uint8Array(n).fill(120));
          conn.respond(body);
        } else if (conn.method === "GET") conn.respond(HELLO);
        else conn.respond(String(conn.data?.length ?? 0));
        break;
      case "headers":
        counts.set(conn, 0);
        conn.acceptBodyStreaming();
        break;
      case "data":
      case "complete": {
        let n = counts.get(conn) ?? 0;
        for (let b = conn.readBuffer(); b !== null; b = conn.readBuffer()) n += b.length;
        if (conn.event === "complete") {
          counts.delete(conn);
          conn.respond(String(n));
        } else counts.set(conn, n);
        break;
      }
      default:
        counts.delete(conn);
    }
  }
}
