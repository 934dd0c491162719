import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, listen, runtimeName, type Transport } from "../../../core/net/mod.ts";
import { EchoServer, encoder, pattern, Peer } from "./_helpers.ts";

test("runtimeName names the runtime running the tests", () => {
  const expected = "Bun" in globalThis ? "bun" : "deno";
  assert.equal(runtimeName(), expected);
});

test("TCP echo over IPv4 delivers the bytes and the addresses", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0 });
  assert.equal(server.listener.addr.hostname, "127.0.0.1");
  assert.equal(server.listener.addr.family, "IPv4");
  assert.ok(server.listener.addr.port > 0);
  assert.equal(server.listener.isSecure, false);
  const t = await connect({ hostname: "127.0.0.1", port: server.listener.addr.port });
  const client = new Peer(t);
  assert.equal(t.isSecure, false);
  assert.deepEqual(t.remoteAddr, { ...server.listener.addr });
  assert.equal(t.localAddr.family, "IPv4");
  assert.equal(t.write(encoder.encode("hello ")), true);
  assert.equal(t.write(encoder.encode("world")), true);
  await client.until(() => client.received >= 11);
  assert.equal(client.text(), "hello world");
  const accepted = await server.accepted();
  assert.deepEqual(accepted.t.remoteAddr, t.localAddr);
  t.close();
  await t.finished;
  assert.equal(t.closed, true);
  assert.equal(client.closed, true);
  assert.equal(client.closeError, undefined);
  assert.equal(t.write(encoder.encode("late")), false);
  await server.close();
});

test("TCP over IPv6 ::1 reports IPv6 addresses", async () => {
  const server = new EchoServer({ hostname: "::1", port: 0 });
  assert.equal(server.listener.addr.hostname, "::1");
  assert.equal(server.listener.addr.family, "IPv6");
  const t = await connect({ hostname: "[::1]", port: server.listener.addr.port });
  const client = new Peer(t);
  assert.deepEqual(t.remoteAddr, {
    hostname: "::1",
    port: server.listener.addr.port,
    family: "IPv6",
  });
  t.write(encoder.encode("six"));
  await client.until(() => client.received >= 3);
  assert.equal(client.text(), "six");
  const accepted = await server.accepted();
  assert.equal(accepted.t.remoteAddr.hostname, "::1");
  assert.equal(accepted.t.remoteAddr.family, "IPv6");
  t.close();
  await t.finished;
  await server.close();
});

test("dual-stack :: accepts an IPv4 client and reports it as IPv4", async () => {
  const server = new EchoServer({ hostname: "::", port: 0 });
  assert.equal(server.listener.addr.family, "IPv6");
  const t = await connect({ hostname: "127.0.0.1", port: server.listener.addr.port });
  const client = new Peer(t);
  t.write(encoder.encode("four"));
  await client.until(() => client.received >= 4);
  assert.equal(client.text(), "four");
  const accepted = await server.accepted();
  assert.deepEqual(accepted.t.remoteAddr, { ...t.localAddr, family: "IPv4" });
  assert.equal(accepted.t.remoteAddr.hostname, "127.0.0.1");
  assert.equal(accepted.t.localAddr.hostname, "127.0.0.1");
  t.close();
  await t.finished;
  await server.close();
});

test("connect to a closed port rejects with an error naming the address", async () => {
  // Find a free port: listen, note it, close.
  const probe = listen({ hostname: "127.0.0.1", port: 0 }, (t) => t.abort());
  const port = probe.addr.port;
  probe.close();
  await probe.finished;
  await assert.rejects(connect({ hostname: "127.0.0.1", port }), (e: Error) => {
    assert.match(e.message, new RegExp(`^Could not connect to "127\\.0\\.0\\.1:${port}"`));
    return true;
  });
});

test("listening on a port in use throws at once", async () => {
  const first = listen({ hostname: "127.0.0.1", port: 0 }, (t) => t.abort());
  assert.throws(() => listen({ hostname: "127.0.0.1", port: first.addr.port }, (t) => t.abort()));
  first.close();
  first.close(); // idempotent
  await first.finished;
});

test("peer close is seen as onEnd, then close() finishes both sides", async () => {
  let serverPeer: Peer | null = null;
  let accepted!: () => void;
  const gotOne = new Promise<void>((r) => accepted = r);
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
    serverPeer = new Peer(t);
    accepted();
  });
  const t = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const client = new Peer(t);
  await gotOne;
  const server = serverPeer! as Peer;
  t.write(encoder.encode("bye"));
  t.close();
  await server.until(() => server.ended);
  assert.equal(server.text(), "bye");
  assert.equal(server.closed, false);
  // The server may still write; the client closed, so it discards what comes.
  assert.equal(server.t.write(encoder.encode("ok")), true);
  server.t.close();
  await Promise.all([t.finished, server.t.finished]);
  assert.equal(client.received, 0);
  assert.equal(client.ended, false);
  assert.equal(server.closed, true);
  assert.equal(client.closed, true);
  listener.close();
  await listener.finished;
});

test("abort with unread data resets: the peer sees onClose(error)", async () => {
  let serverT: Transport | null = null;
  let accepted!: () => void;
  const gotOne = new Promise<void>((r) => accepted = r);
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
    serverT = t;
    t.pause(); // leave what the client sends unread in the kernel
    accepted();
  });
  const t = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const client = new Peer(t);
  await gotOne;
  const server = new Peer(serverT!);
  // 256 KiB: more than the server's first read takes. Once handed to the kernel
  // (at once, or at onDrain) the bytes sit in the server's receive buffer.
  if (!t.write(pattern(256 * 1024))) await client.until(() => client.drains > 0);
  assert.equal(t.bufferedAmount, 0);
  server.t.abort();
  await server.t.finished;
  assert.equal(server.closed, true);
  assert.equal(server.closeError, undefined);
  // Bun reports the reset at once. Deno's close sends FIN before the reset, so
  // the client first reads EOF; its next write then fails with the reset.
  await client.until(() => client.ended || client.closed);
  for (let i = 0; i < 50 && !client.closed; i++) {
    t.write(encoder.encode("are you there?"));
    await Promise.race([client.until(() => client.closed), new Promise((r) => setTimeout(r, 10))]);
  }
  assert.equal(client.closed, true);
  assert.ok(client.closeError instanceof Error, "the reset is reported as an error");
  await t.finished;
  listener.close();
  await listener.finished;
});

/**
 * A connection whose accepting side does not read until it is resumed: runs `fn`
 * with the connecting transport and both peers, then closes everything.
 */
async function withPausedPeer(
  fn: (t: Transport, client: Peer, server: Peer) => Promise<void>,
): Promise<void> {
  let serverT: Transport | null = null;
  let accepted!: () => void;
  const gotOne = new Promise<void>((r) => accepted = r);
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
    serverT = t;
    t.pause(); // do not read yet
    accepted();
  });
  const t = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const client = new Peer(t);
  await gotOne;
  const server = new Peer(serverT!);
  try {
    await fn(t, client, server);
  } finally {
    t.close();
    await server.until(() => server.ended);
    server.t.close();
    await Promise.all([t.finished, server.t.finished]);
    listener.close();
    await listener.finished;
  }
}

test("backpressure: 16 MiB to a paused peer buffers, drains, arrives byte-exact", async () => {
  const SIZE = 16 * 1024 * 1024;
  const data = pattern(SIZE);
  await withPausedPeer(async (t, client, server) => {
    // Write in 64 KiB pieces until write() says stop.
    const PIECE = 64 * 1024;
    let offset = 0;
    let sawFalse = false;
    while (offset < SIZE && !sawFalse) {
      sawFalse = !t.write(data.subarray(offset, offset + PIECE));
      offset += PIECE;
    }
    assert.equal(sawFalse, true);
    assert.ok(t.bufferedAmount > 0);
    // Keep writing everything: the buffer grows while the peer does not read.
    const before = t.bufferedAmount;
    while (offset < SIZE) {
      assert.equal(t.write(data.subarray(offset, offset + PIECE)), false);
      offset += PIECE;
    }
    assert.ok(t.bufferedAmount > before);
    assert.equal(client.drains, 0);
    server.t.resume();
    await client.until(() => client.drains > 0);
    assert.equal(t.bufferedAmount, 0);
    await server.until(() => server.received >= SIZE);
    assert.equal(server.received, SIZE);
    assert.ok(Buffer.from(server.bytes()).equals(Buffer.from(data)), "bytes differ");
  });
});

test("sentBytes counts what the kernel took: short of what was written while the peer waits", async () => {
  const SIZE = 16 * 1024 * 1024;
  const data = pattern(SIZE);
  await withPausedPeer(async (t, client, server) => {
    assert.equal(t.sentBytes, 0);
    const PIECE = 64 * 1024;
    let written = 0;
    while (written < SIZE) {
      t.write(data.subarray(written, written + PIECE));
      written += PIECE;
      // Whatever write() accepted is either sent or still buffered.
      assert.equal(t.sentBytes + t.bufferedAmount, written);
    }
    assert.ok(t.sentBytes < SIZE, `${t.sentBytes} of ${SIZE} sent to a peer that does not read`);
    server.t.resume();
    await client.until(() => t.bufferedAmount === 0);
    assert.equal(t.sentBytes, SIZE);
    await server.until(() => server.received >= SIZE);
    assert.equal(server.received, SIZE);
  });
});

test("write(data, length) sends only the first length bytes, written at once or buffered", async () => {
  const PIECES = 200; // about 10 MB sent in all: more than the socket buffers hold
  const data = pattern(PIECES * 100_000);
  await withPausedPeer(async (t, client, server) => {
    // Each write hands a whole 100 000-byte array with a shorter length: the bytes
    // after the length must never be sent. The later writes are buffered (the
    // peer does not read), some sent in part.
    const expected: Uint8Array[] = [];
    let sawFalse = false;
    for (let i = 0; i < PIECES; i++) {
      const piece = data.subarray(i * 100_000, (i + 1) * 100_000);
      const length = 1 + ((i * 37_813) % 99_999);
      expected.push(piece.subarray(0, length));
      if (!t.write(piece, length)) sawFalse = true;
    }
    assert.equal(sawFalse, true);
    const want = Buffer.concat(expected);
    server.t.resume();
    await server.until(() => server.received >= want.length);
    await client.until(() => t.bufferedAmount === 0);
    assert.equal(server.received, want.length);
    assert.ok(Buffer.from(server.bytes()).equals(want), "bytes differ");
  });
});

test("pause() holds data until resume(), in order", async () => {
  const server = new EchoServer({ hostname: "127.0.0.1", port: 0 });
  const t = await connect({ hostname: "127.0.0.1", port: server.listener.addr.port });
  const client = new Peer(t);
  t.write(encoder.encode("one"));
  await client.until(() => client.received === 3);
  t.pause();
  t.write(encoder.encode("two"));
  // Wait until the echo had time to come back: a second connection round-trip.
  const t2 = await connect({ hostname: "127.0.0.1", port: server.listener.addr.port });
  const other = new Peer(t2);
  t2.write(encoder.encode("ping"));
  await other.until(() => other.received === 4);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(client.received, 3);
  t.resume();
  await client.until(() => client.received === 6);
  assert.equal(client.text(), "onetwo");
  t.close();
  t2.close();
  await Promise.all([t.finished, t2.finished]);
  await server.close();
});

test("reusePort lets two listeners share a port (Linux; Deno needs --unstable-net)", async () => {
  const deno = (globalThis as { Deno?: object }).Deno;
  const supported = !("Bun" in globalThis) && deno !== undefined ? "listenDatagram" in deno : true;
  const first = listen({ hostname: "127.0.0.1", port: 0, reusePort: true }, (t) => t.close());
  const again = () =>
    listen({ hostname: "127.0.0.1", port: first.addr.port, reusePort: true }, (t) => t.close());
  if (supported) {
    const second = again();
    assert.equal(second.addr.port, first.addr.port);
    second.close();
    await second.finished;
  } else {
    // Without the flag the option is ignored rather than ending the process.
    assert.throws(again);
  }
  first.close();
  await first.finished;
});
