/**
 * Several clients in one `select()` loop: connects, sends and receives all happen
 * concurrently, and each response is handled when it is ready.
 *
 * Run a server first (`deno run -A examples/hello.ts`), then
 * `deno run -A examples/client_async.ts [http://127.0.0.1:9980]`.
 *
 * @module
 */
import process from "node:process";
import { HttpClient, type HttpResponse, select } from "../client/mod.ts";

const url = process.argv[2] ?? "http://127.0.0.1:9980";
const clients = [0, 1, 2].map(() => new HttpClient(url));

// Start all requests (non-blocking: connects begin at once).
clients.forEach((client, i) => client.get("/rpc", { query: { n: i } }));

// One loop handles every client.
const results = new Map<number, HttpResponse>();
while (results.size < clients.length) {
  const ready = await select(clients, 10_000);
  if (ready.length === 0) throw new Error("Nothing happened for 10 s");
  for (const client of ready) {
    const res = client.processEvents();
    if (res) results.set(clients.indexOf(client), res);
  }
}
for (const [i, res] of [...results].sort((a, b) => a[0] - b[0])) {
  console.log(`client ${i}: ${res.status} ${res.text().slice(0, 60)}`);
}
for (const client of clients) client.close();
