import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { get, withClient, withServer } from "./_raw_client.ts";

function fixtures(): { dir: string; big: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-file-"));
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 0xff;
  writeFileSync(join(dir, "empty.txt"), "");
  writeFileSync(join(dir, "hello.html"), "Hello, world!");
  writeFileSync(join(dir, "big.bin"), big);
  return { dir, big };
}

test("respondFile: byte-exact 0 B, 13 B and 1 MiB files with content types", async () => {
  const { dir, big } = fixtures();
  try {
    await withServer(
      { fileChunkSize: 16 * 1024 },
      (conn) => conn.respondFile(join(dir, conn.path)),
      async (
        server,
      ) => {
        await withClient(server.port, async (c) => {
          c.send(get("/empty.txt"));
          const e = (await c.readResponse())!;
          assert.equal(e.status, 200);
          assert.equal(e.body.length, 0);
          assert.equal(e.headers.get("content-length"), "0");
          assert.equal(e.headers.get("content-type"), "text/plain; charset=utf-8");
          c.send(get("/hello.html"));
          const h = (await c.readResponse())!;
          assert.equal(h.text, "Hello, world!");
          assert.equal(h.headers.get("content-type"), "text/html; charset=utf-8");
          c.send(get("/big.bin"));
          const b = (await c.readResponse("GET", 10_000))!;
          assert.equal(b.headers.get("content-length"), String(big.length));
          assert.equal(b.headers.get("content-type"), "application/octet-stream");
          assert.ok(Buffer.compare(b.body, big) === 0, "1 MiB body differs");
          // The connection is still usable afterwards.
          c.send(get("/hello.html"));
          assert.equal((await c.readResponse())?.text, "Hello, world!");
        });
      },
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("respondFile: 404 for a missing file or a directory", async () => {
  const { dir } = fixtures();
  try {
    await withServer({}, (conn) => conn.respondFile(join(dir, conn.path)), async (server) => {
      await withClient(server.port, async (c) => {
        for (const p of ["/nope.txt", "/"]) {
          c.send(get(p));
          const res = (await c.readResponse())!;
          assert.equal(res.status, 404, p);
          assert.equal(res.text, "Not found");
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("respondFile: ETag and Last-Modified give 304 on conditional GET", async () => {
  const { dir } = fixtures();
  try {
    await withServer({}, (conn) => conn.respondFile(join(dir, conn.path)), async (server) => {
      await withClient(server.port, async (c) => {
        c.send(get("/hello.html"));
        const first = (await c.readResponse())!;
        const etag = first.headers.get("etag")!;
        const lm = first.headers.get("last-modified")!;
        assert.ok(etag && lm);
        c.send(get("/hello.html", `If-None-Match: ${etag}\r\n`));
        const a = (await c.readResponse())!;
        assert.equal(a.status, 304);
        assert.equal(a.body.length, 0);
        assert.equal(a.headers.get("etag"), etag);
        c.send(get("/hello.html", `If-Modified-Since: ${lm}\r\n`));
        assert.equal((await c.readResponse())?.status, 304);
        c.send(get("/hello.html", `If-None-Match: "other"\r\n`));
        assert.equal((await c.readResponse())?.status, 200);
      });
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("respondFile: Range gives 206 with the exact bytes, 416 when unsatisfiable", async () => {
  const { dir, big } = fixtures();
  try {
    await withServer({}, (conn) => conn.respondFile(join(dir, conn.path)), async (server) => {
      await withClient(server.port, async (c) => {
        c.send(get("/hello.html", "Range: bytes=0-4\r\n"));
        const a = (await c.readResponse())!;
        assert.equal(a.status, 206);
        assert.equal(a.text, "Hello");
        assert.equal(a.headers.get("content-range"), "bytes 0-4/13");
        c.send(get("/hello.html", "Range: bytes=-6\r\n"));
        assert.equal((await c.readResponse())?.text, "world!");
        c.send(get("/big.bin", "Range: bytes=100000-\r\n"));
        const b = (await c.readResponse())!;
        assert.equal(b.status, 206);
        assert.ok(Buffer.compare(b.body, big.subarray(100000)) === 0);
        c.send(get("/hello.html", "Range: bytes=20-30\r\n"));
        const bad = (await c.readResponse())!;
        assert.equal(bad.status, 416);
        assert.equal(bad.headers.get("content-range"), "bytes */13");
      });
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("respondFile: HEAD sends the headers only", async () => {
  const { dir } = fixtures();
  try {
    await withServer({}, (conn) => conn.respondFile(join(dir, conn.path)), async (server) => {
      await withClient(server.port, async (c) => {
        c.send("HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
        const res = (await c.readResponse("HEAD"))!;
        assert.equal(res.headers.get("content-length"), String(1024 * 1024));
        assert.equal(res.body.length, 0);
        c.send(get("/hello.html"));
        assert.equal((await c.readResponse())?.text, "Hello, world!");
      });
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("respondFile: a client leaving mid-file leaves the server serving others", async () => {
  const { dir } = fixtures();
  try {
    await withServer({}, (conn) => conn.respondFile(join(dir, conn.path)), async (server) => {
      await withClient(server.port, async (c) => {
        c.send(get("/big.bin"));
        await new Promise((r) => setTimeout(r, 20));
      });
      await withClient(server.port, async (c) => {
        c.send(get("/hello.html"));
        assert.equal((await c.readResponse())?.text, "Hello, world!");
      });
      const deadline = performance.now() + 2000;
      while (server.connectionCount > 0 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(server.connectionCount, 0);
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
