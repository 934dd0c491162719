import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_REQUEST,
  type HttpConnection,
} from "../../server/mod.ts";
import { get, RawClient, withClient, withServer } from "./_raw_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function head(length: number | "chunked", extra = ""): string {
  const framing = length === "chunked"
    ? "Transfer-Encoding: chunked\r\n"
    : `Content-Length: ${length}\r\n`;
  return `POST /up HTTP/1.1\r\nHost: t\r\n${framing}${extra}\r\n`;
}

test("event mode: EVENT_REQUEST for a GET and for a small POST that came whole", async () => {
  const events: string[] = [];
  await withServer({ eventMode: true }, (conn) => {
    events.push(conn.event);
    conn.respond({ body: conn.text() });
  }, async (server) => {
    assert.equal(server.eventMode, true);
    await withClient(server.port, async (c) => {
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, '{"body":""}');
      c.send(head(5) + "hello");
      assert.equal((await c.readResponse())?.text, '{"body":"hello"}');
    });
  });
  assert.deepEqual(events, [EVENT_REQUEST, EVENT_REQUEST]);
});

test("event mode: a whole body over maxContentLength waits for the application", async () => {
  const events: string[] = [];
  let got = "";
  await withServer({ eventMode: true, maxContentLength: 10 }, (conn) => {
    events.push(conn.event);
    if (conn.event === EVENT_HEADERS) conn.acceptBodyStreaming();
    const data = conn.readBuffer();
    if (data) got += new TextDecoder().decode(data);
    if (conn.event === EVENT_COMPLETE || conn.event === EVENT_REQUEST) conn.respond({ got });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      const body = "0123456789abcdefghij";
      c.send(head(body.length) + body);
      assert.equal((await c.readResponse())?.text, `{"got":"${body}"}`);
      // The connection is in step for the next request.
      c.send(get("/"));
      assert.equal((await c.readResponse())?.text, `{"got":"${body}"}`);
    });
  });
  assert.deepEqual(events.filter((e) => e !== EVENT_DATA), [
    EVENT_HEADERS,
    EVENT_COMPLETE,
    EVENT_REQUEST,
  ]);
});

test("event mode: acceptBody() buffers, then EVENT_COMPLETE with data", async () => {
  const events: string[] = [];
  await withServer({ eventMode: true }, (conn) => {
    events.push(conn.event);
    if (conn.event === EVENT_HEADERS) conn.acceptBody();
    else if (conn.event === EVENT_COMPLETE) conn.respond({ data: conn.data });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      const body = '{"a":[1,2,3]}';
      c.send(head(body.length, "Content-Type: application/json\r\nExpect: 100-continue\r\n"));
      const deadline = performance.now() + 2000;
      while (!c.receivedText.includes("100 Continue") && performance.now() < deadline) {
        await sleep(5);
      }
      c.send(body);
      const res = (await c.readResponse())!;
      assert.deepEqual(res.informational, [100]);
      assert.equal(res.text, `{"data":${body}}`);
    });
  });
  assert.deepEqual(events, [EVENT_HEADERS, EVENT_COMPLETE]);
});

test("event mode: acceptBodyStreaming() gives EVENT_DATA and readBuffer(), chunked too", async () => {
  const events: string[] = [];
  await withServer({ eventMode: true }, (conn) => {
    events.push(conn.event);
    if (conn.event === EVENT_HEADERS) {
      conn.context = { total: conn.acceptBodyStreaming(), parts: [] as string[] };
      const first = conn.readBuffer();
      if (first) conn.context.parts.push(new TextDecoder().decode(first));
    } else if (conn.event === EVENT_DATA || conn.event === EVENT_COMPLETE) {
      const data = conn.readBuffer();
      if (data) conn.context.parts.push(new TextDecoder().decode(data));
      if (conn.event === EVENT_COMPLETE) conn.respond({ got: conn.context.parts.join("") });
    }
  }, async (server) => {
    for (const framing of [12, "chunked"] as const) {
      events.length = 0;
      await withClient(server.port, async (c) => {
        c.send(head(framing));
        const pieces = ["hello ", "there ", "!"];
        for (const p of framing === "chunked" ? pieces : pieces.slice(0, 2)) {
          await sleep(30);
          c.send(framing === "chunked" ? `${p.length.toString(16)}\r\n${p}\r\n` : p);
        }
        if (framing === "chunked") c.send("0\r\n\r\n");
        const res = (await c.readResponse())!;
        assert.equal(
          res.text,
          framing === "chunked" ? '{"got":"hello there !"}' : '{"got":"hello there "}',
        );
      });
      assert.equal(events[0], EVENT_HEADERS);
      assert.ok(events.includes(EVENT_DATA));
      assert.equal(events.at(-1), EVENT_COMPLETE);
    }
  });
});

test("event mode: acceptBodyToFile() writes the body to the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-up-"));
  const path = join(dir, "up.bin");
  try {
    await withServer({ eventMode: true }, (conn) => {
      if (conn.event === EVENT_HEADERS) conn.acceptBodyToFile(path);
      else if (conn.event === EVENT_COMPLETE) conn.respond({ n: conn.bytesReceived });
    }, async (server) => {
      await withClient(server.port, async (c) => {
        const body = "x".repeat(100_000);
        c.send(head(body.length));
        await sleep(20);
        c.send(body.slice(0, 50_000));
        await sleep(20);
        c.send(body.slice(50_000));
        assert.equal((await c.readResponse())?.text, '{"n":100000}');
      });
    });
    assert.equal(readFileSync(path, "latin1"), "x".repeat(100_000));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("event mode: a disconnect mid-upload removes the partial file and gives EVENT_ERROR", async () => {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-up-"));
  const path = join(dir, "partial.bin");
  const events: string[] = [];
  let error: string | null = null;
  let accepted = false;
  try {
    await withServer({ eventMode: true }, (conn) => {
      events.push(conn.event);
      if (conn.event === EVENT_HEADERS) {
        conn.acceptBodyToFile(path);
        accepted = true;
      } else if (conn.event === EVENT_ERROR) error = conn.error;
    }, async (server) => {
      const c = await RawClient.connect(server.port);
      c.send(head(1_000_000));
      await sleep(20);
      c.send("y".repeat(1000));
      const deadline = performance.now() + 2000;
      while (!(accepted && existsSync(path)) && performance.now() < deadline) await sleep(5);
      assert.ok(existsSync(path));
      await c.abort();
      while (error === null && performance.now() < deadline) await sleep(5);
    });
    assert.deepEqual(events, [EVENT_HEADERS, EVENT_ERROR]);
    assert.ok(error);
    assert.equal(existsSync(path), false);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("event mode: responding at EVENT_HEADERS without reading the body", async () => {
  let seen: HttpConnection | null = null;
  await withServer({ eventMode: true }, (conn) => {
    seen = conn;
    if (conn.event === EVENT_HEADERS) conn.respond("Too big", { status: 413 });
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(head(10_000_000, "Expect: 100-continue\r\n"));
      const res = (await c.readResponse())!;
      assert.deepEqual(res.informational, []);
      assert.equal(res.status, 413);
      assert.equal(res.headers.get("connection"), "close");
      assert.ok(await c.closedWithin(3000));
    });
  });
  assert.equal(seen!.event, EVENT_HEADERS);
});

test("event mode: a streamed upload over maxUploadLength gets 413 and EVENT_ERROR", async () => {
  const events: string[] = [];
  await withServer({ eventMode: true, maxUploadLength: 1000 }, (conn) => {
    events.push(conn.event);
    if (conn.event === EVENT_HEADERS) conn.acceptBodyStreaming();
    conn.readBuffer();
  }, async (server) => {
    await withClient(server.port, async (c) => {
      c.send(head("chunked"));
      await sleep(20);
      c.send("3e8\r\n" + "a".repeat(1000) + "\r\n");
      c.send("10\r\n" + "b".repeat(16) + "\r\n");
      const res = (await c.readResponse())!;
      assert.equal(res.status, 413);
    });
    const deadline = performance.now() + 1000;
    while (!events.includes(EVENT_ERROR) && performance.now() < deadline) await sleep(5);
  });
  assert.equal(events[0], EVENT_HEADERS);
  assert.equal(events.at(-1), EVENT_ERROR);
});
