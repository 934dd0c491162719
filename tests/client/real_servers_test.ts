/**
 * The client against servers nobody here wrote: Apache httpd (Digest auth with
 * mod_auth_digest, keep-alive, chunked), Python's http.server (HTTP/1.0,
 * close-delimited) and the runtime's own Deno.serve / Bun.serve.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { HttpClient } from "../../client/mod.ts";
import { connect, listen, runtimeName } from "../../core/net/mod.ts";

/** A port that was free a moment ago: bound, closed, and checked to refuse connections. */
async function freePort(): Promise<number> {
  const l = listen({ hostname: "127.0.0.1", port: 0 }, (t) => t.abort());
  const port = l.addr.port;
  l.close();
  for (let i = 0; i < 100; i++) {
    try {
      const t = await connect({ hostname: "127.0.0.1", port });
      t.abort();
      await new Promise((r) => setTimeout(r, 10));
    } catch {
      return port; // refused: the listener is really gone
    }
  }
  throw new Error("Could not find a free port");
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (true) {
    try {
      const t = await connect({ hostname: "127.0.0.1", port });
      await new Promise<void>((resolve) => {
        t.setHandlers({ onClose: () => resolve() });
        t.close();
      });
      return;
    } catch (e) {
      if (performance.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", () => resolve());
    p.kill("SIGTERM");
  });
}

function which(cmd: string): string | null {
  for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]) {
    if (existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

const MODULES = "/usr/lib/apache2/modules";
const apache = which("apache2") ?? which("httpd");

async function withApache(fn: (port: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-apache-"));
  const port = await freePort();
  mkdirSync(join(dir, "htdocs", "protected"), { recursive: true });
  writeFileSync(join(dir, "htdocs", "protected", "index.html"), "secret data\n");
  writeFileSync(join(dir, "htdocs", "plain.txt"), "static file\n");
  writeFileSync(join(dir, "htdocs", "ssi.shtml"), 'a<!--#echo var="DOCUMENT_NAME" -->b\n');
  const ha1 = createHash("md5").update("digestuser:test-realm:digestpass").digest("hex");
  writeFileSync(join(dir, "digest.pw"), `digestuser:test-realm:${ha1}\n`);
  const conf = `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authn_file_module ${MODULES}/mod_authn_file.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule auth_digest_module ${MODULES}/mod_auth_digest.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule include_module ${MODULES}/mod_include.so
LoadModule dir_module ${MODULES}/mod_dir.so
${process.getuid?.() === 0 ? "User nobody\nGroup nogroup" : ""}
TypesConfig /dev/null
KeepAlive On
DocumentRoot "${dir}/htdocs"
DirectoryIndex index.html
<Directory "${dir}/htdocs">
  Options +Includes
  AddOutputFilter INCLUDES .shtml
  Require all granted
</Directory>
<Location /protected>
  AuthType Digest
  AuthName "test-realm"
  AuthDigestProvider file
  AuthUserFile "${dir}/digest.pw"
  Require valid-user
</Location>
`;
  writeFileSync(join(dir, "httpd.conf"), conf);
  chmodSync(dir, 0o755);
  const p = spawn(apache!, ["-f", join(dir, "httpd.conf"), "-X"], { stdio: "ignore" });
  try {
    await waitForPort(port);
    await fn(port);
  } finally {
    await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

test("real servers: Apache mod_auth_digest MD5 succeeds, wrong password is 401", async (t) => {
  if (apache === null || !existsSync(join(MODULES, "mod_auth_digest.so"))) {
    console.log("skipped: apache2 with mod_auth_digest is not installed (apt-get install apache2)");
    t.skip("apache2 is not installed");
    return;
  }
  await withApache(async (port) => {
    const good = new HttpClient(`http://127.0.0.1:${port}`, { auth: ["digestuser", "digestpass"] });
    const bad = new HttpClient(`http://127.0.0.1:${port}`, { auth: ["digestuser", "wrong"] });
    try {
      const res = await good.get("/protected/").wait();
      assert.equal(res!.status, 200);
      assert.equal(res!.text(), "secret data\n");
      assert.match(res!.headers["authentication-info"] ?? "", /nc=00000001/);
      // The nonce is reused with nc 2 on the kept-alive connection.
      const again = await good.get("/protected/index.html").wait();
      assert.equal(again!.status, 200);
      assert.match(again!.headers["authentication-info"] ?? "", /nc=00000002/);
      const denied = await bad.get("/protected/").wait();
      assert.equal(denied!.status, 401);
      assert.match(denied!.headers["www-authenticate"] ?? "", /^Digest /);
    } finally {
      good.close();
      bad.close();
    }
  });
});

test("real servers: Apache keep-alive and a chunked response", async (t) => {
  if (apache === null) {
    console.log("skipped: apache2 is not installed (apt-get install apache2)");
    t.skip("apache2 is not installed");
    return;
  }
  await withApache(async (port) => {
    const client = new HttpClient(`http://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await client.get("/plain.txt", { query: { n: i } }).wait();
        assert.equal(res!.status, 200);
        assert.equal(res!.text(), "static file\n");
        assert.equal(client.isConnected, true);
      }
      const chunked = await client.get("/ssi.shtml").wait();
      assert.equal(chunked!.headers["transfer-encoding"], "chunked");
      assert.equal(chunked!.text(), "assi.shtmlb\n");
      const missing = await client.get("/nope").wait();
      assert.equal(missing!.status, 404);
      const head = await client.head("/plain.txt").wait();
      assert.equal(head!.contentLength, 12);
      assert.equal(head!.data.length, 0);
    } finally {
      client.close();
    }
  });
});

test("real servers: Python http.server (HTTP/1.0, close-delimited)", async (t) => {
  const python = which("python3");
  if (python === null || spawnSync(python, ["--version"]).status !== 0) {
    console.log("skipped: python3 is not installed");
    t.skip("python3 is not installed");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "uhttp-py-"));
  writeFileSync(join(dir, "hello.txt"), "hello from python\n");
  const port = await freePort();
  const p = spawn(python, ["-m", "http.server", String(port), "--bind", "127.0.0.1", "-d", dir], {
    stdio: "ignore",
  });
  const client = new HttpClient(`http://127.0.0.1:${port}`);
  try {
    await waitForPort(port);
    for (let i = 0; i < 3; i++) {
      const res = await client.get("/hello.txt").wait();
      assert.equal(res!.status, 200);
      assert.equal(res!.httpVersion, "1.0");
      assert.equal(res!.text(), "hello from python\n");
    }
    const listing = await client.get("/").wait();
    assert.match(listing!.text(), /hello\.txt/);
    const missing = await client.get("/missing").wait();
    assert.equal(missing!.status, 404);
  } finally {
    client.close();
    await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("real servers: the runtime's own server (Deno.serve / Bun.serve)", async () => {
  const handler = (req: Request): Response => {
    const url = new URL(req.url);
    if (url.pathname === "/stream") {
      const body = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(new TextEncoder().encode("part1-"));
          await new Promise((r) => setTimeout(r, 5)); // forces a streamed (chunked) answer
          c.enqueue(new TextEncoder().encode("part2"));
          c.close();
        },
      });
      return new Response(body, { headers: { "x-kind": "stream" } });
    }
    return Response.json({ path: url.pathname, query: url.search, method: req.method });
  };
  let port: number;
  let shutdown: () => Promise<void>;
  if (runtimeName() === "deno") {
    // deno-lint-ignore no-explicit-any
    const D = (globalThis as any).Deno;
    const server = D.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    port = server.addr.port;
    shutdown = () => server.shutdown();
  } else {
    // deno-lint-ignore no-explicit-any
    const B = (globalThis as any).Bun;
    const server = B.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
    port = server.port;
    shutdown = async () => {
      await server.stop(true);
    };
  }
  const client = new HttpClient(`http://127.0.0.1:${port}`);
  try {
    for (let i = 0; i < 3; i++) {
      const res = await client.post("/echo", { json: { i }, query: { i } }).wait();
      assert.equal(res!.status, 200);
      assert.deepEqual(res!.json(), { path: "/echo", query: `?i=${i}`, method: "POST" });
    }
    const s = await client.get("/stream").wait();
    assert.equal(s!.text(), "part1-part2");
    assert.equal(s!.headers["transfer-encoding"], "chunked");
    assert.equal(s!.headers["x-kind"], "stream");
  } finally {
    client.close();
    await shutdown();
  }
});
