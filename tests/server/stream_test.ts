import { test } from "node:test";
import assert from "node:assert/strict";
import type { HttpConnection } from "../../server/mod.ts";
import { get, RawClient, withClient, withServer } from "./_raw_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("respondStream to HTTP/1.1 is chunked, with trailers, and the connection stays usable", async () => {
  await withServer({}, (conn) => {
    if (conn.path === "/after") return conn.respond("after");
    conn.respondStream({ contentType: "text/plain" });
    assert.equal(conn.send("hello "), true);
    assert.equal(conn.send(new TextEncoder().encode("world")), true);
    conn.end({ "x-sum": "11" });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.headers.get("transfer-encoding"), "chunked");
      assert.equal(res.text, "hello world");
      assert.equal(res.trailers.get("x-sum"), "11");
      assert.match(c.receivedText, /\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\nx-sum: 11\r\n\r\n$/);
      c.send(get("/after"));
      assert.equal((await c.readResponse())?.text, "after");
    });
  });
});

test("respondStream to HTTP/1.0 is close-delimited", async () => {
  await withServer({}, (conn) => {
    conn.respondStream();
    conn.send("abc");
    conn.end({ "x-dropped": "1" });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("GET / HTTP/1.0\r\n\r\n");
      const all = await c.readUntilClose();
      assert.match(all, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(!/transfer-encoding/i.test(all));
      assert.match(all, /connection: close/i);
      assert.ok(all.endsWith("\r\n\r\nabc"));
    });
  });
});

test("SSE: sendEvent formats fields and data lines, no-cache, objects as JSON", async () => {
  await withServer({}, (conn) => {
    conn.respondStream({ contentType: "text/event-stream" });
    conn.sendEvent({ data: "line1\nline2" });
    conn.sendEvent({ event: "tick", id: 7, retry: 1000, data: { n: 1 } });
    assert.throws(() => conn.sendEvent({ event: "a\r\nb", data: "x" }));
    conn.end();
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.equal(
        res.text,
        'data: line1\ndata: line2\n\nevent: tick\nid: 7\nretry: 1000\ndata: {"n":1}\n\n',
      );
    });
  });
});

test("NDJSON: one JSON record per line", async () => {
  await withServer({}, (conn) => {
    conn.sendNdjson({ a: 1 });
    conn.sendNdjson([2]);
    conn.sendNdjson(null);
    conn.end();
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.headers.get("content-type"), "application/x-ndjson");
      assert.equal(res.text, '{"a":1}\n[2]\nnull\n');
    });
  });
});

test("multipart (MJPEG): frames with their own headers and the closing boundary", async () => {
  await withServer({}, (conn) => {
    conn.respondMultipart();
    conn.sendFrame(new Uint8Array([0xff, 0xd8, 0xff]));
    conn.sendFrame("second", { "content-type": "text/plain" });
    assert.throws(() => conn.sendFrame("x", { "x-a": "1\r\nevil: 1" }));
    conn.endMultipart();
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      const ctype = res.headers.get("content-type")!;
      const m = /^multipart\/x-mixed-replace; boundary=(\S+)$/.exec(ctype);
      assert.ok(m, ctype);
      const b = m[1]!;
      const body = [...res.body].map((x) => String.fromCharCode(x)).join("");
      assert.equal(
        body,
        `--${b}\r\ncontent-type: image/jpeg\r\ncontent-length: 3\r\n\r\n\xff\xd8\xff\r\n` +
          `--${b}\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nsecond\r\n--${b}--\r\n`,
      );
      assert.ok(!c.receivedText.includes("evil"));
    });
  });
});

test("a stream to a peer that left: send() returns false, no busy loop", async () => {
  let conn: HttpConnection | null = null;
  await withServer({}, (c) => {
    c.respondStream({ contentType: "text/event-stream" });
    conn = c;
  }, async (server) => {
    const c = await RawClient.connect(server.port);
    c.send(get("/"));
    while (conn === null) await sleep(5);
    await c.close();
    let results: boolean[] = [];
    for (let i = 0; i < 50 && (results.length === 0 || results.at(-1)); i++) {
      results.push(conn!.sendEvent({ data: "x".repeat(1000) }));
      await sleep(10);
    }
    assert.equal(results.at(-1), false);
    assert.equal(conn!.isClosed, true);
    results = [conn!.sendEvent({ data: "y" }), conn!.send("z"), conn!.end()];
    assert.deepEqual(results, [false, false, false]);
  });
});

test("a slow reader of a stream is dropped at maxSendBufferSize", async () => {
  let conn: HttpConnection | null = null;
  await withServer({ maxSendBufferSize: 64 * 1024 }, (c) => {
    c.respondStream();
    conn = c;
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.transport.pause(); // never reads
      c.send(get("/"));
      while (conn === null) await sleep(5);
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      let ok = true;
      for (let i = 0; i < 2000 && ok; i++) {
        ok = conn!.send(chunk);
        if (ok) sent += chunk.length;
        if (i % 8 === 0) await sleep(1);
      }
      assert.equal(ok, false);
      assert.ok(sent < 64 * 1024 * 1024, `sent ${sent} bytes before dropping`);
      assert.equal(conn!.isClosed, true);
    });
  });
});

test("a single large respond() is delivered whole to a slow reader", async () => {
  const big = new Uint8Array(3 * 1024 * 1024).fill(7);
  await withServer({ maxSendBufferSize: 1024 }, (c) => c.respond(big), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      c.transport.pause();
      await sleep(100);
      c.transport.resume();
      const res = (await c.readResponse("GET", 10_000))!;
      assert.equal(res.body.length, big.length);
    });
  });
});
