import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, HttpResponseError } from "../../client/mod.ts";
import { bytes, delay, ok, rawServer } from "./_helpers.ts";

/** Serves each scripted response in turn (one per request). */
function scripted(responses: (string | string[])[], closeAfter = false) {
  let i = 0;
  return rawServer(async (_req, s) => {
    const r = responses[i++] ?? ok("end");
    if (typeof r === "string") s.write(r);
    else {
      for (const part of r) {
        s.write(part);
        await delay(1);
      }
    }
    if (closeAfter) s.close();
  });
}

test("framing: Content-Length body, then another response on the same connection", async () => {
  const srv = scripted([ok("hello"), ok("world!")]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const a = await client.get("/").wait();
    assert.equal(a!.text(), "hello");
    assert.equal(a!.contentLength, 5);
    assert.equal((await client.get("/").wait())!.text(), "world!");
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

const CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
  "5;name=value\r\nhello\r\n1;x\r\n \r\n6\r\nworld!\r\n0\r\nX-Sum: 42\r\nX-Other: a\r\n\r\n";

test("framing: chunked with extensions and trailers", async () => {
  const srv = scripted([CHUNKED, ok("next")]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const res = await client.get("/").wait();
    assert.equal(res!.text(), "hello world!");
    assert.deepEqual(res!.trailers, { "x-sum": "42", "x-other": "a" });
    assert.equal((await client.get("/").wait())!.text(), "next");
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: chunked response split at every byte", async () => {
  const responses: string[][] = [];
  for (let i = 1; i < CHUNKED.length; i++) responses.push([CHUNKED.slice(0, i), CHUNKED.slice(i)]);
  const srv = scripted(responses);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    for (let i = 1; i < CHUNKED.length; i++) {
      const res = await client.get("/").wait();
      assert.equal(res!.text(), "hello world!", `split at ${i}`);
      assert.equal(res!.trailers["x-sum"], "42", `split at ${i}`);
    }
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: until-close body (HTTP/1.0 and HTTP/1.1 without length)", async () => {
  const srv = scripted([
    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style body",
    "HTTP/1.1 200 OK\r\n\r\nuntil close",
  ], true);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const a = await client.get("/").wait();
    assert.equal(a!.text(), "old style body");
    assert.equal(a!.httpVersion, "1.0");
    const b = await client.get("/").wait();
    assert.equal(b!.text(), "until close");
    assert.equal(srv.sockets.length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: HEAD with Content-Length, 204 and 304 have no body", async () => {
  const srv = scripted([
    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
    "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 20\r\nETag: "x"\r\n\r\n',
    ok("after"),
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const h = await client.head("/").wait();
    assert.equal(h!.status, 200);
    assert.equal(h!.contentLength, 1000);
    assert.equal(h!.data.length, 0);
    const n = await client.get("/").wait();
    assert.equal(n!.status, 204);
    assert.equal(n!.data.length, 0);
    const m = await client.get("/").wait();
    assert.equal(m!.status, 304);
    assert.equal(m!.headers.etag, '"x"');
    assert.equal((await client.get("/").wait())!.text(), "after");
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: contentLength is the length the body was framed by, null when not a length", async () => {
  const srv = scripted([
    "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc",
    "HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n",
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const listed = await client.get("/").wait();
    assert.equal(listed!.text(), "hello");
    assert.equal(listed!.contentLength, 5);
    const repeated = await client.get("/").wait();
    assert.equal(repeated!.text(), "abc");
    assert.equal(repeated!.contentLength, 3);
    // HEAD answers are not framed by their Content-Length: what they announce is
    // still read, and a value that is not a length is null.
    assert.equal((await client.head("/").wait())!.contentLength, null);
    assert.equal((await client.head("/").wait())!.contentLength, null);
    assert.equal((await client.head("/").wait())!.contentLength, 7);
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: 100 Continue and 103 Early Hints before the final response are skipped", async () => {
  const srv = scripted([
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" +
    ok("final"),
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const res = await client.get("/").wait();
    assert.equal(res!.status, 200);
    assert.equal(res!.text(), "final");
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: repeated headers joined, set-cookie kept as a list, statusMessage", async () => {
  const srv = scripted([
    "HTTP/1.1 201 Made It\r\nVary: a\r\nVary: b\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2; Path=/\r\n" +
    "Content-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}",
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const res = await client.get("/").wait();
    assert.equal(res!.status, 201);
    assert.equal(res!.statusMessage, "Made It");
    assert.equal(res!.ok, true);
    assert.equal(res!.headers.vary, "a, b");
    assert.deepEqual(res!.getSetCookie(), ["a=1", "b=2; Path=/"]);
    assert.equal(res!.contentType, "application/json; charset=utf-8");
    assert.deepEqual(res!.json(), {});
    assert.equal(res!.url, `http://127.0.0.1:${srv.port}/`);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: bad JSON is an HttpResponseError from json()", async () => {
  const srv = scripted([ok("{nope")]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const res = await client.get("/").wait();
    assert.throws(() => res!.json(), HttpResponseError);
  } finally {
    client.close();
    await srv.close();
  }
});

for (
  const [name, response] of [
    ["garbage status line", "HTTP/1.1 two hundred OK\r\n\r\n"],
    [
      "bad chunk size",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    ],
    [
      "conflicting Content-Length",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    ],
    ["truncated Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"],
  ] as const
) {
  test(`framing: ${name} is an HttpResponseError and the connection is closed`, async () => {
    const srv = scripted([response], true);
    const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
    try {
      await assert.rejects(client.get("/").wait(), HttpResponseError);
      assert.equal(client.isConnected, false);
    } finally {
      client.close();
      await srv.close();
    }
  });
}

test("framing: oversized head fails with HttpResponseError", async () => {
  const srv = scripted([
    `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(9000)}\r\nContent-Length: 0\r\n\r\n`,
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await assert.rejects(client.get("/").wait(), HttpResponseError);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: Content-Length over maxResponseLength fails right after the head", async () => {
  const srv = scripted(["HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n"]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { maxResponseLength: 1000 });
  try {
    await assert.rejects(client.get("/").wait(), (e: Error) => {
      assert.ok(e instanceof HttpResponseError);
      assert.match(e.message, /2000/);
      return true;
    });
    assert.equal(client.isConnected, false);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: HEAD and 304 with a Content-Length over maxResponseLength succeed", async () => {
  // Neither has a body: the length describes what a GET would have got.
  const srv = scripted([
    "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n",
    'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\nContent-Length: 5000000\r\n\r\n',
    ok("after"),
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { maxResponseLength: 1000 });
  try {
    const head = await client.head("/big.iso").wait();
    assert.equal(head!.status, 200);
    assert.equal(head!.contentLength, 5000000);
    assert.equal(head!.data.length, 0);
    const notModified = await client.get("/big.iso", { headers: { "if-none-match": '"a"' } })
      .wait();
    assert.equal(notModified!.status, 304);
    assert.equal(notModified!.data.length, 0);
    assert.equal((await client.get("/").wait())!.text(), "after");
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: chunked body growing over maxResponseLength fails", async () => {
  const chunk = "a".repeat(600);
  const srv = scripted([
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
  ]);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { maxResponseLength: 1000 });
  try {
    await assert.rejects(client.get("/").wait(), HttpResponseError);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: binary body round trip (all byte values)", async () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const srv = rawServer((_req, s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 256\r\n\r\n`);
    s.write(all);
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const res = await client.get("/image.png").wait();
    assert.deepEqual(res!.data, all);
    assert.deepEqual(bytes(""), new Uint8Array(0));
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: a large Content-Length body in pieces arrives whole, and the connection is reused", async () => {
  const size = 300_000;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + (i >> 9)) & 255;
  const head = bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
  const first = new Uint8Array(head.length + 1000);
  first.set(head);
  first.set(body.subarray(0, 1000), head.length);
  const srv = rawServer(async (req, s) => {
    if (req.method === "HEAD") {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      return;
    }
    if (req.target === "/small") {
      s.write(ok("after"));
      return;
    }
    // Head with the first bytes, then the rest in uneven pieces.
    s.write(first);
    for (const [from, to] of [[1000, 70_000], [70_000, 70_001], [70_001, size]]) {
      await delay(2);
      s.write(body.subarray(from, to));
    }
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    for (let round = 0; round < 2; round++) {
      const res = await client.get("/").wait();
      assert.equal(res!.data.length, size);
      assert.deepEqual(res!.data, body);
      const small = await client.get("/small").wait();
      assert.equal(small!.text(), "after");
    }
    const h = await client.head("/").wait();
    assert.equal(h!.data.length, 0);
    assert.equal(h!.contentLength, size);
    assert.equal((await client.get("/small").wait())!.text(), "after");
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("framing: a large Content-Length body cut short is an HttpResponseError", async () => {
  const srv = rawServer((_req, s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n${"x".repeat(100_000)}`);
    s.close();
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await assert.rejects(client.get("/").wait(), HttpResponseError);
    assert.equal(client.isConnected, false);
  } finally {
    client.close();
    await srv.close();
  }
});
