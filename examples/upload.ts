/**
 * Event mode: streamed uploads that never sit whole in memory.
 *
 * - `POST /upload/<name>` writes the body to a file in a temporary folder.
 * - `POST /count` counts the bytes as they stream by.
 * - Small requests arrive whole (`EVENT_REQUEST`).
 *
 * Run: `deno run -A examples/upload.ts --port 8080`, then
 * `curl -H 'Expect: 100-continue' --data-binary @big.iso http://127.0.0.1:8080/count`.
 *
 * @module
 */
import process from "node:process";
import { mkdtempSync } from "node:fs";
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
const dir = mkdtempSync(join(tmpdir(), "uhttp-uploads-"));

const server = new HttpServer({ address: "127.0.0.1", port, eventMode: true });
console.log(`listening on http://127.0.0.1:${server.port}/`);
console.log(`uploads go to ${dir}`);

for await (const client of server) {
  if (client.event === EVENT_REQUEST) {
    // Small request or GET: handled as usual.
    client.respond({ status: "ok", received: client.body.length });
  } else if (client.event === EVENT_HEADERS) {
    // A body is coming: decide how to take it.
    const name = client.path.startsWith("/upload/") ? client.path.slice(8) : "";
    if (client.method !== "POST" && client.method !== "PUT") {
      client.respond("Method not allowed", { status: 405 });
    } else if (name !== "") {
      if (!/^[\w.-]+$/.test(name)) client.respond("Bad file name", { status: 400 });
      else client.acceptBodyToFile(join(dir, name));
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
