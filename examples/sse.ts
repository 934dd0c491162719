/**
 * Server-sent events: a page subscribes to `/events` and gets a tick every second.
 *
 * Run: `deno run -A examples/sse.ts --port 8080` and open http://127.0.0.1:8080/,
 * or `curl -N http://127.0.0.1:8080/events`.
 *
 * @module
 */
import process from "node:process";
import { type HttpConnection, HttpServer } from "../server/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 8080;
const interval = Number(args[args.indexOf("--interval") + 1] ?? "") || 1000;

const PAGE = `<!doctype html><h1>uHTTP SSE</h1><pre id="log"></pre><script>
const source = new EventSource("/events");
source.addEventListener("tick", (e) => { log.textContent += e.data + "\\n"; });
</script>`;

const server = new HttpServer({ address: "127.0.0.1", port });
console.log(`listening on http://127.0.0.1:${server.port}/`);

const subscribers = new Set<HttpConnection>();
let tick = 0;
let next = performance.now() + interval;

while (true) {
  const client = await server.wait(Math.max(0, next - performance.now()));
  if (client) {
    if (client.path === "/events") {
      client.respondStream({ contentType: "text/event-stream" });
      client.sendEvent({ retry: 3000, data: "connected" });
      subscribers.add(client);
    } else if (client.path === "/") {
      client.respond(PAGE);
    } else {
      client.respond("Not found", { status: 404 });
    }
  }
  if (performance.now() >= next) {
    next += interval;
    tick++;
    for (const s of subscribers) {
      if (
        !s.sendEvent({ event: "tick", id: tick, data: { tick, time: new Date().toISOString() } })
      ) {
        subscribers.delete(s); // the subscriber left
      }
    }
  }
}
