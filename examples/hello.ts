/**
 * Hello world with routing: HTML at `/`, JSON at `/rpc`, 404 elsewhere.
 *
 * Run: `deno run -A examples/hello.ts --port 9980` (or `bun examples/hello.ts`),
 * then `curl http://127.0.0.1:9980/rpc?x=1`.
 *
 * @module
 */
import process from "node:process";
import { HttpServer } from "../server/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 9980;

const server = new HttpServer({ address: "127.0.0.1", port });
console.log(`listening on http://127.0.0.1:${server.port}/`);

for await (const client of server) {
  if (client.path === "/") {
    // result is html
    client.respond("<h1>hello</h1><p>uHTTP</p>");
  } else if (client.path === "/rpc") {
    // result is json
    client.respond({
      message: "hello",
      success: true,
      headers: client.headers,
      query: client.query,
      data: client.data instanceof Uint8Array ? client.text() : client.data,
    });
  } else {
    client.respond("Not found", { status: 404 });
  }
}
