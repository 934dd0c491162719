import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodePercentEncoding,
  encodeResponseData,
  type HttpConnection,
  HttpError,
  HttpServer,
  parseCookies,
  parseHeaderLine,
  parseHeaderParameters,
  parseQuery,
  parseUrl,
} from "../../server/mod.ts";
import { get, withClient, withServer } from "./_raw_client.ts";

test("request properties: method, url, path, query, headers, cookies, host, fullUrl", async () => {
  let seen: Record<string, unknown> = {};
  await withServer({}, (conn) => {
    seen = {
      method: conn.method,
      url: conn.url,
      path: conn.path,
      query: conn.query,
      protocol: conn.protocol,
      ua: conn.header("User-Agent"),
      headers: conn.headers,
      cookies: conn.cookies,
      host: conn.host,
      fullUrl: conn.fullUrl,
      isSecure: conn.isSecure,
      remoteAddr: conn.remoteAddr,
      requestCount: conn.requestCount,
      contentLength: conn.contentLength,
    };
    conn.respond("ok");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(
        "GET /a%20b/c+d?x=1&x=2&flag&s=a+b%21 HTTP/1.1\r\nHost: example.test:8080\r\n" +
          "User-Agent: t/1\r\nCookie: a=1; b=two\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n",
      );
      const res = await c.readResponse();
      assert.equal(res?.status, 200);
    });
  });
  assert.equal(seen.method, "GET");
  assert.equal(seen.url, "/a%20b/c+d?x=1&x=2&flag&s=a+b%21");
  assert.equal(seen.path, "/a b/c+d");
  assert.deepEqual(seen.query, { x: ["1", "2"], flag: null, s: "a b!" });
  assert.equal(seen.protocol, "HTTP/1.1");
  assert.equal(seen.ua, "t/1");
  assert.equal((seen.headers as Record<string, string>)["x-multi"], "1, 2");
  assert.deepEqual(seen.cookies, { a: "1", b: "two" });
  assert.equal(seen.host, "example.test:8080");
  assert.equal(seen.fullUrl, "http://example.test:8080/a%20b/c+d?x=1&x=2&flag&s=a+b%21");
  assert.equal(seen.isSecure, false);
  assert.equal(seen.remoteAddr, "127.0.0.1");
  assert.equal(seen.requestCount, 1);
  assert.equal(seen.contentLength, null);
});

test("a request sent again gets its own query, headers and cookies: changing them changes no other", async () => {
  const REQUEST = "GET /caf%C3%A9?x=1&x=2&flag HTTP/1.1\r\nHost: t\r\nUser-Agent: t/1\r\n" +
    "Cookie: a=1\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n";
  const seen: string[] = [];
  await withServer({}, (conn) => {
    seen.push(JSON.stringify([conn.path, conn.query, conn.headers, conn.cookies]));
    // A handler that changes what it was given.
    (conn.query.x as string[]).push("3");
    conn.query.added = "1";
    conn.headers["user-agent"] = "changed";
    conn.headers["x-added"] = "1";
    conn.cookies.a = "changed";
    conn.respond("ok");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      // One connection, the same bytes each time: from the third on, the server takes
      // the head whole as it was kept.
      for (let i = 0; i < 5; i++) {
        c.send(REQUEST);
        assert.equal((await c.readResponse())?.text, "ok");
      }
    });
    await withClient(server.port, async (c) => {
      c.send(REQUEST);
      assert.equal((await c.readResponse())?.text, "ok");
    });
  });
  const first = JSON.stringify([
    "/caf\u00e9",
    { x: ["1", "2"], flag: null },
    { host: "t", "user-agent": "t/1", cookie: "a=1", "x-multi": "1, 2" },
    { a: "1" },
  ]);
  assert.deepEqual(seen, Array(6).fill(first));
});

test("a long target and a long Cookie, sent again, are parsed right each time", async () => {
  const long = "v".repeat(3000);
  const seen: string[] = [];
  await withServer({}, (conn) => {
    seen.push(`${conn.path} ${(conn.query.q as string).length} ${conn.cookies.big?.length}`);
    conn.query.q = "changed";
    conn.cookies.big = "changed";
    conn.respond("ok");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      for (let i = 0; i < 3; i++) {
        c.send(`GET /p?q=${long} HTTP/1.1\r\nHost: t\r\nCookie: big=${long}\r\n\r\n`);
        assert.equal((await c.readResponse())?.text, "ok");
      }
    });
  });
  assert.deepEqual(seen, Array(3).fill("/p 3000 3000"));
});

test("fields and cookies named __proto__ are own keys of conn.headers and conn.cookies", async () => {
  const seen: unknown[] = [];
  await withServer({}, (conn) => {
    const headers = conn.headers;
    const cookies = conn.cookies;
    seen.push(
      Object.getPrototypeOf(headers) === Object.prototype,
      Object.hasOwn(headers, "__proto__") ? headers["__proto__"] : "missing",
      Object.getPrototypeOf(cookies) === Object.prototype,
      Object.hasOwn(cookies, "__proto__") ? cookies["__proto__"] : "missing",
    );
    conn.respond("ok");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send("GET / HTTP/1.1\r\nHost: t\r\n__proto__: x\r\nCookie: __proto__=y\r\n\r\n");
      assert.equal((await c.readResponse())?.text, "ok");
    });
  });
  assert.deepEqual(seen, [true, "x", true, "y"]);
});

test("contentLength: the declared length (a repeated equal value counts once), null without", async () => {
  const seen: (number | null)[] = [];
  await withServer({}, (conn) => {
    seen.push(conn.contentLength);
    conn.respond(conn.data === null ? "none" : String((conn.data as Uint8Array).length));
  }, async (server) => {
    await withClient(server.port, async (c) => {
      const cases = [
        ["Content-Length: 5\r\n\r\nhello", "5"],
        ["Content-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc", "3"],
        ["Content-Length: 0\r\n\r\n", "none"],
        ["Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", "2"],
        ["\r\n", "none"],
      ];
      for (const [rest, body] of cases) {
        c.send(`POST /u HTTP/1.1\r\nHost: a\r\n${rest}`);
        const res = await c.readResponse();
        assert.equal(res?.status, 200);
        assert.equal(res?.text, body);
      }
    });
  });
  assert.deepEqual(seen, [5, 3, 0, null, null]);
});

test("respond: string is HTML, bytes are octet-stream, objects JSON, null empty", async () => {
  await withServer({}, (conn) => {
    const p = conn.path;
    if (p === "/s") conn.respond("<b>é</b>");
    else if (p === "/b") conn.respond(new Uint8Array([0, 1, 255]));
    else if (p === "/o") conn.respond({ a: [1, 2] });
    else if (p === "/n") conn.respond(42);
    else if (p === "/f") conn.respond(false);
    else if (p === "/null") conn.respond(null);
    else if (p === "/u") conn.respond();
    else if (p === "/799") conn.respond("odd", { status: 799 });
    else conn.respond("custom", { status: 201, headers: { "content-type": "text/x-mine" } });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      const check = async (path: string, ctype: string | null, body: string, status = 200) => {
        c.send(get(path));
        const res = (await c.readResponse())!;
        assert.equal(res.status, status, path);
        assert.equal(res.headers.get("content-type"), ctype, path);
        assert.equal(res.headers.get("content-length"), String(res.body.length), path);
        assert.equal(res.text, body, path);
      };
      await check("/s", "text/html; charset=utf-8", "<b>é</b>");
      c.send(get("/b"));
      const b = (await c.readResponse())!;
      assert.equal(b.headers.get("content-type"), "application/octet-stream");
      assert.deepEqual([...b.body], [0, 1, 255]);
      await check("/o", "application/json", '{"a":[1,2]}');
      await check("/n", "application/json", "42");
      await check("/f", "application/json", "false");
      await check("/null", null, "");
      await check("/u", null, "");
      await check("/x", "text/x-mine", "custom", 201);
      c.send(get("/799"));
      const odd = (await c.readResponse())!;
      assert.equal(odd.status, 799);
      assert.match(c.receivedText, /HTTP\/1\.1 799 \r\n/);
    });
  });
});

test("falsy JSON request bodies are valid: {}, 0, null, false, empty string", async () => {
  const got: unknown[] = [];
  await withServer({}, (conn) => {
    got.push(conn.data);
    conn.respond({ data: conn.data });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      for (const body of ["{}", "0", "null", "false", '""', "[]"]) {
        c.send(
          `POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        );
        const res = (await c.readResponse())!;
        assert.equal(res.status, 200, body);
        assert.equal(res.text, `{"data":${body}}`);
      }
    });
  });
  assert.deepEqual(got, [{}, 0, null, false, "", []]);
});

test("JSON and form bodies: invalid UTF-8 is a 400, a U+FFFD sent as such is text", async () => {
  const got: unknown[] = [];
  await withServer({}, (conn) => {
    got.push(conn.data);
    conn.respond(null);
  }, async (server) => {
    // Each body (latin-1: one character per byte), its type, and the status it gets.
    const cases: [string, string, number][] = [
      ['"\xff"', "application/json", 400],
      ['"a\xc3"', "application/json", 400],
      ['"\xed\xa0\x80"', "application/json", 400], // an encoded surrogate
      ['"\xef\xbf\xbd"', "application/json", 200], // U+FFFD itself
      ['["\xc3\xa9", "\xef\xbf\xbd"]', "application/json", 200],
      ["\xef\xbb\xbf1", "application/json", 200], // a byte order mark is dropped
      ["a=\xff", "application/x-www-form-urlencoded", 400],
      ["a=\xef\xbf\xbd", "application/x-www-form-urlencoded", 200],
    ];
    for (const [body, type, status] of cases) {
      await withClient(server.port, async (c) => {
        c.send(
          `POST / HTTP/1.1\r\nHost: t\r\nContent-Type: ${type}\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        );
        assert.equal((await c.readResponse())?.status, status, JSON.stringify(body));
      });
    }
  });
  assert.deepEqual(got, ["\ufffd", ["\u00e9", "\ufffd"], 1, { a: "\ufffd" }]);
});

test("bodies a handler keeps stay as they came after later requests", async () => {
  const kept: Uint8Array[] = [];
  const sizes = [1, 7, 100, 1000, 1024, 1025, 3000, 9000, 5, 600, 700, 800];
  await withServer({}, (conn) => {
    kept.push(conn.body);
    conn.respond(null);
  }, async (server) => {
    await withClient(server.port, async (c) => {
      for (const [i, n] of sizes.entries()) {
        const body = String.fromCharCode(65 + i).repeat(n);
        c.send(`PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: ${n}\r\n\r\n${body}`);
        assert.equal((await c.readResponse())?.status, 200);
      }
    });
  });
  assert.deepEqual(
    kept.map((b) => new TextDecoder().decode(b)),
    sizes.map((n, i) => String.fromCharCode(65 + i).repeat(n)),
  );
});

test("form bodies become objects, other bodies bytes, text() decodes", async () => {
  const got: unknown[] = [];
  await withServer({}, (conn) => {
    got.push(conn.data, conn.text());
    conn.respond(null);
  }, async (server) => {
    await withClient(server.port, async (c) => {
      const form = "a=1&b=x+y&b=%C3%A9";
      c.send(
        `POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${form.length}\r\n\r\n${form}`,
      );
      assert.equal((await c.readResponse())?.status, 200);
      c.send(`PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc`);
      assert.equal((await c.readResponse())?.status, 200);
    });
  });
  assert.deepEqual(got[0], { a: "1", b: ["x y", "é"] });
  assert.deepEqual(got[2], new Uint8Array([97, 98, 99]));
  assert.equal(got[3], "abc");
});

test("a second response raises HttpError and writes nothing", async () => {
  let error: unknown = null;
  await withServer({}, (conn) => {
    conn.respond("first");
    try {
      conn.respond("second");
    } catch (e) {
      error = e;
    }
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.text, "first");
      assert.ok(await c.silentFor(100));
      assert.ok(!c.receivedText.includes("second"));
    });
  });
  assert.ok(error instanceof HttpError);
  assert.equal((error as HttpError).message, "Response already sent");
});

test("CRLF injection in headers, cookies and redirects never reaches the wire", async () => {
  const errors: unknown[] = [];
  await withServer({}, (conn) => {
    const attempts: (() => void)[] = [
      () => conn.respond("x", { headers: { "x-a": "1\r\nSet-Cookie: evil=1" } }),
      () => conn.respond("x", { headers: { "x-a\r\nevil": "1" } }),
      () => conn.respond("x", { cookies: { a: "1\r\nX-Evil: 1" } }),
      () => conn.respond("x", { cookies: { "a;b": "1" } }),
      () => conn.respond("x", { cookies: { a: "1; Path=/evil" } }),
      () => conn.respondRedirect("/ok\r\nX-Evil: 1"),
      () => conn.respondRedirect("/ok\nX-Evil: 1"),
    ];
    for (const a of attempts) {
      try {
        a();
      } catch (e) {
        errors.push(e);
      }
    }
    conn.respond("clean");
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      assert.equal(res.text, "clean");
      assert.ok(!/evil/i.test(c.receivedText));
    });
  });
  assert.equal(errors.length, 7);
  for (const e of errors) assert.ok(e instanceof HttpError, String(e));
});

test("error responses never reflect the input, and are plain text", async () => {
  await withServer({}, (conn) => conn.respond("ok"), async (server) => {
    const bad = [
      "GET /<script>alert(1)</script> HTTP/1.1\r\nHost: t\r\nX<script>: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nX-A: <script>\x00</script>\r\n\r\n",
      "GET /%zz<script> HTTP/1.1\r\nHost: t\r\n\r\n",
      "<script>alert(1)</script> / HTTP/1.1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n<script>x",
    ];
    for (const req of bad) {
      await withClient(server.port, async (c) => {
        c.send(req);
        const res = (await c.readResponse())!;
        assert.equal(res.status, 400, JSON.stringify(req));
        assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
        assert.equal(res.headers.get("connection"), "close");
        assert.equal(res.text, "Bad request");
        assert.ok(!c.receivedText.includes("script"));
        assert.ok(await c.closedWithin(2000));
      });
    }
  });
});

test("cookies with attributes, deletion with null", async () => {
  await withServer({}, (conn) => {
    conn.respond("c", {
      cookies: {
        plain: "v",
        full: {
          value: "x",
          path: "/",
          domain: "example.test",
          maxAge: 60,
          secure: true,
          httpOnly: true,
          sameSite: "Strict",
        },
        gone: null,
      },
    });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      const res = (await c.readResponse())!;
      const set = res.headers.getAll("set-cookie");
      assert.equal(set.length, 3);
      assert.equal(set[0], "plain=v");
      assert.match(set[1]!, /^full=x; /);
      for (const a of ["Path=/", "Domain=example.test", "Max-Age=60", "Secure", "HttpOnly"]) {
        assert.ok(set[1]!.includes(a), a);
      }
      assert.match(set[1]!, /SameSite=Strict/);
      assert.match(set[2]!, /^gone=; .*Max-Age=0/);
    });
  });
});

test("respondRedirect: 302 by default, other statuses, cookies", async () => {
  await withServer({}, (conn) => {
    if (conn.path === "/a") conn.respondRedirect("/b");
    else conn.respondRedirect("https://example.test/x", { status: 301, cookies: { r: "1" } });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(get("/a"));
      const a = (await c.readResponse())!;
      assert.equal(a.status, 302);
      assert.equal(a.headers.get("location"), "/b");
      assert.equal(a.headers.get("content-length"), "0");
      c.send(get("/c"));
      const b = (await c.readResponse())!;
      assert.equal(b.status, 301);
      assert.equal(b.headers.get("location"), "https://example.test/x");
      assert.equal(b.headers.get("set-cookie"), "r=1");
    });
  });
});

test("delayed responses: requests held and answered later, in any order", async () => {
  const held: HttpConnection[] = [];
  await withServer({}, (conn) => {
    held.push(conn);
    if (held.length === 2) {
      held[1]!.respond("second");
      held[0]!.respond("first");
    }
  }, async (server) => {
    await withClient(server.port, async (a) => {
      await withClient(server.port, async (b) => {
        a.send(get("/1"));
        await new Promise((r) => setTimeout(r, 50));
        b.send(get("/2"));
        assert.equal((await b.readResponse())?.text, "second");
        assert.equal((await a.readResponse())?.text, "first");
      });
    });
  });
});

test("unknown methods get 501 unless listed in methods", async () => {
  await withServer({ methods: ["PURGE"] }, (conn) => conn.respond(conn.method), async (server) => {
    await withClient(server.port, async (c) => {
      c.send("PURGE / HTTP/1.1\r\nHost: t\r\n\r\n");
      assert.equal((await c.readResponse())?.text, "PURGE");
      c.send("BREW / HTTP/1.1\r\nHost: t\r\n\r\n");
      const res = (await c.readResponse())!;
      assert.equal(res.status, 501);
      assert.equal(res.text, "Not implemented");
    });
  });
});

test("HTTP/2.0 gets 505, unknown transfer coding 501, missing Host 400", async () => {
  await withServer({}, (conn) => conn.respond("ok"), async (server) => {
    const cases: [string, number][] = [
      ["GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505],
      ["POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
      ["GET / HTTP/1.1\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
      [
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
      ],
    ];
    for (const [req, status] of cases) {
      await withClient(server.port, async (c) => {
        c.send(req);
        const res = (await c.readResponse())!;
        assert.equal(res.status, status, JSON.stringify(req));
        assert.ok(await c.closedWithin(2000));
      });
    }
  });
});

test("HEAD gets the headers GET would have, without a body", async () => {
  await withServer({}, (conn) => conn.respond("hello world"), async (server) => {
    await withClient(server.port, async (c) => {
      c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
      const res = (await c.readResponse("HEAD"))!;
      assert.equal(res.headers.get("content-length"), "11");
      assert.equal(res.body.length, 0);
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, "hello world");
    });
  });
});

test("chunked request bodies are read in the default mode", async () => {
  await withServer({}, (conn) => conn.respond({ got: conn.text() }), async (server) => {
    await withClient(server.port, async (c) => {
      c.send(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
      );
      assert.equal((await c.readResponse())?.text, '{"got":"hello world"}');
    });
  });
});

test("the helpers are exported and strict", () => {
  assert.equal(decodePercentEncoding("a%20b"), "a b");
  assert.throws(() => decodePercentEncoding("%4"));
  assert.throws(() => decodePercentEncoding("%C3%28"));
  assert.deepEqual(parseQuery("a=1&a=2&b"), { a: ["1", "2"], b: null });
  assert.equal(parseUrl("/x%2By+z?q=1").path, "/x+y+z");
  assert.deepEqual(parseHeaderLine("Content-Type: text/plain"), ["content-type", "text/plain"]);
  assert.equal(parseHeaderParameters("form-data; name=a").params.name, "a");
  assert.deepEqual(parseCookies("a=1; b=2"), { a: "1", b: "2" });
  assert.equal(encodeResponseData({ a: 1 }).contentType, "application/json");
});

test("server state: port, addr, isSecure, close is idempotent, wait returns null", async () => {
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  assert.ok(server.port > 0);
  assert.equal(server.addr.hostname, "127.0.0.1");
  assert.equal(server.isSecure, false);
  assert.equal(server.eventMode, false);
  assert.equal(await server.wait(20), null);
  await server.close();
  await server.close();
  assert.equal(await server.wait(20), null);
  assert.equal(server.closed, true);
});

test("for await hands out requests as they come, pipelined too, and ends on close", async () => {
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const paths: string[] = [];
  const loop = (async () => {
    for await (const conn of server) {
      paths.push(conn.path);
      conn.respond(`you asked for ${conn.path}`);
    }
  })();
  await withClient(server.port, async (c) => {
    c.send(get("/one"));
    assert.equal((await c.readResponse())?.text, "you asked for /one");
    c.send(get("/two") + get("/three"));
    assert.equal((await c.readResponse())?.text, "you asked for /two");
    assert.equal((await c.readResponse())?.text, "you asked for /three");
  });
  await server.close();
  await loop; // the loop waiting for the next request ends
  assert.deepEqual(paths, ["/one", "/two", "/three"]);
});

test("two for await loops on one server share the requests, each answered once", async () => {
  const server = new HttpServer({ address: "127.0.0.1", port: 0 });
  const seen = [0, 0];
  const loop = (which: number) =>
    (async () => {
      for await (const conn of server) {
        seen[which]!++;
        // Give the other loop its turn to wait as well.
        await new Promise((r) => setTimeout(r, 0));
        conn.respond(`loop ${which}`);
      }
    })();
  const loops = [loop(0), loop(1)];
  const answers = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) =>
      withClient(server.port, async (c) => {
        c.send(get(`/${i}`));
        return (await c.readResponse())?.status;
      })
    ),
  );
  assert.deepEqual(answers, [200, 200, 200, 200, 200, 200]);
  await server.close();
  await Promise.all(loops);
  assert.equal(seen[0]! + seen[1]!, 6);
  assert.ok(seen[0]! > 0 && seen[1]! > 0, `both loops served: ${seen}`);
});
