import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HttpClient, HttpConnectionError, type HttpResponse, select } from "../../client/mod.ts";
import { type HttpConnection, HttpServer } from "../../server/mod.ts";
import { ok, rawServer } from "./_helpers.ts";

const FIXTURES = join(import.meta.dirname ?? ".", "..", "fixtures", "tls");
const CA = readFileSync(join(FIXTURES, "ca.pem"), "utf8");
const CERT = readFileSync(join(FIXTURES, "server.pem"), "utf8");
const KEY = readFileSync(join(FIXTURES, "server.key"), "utf8");

test("loop: several clients in one select() loop", async () => {
  const srv = rawServer((req, s) => {
    // Answer in reverse order of arrival, with a small delay each.
    const n = Number(new URL(req.target, "http://x").searchParams.get("n"));
    setTimeout(() => s.write(ok(`n=${n}`)), (3 - n) * 10);
  });
  const clients = [0, 1, 2].map(() => new HttpClient(`http://127.0.0.1:${srv.port}`));
  try {
    clients.forEach((c, i) => c.get("/delay", { query: { n: i } }));
    const results = new Map<number, string>();
    while (results.size < clients.length) {
      const ready = await select(clients, 2000);
      assert.ok(ready.length > 0, "select timed out");
      for (const c of ready) {
        const res = c.processEvents();
        if (res) results.set(clients.indexOf(c), res.text());
      }
    }
    assert.deepEqual([...results.entries()].sort(), [[0, "n=0"], [1, "n=1"], [2, "n=2"]]);
    assert.equal(srv.sockets.length, 3);
  } finally {
    for (const c of clients) c.close();
    await srv.close();
  }
});

test("loop: client and our HttpServer in one loop (proxying a request)", async () => {
  const backend = rawServer((req, s) => s.write(ok(`backend saw ${req.target}`)));
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const proxy = new HttpClient(`http://127.0.0.1:${backend.port}`);
  const user = new HttpClient(`http://127.0.0.1:${server.port}`);
  try {
    user.get("/front", { query: { q: "1" } });
    let incoming: HttpConnection | null = null;
    let answer: HttpResponse | null = null;
    while (answer === null) {
      await select([server, proxy, user], 2000);
      const conn = server.processEvents();
      if (conn) {
        incoming = conn;
        proxy.get("/data", { query: conn.query as Record<string, string> });
      }
      const res = proxy.processEvents();
      if (res && incoming) incoming.respond(res.data);
      answer = user.processEvents();
    }
    assert.equal(answer.status, 200);
    assert.equal(answer.text(), "backend saw /data?q=1");
  } finally {
    user.close();
    proxy.close();
    await server.close();
    await backend.close();
  }
});

test("TLS: https with the test CA; without it the certificate is refused; insecure skips", async () => {
  const srv = rawServer((req, s) => s.write(ok(`secure ${req.target}`)), {
    tls: { cert: CERT, key: KEY },
  });
  const good = new HttpClient(`https://localhost:${srv.port}`, { tls: { caCerts: [CA] } });
  const bad = new HttpClient(`https://localhost:${srv.port}`);
  const insecure = new HttpClient(`https://localhost:${srv.port}`, { tls: { insecure: true } });
  try {
    const res = await good.get("/a").wait();
    assert.equal(res!.text(), "secure /a");
    assert.equal(res!.url, `https://localhost:${srv.port}/a`);
    assert.equal((await good.get("/b").wait())!.text(), "secure /b");
    await assert.rejects(bad.get("/").wait(), HttpConnectionError);
    assert.equal((await insecure.get("/c").wait())!.text(), "secure /c");
  } finally {
    good.close();
    bad.close();
    insecure.close();
    await srv.close();
  }
});

test("TLS: host form with tls options and IP address", async () => {
  const srv = rawServer((_req, s) => s.write(ok("ip tls")), { tls: { cert: CERT, key: KEY } });
  const client = new HttpClient("127.0.0.1", { port: srv.port, tls: { caCerts: [CA] } });
  try {
    assert.equal((await client.get("/").wait())!.text(), "ip tls");
  } finally {
    client.close();
    await srv.close();
  }
});
