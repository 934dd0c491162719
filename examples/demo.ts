/**
 * The `npm start` demo: an `HttpServer` and an `HttpClient` in one readiness loop,
 * on a free local port, nothing external needed. The client sends a few requests
 * over one keep-alive connection; the server answers one of them later (a delayed
 * response) while the loop goes on. Prints both sides, then closes everything.
 *
 * Run: `deno run -A examples/demo.ts` or `bun examples/demo.ts`.
 *
 * @module
 */
import { HttpClient, type HttpConnection, HttpServer, select } from "../mod.ts";

const server = new HttpServer({ address: "127.0.0.1", port: 0 });
const base = `http://127.0.0.1:${server.port}`;
console.log(`server: listening on ${base}/`);
const client = new HttpClient(base, { timeout: 5_000 });

const requests: [string, string, Record<string, unknown>][] = [
  ["GET", "/hello?name=demo", {}],
  ["POST", "/echo", { json: { items: [1, 2, 3], note: "sent as JSON" } }],
  ["GET", "/slow", {}],
  ["GET", "/missing", {}],
];
let next = 0;
let delayed: { conn: HttpConnection; at: number } | null = null;

function sendNext(): boolean {
  const item = requests[next++];
  if (item === undefined) return false;
  const [method, path, options] = item;
  console.log(`client: ${method} ${path}`);
  client.request(method, path, options);
  return true;
}

sendNext();
for (let done = false; !done;) {
  await select([server, client], 50);

  const conn = server.processEvents();
  if (conn !== null) {
    console.log(
      `server: ${conn.method} ${conn.url} from ${conn.remoteAddr} (request ${conn.requestCount} on this connection)`,
    );
    if (conn.path === "/hello") {
      conn.respond({ greeting: `hello, ${conn.query["name"] ?? "world"}` });
    } else if (conn.path === "/echo") {
      conn.respond({ youSent: conn.data });
    } else if (conn.path === "/slow") {
      // Hold the connection and answer later: the loop keeps running meanwhile.
      delayed = { conn, at: performance.now() + 200 };
    } else {
      conn.respond("Not found", { status: 404 });
    }
  }
  if (delayed !== null && performance.now() >= delayed.at) {
    delayed.conn.respond({ answeredAfterMs: 200 });
    delayed = null;
  }

  const res = client.processEvents();
  if (res !== null) {
    console.log(`client: <- ${res.status} ${res.statusMessage} ${res.text()}`);
    done = !sendNext();
  }
}

client.close();
await server.close();
console.log("demo: done, everything closed");
