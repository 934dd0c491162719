/**
 * Event-mode test server of the fault suite (faults_test.ts): bodies of
 * `/upload/<name>` go to `<dir>/<name>` through `acceptBodyToFile()`, `/reject`
 * answers 401 at once without reading the body, `GET /file` streams an 8 MiB file
 * with `respondFile()`, `GET /stream` streams chunks with `respondStream()` until
 * the peer is gone, anything else is buffered and answered with its size.
 *
 * Run: `deno run -A tests/conformance/upload_server.ts --port 0 --dir /tmp/x` (or
 * under Bun). First stdout line: `listening on http://127.0.0.1:PORT/`.
 *
 * @module
 */
import process from "node:process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  EVENT_COMPLETE,
  EVENT_HEADERS,
  EVENT_REQUEST,
  type HttpConnection,
  HttpServer,
} from "../../server/mod.ts";

const args = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : fallback;
}

const dir = arg("--dir", ".");
const server = new HttpServer({
  address: "127.0.0.1",
  port: Number(arg("--port", "0")),
  eventMode: true,
  maxUploadLength: 4 * 1024 * 1024 * 1024,
});
const FILE = join(dir, "..", `${dir.split("/").pop()}-served.bin`);
writeFileSync(FILE, new Uint8Array(8 * 1024 * 1024).fill(0x61));
console.log(`listening on http://127.0.0.1:${server.port}/`);

function stream(conn: HttpConnection): void {
  conn.respondStream({ contentType: "application/octet-stream" });
  const piece = new Uint8Array(16 * 1024).fill(0x62);
  const timer = setInterval(() => {
    // send() says false once the peer is gone or too slow: stop then.
    for (let i = 0; i < 2; i++) {
      if (!conn.send(piece)) {
        clearInterval(timer);
        return;
      }
    }
  }, 5);
}

function answer(conn: HttpConnection, extra: Record<string, unknown> = {}): void {
  conn.respond({ target: conn.url, size: conn.bytesReceived, ...extra });
}

for await (const conn of server) {
  switch (conn.event) {
    case EVENT_REQUEST:
      if (conn.path === "/reject") {
        conn.respond({ target: conn.url, rejected: true }, { status: 401 });
      } else if (conn.path === "/file") conn.respondFile(FILE);
      else if (conn.path === "/stream") stream(conn);
      else answer(conn);
      break;
    case EVENT_HEADERS:
      if (conn.path.startsWith("/upload/")) {
        conn.acceptBodyToFile(
          join(dir, conn.path.slice("/upload/".length).replace(/[^\w.-]/g, "_")),
        );
      } else if (conn.path === "/reject") {
        conn.respond({ target: conn.url, rejected: true }, { status: 401 });
      } else {
        conn.acceptBody();
      }
      break;
    case EVENT_COMPLETE:
      answer(conn);
      break;
    default:
      // EVENT_DATA is not used; EVENT_ERROR: the server cleans up by itself.
      break;
  }
}
