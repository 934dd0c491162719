/**
 * A multipart (`multipart/x-mixed-replace`) stream, the way MJPEG cameras send
 * video. Here the frames are generated SVG images with a counter; a camera would
 * send JPEG bytes with `sendFrame(jpeg)`.
 *
 * Run: `deno run -A examples/mjpeg.ts --port 8080` and open http://127.0.0.1:8080/.
 *
 * @module
 */
import process from "node:process";
import { type HttpConnection, HttpServer } from "../server/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 8080;

const server = new HttpServer({ address: "127.0.0.1", port });
console.log(`listening on http://127.0.0.1:${server.port}/`);

const viewers = new Set<HttpConnection>();
let frame = 0;
let next = performance.now();

function svg(n: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120">` +
    `<rect width="100%" height="100%" fill="#123"/>` +
    `<text x="20" y="70" font-size="40" fill="#fff">frame ${n}</text></svg>`;
}

while (true) {
  const client = await server.wait(Math.max(0, next - performance.now()));
  if (client) {
    if (client.path === "/stream") {
      client.respondMultipart();
      viewers.add(client);
    } else if (client.path === "/") {
      client.respond('<h1>uHTTP MJPEG</h1><img src="/stream">');
    } else {
      client.respond("Not found", { status: 404 });
    }
  }
  if (performance.now() >= next) {
    next += 100; // 10 frames per second
    frame++;
    for (const viewer of viewers) {
      // false: the viewer left (or reads too slowly) and was dropped.
      if (!viewer.sendFrame(svg(frame), { "content-type": "image/svg+xml" })) {
        viewers.delete(viewer);
      }
    }
  }
}
