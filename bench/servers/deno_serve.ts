/**
 * Anchor: `Deno.serve` (Rust, hyper). Routes shared by every bench server:
 * `GET *` hello world, `POST /echo` JSON echo (S5), `POST /upload` reads and counts
 * the body (S4), `GET /download?n=BYTES` sends BYTES bytes from a prebuilt buffer (S4).
 * Prints `listening on http://127.0.0.1:PORT/` first.
 *
 * @module
 */
import { installGcHook } from "./gc_hook.ts";

installGcHook();
const HELLO = "Hello, World!";
const downloads = new Map<number, Uint8Array<ArrayBuffer>>();

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/`),
}, async (req) => {
  if (req.method === "GET") {
    if (req.url.includes("/download?")) {
      const n = Number(new URL(req.url).searchParams.get("n"));
      let body = downloads.get(n);
      if (body === undefined) downloads.set(n, body = new Uint8Array(n).fill(120));
      return new Response(body);
    }
    return new Response(HELLO);
  }
  if (req.url.endsWith("/echo")) return Response.json(await req.json());
  let n = 0;
  if (req.body) { for await (const chunk of req.body) n += chunk.length; }
  return new Response(String(n));
});
