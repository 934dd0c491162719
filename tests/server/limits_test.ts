import { test } from "node:test";
import assert from "node:assert/strict";
import { get, RawClient, withClient, withServer } from "./_raw_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("413 when the declared body is over maxContentLength", async () => {
  let called = false;
  await withServer({ maxContentLength: 100 }, (conn) => {
    called = true;
    conn.respond("x");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n");
      const res = (await c.readResponse())!;
      assert.equal(res.status, 413);
      assert.equal(res.text, "Content too large");
      assert.equal(res.headers.get("connection"), "close");
      assert.ok(await c.closedWithin(3000));
    });
    await withClient(server.port, async (c) => {
      c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + "a".repeat(100));
      assert.equal((await c.readResponse())?.status, 200);
    });
  });
  assert.ok(called);
});

test("413 for a chunked body growing over maxContentLength", async () => {
  await withServer({ maxContentLength: 10 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n");
      c.send("8\r\n12345678\r\n");
      assert.equal((await c.readResponse())?.status, 413);
    });
  });
});

test("100-continue: 413 instead of 100 when over the limit, 100 then 200 otherwise", async () => {
  await withServer(
    { maxContentLength: 100 },
    (conn) => conn.respond({ n: conn.body.length }),
    async (
      server,
    ) => {
      await withClient(server.port, async (c) => {
        c.send(
          "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n",
        );
        const res = (await c.readResponse())!;
        assert.deepEqual(res.informational, []);
        assert.equal(res.status, 413);
        assert.ok(!c.receivedText.includes("100 Continue"));
      });
      await withClient(server.port, async (c) => {
        c.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        // The 100 comes before any body byte is sent.
        const deadline = performance.now() + 2000;
        while (!c.receivedText.includes("\r\n\r\n") && performance.now() < deadline) await sleep(5);
        assert.match(c.receivedText, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
        c.send("hello");
        const res = (await c.readResponse())!;
        assert.deepEqual(res.informational, [100]);
        assert.equal(res.status, 200);
        assert.equal(res.text, '{"n":5}');
      });
    },
  );
});

test("431 when the head is over maxHeadersLength", async () => {
  await withServer({ maxHeadersLength: 1024 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/", `X-Big: ${"a".repeat(2000)}\r\n`));
      const res = (await c.readResponse())!;
      assert.equal(res.status, 431);
      assert.equal(res.text, "Request header fields too large");
    });
    await withClient(server.port, async (c) => {
      c.send(get("/", `X-Ok: ${"a".repeat(500)}\r\n`));
      assert.equal((await c.readResponse())?.status, 200);
    });
  });
});

test("400 for bad percent-encoding and invalid UTF-8 in path or query", async () => {
  await withServer({}, (conn) => conn.respond("x"), async (server) => {
    for (const target of ["/%", "/%4", "/%zz", "/%C3%28", "/?a=%", "/?a=%FF"]) {
      await withClient(server.port, async (c) => {
        c.send(get(target));
        assert.equal((await c.readResponse())?.status, 400, target);
      });
    }
  });
});

test("slow heads get 408 after requestTimeout while a normal client is served at once", async () => {
  await withServer({ requestTimeout: 500 }, (conn) => conn.respond("fast"), async (server) => {
    const slow = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(server.port)));
    const bytes = get("/slow", "X-Pad: " + "a".repeat(100) + "\r\n");
    let i = 0;
    let stopped = false;
    const drip = (async () => {
      while (!stopped && i < bytes.length) {
        for (const s of slow) s.send(bytes[i]!);
        i++;
        await sleep(100);
      }
    })();
    try {
      await sleep(150);
      const start = performance.now();
      await withClient(server.port, async (c) => {
        c.send(get("/"));
        assert.equal((await c.readResponse())?.text, "fast");
      });
      assert.ok(performance.now() - start < 300, "the fast client was delayed");
      const results = await Promise.all(slow.map((s) => s.readResponse("GET", 3000)));
      for (const r of results) assert.equal(r?.status, 408);
      assert.ok(i < bytes.length, "the slow heads were never complete");
    } finally {
      stopped = true;
      await drip;
      await Promise.all(slow.map((s) => s.abort()));
    }
  });
});

test("a body that stops moving gets 408 after bodyTimeout", async () => {
  await withServer({ bodyTimeout: 200 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345");
      const res = (await c.readResponse("GET", 3000))!;
      assert.equal(res.status, 408);
    });
  });
});

test("a body that never starts, after a request on the same connection, gets 408 after bodyTimeout", async () => {
  await withServer({ bodyTimeout: 200 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.status, 200);
      // Then a head alone: the keep-alive and head timeouts are far longer than 3 s.
      c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n");
      const res = (await c.readResponse("GET", 3000))!;
      assert.equal(res.status, 408);
    });
  });
});

test("an upload that keeps moving is not cut by bodyTimeout", async () => {
  await withServer({ bodyTimeout: 150 }, (conn) => conn.respond({ n: conn.body.length }), async (
    server,
  ) => {
    await withClient(server.port, async (c) => {
      c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\n");
      for (let i = 0; i < 6; i++) {
        await sleep(60);
        c.send("x");
      }
      assert.equal((await c.readResponse())?.text, '{"n":6}');
    });
  });
});

test("maxWaitingClients: the oldest idle connection makes room, else 503", async () => {
  await withServer({ maxWaitingClients: 2 }, (conn) => {
    if (conn.path !== "/hold") conn.respond("x");
  }, async (server) => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    try {
      a.send(get("/"));
      await a.readResponse(); // a: idle keep-alive
      b.send(get("/hold")); // b: waiting for its answer
      await sleep(50);
      // c takes a's place.
      await withClient(server.port, async (c) => {
        assert.ok(await a.closedWithin(2000));
        c.send(get("/hold"));
        await sleep(50);
        assert.equal(server.connectionCount, 2);
        // d finds no idle connection: 503.
        await withClient(server.port, async (d) => {
          const res = (await d.readResponse())!;
          assert.equal(res.status, 503);
          assert.equal(res.text, "Service unavailable");
        });
        assert.ok(server.connectionCount <= 2);
      });
    } finally {
      await a.abort();
      await b.abort();
    }
  });
});
