import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HttpServer } from "../../server/mod.ts";
import { get, RawClient, serve, withClient, withServer } from "./_raw_client.ts";

const TLS_DIR = new URL("../fixtures/tls/", import.meta.url);
const cert = readFileSync(new URL("server.pem", TLS_DIR), "utf8");
const key = readFileSync(new URL("server.key", TLS_DIR), "utf8");
const ca = readFileSync(new URL("ca.pem", TLS_DIR), "utf8");

test("TLS: HTTPS requests are served, isSecure and fullUrl say https", async () => {
  const server = new HttpServer({ address: "127.0.0.1", port: 0, tls: { cert, key } });
  assert.equal(server.isSecure, true);
  const stop = serve(server, (conn) => {
    conn.respond({ secure: conn.isSecure, url: conn.fullUrl });
  });
  try {
    const c = await RawClient.connect(server.port, "127.0.0.1", {
      caCerts: [ca],
      serverName: "localhost",
    });
    try {
      c.send(get("/x"));
      const res = (await c.readResponse())!;
      assert.equal(res.text, '{"secure":true,"url":"https://test/x"}');
      c.send(get("/y"));
      assert.equal((await c.readResponse())?.status, 200);
    } finally {
      await c.close();
    }
  } finally {
    await server.close();
    await stop();
  }
});

test("IPv6: a server on ::1 serves IPv6 clients", async () => {
  await withServer({ address: "::1" }, (conn) => conn.respond(conn.remoteAddr), async (server) => {
    assert.equal(server.addr.family, "IPv6");
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, "::1");
    }, "::1");
  });
});

test("dual-stack: a server on :: reports IPv4 clients as 127.0.0.1", async () => {
  await withServer({ address: "::" }, (conn) => conn.respond(conn.remoteAddr), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, "127.0.0.1");
    }, "127.0.0.1");
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, "::1");
    }, "::1");
  });
});

test("trusted proxies: X-Forwarded-For is believed only from a trusted peer", async () => {
  const handler = (
    conn: { respond(d: unknown): void; remoteAddr: string; socketAddr: { hostname: string } },
  ) => conn.respond({ remote: conn.remoteAddr, socket: conn.socketAddr.hostname });
  await withServer({ trustedProxies: ["127.0.0.1"] }, handler, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/", "X-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n"));
      assert.equal((await c.readResponse())?.text, '{"remote":"203.0.113.7","socket":"127.0.0.1"}');
    });
  });
  await withServer({ trustedProxies: ["10.9.9.9"] }, handler, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/", "X-Forwarded-For: 203.0.113.7\r\n"));
      assert.equal((await c.readResponse())?.text, '{"remote":"127.0.0.1","socket":"127.0.0.1"}');
    });
  });
});

// Deno.listen({ reusePort }) exits the process without --unstable-net.
const REUSE_SKIP = "Bun" in globalThis ? false : "Deno needs --unstable-net for reusePort";

test("reusePort: two servers share one port", { skip: REUSE_SKIP }, async () => {
  const a = new HttpServer({ address: "127.0.0.1", port: 0, reusePort: true });
  let b: HttpServer | null = null;
  try {
    b = new HttpServer({ address: "127.0.0.1", port: a.port, reusePort: true });
    assert.equal(b.port, a.port);
  } finally {
    await a.close();
    await b?.close();
  }
});

test("shutdown: the request in flight is answered, then everything closes", async () => {
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const c = await RawClient.connect(server.port);
  const idle = await RawClient.connect(server.port);
  try {
    c.send(get("/"));
    const conn = (await server.wait(2000))!;
    const done = server.shutdown();
    conn.respond("bye");
    const res = (await c.readResponse())!;
    assert.equal(res.text, "bye");
    assert.equal(res.headers.get("connection"), "close");
    assert.ok(await idle.closedWithin(2000));
    assert.ok(await c.closedWithin(2000));
    await c.close();
    await idle.close();
    await done;
    assert.equal(server.connectionCount, 0);
  } finally {
    await c.abort();
    await idle.abort();
    await server.close();
  }
});
