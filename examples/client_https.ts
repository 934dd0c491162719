/**
 * HTTPS: automatic TLS from an `https://` URL, a custom CA for a self-signed server,
 * and `insecure` (curl's `-k`).
 *
 * Run the HTTPS example server first (`deno run -A examples/https.ts`), then
 * `deno run -A examples/client_https.ts [https://localhost:8443] [tests/fixtures/tls/ca.pem]`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { HttpClient } from "../client/mod.ts";

const url = process.argv[2] ?? "https://localhost:8443";
const caFile = process.argv[3] ?? new URL("../tests/fixtures/tls/ca.pem", import.meta.url).pathname;

// Verified against the test CA.
{
  using client = new HttpClient(url, { tls: { caCerts: [readFileSync(caFile, "utf8")] } });
  const res = await client.get("/").wait();
  console.log("verified:", res?.status, res?.text().slice(0, 60));
}

// Host form with explicit TLS options, verification skipped.
{
  const u = new URL(url);
  using client = new HttpClient(u.hostname, {
    port: Number(u.port || 443),
    tls: { insecure: true },
  });
  const res = await client.get("/").wait();
  console.log("insecure:", res?.status);
}
