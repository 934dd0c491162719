/**
 * Fault and load tests against live servers: client disconnects at every phase
 * (with the server's open sockets counted through /proc), slowloris against
 * `requestTimeout`, a connection flood against `maxWaitingClients`, 2000
 * concurrent keep-alive connections, and a large upload to file checked by
 * SHA-256 (64 MiB; 1 GiB with `UHTTP_LONG=1`) through upload_server.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bytes,
  delay,
  ECHO_SERVER,
  echoOf,
  latin1,
  pool,
  RawConn,
  type ServerProcess,
  simpleGet,
  startServer,
  type WireResponse,
} from "./_helpers.ts";
import { checkError } from "./_runner.ts";

const REQUEST_TIMEOUT = 1000;
const LONG = process.env.UHTTP_LONG === "1";
const UPLOAD_BYTES = LONG ? 1024 * 1024 * 1024 : 64 * 1024 * 1024;
const UPLOAD_SERVER = fileURLToPath(new URL("./upload_server.ts", import.meta.url));

// Server A: short request timeout, room for thousands of connections.
let serverA: Promise<ServerProcess> | null = null;
function echoA(): Promise<ServerProcess> {
  serverA ??= startServer(ECHO_SERVER, [
    "--port",
    "0",
    "--request-timeout",
    String(REQUEST_TIMEOUT),
    "--max-clients",
    "4096",
  ]);
  return serverA;
}

/** TCP sockets (listener included) a process holds, from /proc; null where not available. */
function socketCount(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/fd`) || !existsSync("/proc/net/tcp")) {
    return null;
  }
  const tcp = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "latin1").split("\n").slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode && inode !== "0") tcp.add(inode);
    }
  }
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && tcp.has(m[1]!)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** Open file descriptors of a process that point into `dir` (Linux /proc), or null. */
function filesUnder(pid: number | undefined, prefix: string): string[] | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/fd`)) return null;
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const l = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (l.startsWith(prefix)) out.push(l);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

async function filesSettle(
  s: ServerProcess,
  prefix: string,
  what: string,
  ms = 3000,
): Promise<void> {
  const end = Date.now() + ms;
  let open = filesUnder(s.child.pid, prefix);
  while (open !== null && open.length > 0 && Date.now() < end) {
    await delay(25);
    open = filesUnder(s.child.pid, prefix);
  }
  assert.deepEqual(open ?? [], [], `${what}: file handles left open`);
}

/** Waits (polling /proc; there is no event to await) until the server holds at most `max` sockets. */
async function socketsSettle(
  s: ServerProcess,
  max: number,
  what: string,
  ms = 4000,
): Promise<void> {
  const end = Date.now() + ms;
  let n = socketCount(s.child.pid);
  if (n === null) return;
  while (n! > max && Date.now() < end) {
    await delay(25);
    n = socketCount(s.child.pid);
  }
  assert.ok(n! <= max, `${what}: the server still holds ${n} sockets (baseline ${max})`);
}

/** Baseline socket count of an idle server (listener plus runtime internals). */
async function baseline(s: ServerProcess): Promise<number> {
  await simpleGet(s.port, "/baseline");
  await delay(50);
  return socketCount(s.child.pid) ?? 0;
}

async function stillServing(s: ServerProcess, what: string): Promise<void> {
  assert.ok(s.alive(), `server died after ${what}: ${s.stderr().slice(0, 2000)}`);
  const t0 = Date.now();
  const r = await simpleGet(s.port, "/alive", 2000);
  assert.equal(r.status, 200, `normal request after ${what}`);
  assert.equal(echoOf(r).target, "/alive");
  assert.ok(Date.now() - t0 < 1000, `normal request after ${what} took ${Date.now() - t0} ms`);
}

test("client disconnect mid-head (close and reset) leaves the server serving, nothing held", {
  timeout: 30_000,
}, async () => {
  const s = await echoA();
  const base = await baseline(s);
  const head = `GET /x HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(100)}\r\n\r\n`;
  await pool(Array.from({ length: 60 }, (_, i) => i), 20, async (i) => {
    const c = await RawConn.open(s.port);
    await c.write(head.slice(0, 1 + (i * 7) % (head.length - 2)));
    await delay(5);
    if (i % 2 === 0) await c.close();
    else await c.reset();
  });
  await stillServing(s, "disconnects mid-head");
  await socketsSettle(s, base, "disconnects mid-head");
});

test("client disconnect mid-body (CL and chunked) leaves the server serving, nothing held", {
  timeout: 30_000,
}, async () => {
  const s = await echoA();
  const base = await baseline(s);
  await pool(Array.from({ length: 40 }, (_, i) => i), 20, async (i) => {
    const c = await RawConn.open(s.port);
    if (i % 2 === 0) {
      await c.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n`);
      await c.write(new Uint8Array(1000 + i * 2000));
    } else {
      await c.write(`POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
      await c.write(`4000\r\n${"b".repeat(0x4000)}\r\n400\r\n${"c".repeat(i * 10)}`);
    }
    await delay(5);
    if (i % 4 < 2) await c.close();
    else await c.reset();
  });
  await stillServing(s, "disconnects mid-body");
  await socketsSettle(s, base, "disconnects mid-body");
});

test("client disconnect mid-response (large pipelined responses) leaves the server serving", {
  timeout: 30_000,
}, async () => {
  const s = await echoA();
  const base = await baseline(s);
  const body = "z".repeat(400 * 1024);
  const one = `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const eight = bytes(one.repeat(8));
  await pool(Array.from({ length: 12 }, (_, i) => i), 12, async (i) => {
    const c = await RawConn.open(s.port);
    void c.write(eight);
    // Wait for the first response bytes, then leave with ~4 MiB still to send.
    const end = Date.now() + 3000;
    while (c.received < 1000 && !c.closed && Date.now() < end) await delay(5);
    assert.ok(c.received > 0, "no response bytes before the disconnect");
    if (i % 2 === 0) await c.close();
    else await c.reset();
  });
  await stillServing(s, "disconnects mid-response");
  await socketsSettle(s, base, "disconnects mid-response");
});

test(
  "slowloris: 100 byte-a-tick connections do not delay a normal client and are cut at requestTimeout",
  { timeout: 30_000 },
  async () => {
    const s = await echoA();
    const base = await baseline(s);
    const slow: { c: RawConn; started: number; cutAfter: number }[] = [];
    for (let i = 0; i < 100; i++) {
      const c = await RawConn.open(s.port);
      await c.write("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      slow.push({ c, started: Date.now(), cutAfter: -1 });
    }
    let ticking = true;
    const tick = setInterval(() => {
      if (!ticking) return;
      for (const x of slow) {
        if (!x.c.closed) void x.c.write("a");
        else if (x.cutAfter < 0) x.cutAfter = Date.now() - x.started;
      }
    }, 200);
    try {
      // A normal client meanwhile: every request answered quickly.
      const latencies: number[] = [];
      for (let i = 0; i < 8; i++) {
        const t0 = Date.now();
        const r = await simpleGet(s.port, `/fast${i}`, 2000);
        latencies.push(Date.now() - t0);
        assert.equal(r.status, 200);
        await delay(50);
      }
      assert.ok(
        Math.max(...latencies) < 300,
        `normal client latencies under slowloris: ${latencies} ms`,
      );
      // Every slow connection is cut once requestTimeout has passed.
      const deadline = Date.now() + REQUEST_TIMEOUT + 2500;
      while (slow.some((x) => !x.c.closed) && Date.now() < deadline) await delay(50);
      const open = slow.filter((x) => !x.c.closed).length;
      assert.equal(
        open,
        0,
        `${open} of 100 slowloris connections still open ${
          REQUEST_TIMEOUT + 2500
        } ms after requestTimeout ${REQUEST_TIMEOUT} ms (does the echo server take --request-timeout?)`,
      );
      for (const x of slow) {
        const b = x.c.buffered;
        if (b.length === 0) continue;
        const r = await x.c.readResponse(10);
        assert.ok(
          typeof r !== "string",
          `slowloris connection got a partial response: ${
            JSON.stringify(latin1(b, 0, Math.min(200, b.length)))
          }`,
        );
        assert.equal(r.status, 408, "slowloris connection answered with something else than 408");
        checkError(r, bytes("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: "), "408");
      }
    } finally {
      ticking = false;
      clearInterval(tick);
      await Promise.all(slow.map((x) => x.c.close()));
    }
    await stillServing(s, "slowloris");
    await socketsSettle(s, base, "slowloris");
  },
);

test("2000 concurrent keep-alive connections are all served, twice each, with zero errors", {
  timeout: 30_000,
}, async () => {
  const s = await echoA();
  const base = await baseline(s);
  const N = 2000;
  const t0 = Date.now();
  const errors: string[] = [];
  const ask = async (c: RawConn, round: number, i: number) => {
    await c.write(`GET /${round}/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const r = await c.readResponse(10_000);
    if (typeof r === "string") errors.push(`${round}/${i}: ${r}`);
    else if (r.status !== 200 || echoOf(r).target !== `/${round}/${i}`) {
      errors.push(`${round}/${i}: ${r.statusLine}`);
    }
  };
  // Round 0: each connection asks as soon as it is open (an idle new connection may
  // rightly be cut at requestTimeout); they all stay open.
  const conns = await pool(Array.from({ length: N }, (_, i) => i), 256, async (i) => {
    const c = await RawConn.open(s.port);
    await ask(c, 0, i);
    return c;
  });
  try {
    // Round 1: all 2000 kept-alive connections at once.
    await Promise.all(conns.map((c, i) => ask(c, 1, i)));
    assert.deepEqual(errors.slice(0, 10), [], `${errors.length} errors of ${N * 2} requests`);
    const dropped = conns.filter((c) => c.closed).length;
    assert.equal(dropped, 0, `${dropped} keep-alive connections were closed by the server`);
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  console.log(`2000 keep-alive connections x 2 requests in ${Date.now() - t0} ms`);
  await stillServing(s, "2000 connections");
  await socketsSettle(s, base, "2000 connections", 8000);
});

test(
  "connection flood beyond maxWaitingClients is held at the limit",
  { timeout: 30_000 },
  async () => {
    const LIMIT = 20;
    const s = await startServer(ECHO_SERVER, ["--port", "0", "--max-clients", String(LIMIT)]);
    const conns: RawConn[] = [];
    try {
      const base = await baseline(s);
      for (let i = 0; i < LIMIT * 3; i++) {
        conns.push(await RawConn.open(s.port));
        await delay(1);
      }
      // The server must close the surplus: at most LIMIT stay open.
      const end = Date.now() + 3000;
      const open = () => conns.filter((c) => !c.closed).length;
      while (open() > LIMIT && Date.now() < end) await delay(20);
      assert.ok(
        open() <= LIMIT,
        `${open()} of ${conns.length} connections open with maxWaitingClients ${LIMIT} (does the echo server take --max-clients?)`,
      );
      const held = socketCount(s.child.pid);
      if (held !== null) {
        assert.ok(
          held <= base + LIMIT,
          `server holds ${held} sockets (baseline ${base}, limit ${LIMIT})`,
        );
      }
      for (const c of conns) {
        if (!c.closed || c.buffered.length === 0) continue;
        const r = await c.readResponse(10);
        assert.ok(typeof r !== "string", "partial response to a dropped connection");
        assert.equal(r.status, 503, `dropped connection answered ${r.statusLine}`);
      }
      // A normal client still gets through (the oldest idle one makes room).
      await stillServing(s, "the flood");
    } finally {
      await Promise.all(conns.map((c) => c.close()));
      await s.stop();
    }
  },
);

// ---- event mode: uploads to file ----------------------------------------------------

let upload: Promise<ServerProcess | string> | null = null;
let uploadDir = "";
function uploadServer(): Promise<ServerProcess | string> {
  upload ??= (async () => {
    uploadDir = mkdtempSync(join(tmpdir(), "uhttp-upload-"));
    try {
      return await startServer(UPLOAD_SERVER, ["--port", "0", "--dir", uploadDir]);
    } catch (e) {
      return `upload server (HttpServer event mode) not available: ${
        (e as Error).message.slice(0, 300)
      }`;
    }
  })();
  return upload;
}

function sha256File(path: string): { hex: string; size: number } {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  const buf = new Uint8Array(1 << 20);
  let size = 0;
  try {
    while (true) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { hex: h.digest("hex"), size };
}

/** Deterministic pseudo-random 1 MiB blocks, each stamped with its index. */
function block(i: number): Uint8Array {
  const b = new Uint8Array(1 << 20);
  let x = (i * 2654435761) >>> 0 || 1;
  for (let j = 0; j < b.length; j += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[j] = x & 0xff;
    b[j + 1] = (x >>> 8) & 0xff;
    b[j + 2] = (x >>> 16) & 0xff;
    b[j + 3] = (x >>> 24) & 0xff;
  }
  b[0] = i & 0xff;
  b[1] = (i >>> 8) & 0xff;
  return b;
}

async function waitGone(path: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (existsSync(path) && Date.now() < end) await delay(25);
  return !existsSync(path);
}

test(`upload of ${UPLOAD_BYTES >> 20} MiB to file arrives with the same SHA-256`, {
  timeout: LONG ? 900_000 : 60_000,
}, async () => {
  const s = await uploadServer();
  if (typeof s === "string") {
    console.log(`SKIPPED: ${s}`);
    return;
  }
  const c = await RawConn.open(s.port);
  const path = join(uploadDir, "big.bin");
  try {
    const h = createHash("sha256");
    await c.write(
      `PUT /upload/big.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`,
    );
    const t0 = Date.now();
    for (let i = 0; i < UPLOAD_BYTES >> 20; i++) {
      const b = block(i);
      h.update(b);
      await c.write(b);
      assert.ok(!c.closed, `server closed the upload after ${i} MiB`);
    }
    const r = await c.readResponse(LONG ? 120_000 : 20_000);
    assert.ok(typeof r !== "string", `no response after the upload (${r})`);
    assert.equal(r.status, 200, (r as WireResponse).statusLine);
    assert.equal(echoOf(r).target, "/upload/big.bin");
    const file = sha256File(path);
    assert.equal(file.size, UPLOAD_BYTES, "uploaded file size");
    assert.equal(file.hex, h.digest("hex"), "uploaded file SHA-256");
    console.log(`uploaded ${UPLOAD_BYTES >> 20} MiB to file in ${Date.now() - t0} ms`);
  } finally {
    await c.close();
    rmSync(path, { force: true });
  }
});

test("disconnect mid-upload-to-file removes the partial file and leaves the server serving", {
  timeout: 30_000,
}, async () => {
  const s = await uploadServer();
  if (typeof s === "string") {
    console.log(`SKIPPED: ${s}`);
    return;
  }
  const base = await baseline(s);
  for (const how of ["close", "reset"] as const) {
    const path = join(uploadDir, `partial-${how}.bin`);
    const c = await RawConn.open(s.port);
    await c.write(
      `PUT /upload/partial-${how}.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n`,
    );
    await c.write(block(1));
    const end = Date.now() + 3000;
    while (!existsSync(path) && Date.now() < end) await delay(10);
    assert.ok(existsSync(path), "the upload file was never created");
    if (how === "close") await c.close();
    else await c.reset();
    assert.ok(await waitGone(path, 3000), `partial file left behind after a client ${how}`);
  }
  assert.deepEqual(readdirSync(uploadDir), [], "files left in the upload directory");
  await filesSettle(s, uploadDir, "disconnects mid-upload");
  await stillServing(s, "disconnects mid-upload");
  await socketsSettle(s, base, "disconnects mid-upload");
});

test("client disconnect mid-file and mid-stream releases the socket and the file handle", {
  timeout: 30_000,
}, async () => {
  const s = await uploadServer();
  if (typeof s === "string") {
    console.log(`SKIPPED: ${s}`);
    return;
  }
  const base = await baseline(s);
  const served = `${uploadDir}-served.bin`;
  await pool(Array.from({ length: 16 }, (_, i) => i), 16, async (i) => {
    const c = await RawConn.open(s.port);
    await c.write(`GET ${i % 2 === 0 ? "/file" : "/stream"} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const end = Date.now() + 3000;
    while (c.received < 100_000 && !c.closed && Date.now() < end) await delay(5);
    assert.ok(
      c.received >= 100_000,
      `only ${c.received} bytes of ${i % 2 === 0 ? "the file" : "the stream"} came`,
    );
    if (i % 4 < 2) await c.close();
    else await c.reset();
  });
  await filesSettle(s, served, "disconnects mid-file");
  await socketsSettle(s, base, "disconnects mid-file and mid-stream");
  await stillServing(s, "disconnects mid-file and mid-stream");
  // And a whole file still arrives byte-exact.
  const c = await RawConn.open(s.port);
  try {
    await c.write("GET /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const r = await c.readResponse(10_000);
    assert.ok(typeof r !== "string", `no whole file (${r})`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 8 * 1024 * 1024);
    assert.ok(r.body.every((b) => b === 0x61), "file content differs");
  } finally {
    await c.close();
  }
});

test("event mode: a body the application does not read is never parsed as a request", {
  timeout: 30_000,
}, async () => {
  const s = await uploadServer();
  if (typeof s === "string") {
    console.log(`SKIPPED: ${s}`);
    return;
  }
  const smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  const c = await RawConn.open(s.port);
  try {
    // The head alone: the application answers 401 without reading the body...
    await c.write(`POST /reject HTTP/1.1\r\nHost: x\r\nContent-Length: ${smuggled.length}\r\n\r\n`);
    const r = await c.readResponse(3000);
    assert.ok(typeof r !== "string", `no response to /reject (${r})`);
    assert.equal(r.status, 401);
    // ...then the body, which looks like a request, and a real next request.
    await c.write(smuggled);
    await c.write("GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // Either the server drained the body (the next response is /next) or it closed.
    const n = await c.readResponse(3000);
    if (typeof n !== "string") {
      assert.equal(
        echoOf(n).target,
        "/next",
        `a smuggled request was answered: ${n.statusLine} ${latin1(n.body)}`,
      );
    } else {
      assert.equal(n, "closed", "the connection hangs after an unread body");
      assert.equal(c.buffered.length, 0, "partial response");
    }
  } finally {
    await c.close();
  }
});

test("fault servers stop cleanly", { timeout: 30_000 }, async () => {
  const a = await echoA();
  await stillServing(a, "all fault tests");
  await a.stop();
  assert.ok(
    !/uncaught|panicked/i.test(a.stderr()),
    `echo server stderr: ${a.stderr().slice(0, 2000)}`,
  );
  const u = await uploadServer();
  if (typeof u !== "string") {
    await u.stop();
    assert.ok(
      !/uncaught|panicked/i.test(u.stderr()),
      `upload server stderr: ${u.stderr().slice(0, 2000)}`,
    );
  }
  if (uploadDir) {
    rmSync(uploadDir, { recursive: true, force: true });
    rmSync(`${uploadDir}-served.bin`, { force: true });
  }
});
