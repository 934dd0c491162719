import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CA = join(ROOT, "tests/fixtures/tls/ca.pem");

function hasCurl(): boolean {
  try {
    execFileSync("curl", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const SKIP = hasCurl() ? false : "curl is not installed (apt-get install curl)";
if (SKIP) console.log(`skipping the curl tests: ${SKIP}`);

/**
 * Runs an example under the current runtime; resolves with the process, its port and
 * what it has printed so far.
 */
async function startExample(
  file: string,
  args: string[] = ["--port", "0"],
): Promise<{ child: ChildProcess; port: number; output: () => string; stop: () => Promise<void> }> {
  const isBun = "Bun" in globalThis;
  const argv = isBun ? [join(ROOT, file), ...args] : ["run", "-A", join(ROOT, file), ...args];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start`)), 10_000);
    child.stdout!.on("data", (b: Uint8Array) => {
      out += new TextDecoder().decode(b);
      const m = /listening on https?:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return {
    child,
    port,
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      child.stdout!.destroy();
    },
  };
}

function curl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "10", ...args], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

test("curl: GET and 404 from examples/hello.ts", { skip: SKIP }, async () => {
  const ex = await startExample("examples/hello.ts");
  try {
    const home = await curl([`http://127.0.0.1:${ex.port}/`]);
    assert.equal(home.stdout, "<h1>hello</h1><p>uHTTP</p>");
    const rpc = await curl([`http://127.0.0.1:${ex.port}/rpc?x=1&x=2`]);
    const json = JSON.parse(rpc.stdout);
    assert.equal(json.message, "hello");
    assert.deepEqual(json.query, { x: ["1", "2"] });
    const missing = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${ex.port}/x`,
    ]);
    assert.equal(missing.stdout, "404");
  } finally {
    await ex.stop();
  }
});

test("curl: POST JSON and --http1.0 to examples/echo_server.ts", { skip: SKIP }, async () => {
  const ex = await startExample("examples/echo_server.ts");
  try {
    const post = await curl([
      "-H",
      "content-type: application/json",
      "-d",
      '{"a":1}',
      `http://127.0.0.1:${ex.port}/p?q=1`,
    ]);
    const echo = JSON.parse(post.stdout);
    assert.equal(echo.method, "POST");
    assert.equal(echo.target, "/p?q=1");
    assert.equal(echo.version, "1.1");
    assert.deepEqual(echo.headers.find((h: string[]) => h[0] === "content-type"), [
      "content-type",
      "application/json",
    ]);
    assert.equal(atob(echo.body), '{"a":1}');
    const old = await curl(["--http1.0", "-i", `http://127.0.0.1:${ex.port}/old`]);
    assert.match(old.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(old.stdout, /connection: close/i);
    assert.equal(JSON.parse(old.stdout.split("\r\n\r\n")[1]!).version, "1.0");
  } finally {
    await ex.stop();
  }
});

test("curl: Expect: 100-continue upload to examples/upload.ts", { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-curl-"));
  const file = join(dir, "data.bin");
  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  writeFileSync(file, big);
  const small = join(dir, "small.txt");
  writeFileSync(small, "a small upload, likely to arrive with its head\n");
  const ex = await startExample("examples/upload.ts");
  let uploads = "";
  try {
    // Printed before "listening on", so it is in the output by now.
    uploads = /uploads go to (\S+)/.exec(ex.output())?.[1] ?? "";
    assert.notEqual(uploads, "", `no upload folder in: ${ex.output()}`);
    for (const path of ["/count", "/upload/data.bin"]) {
      const res = await curl([
        "-v",
        "-H",
        "Expect: 100-continue",
        "--data-binary",
        `@${file}`,
        `http://127.0.0.1:${ex.port}${path}`,
      ]);
      assert.match(res.stderr, /HTTP\/1\.1 100 Continue/);
      assert.deepEqual(JSON.parse(res.stdout), { received: big.length });
    }
    assert.deepEqual(new Uint8Array(readFileSync(join(uploads, "data.bin"))), big);
    // However the small body arrives (with its head or after it), it is saved too.
    const res = await curl([
      "--data-binary",
      `@${small}`,
      `http://127.0.0.1:${ex.port}/upload/s.txt`,
    ]);
    assert.deepEqual(JSON.parse(res.stdout), { received: statSync(small).size });
    assert.equal(readFileSync(join(uploads, "s.txt"), "utf8"), readFileSync(small, "utf8"));
  } finally {
    await ex.stop();
    rmSync(dir, { recursive: true });
  }
  // Stopped by SIGTERM, the example removes its folder with the uploads.
  assert.equal(existsSync(uploads), false);
});

test("curl: HTTPS with the test CA, and the HTTP->HTTPS redirect", { skip: SKIP }, async () => {
  const ex = await startExample("examples/https.ts");
  try {
    const res = await curl(["--cacert", CA, `https://localhost:${ex.port}/`]);
    assert.deepEqual(JSON.parse(res.stdout), { message: "Secure HTTPS connection!" });
  } finally {
    await ex.stop();
  }
  const both = await startExample("examples/redirect.ts", [
    "--http-port",
    "0",
    "--https-port",
    "0",
  ]);
  try {
    const res = await curl([
      "-L",
      "--cacert",
      CA,
      "-w",
      "\n%{url_effective}",
      `http://localhost:${both.port}/page?x=1`,
    ]);
    const [body, url] = res.stdout.split("\n");
    assert.deepEqual(JSON.parse(body!), { message: "Secure content", path: "/page" });
    assert.match(url!, /^https:\/\/localhost:\d+\/page\?x=1$/);
  } finally {
    await both.stop();
  }
});

test("curl: SSE events from examples/sse.ts", { skip: SKIP }, async () => {
  const ex = await startExample("examples/sse.ts", ["--port", "0", "--interval", "50"]);
  try {
    const res = await curl(["-N", "--max-time", "1", `http://127.0.0.1:${ex.port}/events`]);
    assert.match(res.stdout, /^retry: 3000\ndata: connected\n\n/);
    assert.match(res.stdout, /event: tick\nid: 1\ndata: \{"tick":1,/);
  } finally {
    await ex.stop();
  }
});
