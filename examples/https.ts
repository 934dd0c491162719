/**
 * An HTTPS server. Without arguments it uses the test certificate of this
 * repository (trusted by `tests/fixtures/tls/ca.pem`, valid for `localhost`).
 *
 * Run: `deno run -A examples/https.ts --port 8443 [--cert fullchain.pem --key privkey.pem]`,
 * then `curl --cacert tests/fixtures/tls/ca.pem https://localhost:8443/`.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { HttpServer } from "../server/mod.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const fixtures = new URL("../tests/fixtures/tls/", import.meta.url);
const cert = readFileSync(arg("--cert", new URL("server.pem", fixtures).pathname), "utf8");
const key = readFileSync(arg("--key", new URL("server.key", fixtures).pathname), "utf8");

const server = new HttpServer({
  address: "127.0.0.1",
  port: Number(arg("--port", "8443")),
  tls: { cert, key },
});
console.log(`listening on https://localhost:${server.port}/`);

for await (const client of server) {
  if (client.isSecure) client.respond({ message: "Secure HTTPS connection!" });
  else client.respond({ message: "Insecure HTTP connection" });
}
