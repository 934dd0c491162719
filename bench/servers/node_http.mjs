// Anchor: node:http (llhttp). Routes as in deno_serve.ts: GET * hello world,
// POST /echo JSON echo. Prints `listening on http://127.0.0.1:PORT/` first.
import { createServer } from "node:http";

// S3: SIGUSR2 runs a full GC when started with --expose-gc (see gc_hook.ts).
process.on("SIGUSR2", () => globalThis.gc?.());

const HELLO = "Hello, World!";
const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(HELLO);
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const out = req.url.endsWith("/echo")
      ? JSON.stringify(JSON.parse(body.toString("utf8")))
      : String(body.length);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(out);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
