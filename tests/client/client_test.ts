import { test } from "node:test";
import assert from "node:assert/strict";
import {
  HttpClient,
  HttpClientError,
  HttpConnectionError,
  parseUrl,
  STATE_COMPLETE,
  STATE_IDLE,
} from "../../client/mod.ts";
import { listen } from "../../core/net/mod.ts";
import { latin1, ok, type RawServer, rawServer } from "./_helpers.ts";

const dec = new TextDecoder();

function echoServer(): RawServer {
  return rawServer((req, s) => {
    const body = JSON.stringify({
      method: req.method,
      target: req.target,
      headers: req.headers,
      body: dec.decode(req.body),
      connection: req.connection,
    });
    s.write(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${
        req.method === "HEAD" ? "" : body
      }`,
    );
  });
}

interface Echo {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
  connection: number;
}

test("parseUrl: the seed's examples", () => {
  assert.deepEqual(parseUrl("https://api.example.com/v1/users"), {
    host: "api.example.com",
    port: 443,
    path: "/v1/users",
    secure: true,
    auth: null,
  });
  assert.deepEqual(parseUrl("http://localhost:8080/api"), {
    host: "localhost",
    port: 8080,
    path: "/api",
    secure: false,
    auth: null,
  });
  assert.deepEqual(parseUrl("https://user:pass@api.example.com"), {
    host: "api.example.com",
    port: 443,
    path: "",
    secure: true,
    auth: ["user", "pass"],
  });
  assert.deepEqual(parseUrl("example.com"), {
    host: "example.com",
    port: 80,
    path: "",
    secure: false,
    auth: null,
  });
});

test("parseUrl: schemes, userinfo, IPv6, query and fragment", () => {
  assert.equal(parseUrl("HTTPS://Example.COM/x").secure, true);
  assert.equal(parseUrl("HTTPS://Example.COM/x").host, "example.com");
  assert.throws(() => parseUrl("ftp://example.com/"), HttpClientError);
  assert.throws(() => parseUrl("http://example.com:99999/"), HttpClientError);
  assert.deepEqual(parseUrl("http://u%40x:p%40ss@h/").auth, ["u@x", "p@ss"]);
  const v6 = parseUrl("http://[::1]:8080/x?a=1#frag");
  assert.equal(v6.host, "::1");
  assert.equal(v6.port, 8080);
  assert.equal(v6.path, "/x?a=1");
  assert.equal(parseUrl("http://h?q=1").path, "/?q=1");
});

test("client: constructor forms, base path and properties", () => {
  const a = new HttpClient("https://api.example.com/v1/");
  assert.equal(a.host, "api.example.com");
  assert.equal(a.port, 443);
  assert.equal(a.basePath, "/v1");
  assert.equal(a.secure, true);
  assert.equal(a.state, STATE_IDLE);
  assert.equal(a.isConnected, false);
  const b = new HttpClient("example.com:8080");
  assert.equal(b.port, 8080);
  assert.equal(b.secure, false);
  const c = new HttpClient("[::1]:9000");
  assert.equal(c.host, "::1");
  assert.equal(c.port, 9000);
  const d = new HttpClient("example.com", { port: 8443, tls: {} });
  assert.equal(d.secure, true);
  assert.equal(d.port, 8443);
  const e = new HttpClient("https://u:p@h.example");
  assert.deepEqual(e.auth, ["u", "p"]);
  assert.throws(() => new HttpClient("ftp://x"), HttpClientError);
  for (const x of [a, b, c, d, e]) x.close();
});

test("client: every verb with a JSON echo over one keep-alive connection", async () => {
  const srv = echoServer();
  using client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    for (const verb of ["get", "post", "put", "patch", "delete", "head", "options"] as const) {
      const res = await client[verb]("/v").wait();
      assert.ok(res);
      assert.equal(res.status, 200);
      if (verb === "head") {
        assert.equal(res.data.length, 0);
        continue;
      }
      const echo = res.json<Echo>();
      assert.equal(echo.method, verb.toUpperCase());
      assert.equal(echo.connection, 0);
      assert.equal(client.isConnected, true);
      assert.equal(client.state, STATE_COMPLETE);
    }
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: response.request is the head exactly as the server received it", async () => {
  const srv = echoServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    auth: ["alice", "pw"],
    cookies: { session: "abc" },
  });
  try {
    const res = (await client.post("/form?x=1", { data: "a=1" }).wait())!;
    const sent = res.request!;
    assert.equal(sent.method, "POST");
    assert.equal(sent.target, "/form?x=1");
    const raw = srv.requests[0]!.rawHead;
    let head = `POST /form?x=1 HTTP/1.1\r\n`;
    for (const [name, value] of sent.headers) head += `${name}: ${value}\r\n`;
    assert.equal(raw + "\r\n", head, "the raw head, without its empty line");
    assert.equal(sent.headers.get("authorization"), "Basic " + btoa("alice:pw"));
    assert.equal(sent.headers.get("cookie"), "session=abc");
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: default headers, host with port, user headers win case-insensitively", async () => {
  const srv = echoServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    headers: { "X-Default": "d", "User-Agent": "mine/1" },
  });
  try {
    let echo = (await client.get("/a").wait())!.json<Echo>();
    assert.equal(echo.headers.host, `127.0.0.1:${srv.port}`);
    assert.equal(echo.headers["user-agent"], "mine/1");
    assert.equal(echo.headers["x-default"], "d");
    assert.equal(echo.headers["accept-encoding"], undefined);
    echo = (await client.post("/a", {
      json: { a: 1 },
      headers: {
        "CONTENT-TYPE": "application/vnd.x+json",
        host: "other.example",
        "x-default": "r",
      },
    }).wait())!.json<Echo>();
    assert.equal(echo.headers["content-type"], "application/vnd.x+json");
    assert.equal(echo.headers.host, "other.example");
    assert.equal(echo.headers["x-default"], "r");
    const raw = srv.requests[1]!.rawHead;
    assert.equal(raw.toLowerCase().split("content-type:").length, 2, "one content-type");
    assert.equal(raw.toLowerCase().split("\r\nhost:").length, 2, "one host");
    assert.equal(echo.body, '{"a":1}');
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: bodies: json, string, bytes, object as data, stream, async iterable", async () => {
  const srv = echoServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    let echo = (await client.post("/j", { json: [1, "x"] }).wait())!.json<Echo>();
    assert.equal(echo.body, '[1,"x"]');
    assert.equal(echo.headers["content-type"], "application/json");
    assert.equal(echo.headers["content-length"], "7");

    echo = (await client.post("/s", { data: "héllo" }).wait())!.json<Echo>();
    assert.equal(echo.headers["content-type"], undefined);
    assert.equal(echo.headers["content-length"], "6");

    await client.post("/b", { data: new Uint8Array([0, 1, 2, 255]) }).wait();
    assert.deepEqual([...srv.requests[2]!.body], [0, 1, 2, 255]);
    assert.equal(srv.requests[2]!.headers["content-type"], "application/octet-stream");

    echo = (await client.put("/o", { data: { k: "v" } }).wait())!.json<Echo>();
    assert.equal(echo.body, '{"k":"v"}');

    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("ab"));
        c.enqueue(new TextEncoder().encode("cd"));
        c.close();
      },
    });
    echo = (await client.post("/st", { data: stream }).wait())!.json<Echo>();
    assert.equal(echo.body, "abcd");
    assert.equal(echo.headers["transfer-encoding"], "chunked");

    const gen = async function* () {
      yield "x";
      yield new Uint8Array([0x79]);
      yield "z";
    };
    echo = (await client.post("/it", { data: gen() }).wait())!.json<Echo>();
    assert.equal(echo.body, "xyz");

    echo = (await client.post("/empty").wait())!.json<Echo>();
    assert.equal(echo.headers["content-length"], "0");
    assert.equal(srv.sockets.length, 1, "all on one connection");

    assert.throws(() => client.post("/bad", { data: 42 as unknown as string }), HttpClientError);
    assert.throws(
      () => client.get("/bad", { headers: { "x-bad": "a\r\nb" } }),
      HttpClientError,
    );
    assert.equal(srv.requests.length, 7, "nothing sent for invalid requests");
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: base path cases and query encoding", async () => {
  const srv = echoServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}/v1`);
  try {
    const target = async (p: string, query?: Record<string, string | number | null | string[]>) =>
      (await client.get(p, query ? { query } : {}).wait())!.json<Echo>().target;
    assert.equal(await target("/users"), "/v1/users");
    assert.equal(await target("users"), "/v1/users");
    assert.equal(await target("/v1/users"), "/v1/users");
    assert.equal(await target("/v1"), "/v1");
    assert.equal(await target("/v10"), "/v1/v10");
    assert.equal(await target("/"), "/v1/");
    assert.equal(
      await target("/q", { page: 1, tag: ["a b", "c&d"], flag: null }),
      "/v1/q?page=1&tag=a+b&tag=c%26d&flag",
    );
    assert.equal(await target("/q?x=1", { y: "2" }), "/v1/q?x=1&y=2");
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: a second request while one is in flight is refused", async () => {
  const srv = echoServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    client.get("/a");
    assert.throws(() => client.get("/b"), {
      name: "HttpClientError",
      message: "Request already in progress",
    });
    const res = await client.wait();
    assert.equal(res!.json<Echo>().target, "/a");
    assert.equal(await client.wait(), null, "nothing in flight");
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: stale keep-alive connection: GET re-sent once on a new connection", async () => {
  let n = 0;
  const srv = rawServer((_req, s) => {
    n++;
    s.write(ok(`r${n}`));
    if (n === 1) s.close(); // closes after the first response, without Connection: close
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    assert.equal((await client.get("/1").wait())!.text(), "r1");
    // The request goes out immediately, before the EOF is seen (or after; both must work).
    assert.equal((await client.get("/2").wait())!.text(), "r2");
    assert.equal(srv.sockets.length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: stale connection: a POST that was written is never repeated", async () => {
  const srv = rawServer((req, s) => {
    if (req.connection === 0 && req.target === "/1") {
      s.write(ok("one"));
      return;
    }
    // The POST on the reused connection: close without answering.
    s.transport.abort();
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await client.get("/1").wait();
    client.post("/2", { data: "x" });
    await assert.rejects(client.wait(), HttpConnectionError);
    assert.equal(srv.requests.filter((r) => r.method === "POST").length, 1);
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: a GET reset on a reused connection with no answer is retried once only", async () => {
  const srv = rawServer((req, s) => {
    if (req.target === "/1") s.write(ok("one"));
    else s.transport.abort(); // every later request: reset
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await client.get("/1").wait();
    await assert.rejects(client.get("/2").wait(), HttpConnectionError);
    assert.equal(srv.requests.filter((r) => r.target === "/2").length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: Connection: close from the server opens a new connection next time", async () => {
  const srv = rawServer((_req, s) => {
    s.write(ok("x", "Connection: close\r\n"));
    s.close();
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await client.get("/1").wait();
    await client.get("/2").wait();
    await client.get("/3").wait();
    assert.equal(srv.sockets.length, 3);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: connection refused names the host and port", async () => {
  const l = listen({ hostname: "127.0.0.1", port: 0 }, () => {});
  const port = l.addr.port;
  l.close();
  const client = new HttpClient(`http://127.0.0.1:${port}`);
  try {
    await assert.rejects(client.get("/").wait(), (e: Error) => {
      assert.ok(e instanceof HttpConnectionError);
      assert.match(e.message, new RegExp(`"127\\.0\\.0\\.1" port ${port}`));
      return true;
    });
    assert.equal(client.state, STATE_IDLE);
  } finally {
    client.close();
  }
});

test("client: DNS name with every address tried (localhost)", async () => {
  const srv = rawServer((_req, s) => s.write(ok("hi")), { hostname: "127.0.0.1" });
  const client = new HttpClient(`http://localhost:${srv.port}`);
  try {
    const res = await client.get("/").wait();
    assert.equal(res!.text(), "hi");
    assert.equal(srv.requests[0]!.headers.host, `localhost:${srv.port}`);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: unknown host is an HttpConnectionError", async () => {
  const client = new HttpClient("http://no-such-host.invalid:80", { connectTimeout: 3000 });
  try {
    await assert.rejects(client.get("/").wait(), HttpConnectionError);
  } finally {
    client.close();
  }
});

test("client: IPv6 loopback with brackets in Host", async (t) => {
  let srv: RawServer;
  try {
    srv = rawServer((req, s) => s.write(ok(req.headers.host ?? "")), { hostname: "::1" });
  } catch {
    t.skip("IPv6 is not available here");
    return;
  }
  const client = new HttpClient(`http://[::1]:${srv.port}/`);
  try {
    const res = await client.get("/").wait();
    assert.equal(res!.text(), `[::1]:${srv.port}`);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: abort signal cancels the request", async () => {
  const srv = rawServer(() => {}); // never answers
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const ac = new AbortController();
    client.get("/", { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(client.wait(), { name: "HttpClientError", message: "Request aborted" });
    assert.equal(client.isConnected, false);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: headers of a request's own, sent again, are sent as they are at each call", async () => {
  const srv = rawServer((req, s) => {
    s.write(ok("ok", req.target === "/login" ? "Set-Cookie: session=new\r\n" : ""));
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    headers: { "X-Default": "d" },
    auth: ["alice", "pw"],
  });
  const shared: Record<string, string | number> = { Accept: "application/json", "x-n": 1 };
  const json = "Accept: application/json\r\n";
  const auth = `authorization: Basic ${btoa("alice:pw")}`;
  try {
    // Each request, and its head after host and user-agent.
    const steps: [() => HttpClient, string][] = [
      [() => client.get("/a", { headers: shared }), `GET /a|X-Default: d\r\n${json}x-n: 1`],
      [() => client.get("/a", { headers: shared }), `GET /a|X-Default: d\r\n${json}x-n: 1`],
      [() => {
        shared["x-n"] = 2; // changed in place
        return client.get("/a", { headers: shared });
      }, `GET /a|X-Default: d\r\n${json}x-n: 2`],
      [
        () => client.get("/a", { headers: { Accept: "application/json", "x-n": 1 } }),
        `GET /a|X-Default: d\r\n${json}x-n: 1`,
      ],
      [() => client.get("/b", { headers: shared }), `GET /b|X-Default: d\r\n${json}x-n: 2`],
      [
        () => client.post("/c", { headers: shared }),
        `POST /c|X-Default: d\r\n${json}x-n: 2\r\n${auth}\r\ncontent-length: 0`,
      ],
      [() => client.get("/a", { headers: [["X-P", "1"]] }), "GET /a|X-Default: d\r\nX-P: 1"],
      [() => client.get("/a", { headers: { "x-default": "r" } }), "GET /a|x-default: r"],
      [() => client.get("/login", { headers: shared }), `GET /login|X-Default: d\r\n${json}x-n: 2`],
      [
        () => client.get("/a", { headers: shared }),
        `GET /a|X-Default: d\r\n${json}x-n: 2\r\n${auth}\r\ncookie: session=new`,
      ],
    ];
    for (const [i, [send, expected]] of steps.entries()) {
      assert.equal((await send().wait())?.status, 200, `request ${i}`);
      const [line, rest] = expected.split("|");
      const [first, host, agent, ...fields] = srv.requests[i]!.rawHead.split("\r\n");
      assert.equal(first, `${line} HTTP/1.1`, `request ${i}`);
      assert.equal(host, `host: 127.0.0.1:${srv.port}`);
      assert.match(agent!, /^user-agent: uhttp\//);
      const want = rest!.includes(auth) ? rest! : `${rest}\r\n${auth}`;
      assert.equal(fields.join("\r\n"), want, `request ${i}`);
    }
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: bodies sent again with other lengths and kinds: each request's bytes as they are", async () => {
  const srv = rawServer((_req, s) => s.write(ok()));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  const utf8 = (s: string) => latin1(new TextEncoder().encode(s));
  const jsonType = "content-type: application/json\r\n";
  const octets = "content-type: application/octet-stream\r\n";
  const headers = { "x-id": "7" };
  const long = "x".repeat(5000); // longer than a text body is encoded in place
  const euros = "€".repeat(3000); // fits in characters, not in UTF-8 bytes
  const auth = ["alice", "pw"] as const;
  const basic = `authorization: Basic ${btoa("alice:pw")}\r\n`;
  try {
    // Each request, the fields it has after host and user-agent, and its body.
    const steps: [() => HttpClient, string, string, string][] = [
      [() => client.post("/p", { json: { a: 1 } }), "POST /p", jsonType, '{"a":1}'],
      [() => client.post("/p", { json: { a: 22 } }), "POST /p", jsonType, '{"a":22}'],
      [() => client.post("/p", { json: { a: "é€" } }), "POST /p", jsonType, '{"a":"é€"}'],
      [() => client.post("/p", { json: [long] }), "POST /p", jsonType, `["${long}"]`],
      [() => client.post("/p", { json: [euros] }), "POST /p", jsonType, `["${euros}"]`],
      [() => client.post("/p", { json: 5 }), "POST /p", jsonType, "5"],
      [() => client.post("/p", { data: "text" }), "POST /p", "", "text"],
      [() => client.post("/p", { data: "other text" }), "POST /p", "", "other text"],
      [() => client.post("/p", { data: Uint8Array.of(1, 2) }), "POST /p", octets, "\x01\x02"],
      [() => client.post("/p", { data: Uint8Array.of(3) }), "POST /p", octets, "\x03"],
      [() => client.put("/p", { json: { a: 1 } }), "PUT /p", jsonType, '{"a":1}'],
      [() => client.post("/q", { json: { a: 1 } }), "POST /q", jsonType, '{"a":1}'],
      [
        () => client.post("/p", { json: { a: 1 }, headers }),
        "POST /p",
        `x-id: 7\r\n${jsonType}`,
        '{"a":1}',
      ],
      [
        () => client.post("/p", { json: { a: 333 }, headers: { "x-id": "7" } }),
        "POST /p",
        `x-id: 7\r\n${jsonType}`,
        '{"a":333}',
      ],
      [
        () => client.post("/p", { json: { a: 1 }, headers: { "x-id": "8" } }),
        "POST /p",
        `x-id: 8\r\n${jsonType}`,
        '{"a":1}',
      ],
      [
        () => client.post("/p", { data: "z", headers: { "content-type": "text/plain" } }),
        "POST /p",
        "content-type: text/plain\r\n",
        "z",
      ],
      [() => client.post("/p", { json: { a: 4444 } }), "POST /p", jsonType, '{"a":4444}'],
      [() => client.post("/p"), "POST /p", "", ""],
      // Credentials are added after the rest, before the length.
      [() => client.post("/p", { json: { a: 1 }, auth }), "POST /p", jsonType + basic, '{"a":1}'],
      [() => client.post("/p", { json: { a: 55 }, auth }), "POST /p", jsonType + basic, '{"a":55}'],
      [() => client.post("/p", { json: { a: 6 }, auth }), "POST /p", jsonType + basic, '{"a":6}'],
    ];
    let expected = "";
    for (const [i, [send, line, fields, body]] of steps.entries()) {
      assert.equal((await send().wait())?.status, 200, `request ${i}`);
      const agent = srv.requests[0]!.rawHead.split("\r\n")[2];
      const sent = utf8(body);
      expected += `${line} HTTP/1.1\r\nhost: 127.0.0.1:${srv.port}\r\n${agent}\r\n${fields}` +
        `content-length: ${sent.length}\r\n\r\n${sent}`;
      assert.equal(srv.sockets[0]!.received, expected, `request ${i}`);
    }
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("client: the headers of a response received again are each response's own", async () => {
  const srv = rawServer((_req, s) => s.write(ok("ok", "X-A: 1\r\nX-Multi: 1\r\nX-Multi: 2\r\n")));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    // The same response bytes each time: from the third on, the head is taken whole.
    for (let i = 0; i < 5; i++) {
      const headers: Record<string, string> = (await client.get("/").wait())!.headers;
      assert.deepEqual(
        { ...headers },
        { "content-length": "2", "x-a": "1", "x-multi": "1, 2" },
        `response ${i}`,
      );
      headers["x-a"] = "changed"; // a caller changing what it was given
      headers["x-added"] = "1";
    }
  } finally {
    client.close();
    await srv.close();
  }
});
