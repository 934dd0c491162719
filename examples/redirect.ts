/**
 * Two servers in one loop: plain HTTP redirects every request to HTTPS, which
 * serves the content. `select()` waits on both at once.
 *
 * Run: `deno run -A examples/redirect.ts --http-port 8080 --https-port 8443`,
 * then `curl -L --cacert tests/fixtures/tls/ca.pem http://localhost:8080/page`.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { HttpServer, select } from "../server/mod.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const fixtures = new URL("../tests/fixtures/tls/", import.meta.url);
const cert = readFileSync(arg("--cert", new URL("server.pem", fixtures).pathname), "utf8");
const key = readFileSync(arg("--key", new URL("server.key", fixtures).pathname), "utf8");

// HTTP server (redirects) and HTTPS server (serves content).
const httpServer = new HttpServer({
  address: "127.0.0.1",
  port: Number(arg("--http-port", "8080")),
});
const httpsServer = new HttpServer({
  address: "127.0.0.1",
  port: Number(arg("--https-port", "8443")),
  tls: { cert, key },
});
console.log(`listening on http://127.0.0.1:${httpServer.port}/`);
console.log(`listening on https://localhost:${httpsServer.port}/`);

while (true) {
  await select([httpServer, httpsServer], 1000);

  // Redirect HTTP to HTTPS (same host name, the HTTPS port).
  const httpClient = httpServer.processEvents();
  if (httpClient) {
    const host = httpClient.host.replace(/:\d+$/, "");
    httpClient.respondRedirect(`https://${host}:${httpsServer.port}${httpClient.url}`, {
      status: 301,
    });
  }

  // Serve HTTPS content.
  const httpsClient = httpsServer.processEvents();
  if (httpsClient) httpsClient.respond({ message: "Secure content", path: httpsClient.path });
}
