/**
 * Server and client in the same loop: each incoming request is forwarded to a
 * backend, and the backend's answer goes back to the waiting connection
 * (delayed response), all single-threaded.
 *
 * Run: `deno run -A examples/client_with_server.ts [backend-url] [--port 8080]`, then
 * `curl 'http://127.0.0.1:8080/?q=1'`. With no backend URL, a small built-in backend
 * on a free port is used so the example works on its own.
 *
 * @module
 */
import process from "node:process";
import { HttpClient, select } from "../client/mod.ts";
import { type HttpConnection, HttpServer } from "../server/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 8080;
let backendUrl = args.find((a) => a.startsWith("http"));

// A stand-in backend when none was given (also served from this same loop).
const backendServer = backendUrl ? null : new HttpServer({ address: "127.0.0.1", port: 0 });
if (backendServer) backendUrl = `http://127.0.0.1:${backendServer.port}`;

const server = new HttpServer({ address: "127.0.0.1", port });
const backend = new HttpClient(backendUrl!);
console.log(`proxy on http://127.0.0.1:${server.port}/ -> ${backendUrl}`);

const waiting: HttpConnection[] = [];
let inFlight = false;
while (true) {
  await select(backendServer ? [server, backend, backendServer] : [server, backend], 1000);

  // The stand-in backend answers with what it got.
  const b = backendServer?.processEvents();
  if (b) b.respond({ backend: true, path: b.path, query: b.query });

  // Handle incoming requests: one backend request at a time, the rest queue.
  const incoming = server.processEvents();
  if (incoming) waiting.push(incoming);
  if (waiting.length > 0 && !inFlight) {
    backend.get("/data", { query: waiting[0]!.query as Record<string, string> });
    inFlight = true;
  }

  // Handle the backend response.
  try {
    const res = backend.processEvents();
    if (res) {
      inFlight = false;
      const type = res.contentType ?? "application/octet-stream";
      waiting.shift()?.respond(res.data, { headers: { "content-type": type } });
    }
  } catch (e) {
    inFlight = false;
    waiting.shift()?.respond(`Backend failed: ${(e as Error).message}`, { status: 502 });
  }
}
