/**
 * Real peers. As clients of the echo server: curl, Python's http.client and
 * urllib, and the runtime's own fetch — they must read our responses the way we
 * meant them (status, echoed body, keep-alive). As servers for our HttpClient:
 * Deno.serve / Bun.serve (whichever runtime runs the test) and
 * `python3 -m http.server`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Echo, RUNTIME, type ServerProcess, startServer } from "./_helpers.ts";

let server: Promise<ServerProcess> | null = null;
function echo(): Promise<ServerProcess> {
  server ??= startServer();
  return server;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell) and collects its output. */
function run(cmd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const p = execFile(
      cmd,
      args,
      { timeout: 20_000, maxBuffer: 64 << 20, encoding: "latin1" },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) p.stdin!.end(input);
  });
}

/** Whether a command exists on this machine. */
async function have(cmd: string, arg = "--version"): Promise<boolean> {
  const r = await run(cmd, [arg]);
  return r.code === 0;
}

const b64 = (s: string) => btoa(s);

// ---- clients of our server ----------------------------------------------------------

/** curl: body to stdout, then a line with the status and the connection count. */
async function curl(args: string[]): Promise<{ status: number; body: string; stderr: string }> {
  const r = await run("curl", ["-sS", "--max-time", "10", "-w", "\n@@%{http_code}", ...args]);
  assert.equal(r.code, 0, `curl ${args.join(" ")} failed: ${r.stderr}`);
  const parts = r.stdout.split("\n@@");
  const last = parts.pop()!.split(" ");
  return {
    status: Number(last[0]),
    body: parts.join("\n@@"),
    stderr: r.stderr,
  };
}

test("curl: GET with query and headers", { timeout: 30_000 }, async () => {
  if (!(await have("curl"))) return console.log("SKIPPED: curl not installed");
  const s = await echo();
  const r = await curl(["-H", "X-Curl: a b", `http://127.0.0.1:${s.port}/c?x=1&y`]);
  assert.equal(r.status, 200);
  const e = JSON.parse(r.body) as Echo;
  assert.equal(e.method, "GET");
  assert.equal(e.target, "/c?x=1&y");
  assert.equal(e.version, "1.1");
  assert.deepEqual(e.headers.find(([k]) => k === "x-curl"), ["x-curl", "a b"]);
  assert.deepEqual(e.headers[0], ["host", `127.0.0.1:${s.port}`]);
});

test("curl: POST binary body, chunked upload, large body", { timeout: 30_000 }, async () => {
  const s = await echo();
  const url = `http://127.0.0.1:${s.port}/p`;
  const r1 = await curl(["--data-binary", "hello world", url]);
  assert.equal(r1.status, 200);
  assert.equal((JSON.parse(r1.body) as Echo).body, b64("hello world"));
  const r2 = await curl(["-H", "Transfer-Encoding: chunked", "--data-binary", "chunky", url]);
  const e2 = JSON.parse(r2.body) as Echo;
  assert.equal(e2.body, b64("chunky"));
  assert.ok(
    e2.headers.some(([k, v]) => k === "transfer-encoding" && v === "chunked"),
    "curl did not send chunked",
  );
  const dir = mkdtempSync(join(tmpdir(), "uhttp-peers-"));
  try {
    const big = "0123456789abcdef".repeat(20_000); // 320 000 bytes
    writeFileSync(join(dir, "big.txt"), big);
    const r3 = await curl(["--data-binary", `@${join(dir, "big.txt")}`, url]);
    assert.equal(r3.status, 200);
    assert.equal((JSON.parse(r3.body) as Echo).body, b64(big));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("curl: Expect 100-continue gets 100 before the body", { timeout: 30_000 }, async () => {
  const s = await echo();
  const r = await run("curl", [
    "-sS",
    "-v",
    "--max-time",
    "10",
    "--expect100-timeout",
    "5",
    "-H",
    "Expect: 100-continue",
    "--data-binary",
    "after-100",
    "-w",
    "\n@@%{http_code} %{time_total}",
    `http://127.0.0.1:${s.port}/e`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /< HTTP\/1\.1 100 Continue/);
  const [body, tail] = r.stdout.split("\n@@") as [string, string];
  const [status, time] = tail.split(" ");
  assert.equal(status, "200");
  assert.ok(Number(time) < 2, `curl waited ${time} s (did the 100 come?)`);
  assert.equal((JSON.parse(body) as Echo).body, b64("after-100"));
});

test(
  "curl: keep-alive reuse, HEAD, HTTP/1.0, and an error response",
  { timeout: 30_000 },
  async () => {
    const s = await echo();
    const base = `http://127.0.0.1:${s.port}`;
    const r = await run("curl", [
      "-sS",
      "-v",
      "--max-time",
      "10",
      "-o",
      "/dev/null",
      "-o",
      "/dev/null",
      `${base}/a`,
      `${base}/b`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Re-using existing connection|Reusing existing/i,
      "curl did not reuse the connection",
    );
    const h = await run("curl", ["-sS", "-I", "--max-time", "10", `${base}/h`]);
    assert.match(h.stdout, /^HTTP\/1\.1 200 /);
    assert.match(h.stdout, /content-length: \d+/i);
    const ten = await curl(["--http1.0", `${base}/ten`]);
    assert.equal((JSON.parse(ten.body) as Echo).version, "1.0");
    const bad = await run("curl", ["-sS", "-i", "--max-time", "10", "-X", "FOO", `${base}/x`]);
    assert.match(bad.stdout, /^HTTP\/1\.1 501 /);
    assert.match(bad.stdout, /connection: close/i);
    assert.match(bad.stdout, /content-type: text\/plain/i);
  },
);

const PY_CLIENT = String.raw`
import http.client, json, sys, base64, urllib.request
port = int(sys.argv[1]); out = {}
def echo(r): return json.loads(r.read())
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("GET", "/py?x=1", headers={"X-Py": "1"}); r = c.getresponse()
out["get"] = [r.status, echo(r)]; s1 = c.sock
c.request("POST", "/post", body=b"hello\x00\xff", headers={"Content-Type": "application/octet-stream"}); r = c.getresponse()
out["post"] = [r.status, echo(r)]
c.request("PUT", "/chunked", body=iter([b"ab", b"cd"]), encode_chunked=True); r = c.getresponse()
out["chunked"] = [r.status, echo(r)]
c.request("HEAD", "/head"); r = c.getresponse()
out["head"] = [r.status, r.read() == b"", r.getheader("content-length")]
c.request("GET", "/after-head"); r = c.getresponse()
out["afterHead"] = [r.status, echo(r)]
out["sameSocket"] = c.sock is s1 and s1 is not None
c.putrequest("POST", "/bad"); c.putheader("Transfer-Encoding", "gzip"); c.endheaders(); r = c.getresponse()
out["bad"] = [r.status, r.getheader("connection"), r.getheader("content-type"), r.read().decode("latin-1")]
c.close()
with urllib.request.urlopen(f"http://127.0.0.1:{port}/u?q=%20") as r:
    out["urllibGet"] = [r.status, echo(r)]
req = urllib.request.Request(f"http://127.0.0.1:{port}/u2", data=b"x=1&y=2", method="POST")
with urllib.request.urlopen(req) as r:
    out["urllibPost"] = [r.status, echo(r)]
print(json.dumps(out))
`;

test("Python http.client and urllib agree with us", { timeout: 30_000 }, async () => {
  if (!(await have("python3"))) return console.log("SKIPPED: python3 not installed");
  const s = await echo();
  const r = await run("python3", ["-c", PY_CLIENT, String(s.port)]);
  assert.equal(r.code, 0, `python failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout) as Record<string, [number, Echo] & unknown[]>;
  assert.equal(o.get![0], 200);
  assert.equal(o.get![1].target, "/py?x=1");
  assert.ok(o.get![1].headers.some(([k, v]) => k === "x-py" && v === "1"));
  assert.equal(o.post![1].body, b64("hello\x00\xff"));
  assert.equal(o.chunked![1].body, b64("abcd"));
  assert.equal(o.chunked![1].method, "PUT");
  assert.deepEqual(o.head!.slice(0, 2), [200, true]);
  assert.equal(o.afterHead![1].target, "/after-head");
  assert.equal(o.sameSocket as unknown, true, "http.client did not keep the connection alive");
  const bad = o.bad as unknown as [number, string, string, string];
  assert.equal(bad[0], 501);
  assert.equal(bad[1], "close");
  assert.match(bad[2], /^text\/plain/);
  assert.equal(o.urllibGet![1].target, "/u?q=%20");
  assert.equal(o.urllibPost![1].method, "POST");
  assert.equal(o.urllibPost![1].body, b64("x=1&y=2"));
});

test("the runtime's fetch agrees with us", { timeout: 30_000 }, async () => {
  const s = await echo();
  const base = `http://127.0.0.1:${s.port}`;
  const get = await fetch(`${base}/f?a=1`, { headers: { "X-Fetch": "yes" } });
  assert.equal(get.status, 200);
  const e1 = (await get.json()) as Echo;
  assert.equal(e1.target, "/f?a=1");
  assert.ok(e1.headers.some(([k, v]) => k === "x-fetch" && v === "yes"));
  const bytesBody = new Uint8Array([0, 1, 2, 253, 254, 255]);
  const post = await fetch(`${base}/bin`, { method: "POST", body: bytesBody });
  assert.equal(((await post.json()) as Echo).body, btoa(String.fromCharCode(...bytesBody)));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("streamed "));
      c.enqueue(new TextEncoder().encode("body"));
      c.close();
    },
  });
  const init = { method: "PUT", body: stream, duplex: "half" } as RequestInit;
  const put = await fetch(`${base}/stream`, init);
  assert.equal(put.status, 200);
  assert.equal(((await put.json()) as Echo).body, b64("streamed body"));
  const head = await fetch(`${base}/h`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${base}/seq/${i}`);
    assert.equal(((await r.json()) as Echo).target, `/seq/${i}`);
  }
  const big = "x".repeat(300_000);
  const r = await fetch(`${base}/big`, { method: "POST", body: big });
  assert.equal(((await r.json()) as Echo).body, b64(big));
});

// ---- servers for our client ----------------------------------------------------------

type ClientModule = typeof import("../../client/mod.ts");
let clientMod: ClientModule | string | null = null;
async function client(): Promise<ClientModule | string> {
  if (clientMod === null) {
    try {
      clientMod = await import("../../client/mod.ts");
      if (typeof clientMod.HttpClient !== "function") clientMod = "client/mod.ts has no HttpClient";
    } catch (e) {
      clientMod = `client/mod.ts not available: ${(e as Error).message.slice(0, 200)}`;
    }
  }
  return clientMod;
}

interface Native {
  port: number;
  stop(): Promise<void>;
}

function payload(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

async function nativeHandler(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/echo") {
    const body = new Uint8Array(await req.arrayBuffer());
    return Response.json({
      method: req.method,
      target: url.pathname + url.search,
      headers: [...req.headers],
      body: btoa(String.fromCharCode(...body)),
    });
  }
  if (url.pathname.startsWith("/bytes/")) {
    return new Response(payload(Number(url.pathname.slice(7))), {
      headers: { "content-type": "application/octet-stream" },
    });
  }
  if (url.pathname === "/stream") {
    let i = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (i === 5) return c.close();
          c.enqueue(new TextEncoder().encode(`part${i++};`));
        },
      }),
    );
  }
  if (url.pathname === "/204") return new Response(null, { status: 204 });
  return new Response("not found", { status: 404 });
}

/** Deno.serve or Bun.serve, whichever runtime runs the test. */
function startNative(): Native {
  const g = globalThis as unknown as {
    Deno?: {
      serve(
        o: { port: number; hostname: string; onListen?: () => void },
        h: (r: Request) => Promise<Response>,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
    Bun?: {
      serve(o: { port: number; hostname: string; fetch: (r: Request) => Promise<Response> }): {
        port: number;
        stop(force?: boolean): Promise<void> | void;
      };
    };
  };
  if (g.Deno) {
    const s = g.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, nativeHandler);
    return { port: s.addr.port, stop: () => s.shutdown() };
  }
  const s = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", fetch: nativeHandler });
  return { port: s.port, stop: async () => await s.stop(true) };
}

test(`our HttpClient against ${RUNTIME === "deno" ? "Deno.serve" : "Bun.serve"}`, {
  timeout: 30_000,
}, async () => {
  const mod = await client();
  if (typeof mod === "string") return console.log(`SKIPPED: ${mod}`);
  const native = startNative();
  const c = new mod.HttpClient(`http://127.0.0.1:${native.port}`);
  try {
    let r = await c.get("/echo?x=1", { headers: { "X-Ours": "1" } }).wait();
    assert.ok(r);
    assert.equal(r.status, 200);
    let e = r.json<Echo>();
    assert.equal(e.method, "GET");
    assert.equal(e.target, "/echo?x=1");
    assert.ok(e.headers.some(([k, v]) => k === "x-ours" && v === "1"));
    r = await c.post("/echo", { data: new Uint8Array([0, 255, 10, 13]) }).wait();
    assert.equal(r!.json<Echo>().body, btoa("\x00\xff\n\r"));
    r = await c.post("/echo", { json: { a: [1, 2] } }).wait();
    e = r!.json<Echo>();
    assert.equal(atob(e.body), '{"a":[1,2]}');
    assert.ok(e.headers.some(([k, v]) => k === "content-type" && v.startsWith("application/json")));
    const chunks = (async function* () {
      yield "gen";
      yield new Uint8Array([0x21]);
    })();
    r = await c.put("/echo", { data: chunks }).wait();
    assert.equal(r!.json<Echo>().body, b64("gen!"));
    r = await c.get("/bytes/300000").wait();
    assert.deepEqual(r!.data, payload(300_000));
    r = await c.get("/stream").wait();
    assert.equal(r!.text(), "part0;part1;part2;part3;part4;");
    r = await c.head("/bytes/1000").wait();
    assert.equal(r!.status, 200);
    assert.equal(r!.data.length, 0);
    r = await c.get("/204").wait();
    assert.equal(r!.status, 204);
    r = await c.get("/nope").wait();
    assert.equal(r!.status, 404);
    assert.equal(r!.text(), "not found");
    r = await c.post("/echo", { data: "continued", expectContinue: true }).wait();
    assert.equal(r!.json<Echo>().body, b64("continued"));
  } finally {
    c.close();
    await native.stop();
  }
});

test("our HttpClient against python3 -m http.server (HTTP/1.0, close-delimited)", {
  timeout: 30_000,
}, async () => {
  const mod = await client();
  if (typeof mod === "string") return console.log(`SKIPPED: ${mod}`);
  if (!(await have("python3"))) return console.log("SKIPPED: python3 not installed");
  const dir = mkdtempSync(join(tmpdir(), "uhttp-pyserve-"));
  const data = payload(100_000);
  writeFileSync(join(dir, "data.bin"), data);
  writeFileSync(join(dir, "hello.txt"), "hello from python\n");
  writeFileSync(join(dir, "empty.txt"), "");
  const py = spawn("python3", [
    "-u",
    "-m",
    "http.server",
    "0",
    "--bind",
    "127.0.0.1",
    "--directory",
    dir,
  ], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => py.once("exit", () => r()));
  let c: InstanceType<ClientModule["HttpClient"]> | null = null;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const t = setTimeout(
        () => reject(new Error(`python http.server did not start: ${out}`)),
        10_000,
      );
      py.stdout!.setEncoding("latin1");
      py.stdout!.on("data", (d: string) => {
        out += d;
        const m = /port (\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    c = new mod.HttpClient(`http://127.0.0.1:${port}`);
    let r = await c.get("/data.bin").wait();
    assert.equal(r!.status, 200);
    assert.deepEqual(r!.data, data);
    r = await c.get("/hello.txt").wait();
    assert.equal(r!.text(), "hello from python\n");
    assert.match(r!.headers["content-type"] ?? "", /^text\/plain/);
    r = await c.get("/empty.txt").wait();
    assert.equal(r!.status, 200);
    assert.equal(r!.data.length, 0);
    r = await c.head("/data.bin").wait();
    assert.equal(r!.status, 200);
    assert.equal(r!.headers["content-length"], "100000");
    assert.equal(r!.data.length, 0);
    r = await c.get("/missing").wait();
    assert.equal(r!.status, 404);
    r = await c.get("/").wait();
    assert.equal(r!.status, 200);
    assert.match(r!.text(), /data\.bin/);
    assert.match(r!.text(), /hello\.txt/);
  } finally {
    c?.close();
    py.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("peers: the echo server stops cleanly", { timeout: 30_000 }, async () => {
  const s = await echo();
  assert.ok(s.alive());
  await s.stop();
  assert.ok(
    !/uncaught|panicked/i.test(s.stderr()),
    `echo server stderr: ${s.stderr().slice(0, 2000)}`,
  );
});
