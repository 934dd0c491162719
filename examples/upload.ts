/**
 * Event mode: streamed uploads that never sit whole in memory.
 *
 * - `POST /upload/<name>` writes the body to a file in a temporary folder.
 * - `POST /count` counts the bytes as they stream by.
 * - A request whose body is all here with its head arrives whole (`EVENT_REQUEST`)
 *   and is answered the same way from its buffered body.
 *
 * Run: `deno run -A examples/upload.ts --port 8080`, then
 * `curl -H 'Expect: 100-continue' --data-binary @big.iso http://127.0.0.1:8080/count`.
 * Ctrl-C (or SIGTERM) stops it and removes the folder with what was uploaded.
 *
 * @module
 */
import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_REQUEST,
  HttpServer,
} from "../server/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 8080;
const server = new HttpServer({ address: "127.0.0.1", port, eventMode: true });
const dir = mkdtempSync(join(tmpdir(), "uhttp-uploads-"));
console.log(`uploads go to ${dir}`);
console.log(`listening on http://127.0.0.1:${server.port}/`);

/** The file name of `/upload/<name>`, `""` for another path, `null` for a bad name. */
function uploadName(path: string): string | null {
  if (!path.startsWith("/upload/")) return "";
  const name = path.slice(8);
  return /^[\w.-]+$/.test(name) ? name : null;
}

// Ctrl-C or a kill ends the loop below; the folder is removed after it.
const stop = () => void server.close();
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

for await (const client of server) {
  if (client.event === EVENT_REQUEST) {
    // All here already (a GET, or a body that came with its head): answered at once.
    const name = uploadName(client.path);
    if (client.method !== "POST" && client.method !== "PUT") {
      client.respond({ status: "ok" });
    } else if (name === null) {
      client.respond("Bad file name", { status: 400 });
    } else {
      if (name !== "") writeFileSync(join(dir, name), client.body);
      client.respond({ received: client.body.length });
    }
  } else if (client.event === EVENT_HEADERS) {
    // A body is coming: decide how to take it.
    const name = uploadName(client.path);
    if (client.method !== "POST" && client.method !== "PUT") {
      client.respond("Method not allowed", { status: 405 });
    } else if (name === null) {
      client.respond("Bad file name", { status: 400 });
    } else if (name !== "") {
      client.acceptBodyToFile(join(dir, name));
    } else {
      client.context = { total: client.acceptBodyStreaming() };
      client.readBuffer();
    }
  } else if (client.event === EVENT_DATA) {
    client.context.total += client.readBuffer()?.length ?? 0;
  } else if (client.event === EVENT_COMPLETE) {
    if (client.context) client.context.total += client.readBuffer()?.length ?? 0;
    client.respond({ received: client.bytesReceived });
  } else if (client.event === EVENT_ERROR) {
    console.error(`upload failed: ${client.error}`);
  }
}

process.off("SIGINT", stop);
process.off("SIGTERM", stop);
rmSync(dir, { recursive: true, force: true });
console.log(`stopped; removed ${dir}`);
