/**
 * The `uhttp` command, run for real in a subprocess (same runtime as the test)
 * against an HttpServer in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type HttpConnection, HttpServer } from "../../server/mod.ts";
import { listen, type Transport } from "../../core/net/mod.ts";
import { concatBytes } from "../../core/bytes.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "cli.ts");
const TLS_DIR = join(ROOT, "tests/fixtures/tls");
const IS_BUN = "Bun" in globalThis;

interface Run {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs `uhttp ARGS` with optional stdin; resolves when it exits. */
function uhttp(args: string[], input?: string): Promise<Run> {
  const argv = IS_BUN ? [CLI, ...args] : ["run", "-A", CLI, ...args];
  const child = spawn(process.execPath, argv, {
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const out: Uint8Array[] = [];
  let err = "";
  child.stdout!.on("data", (b: Uint8Array) => out.push(new Uint8Array(b)));
  child.stderr!.on("data", (b: Uint8Array) => err += new TextDecoder().decode(b));
  if (input !== undefined) child.stdin!.end(input);
  return new Promise((resolve) => {
    child.once("close", (code) => {
      resolve({ code: code ?? -1, stdout: concatBytes(out), stderr: err });
    });
  });
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs a program without blocking this process's event loop (the server lives here). */
function exec(file: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, NO_COLOR: "1" }, encoding: "latin1" },
      (err, stdout) => err ? reject(err) : resolve(stdout),
    );
  });
}

/** A 1 MiB binary body with every byte value, deterministic. */
const BINARY = (() => {
  const b = new Uint8Array(1024 * 1024);
  let x = 12345;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >>> 16;
  }
  return b;
})();

/** What the echo route saw. */
type Seen = {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: string;
};

function route(conn: HttpConnection, base: string): void {
  const path = conn.path;
  if (path === "/echo") {
    const body = conn.body;
    const seen: Seen = {
      method: conn.method,
      path,
      query: conn.query,
      headers: conn.headers,
      body: new TextDecoder().decode(body),
    };
    conn.respond(seen);
  } else if (path === "/missing") {
    conn.respond({ error: "not found" }, { status: 404 });
  } else if (path === "/binary.bin") {
    conn.respond(BINARY);
  } else if (path === "/redirect") {
    conn.respondRedirect(`${base}/echo?from=redirect`);
  } else if (path === "/slow") {
    // Never answered: the client's timeout must fire. Closed with the server.
  } else if (path === "/trickle") {
    // A known length, so the bar can show the fraction done.
    conn.respondStream({
      contentType: "application/octet-stream",
      headers: { "content-length": String(6 * 65536) },
    });
    let sent = 0;
    const tick = () => {
      if (conn.isClosed) return;
      conn.send(BINARY.subarray(sent * 65536, (sent + 1) * 65536));
      sent++;
      if (sent < 6) setTimeout(tick, 150);
      else conn.end();
    };
    tick();
  } else {
    conn.respond("hello\n");
  }
}

/** Runs an HttpServer with the routes above for the duration of `fn`. */
async function withServer(
  fn: (base: string) => Promise<void>,
  tls = false,
): Promise<void> {
  const server = new HttpServer({
    address: "127.0.0.1",
    port: 0,
    methods: ["PURGE"],
    ...(tls
      ? {
        tls: {
          cert: readFileSync(join(TLS_DIR, "server.pem"), "utf8"),
          key: readFileSync(join(TLS_DIR, "server.key"), "utf8"),
        },
      }
      : {}),
  });
  const base = `${tls ? "https" : "http"}://127.0.0.1:${server.port}`;
  const loop = (async () => {
    for await (const conn of server) route(conn, base);
  })();
  try {
    await fn(base);
  } finally {
    await server.close();
    await loop;
  }
}

function seen(run: Run): Seen {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(text(run.stdout)) as Seen;
}

test("cli: GET by default, body to stdout, exit 0", async () => {
  await withServer(async (base) => {
    const run = await uhttp([`${base}/echo?a=1`]);
    const s = seen(run);
    assert.equal(s.method, "GET");
    assert.deepEqual(s.query, { a: "1" });
    assert.equal(run.stderr, "");
  });
});

test("cli: a URL without a scheme gets http://", async () => {
  await withServer(async (base) => {
    const run = await uhttp([base.replace("http://", "") + "/echo"]);
    assert.equal(seen(run).method, "GET");
  });
});

test("cli: POST is chosen when -d, -j or -f gives a body", async () => {
  await withServer(async (base) => {
    const dir = mkdtempSync(join(tmpdir(), "uhttp-cli-"));
    try {
      const file = join(dir, "body.txt");
      writeFileSync(file, "file body");
      const d = seen(await uhttp([`${base}/echo`, "-d", "name=john&age=30"]));
      assert.equal(d.method, "POST");
      assert.equal(d.body, "name=john&age=30");
      assert.equal(d.headers["content-type"], "application/x-www-form-urlencoded");
      const j = seen(await uhttp([`${base}/echo`, "-j", '{"key": "value"}']));
      assert.equal(j.method, "POST");
      assert.deepEqual(JSON.parse(j.body), { key: "value" });
      assert.equal(j.headers["content-type"], "application/json");
      const f = seen(await uhttp([`${base}/echo`, "-f", file]));
      assert.equal(f.method, "POST");
      assert.equal(f.body, "file body");
      assert.equal(f.headers["content-length"], "9");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

test("cli: an explicit method wins, in any case, even with a body", async () => {
  await withServer(async (base) => {
    assert.equal(seen(await uhttp(["put", `${base}/echo`, "-j", "{}"])).method, "PUT");
    assert.equal(seen(await uhttp(["GET", `${base}/echo`, "-d", ""])).method, "GET");
    assert.equal(seen(await uhttp(["DELETE", `${base}/echo`])).method, "DELETE");
    assert.equal(seen(await uhttp(["PURGE", `${base}/echo`])).method, "PURGE");
  });
});

test("cli: -d @file and -d @- (stdin) read the body from there", async () => {
  await withServer(async (base) => {
    const dir = mkdtempSync(join(tmpdir(), "uhttp-cli-"));
    try {
      const file = join(dir, "data.json");
      writeFileSync(file, '{"from": "file"}');
      const a = seen(await uhttp([`${base}/echo`, "-j", `@${file}`]));
      assert.deepEqual(JSON.parse(a.body), { from: "file" });
      const b = seen(await uhttp([`${base}/echo`, "-d", "@-"], "piped in"));
      assert.equal(b.body, "piped in");
      // A file that is a pipe is read from its start to its end, without seeking.
      const fifo = join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      const writer = spawn("sh", ["-c", 'printf "a pipe" > "$1"', "sh", fifo], { stdio: "ignore" });
      const wrote = new Promise((resolve) => writer.once("close", resolve));
      const c = seen(await uhttp([`${base}/echo`, "-d", `@${fifo}`]));
      assert.equal(await wrote, 0);
      assert.equal(c.body, "a pipe");
      const missing = await uhttp([`${base}/echo`, "-d", `@${join(dir, "missing")}`]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^uhttp: Cannot read file ".*missing"\n$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

test("cli: -H adds headers (case kept, K; for empty), -q adds query parameters", async () => {
  await withServer(async (base) => {
    const s = seen(
      await uhttp([
        `${base}/echo`,
        "-H",
        "X-Token: abc 123",
        "-H",
        "X-Empty;",
        "-q",
        "page=2",
        "-q",
        "tag=a b",
        "-q",
        "tag=c",
      ]),
    );
    assert.equal(s.headers["x-token"], "abc 123");
    assert.equal(s.headers["x-empty"], "");
    assert.deepEqual(s.query, { page: "2", tag: ["a b", "c"] });
  });
});

test("cli: -u sends Basic credentials", async () => {
  await withServer(async (base) => {
    const s = seen(await uhttp([`${base}/echo`, "-u", "alice:s3cret"]));
    assert.equal(s.headers["authorization"], "Basic " + btoa("alice:s3cret"));
  });
});

test("cli: -o writes a 1 MiB binary body byte-exact; -O names the file after the URL", async () => {
  await withServer(async (base) => {
    const dir = mkdtempSync(join(tmpdir(), "uhttp-cli-"));
    try {
      const out = join(dir, "out.bin");
      const run = await uhttp([`${base}/binary.bin`, "-o", out]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.length, 0, "nothing on stdout with -o");
      const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
      assert.equal(sha(readFileSync(out)), sha(BINARY));
      const argv = IS_BUN ? [CLI] : ["run", "-A", CLI];
      await exec(process.execPath, [...argv, `${base}/binary.bin`, "-O", "-s"], dir);
      assert.equal(sha(readFileSync(join(dir, "binary.bin"))), sha(BINARY));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

test("cli: binary body to a non-terminal stdout is passed through untouched", async () => {
  await withServer(async (base) => {
    const run = await uhttp([`${base}/binary.bin`]);
    assert.equal(run.code, 0);
    assert.deepEqual(run.stdout, BINARY);
  });
});

test("cli: -i prints the head before the body, -I sends HEAD and prints the head", async () => {
  await withServer(async (base) => {
    const i = text((await uhttp([`${base}/hello`, "-i"])).stdout);
    assert.match(i, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(i, /\r\n\r\nhello\n$/);
    const head = await uhttp([`${base}/hello`, "-I"]);
    assert.equal(head.code, 0);
    assert.match(
      text(head.stdout),
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 6\r\n[\s\S]*\r\n\r\n$/i,
    );
  });
});

test("cli: -v traces the exchange on stderr, the body alone on stdout", async () => {
  await withServer(async (base) => {
    const run = await uhttp([`${base}/hello`, "-v"]);
    assert.equal(run.code, 0);
    assert.equal(text(run.stdout), "hello\n");
    assert.match(run.stderr, /^\* Connecting to 127\.0\.0\.1:\d+\n/);
    assert.match(run.stderr, /^> GET \/hello HTTP\/1\.1$/m);
    assert.match(run.stderr, /^> host: 127\.0\.0\.1:\d+$/mi);
    assert.match(run.stderr, /^< HTTP\/1\.1 200 OK$/m);
    assert.match(run.stderr, /^< content-length: 6$/mi);
    assert.match(run.stderr, /^\* time .+, size 6 B$/m);
  });
});

test("cli: -L follows a redirect; without it the 302 is the answer", async () => {
  await withServer(async (base) => {
    const followed = seen(await uhttp([`${base}/redirect`, "-L"]));
    assert.deepEqual(followed.query, { from: "redirect" });
    const not = await uhttp([`${base}/redirect`]);
    assert.equal(not.code, 0);
    assert.equal(text(not.stdout).includes("from=redirect"), false);
  });
});

test("cli: --expect-continue sends Expect: 100-continue and the body after 100", async () => {
  await withServer(async (base) => {
    const s = seen(await uhttp([`${base}/echo`, "-d", "payload", "--expect-continue"]));
    assert.equal(s.headers["expect"], "100-continue");
    assert.equal(s.body, "payload");
  });
});

test("cli: exit 1 for a 404, body still printed", async () => {
  await withServer(async (base) => {
    const run = await uhttp([`${base}/missing`]);
    assert.equal(run.code, 1);
    assert.deepEqual(JSON.parse(text(run.stdout)), { error: "not found" });
  });
});

test("cli: exit 3 for a refused connection, one line on stderr", async () => {
  let port = 0;
  await withServer((base) => {
    port = Number(new URL(base).port);
    return Promise.resolve();
  });
  const run = await uhttp([`http://127.0.0.1:${port}/`]);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /^uhttp: .*127\.0\.0\.1.*\n$/);
  assert.equal(run.stderr.includes("    at "), false, "no stack trace");
});

test("cli: exit 4 when -t passes before the response", async () => {
  await withServer(async (base) => {
    const run = await uhttp([`${base}/slow`, "-t", "0.5"]);
    assert.equal(run.code, 4);
    assert.match(run.stderr, /^uhttp: .*\n$/);
  });
});

test("cli: exit 5 for an invalid response", async () => {
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t: Transport) => {
    t.setHandlers({
      onData() {
        t.write(new TextEncoder().encode("NOT HTTP AT ALL\r\n\r\n"));
        t.close();
      },
    });
  });
  try {
    const run = await uhttp([`http://127.0.0.1:${listener.addr.port}/`]);
    assert.equal(run.code, 5);
    assert.match(run.stderr, /^uhttp: .*\n$/);
  } finally {
    listener.close();
    await listener.finished;
  }
});

test("cli: exit 2 with a usage line for bad usage and for invalid JSON", async () => {
  const none = await uhttp([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^uhttp: Missing URL\nUsage: uhttp/);
  const unknown = await uhttp(["http://127.0.0.1:1/", "--frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option --frobnicate/);
  const json = await uhttp(["http://127.0.0.1:1/", "-j", "{not json"]);
  assert.equal(json.code, 2);
  assert.match(json.stderr, /^uhttp: Invalid JSON argument\n/);
});

test("cli: -h prints the help, -V the version", async () => {
  const help = await uhttp(["-h"]);
  assert.equal(help.code, 0);
  assert.match(text(help.stdout), /^Usage: uhttp \[METHOD\] URL \[options\]/);
  assert.match(text(help.stdout), /--expect-continue/);
  const version = await uhttp(["-V"]);
  assert.equal(version.code, 0);
  assert.match(text(version.stdout), /^uhttp \d+\.\d+\.\d+\n$/);
});

test("cli: TLS with --cacert works, without it fails with exit 3, -k skips verification", async () => {
  await withServer(async (base) => {
    const ok = await uhttp([`${base}/hello`, "--cacert", join(TLS_DIR, "ca.pem")]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(text(ok.stdout), "hello\n");
    const bad = await uhttp([`${base}/hello`]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^uhttp: .*\n$/);
    const k = await uhttp([`${base}/hello`, "-k"]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(text(k.stdout), "hello\n");
  }, true);
});

test("cli: on a terminal -o draws a progress bar that redraws; -s hides it", async (t) => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
  } catch {
    t.skip("script (util-linux) is not installed");
    return;
  }
  await withServer(async (base) => {
    const dir = mkdtempSync(join(tmpdir(), "uhttp-cli-"));
    try {
      const out = join(dir, "trickle.bin");
      const runtime = IS_BUN
        ? `'${process.execPath}' '${CLI}'`
        : `'${process.execPath}' run -A '${CLI}'`;
      const command = `${runtime} '${base}/trickle' -o '${out}'`;
      const screen = await exec("script", ["-qec", command, "/dev/null"]);
      const redraws = screen.split("\r").filter((s) => /\d+%\s/.test(s));
      assert.ok(redraws.length >= 3, `expected the bar to redraw, saw: ${JSON.stringify(screen)}`);
      assert.match(screen, /100%/);
      assert.equal(readFileSync(out).length, 6 * 65536);
      const silent = await exec("script", ["-qec", `${command} -s`, "/dev/null"]);
      assert.equal(/\d+%/.test(silent), false, "no progress bar with -s");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
