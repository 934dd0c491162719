/**
 * The echo server of the conformance contract: answers every request with 200 and
 * a JSON description of what it received.
 *
 * Run: `deno run -A examples/echo_server.ts --port 0` (or `bun examples/echo_server.ts
 * --port 0`). The first line on stdout is `listening on http://127.0.0.1:PORT/`.
 * `--request-timeout MS` and `--max-clients N` set `requestTimeout` and
 * `maxWaitingClients` for the fault tests.
 *
 * @module
 */
import process from "node:process";
import { HttpServer } from "../server/mod.ts";

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

const args = process.argv.slice(2);
function option(name: string): number | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : undefined;
}
const port = option("--port") ?? 8080;
const requestTimeout = option("--request-timeout");
const maxWaitingClients = option("--max-clients");

const server = new HttpServer({
  address: "127.0.0.1",
  port,
  ...(requestTimeout !== undefined ? { requestTimeout } : {}),
  ...(maxWaitingClients !== undefined ? { maxWaitingClients } : {}),
});
console.log(`listening on http://127.0.0.1:${server.port}/`);

for await (const conn of server) {
  const fields = conn.fields;
  const headers: [string, string][] = [];
  for (let i = 0; i < fields.size; i++) headers.push([fields.lowerNames[i]!, fields.values[i]!]);
  conn.respond({
    method: conn.method,
    target: conn.url,
    version: conn.protocol.slice(5),
    headers,
    body: base64(conn.body),
  });
}
