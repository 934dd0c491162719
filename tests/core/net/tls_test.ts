import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, listen, startTls, type Transport } from "../../../core/net/mod.ts";
import { EchoServer, encoder, fixture, pattern, Peer } from "./_helpers.ts";

const CA = fixture("ca.pem");
const TLS = { cert: fixture("server.pem"), key: fixture("server.key") };

test("TLS echo: the client verifies the server against the test CA", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0, tls: TLS });
  assert.equal(server.listener.isSecure, true);
  const t = await connect({
    hostname: "127.0.0.1",
    port: server.listener.addr.port,
    tls: { caCerts: [CA], serverName: "localhost" },
  });
  assert.equal(t.isSecure, true);
  const client = new Peer(t);
  const data = pattern(200_000);
  t.write(data);
  await client.until(() => client.received >= data.length);
  assert.ok(Buffer.from(client.bytes()).equals(Buffer.from(data)));
  const accepted = await server.accepted();
  assert.equal(accepted.t.isSecure, true);
  t.close();
  await t.finished;
  await server.close();
});

test("TLS verifies an IP address against the certificate's IP SAN (::1)", async () => {
  const server = new EchoServer({ hostname: "::1", port: 0, tls: TLS });
  const t = await connect({
    hostname: "::1",
    port: server.listener.addr.port,
    tls: { caCerts: [CA] },
  });
  const client = new Peer(t);
  t.write(encoder.encode("secure six"));
  await client.until(() => client.received >= 10);
  assert.equal(client.text(), "secure six");
  assert.equal(t.remoteAddr.family, "IPv6");
  t.close();
  await t.finished;
  await server.close();
});

test("TLS without the CA fails with an error naming the address", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0, tls: TLS });
  const port = server.listener.addr.port;
  await assert.rejects(
    connect({ hostname: "127.0.0.1", port, tls: { serverName: "localhost" } }),
    (e: Error) => {
      assert.match(e.message, new RegExp(`^TLS handshake with "127\\.0\\.0\\.1:${port}" failed: `));
      return true;
    },
  );
  // The server saw the failed handshake as a closed connection.
  const accepted = await server.accepted();
  await accepted.t.finished;
  assert.equal(accepted.closed, true);
  await server.close();
});

test("TLS with a name the certificate does not cover fails", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0, tls: TLS });
  await assert.rejects(
    connect({
      hostname: "127.0.0.1",
      port: server.listener.addr.port,
      tls: { caCerts: [CA], serverName: "example.com" },
    }),
    /TLS handshake/,
  );
  const accepted = await server.accepted();
  await accepted.t.finished;
  await server.close();
});

test("insecure TLS connects without verifying the certificate", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0, tls: TLS });
  const t = await connect({
    hostname: "127.0.0.1",
    port: server.listener.addr.port,
    tls: { insecure: true },
  });
  assert.equal(t.isSecure, true);
  const client = new Peer(t);
  t.write(encoder.encode("trust me"));
  await client.until(() => client.received >= 8);
  assert.equal(client.text(), "trust me");
  t.close();
  await t.finished;
  assert.equal(client.closed, true);
  await server.close();
});

test("startTls upgrades a plain connection after a proxy's CONNECT answer", async () => {
  const tlsServer = new EchoServer({ hostname: "127.0.0.1", port: 0, tls: TLS });
  // A tiny CONNECT proxy: on the first bytes it dials the TLS server, answers
  // "OK\n", then relays bytes both ways.
  const relays: Transport[] = [];
  const proxy = listen({ hostname: "127.0.0.1", port: 0 }, (down) => {
    relays.push(down);
    down.setHandlers({
      onData: async () => {
        down.pause();
        const up = await connect({ hostname: "127.0.0.1", port: tlsServer.listener.addr.port });
        relays.push(up);
        // close() closes the whole socket, so a side that ends closes both.
        up.setHandlers({
          onData: (b) => down.write(b),
          onEnd: () => down.close(),
          onClose: () => down.close(),
        });
        down.setHandlers({
          onData: (b) => up.write(b),
          onEnd: () => up.close(),
          onClose: () => up.close(),
        });
        down.write(encoder.encode("OK\n"));
        down.resume();
      },
    });
  });
  const plain = await connect({ hostname: "127.0.0.1", port: proxy.addr.port });
  const answer = new Promise<string>((resolve) => {
    plain.setHandlers({
      onData: (b) => {
        plain.pause();
        resolve(new TextDecoder().decode(b));
      },
    });
  });
  plain.write(encoder.encode("CONNECT\n"));
  assert.equal(await answer, "OK\n");
  const t = await startTls(plain, { hostname: "localhost", caCerts: [CA] });
  await plain.finished;
  assert.equal(t.isSecure, true);
  const client = new Peer(t);
  t.write(encoder.encode("through the tunnel"));
  await client.until(() => client.received >= 18);
  assert.equal(client.text(), "through the tunnel");
  t.close();
  await t.finished;
  await tlsServer.close();
  for (const r of relays) r.close();
  await Promise.all(relays.map((r) => r.finished));
  proxy.close();
  await proxy.finished;
});
