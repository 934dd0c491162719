import { test } from "node:test";
import assert from "node:assert/strict";
import { get, withClient, withServer } from "./_raw_client.ts";

test("HTTP/1.1 keeps the connection alive by default", async () => {
  await withServer({}, (conn) => conn.respond(String(conn.requestCount)), async (server) => {
    await withClient(server.port, async (c) => {
      for (let i = 1; i <= 3; i++) {
        c.send(get("/"));
        const res = (await c.readResponse())!;
        assert.equal(res.text, String(i));
        assert.equal(res.headers.get("connection"), null);
      }
      assert.equal(server.connectionCount, 1);
    });
  });
});

test("HTTP/1.0 closes unless it asks for keep-alive", async () => {
  await withServer({}, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send("GET / HTTP/1.0\r\n\r\n");
      const res = (await c.readResponse())!;
      assert.equal(res.headers.get("connection"), "close");
      assert.ok(await c.closedWithin(2000));
    });
    await withClient(server.port, async (c) => {
      for (let i = 0; i < 2; i++) {
        c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const res = (await c.readResponse())!;
        assert.equal(res.headers.get("connection"), "keep-alive");
      }
      assert.ok(await c.silentFor(50));
    });
  });
});

test("Connection: close from the client closes after the response", async () => {
  await withServer({}, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/", "Connection: close\r\n"));
      const res = (await c.readResponse())!;
      assert.equal(res.headers.get("connection"), "close");
      assert.ok(await c.closedWithin(2000));
    });
  });
});

test("the response's connection header wins", async () => {
  await withServer({}, (conn) => conn.respond("x", { headers: { connection: "close" } }), async (
    server,
  ) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.headers.get("connection"), "close");
      assert.ok(await c.closedWithin(2000));
    });
  });
});

test("keepAliveMaxRequests: the last allowed request says connection: close", async () => {
  await withServer({ keepAliveMaxRequests: 3 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      for (let i = 1; i <= 3; i++) {
        c.send(get("/"));
        const res = (await c.readResponse())!;
        assert.equal(res.headers.get("connection"), i === 3 ? "close" : null, `request ${i}`);
      }
      assert.ok(await c.closedWithin(2000));
    });
  });
});

test("idle keep-alive connections are closed after keepAliveTimeout", async () => {
  await withServer({ keepAliveTimeout: 200 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      await c.readResponse();
      const start = performance.now();
      assert.ok(await c.closedWithin(2000));
      const took = performance.now() - start;
      assert.ok(took >= 150 && took < 1500, `closed after ${took} ms`);
      assert.equal(c.receivedText.split("HTTP/1.1").length, 2); // nothing sent on close
    });
  });
});

test("a connection kept busy past keepAliveTimeout stays open, then closes that long after its last answer", async () => {
  await withServer({ keepAliveTimeout: 200 }, (conn) => conn.respond("x"), async (server) => {
    await withClient(server.port, async (c) => {
      const start = performance.now();
      let answers = 0;
      let lastAnswer = 0;
      // A request every 40 ms for three timeouts.
      while (performance.now() - start < 600) {
        c.send(get("/"));
        assert.equal((await c.readResponse())?.text, "x", `answer ${answers + 1}`);
        answers++;
        lastAnswer = performance.now();
        await new Promise((r) => setTimeout(r, 40));
      }
      assert.ok(await c.closedWithin(2000));
      const idle = performance.now() - lastAnswer;
      assert.ok(idle >= 190 && idle < 1500, `closed ${idle} ms after the last answer`);
      assert.equal(c.receivedText.split("HTTP/1.1").length, answers + 1);
    });
  });
});

test("pipelined requests are all answered, in order, in one write or many", async () => {
  await withServer({}, (conn) => conn.respond(conn.path), async (server) => {
    await withClient(server.port, async (c) => {
      let burst = "";
      for (let i = 0; i < 16; i++) burst += get(`/${i}`);
      burst += "POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" + get("/last");
      c.send(burst);
      for (let i = 0; i < 16; i++) assert.equal((await c.readResponse())?.text, `/${i}`);
      assert.equal((await c.readResponse())?.text, "/body");
      assert.equal((await c.readResponse())?.text, "/last");
    });
  });
});

test("the same head again and again: each request is read with its own body and headers", async () => {
  // The third copy of a head is kept whole and later copies are taken from it;
  // a head differing in one byte (the Content-Length) is read anew.
  const answer = (conn: { method: string; headers: Record<string, string>; body: Uint8Array }) =>
    `${conn.method} ${conn.headers["x-tag"]} ${new TextDecoder().decode(conn.body)}`;
  await withServer({}, (conn) => conn.respond(answer(conn)), async (server) => {
    await withClient(server.port, async (c) => {
      const post = (length: number) =>
        `POST /p HTTP/1.1\r\nHost: t\r\nX-Tag: one\r\nContent-Length: ${length}\r\n\r\n`;
      const bodies = ["aaa", "bbb", "ccc", "dddd", "eee", "fff"];
      for (const body of bodies.slice(0, 4)) {
        c.send(post(body.length) + body);
        assert.equal((await c.readResponse())?.text, `POST one ${body}`);
      }
      // The same heads pipelined in one write, then a GET with other fields.
      c.send(bodies.slice(4).map((b) => post(b.length) + b).join("") + get("/g", "X-Tag: two\r\n"));
      for (const body of bodies.slice(4)) {
        assert.equal((await c.readResponse())?.text, `POST one ${body}`);
      }
      assert.equal((await c.readResponse())?.text, "GET two ");
      assert.equal(server.connectionCount, 1);
    });
  });
});

test("pipelined requests split at every byte are answered once complete", async () => {
  await withServer({}, (conn) => conn.respond(conn.path), async (server) => {
    await withClient(server.port, async (c) => {
      const bytes = get("/a") + get("/b");
      for (const ch of bytes) {
        c.send(ch);
        await new Promise((r) => setTimeout(r, 1));
      }
      assert.equal((await c.readResponse())?.text, "/a");
      assert.equal((await c.readResponse())?.text, "/b");
    });
  });
});

test("pipelined requests answered later (delayed) still go out in order", async () => {
  const held: { respond(s: string): void; path: string }[] = [];
  await withServer({}, (conn) => {
    held.push(conn);
    // Answer only when the next one cannot be parsed yet: one at a time.
    setTimeout(() => held.shift()?.respond(conn.path), 10);
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/1") + get("/2") + get("/3"));
      for (const p of ["/1", "/2", "/3"]) assert.equal((await c.readResponse())?.text, p);
    });
  });
});
