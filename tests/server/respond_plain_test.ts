import { test } from "node:test";
import assert from "node:assert/strict";
import { type HttpConnection, HttpServer } from "../../server/mod.ts";
import { get, withClient, withServer } from "./_raw_client.ts";

/** Answers by path, with `respond()` and no headers or cookies (the server's plain path). */
function handler(conn: HttpConnection): void {
  if (conn.path === "/204") conn.respond("ignored", { status: 204 });
  else if (conn.path === "/304") conn.respond(null, { status: 304 });
  else if (conn.path === "/json") conn.respond({ a: 1 });
  else if (conn.path === "/404") conn.respond("missing", { status: 404 });
  else conn.respond("h\u00e9llo");
}

/** The bytes received, with the date's value masked. */
function wire(received: string): string {
  return received.replace(
    /\r\ndate: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/g,
    "\r\ndate: D\r\n",
  );
}

const TEXT_HEAD =
  "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 6\r\ndate: D\r\n";

test("respond() to an HTTP/1.0 keep-alive client says keep-alive and keeps the connection", async () => {
  await withServer({}, handler, async (server) => {
    await withClient(server.port, async (c) => {
      for (const path of ["/", "/json", "/404"]) {
        c.send(`GET ${path} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`);
        assert.ok(await c.readResponse());
      }
      assert.equal(
        wire(c.receivedText),
        TEXT_HEAD + "connection: keep-alive\r\n\r\nh\u00c3\u00a9llo" +
          "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\ndate: D\r\n" +
          'connection: keep-alive\r\n\r\n{"a":1}' +
          "HTTP/1.1 404 Not Found\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 7\r\n" +
          "date: D\r\nconnection: keep-alive\r\n\r\nmissing",
      );
      assert.ok(await c.silentFor(50));
      assert.equal(server.connectionCount, 1);
    });
  });
});

test("respond() to an HTTP/1.0 client without keep-alive closes after the response", async () => {
  await withServer({}, handler, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("GET / HTTP/1.0\r\n\r\n");
      const rest = await c.readUntilClose();
      assert.equal(wire(rest), TEXT_HEAD + "connection: close\r\n\r\nh\u00c3\u00a9llo");
    });
  });
});

test("respond() to HEAD sends the GET head without the body, on HTTP/1.1 and 1.0", async () => {
  await withServer({}, handler, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
      assert.equal((await c.readResponse("HEAD"))!.body.length, 0);
      c.send("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      assert.equal((await c.readResponse("HEAD"))!.body.length, 0);
      c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
      assert.equal((await c.readResponse())!.text, "h\u00e9llo");
      assert.equal(
        wire(c.receivedText),
        TEXT_HEAD + "\r\n" + TEXT_HEAD + "connection: keep-alive\r\n\r\n" + TEXT_HEAD +
          "\r\nh\u00c3\u00a9llo",
      );
    });
  });
});

test("respond() with 204 and 304 sends no body and no length, and keeps the connection", async () => {
  await withServer({}, handler, async (server) => {
    await withClient(server.port, async (c) => {
      // Pipelined, the second on HTTP/1.0 with keep-alive.
      c.send(
        "GET /204 HTTP/1.1\r\nHost: t\r\n\r\nGET /304 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" +
          "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
      );
      const rest = await c.readUntilClose();
      assert.equal(
        wire(rest),
        "HTTP/1.1 204 No Content\r\ndate: D\r\n\r\n" +
          "HTTP/1.1 304 Not Modified\r\ndate: D\r\nconnection: keep-alive\r\n\r\n" +
          TEXT_HEAD + "connection: close\r\n\r\nh\u00c3\u00a9llo",
      );
    });
  });
});

test("respond() on the last request keepAliveMaxRequests allows says connection: close", async () => {
  await withServer({ keepAliveMaxRequests: 2 }, handler, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
      const rest = await c.readUntilClose();
      assert.equal(
        wire(rest),
        TEXT_HEAD + "connection: keep-alive\r\n\r\nh\u00c3\u00a9llo" + TEXT_HEAD +
          "connection: close\r\n\r\n",
      );
    });
  });
});

test("respond() dates each answer with the second it was made in, pipelined ones too", async () => {
  // A for await loop answers pipelined requests in one turn, sharing one date.
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const loop = (async () => {
    for await (const conn of server) handler(conn);
  })();
  try {
    await withClient(server.port, async (c) => {
      const dates: string[] = [];
      for (let round = 0; round < 2; round++) {
        if (round > 0) {
          // Let the clock pass into the next second.
          const second = Math.floor(Date.now() / 1000);
          while (Math.floor(Date.now() / 1000) === second) {
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        const sent = Math.floor(Date.now() / 1000) * 1000;
        c.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n");
        for (let i = 0; i < 2; i++) {
          const date = (await c.readResponse())!.headers.get("date")!;
          const at = Date.parse(date);
          assert.ok(at >= sent && at <= Date.now(), `round ${round}, answer ${i}: ${date}`);
          dates.push(date);
        }
      }
      assert.notEqual(dates[3], dates[1]);
    });
  } finally {
    await server.close();
    await loop;
  }
});

test("answers stay intact while another connection's answers wait in its socket", async () => {
  // A does not read: its first answer (32 MiB) fills its socket, and its 20 short
  // answers wait behind it in the output array they were written into. B is then
  // answered 100 times, each answer written into an output array of the shared
  // pool: never one A's socket still holds, or A's bytes would change.
  const BIG = 32 << 20;
  const big = new Uint8Array(BIG).fill(0x61);
  const body = (path: string) => `${path};`.repeat(30);
  let answeredA = 0;
  let allA!: () => void;
  const aDone = new Promise<void>((r) => allA = r);
  await withServer({}, (conn) => {
    if (conn.path === "/big") conn.respond(big);
    else conn.respond(body(conn.path));
    if (conn.path.startsWith("/a/") && ++answeredA === 20) allA();
  }, async (server) => {
    await withClient(server.port, async (a) => {
      a.transport.pause();
      let pipelined = get("/big");
      for (let i = 0; i < 20; i++) pipelined += get(`/a/${i}`);
      a.send(pipelined);
      await aDone;
      await withClient(server.port, async (b) => {
        for (let j = 0; j < 100; j++) {
          b.send(get(`/b/${j}`));
          assert.equal((await b.readResponse())?.text, body(`/b/${j}`));
        }
      });
      a.transport.resume();
      const first = (await a.readResponse("GET", 20_000))!;
      assert.equal(first.body.length, BIG);
      assert.ok(first.body.every((x) => x === 0x61), "the 32 MiB answer changed");
      for (let i = 0; i < 20; i++) {
        assert.equal((await a.readResponse())?.text, body(`/a/${i}`), `answer ${i} to A`);
      }
    });
  });
});

/** Answers by path with a headers option; `/mutate` changes `SHARED` in place first. */
const SHARED: Record<string, string | number> = { "Cache-Control": "no-store", "x-n": 1 };
function headersHandler(conn: HttpConnection): void {
  const path = conn.path;
  if (path === "/mutate") SHARED["x-n"] = 2;
  if (path === "/h" || path === "/mutate") conn.respond("hi", { headers: SHARED });
  else if (path === "/fresh") {
    conn.respond("hi", { headers: { "Cache-Control": "no-store", "x-n": 1 } });
  } else if (path === "/pairs") conn.respond("hi", { headers: [["X-A", " a "], ["x-b", "b"]] });
  else if (path === "/type") conn.respond("hi", { headers: { "content-type": "text/plain" } });
  else if (path === "/date") {
    conn.respond("hi", { headers: { Date: "Thu, 01 Jan 1970 00:00:00 GMT" } });
  } else if (path === "/multi") conn.respond("hi", { headers: { "x-m": ["1", "2"] } });
  else if (path === "/length") conn.respond("hi", { headers: { "content-length": "2" } });
  else if (path === "/204") conn.respond(null, { status: 204, headers: SHARED });
  else if (path === "/close") conn.respond("hi", { headers: { Connection: "close" } });
}

test("respond() with headers: the given fields first, as given, then the server's", async () => {
  const TYPE = "content-type: text/html; charset=utf-8\r\n";
  const OURS = TYPE + "content-length: 2\r\ndate: D\r\n";
  const shared = (n: number) => `Cache-Control: no-store\r\nx-n: ${n}\r\n`;
  const ok = "HTTP/1.1 200 OK\r\n";
  await withServer({}, headersHandler, async (server) => {
    await withClient(server.port, async (c) => {
      const expected: string[] = [];
      const exchange = async (request: string, answer: string, method = "GET") => {
        c.send(request);
        assert.ok(await c.readResponse(method), request);
        expected.push(answer);
        assert.equal(wire(c.receivedText), expected.join(""), request);
      };
      await exchange(get("/h"), ok + shared(1) + OURS + "\r\nhi");
      await exchange(get("/h"), ok + shared(1) + OURS + "\r\nhi");
      await exchange(get("/mutate"), ok + shared(2) + OURS + "\r\nhi");
      await exchange(get("/fresh"), ok + shared(1) + OURS + "\r\nhi");
      await exchange(get("/pairs"), ok + "X-A: a\r\nx-b: b\r\n" + OURS + "\r\nhi");
      await exchange(
        get("/type"),
        ok + "content-type: text/plain\r\ncontent-length: 2\r\ndate: D\r\n\r\nhi",
      );
      await exchange(
        get("/date"),
        ok + "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n" + TYPE + "content-length: 2\r\n\r\nhi",
      );
      await exchange(get("/multi"), ok + "x-m: 1\r\nx-m: 2\r\n" + OURS + "\r\nhi");
      await exchange(
        get("/length"),
        ok + "content-length: 2\r\n" + TYPE + "date: D\r\n\r\nhi",
      );
      await exchange(
        get("/204"),
        "HTTP/1.1 204 No Content\r\n" + shared(2) + "date: D\r\n\r\n",
      );
      await exchange("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n", ok + shared(2) + OURS + "\r\n", "HEAD");
      await exchange(
        "GET /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        ok + shared(2) + OURS + "connection: keep-alive\r\n\r\nhi",
      );
      c.send(get("/close"));
      expected.push(ok + "Connection: close\r\n" + OURS + "\r\nhi");
      await c.readUntilClose();
      assert.equal(wire(c.receivedText), expected.join(""));
    });
  });
});

test("respond() with an invalid header throws each time, sends nothing, and can answer after", async () => {
  const bad = { "x-bad": "a\r\nset-cookie: evil=1" };
  const errors: string[] = [];
  await withServer({}, (conn) => {
    for (let i = 0; i < 2; i++) {
      try {
        conn.respond("hi", { headers: bad });
      } catch (e) {
        errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    conn.respond("after", { headers: { "x-good": "1" } });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.text, "after");
      assert.equal(res.headers.get("x-good"), "1");
      assert.equal(res.headers.get("x-bad"), null);
      assert.equal(res.headers.get("set-cookie"), null);
    });
  });
  assert.deepEqual(errors, [
    'HttpError: Invalid value for header "x-bad"',
    'HttpError: Invalid value for header "x-bad"',
  ]);
});

test("respond(): text and JSON of every size arrive as their UTF-8 bytes, again and pipelined", async () => {
  // Around each way a body is encoded: by hand (short ASCII), in place, in an array of its own.
  const bodies: Record<string, unknown> = {
    "/a64": "a".repeat(64),
    "/a65": "b".repeat(65),
    "/e40": "\u00e9".repeat(40),
    "/a6000": "c".repeat(6000),
    "/a16384": "d".repeat(16_384),
    "/a16385": "e".repeat(16_385),
    "/euro5000": "\u20ac".repeat(5000), // 15 000 bytes
    "/euro6000": "\u20ac".repeat(6000), // 18 000 bytes: longer than what is copied
    "/json": { s: "\u00e9\u20ac".repeat(300), n: [1, 2, 3] },
    "/jsonBig": { s: "f".repeat(20_000) },
    "/array": [1, "x", null],
  };
  const expected = (path: string) => {
    const data = bodies[path];
    return typeof data === "string" ? data : JSON.stringify(data);
  };
  await withServer({}, (conn) => conn.respond(bodies[conn.path] as string), async (server) => {
    await withClient(server.port, async (c) => {
      for (const path of Object.keys(bodies)) {
        // Three times in a row: a short text answered again has its bytes kept.
        for (let i = 0; i < 3; i++) {
          c.send(get(path));
          const res = await c.readResponse();
          assert.equal(res?.text, expected(path), `${path}, ${i + 1}`);
          assert.equal(res?.headers.get("content-length"), String(res?.body.length));
        }
      }
      c.send(Object.keys(bodies).map((path) => get(path)).join(""));
      for (const path of Object.keys(bodies)) {
        assert.equal((await c.readResponse())?.text, expected(path), `${path}, pipelined`);
      }
    });
  });
});
