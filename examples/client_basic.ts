/**
 * Basic blocking-style client calls: GET with a query, POST JSON, custom headers,
 * binary data, keep-alive reuse and error handling.
 *
 * Run a server first (`deno run -A examples/hello.ts`), then
 * `deno run -A examples/client_basic.ts [http://127.0.0.1:9980]` (or `bun examples/client_basic.ts`).
 *
 * @module
 */
import process from "node:process";
import {
  HttpClient,
  HttpConnectionError,
  HttpResponseError,
  HttpTimeoutError,
} from "../client/mod.ts";

const url = process.argv[2] ?? "http://127.0.0.1:9980";
using client = new HttpClient(url, { timeout: 10_000 });

try {
  // GET with query parameters
  let res = await client.get("/rpc", { query: { page: 1, limit: 10 } }).wait();
  console.log("GET", res?.status, res?.contentType);

  // POST with a JSON body; json() is lazy and cached
  res = await client.post("/rpc", { json: { name: "John" } }).wait();
  console.log("POST", res?.status, res?.json());

  // Custom headers and binary data
  res = await client.post("/rpc", {
    data: new Uint8Array([0, 1, 2, 255]),
    headers: { Authorization: "Bearer token123", "X-Custom-Header": "value" },
  }).wait();
  console.log("binary", res?.status, res?.data.length, "bytes back");

  // Keep-alive: the same connection serves every request
  for (let i = 0; i < 3; i++) {
    res = await client.get("/rpc", { query: { n: i } }).wait();
    console.log(`request ${i}: ${res?.status}, connected: ${client.isConnected}`);
  }
} catch (e) {
  if (e instanceof HttpConnectionError) console.error("connection failed:", e.message);
  else if (e instanceof HttpTimeoutError) console.error("timeout:", e.message);
  else if (e instanceof HttpResponseError) console.error("invalid response:", e.message);
  else throw e;
  process.exitCode = 1;
}
