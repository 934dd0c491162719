/**
 * Anchor: `Bun.serve` (Zig/C++, uWebSockets). Routes as in `deno_serve.ts`:
 * `GET *` hello world, `POST /echo` JSON echo, `POST /upload` counts the body.
 * Prints `listening on http://127.0.0.1:PORT/` first.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { installGcHook } from "./gc_hook.ts";

declare const Bun: any;
installGcHook();

const HELLO = "Hello, World!";
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req: Request): Promise<Response> {
    if (req.method === "GET") return new Response(HELLO);
    if (req.url.endsWith("/echo")) return Response.json(await req.json());
    return new Response(String((await req.arrayBuffer()).byteLength));
  },
});
console.log(`listening on http://127.0.0.1:${server.port}/`);
