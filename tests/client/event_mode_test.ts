import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_RESPONSE,
  HttpClient,
  type HttpResponse,
  HttpResponseError,
} from "../../client/mod.ts";
import { ok, rawServer, type RawSocket } from "./_helpers.ts";

/** A server that sends the head, then body parts when the test says so. */
function slowServer() {
  let sock: RawSocket | null = null;
  let onReq: (() => void) | null = null;
  const srv = rawServer((_req, s) => {
    sock = s;
    onReq?.();
  });
  return {
    srv,
    socket: () =>
      new Promise<RawSocket>((resolve) => {
        if (sock) resolve(sock);
        else onReq = () => resolve(sock!);
      }),
  };
}

async function next(client: HttpClient): Promise<HttpResponse> {
  const res = await client.wait(3000);
  assert.ok(res, "an event");
  return res;
}

const CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;

test("event mode: EVENT_RESPONSE when the whole response was already there", async () => {
  const srv = rawServer((_req, s) => s.write(ok("small")));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { eventMode: true });
  try {
    const res = await next(client.get("/"));
    assert.equal(res.event, EVENT_RESPONSE);
    assert.equal(res.text(), "small");
    assert.equal(await client.wait(50), null);
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: a whole response over maxResponseLength waits for acceptBodyStreaming", async () => {
  const body = "0123456789abcdefghij";
  const srv = rawServer((_req, s) => s.write(ok(body)));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    eventMode: true,
    maxResponseLength: 10,
  });
  try {
    assert.equal((await next(client.get("/"))).event, EVENT_HEADERS);
    client.acceptBodyStreaming();
    let got = "";
    let ev;
    while ((ev = await next(client)).event === EVENT_DATA) {
      got += new TextDecoder().decode(client.readBuffer() ?? new Uint8Array(0));
    }
    assert.equal(ev.event, EVENT_COMPLETE);
    got += new TextDecoder().decode(client.readBuffer() ?? new Uint8Array(0));
    assert.equal(got, body);
    // The connection is in step for the next exchange.
    assert.equal((await next(client.get("/"))).event, EVENT_HEADERS);
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: acceptBody buffers the rest, EVENT_COMPLETE", async () => {
  const { srv, socket } = slowServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    client.get("/", { stream: true });
    const s = await socket();
    s.write(CHUNKED_HEAD + chunk("abc"));
    const head = await next(client);
    assert.equal(head.event, EVENT_HEADERS);
    assert.equal(head.status, 200);
    client.acceptBody();
    s.write(chunk("def") + "0\r\n\r\n");
    const done = await next(client);
    assert.equal(done.event, EVENT_COMPLETE);
    assert.equal(done.text(), "abcdef");
    // Back to normal mode for the next request on the same connection.
    s.write(ok("plain"));
    assert.equal((await client.get("/").wait())!.text(), "plain");
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: acceptBodyStreaming with readBuffer", async () => {
  const { srv, socket } = slowServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { eventMode: true });
  try {
    client.get("/");
    const s = await socket();
    s.write(CHUNKED_HEAD + chunk("one,"));
    assert.equal((await next(client)).event, EVENT_HEADERS);
    client.acceptBodyStreaming();
    let got = "";
    let ev = await next(client);
    assert.equal(ev.event, EVENT_DATA);
    got += new TextDecoder().decode(client.readBuffer()!);
    s.write(chunk("two,"));
    ev = await next(client);
    assert.equal(ev.event, EVENT_DATA);
    got += new TextDecoder().decode(client.readBuffer()!);
    assert.equal(client.readBuffer(), null);
    s.write(chunk("three") + "0\r\n\r\n");
    while ((ev = await next(client)).event === EVENT_DATA) {
      got += new TextDecoder().decode(client.readBuffer() ?? new Uint8Array(0));
    }
    assert.equal(ev.event, EVENT_COMPLETE);
    got += new TextDecoder().decode(client.readBuffer() ?? new Uint8Array(0));
    assert.equal(got, "one,two,three");
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: acceptBodyToFile writes the body, bounded by its own maxLength", async () => {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-client-"));
  const big = "z".repeat(3000);
  let n = 0;
  const srv = rawServer((_req, s) => {
    n++;
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
    setTimeout(() => s.write(big), 5);
  });
  // maxResponseLength is smaller than the body: it bounds buffered bodies only.
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    eventMode: true,
    maxResponseLength: 100,
  });
  try {
    assert.equal((await next(client.get("/f"))).event, EVENT_HEADERS);
    client.acceptBodyToFile(join(dir, "out.bin"));
    let ev;
    while ((ev = await next(client)).event === EVENT_DATA);
    assert.equal(ev.event, EVENT_COMPLETE);
    assert.equal(readFileSync(join(dir, "out.bin"), "latin1"), big);

    assert.equal((await next(client.get("/f"))).event, EVENT_HEADERS);
    client.acceptBodyToFile(join(dir, "small.bin"), { maxLength: 1000 });
    ev = await next(client);
    assert.equal(ev.event, EVENT_ERROR);
    assert.ok(client.error instanceof HttpResponseError);
    assert.equal(n, 2);
  } finally {
    client.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("event mode: acceptNdjson with readRecord", async () => {
  const { srv, socket } = slowServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { eventMode: true });
  try {
    client.get("/events");
    const s = await socket();
    s.write(CHUNKED_HEAD + chunk('{"a":1}\n{"b"'));
    assert.equal((await next(client)).event, EVENT_HEADERS);
    client.acceptNdjson();
    const records: unknown[] = [];
    const drain = () => {
      let r: unknown;
      while ((r = client.readRecord()) !== undefined) records.push(r);
    };
    let ev = await next(client);
    assert.equal(ev.event, EVENT_DATA);
    drain();
    assert.deepEqual([...records], [{ a: 1 }]);
    s.write(chunk(":2}\n\n[3]") + "0\r\n\r\n");
    while ((ev = await next(client)).event === EVENT_DATA) drain();
    drain();
    assert.equal(ev.event, EVENT_COMPLETE);
    assert.deepEqual(records, [{ a: 1 }, { b: 2 }, [3]]);
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: response.body as a ReadableStream", async () => {
  const { srv, socket } = slowServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { eventMode: true });
  try {
    client.get("/");
    const s = await socket();
    s.write(CHUNKED_HEAD + chunk("web-"));
    const head = await next(client);
    assert.equal(head.event, EVENT_HEADERS);
    const body = head.body!;
    setTimeout(() => s.write(chunk("stream") + "0\r\n\r\n"), 10);
    const text = await new Response(body).text();
    assert.equal(text, "web-stream");
  } finally {
    client.close();
    await srv.close();
  }
});

test("event mode: a broken body gives EVENT_ERROR with client.error", async () => {
  const { srv, socket } = slowServer();
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { eventMode: true });
  try {
    client.get("/");
    const s = await socket();
    s.write(CHUNKED_HEAD + chunk("ok"));
    assert.equal((await next(client)).event, EVENT_HEADERS);
    client.acceptBodyStreaming();
    s.write("zz\r\nbad\r\n");
    let ev;
    while ((ev = await next(client)).event === EVENT_DATA) client.readBuffer();
    assert.equal(ev.event, EVENT_ERROR);
    assert.ok(client.error instanceof HttpResponseError);
  } finally {
    client.close();
    await srv.close();
  }
});
