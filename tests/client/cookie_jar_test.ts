import { test } from "node:test";
import assert from "node:assert/strict";
import { CookieJar, HttpClient } from "../../client/mod.ts";
import { ok, rawServer } from "./_helpers.ts";

test("cookies: stored from Set-Cookie and sent back in one header", async () => {
  const srv = rawServer((req, s) => {
    if (req.target === "/login") {
      s.write(
        ok("in", "Set-Cookie: session=abc123; Path=/; HttpOnly\r\nSet-Cookie: theme=dark\r\n"),
      );
    } else s.write(ok(req.headers.cookie ?? "none"));
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    await client.post("/login", { json: { user: "admin" } }).wait();
    assert.deepEqual(client.cookies.toObject(), { session: "abc123", theme: "dark" });
    assert.equal((await client.get("/dashboard").wait())!.text(), "session=abc123; theme=dark");
    client.cookies.delete("theme");
    assert.equal((await client.get("/x").wait())!.text(), "session=abc123");
    client.cookies.clear();
    assert.equal((await client.get("/x").wait())!.text(), "none");
    client.cookies.set("manual", "1");
    assert.equal((await client.get("/x").wait())!.text(), "manual=1");
  } finally {
    client.close();
    await srv.close();
  }
});

test("cookies: initial cookies option and a shared jar", async () => {
  const srv = rawServer((req, s) => s.write(ok(req.headers.cookie ?? "none")));
  const jar = new CookieJar({ a: "1" });
  const c1 = new HttpClient(`http://127.0.0.1:${srv.port}`, { cookies: jar });
  const c2 = new HttpClient(`http://127.0.0.1:${srv.port}`, { cookies: { b: "2" } });
  try {
    assert.equal((await c1.get("/").wait())!.text(), "a=1");
    assert.equal((await c2.get("/").wait())!.text(), "b=2");
    assert.equal(c1.cookies, jar);
  } finally {
    c1.close();
    c2.close();
    await srv.close();
  }
});

test("cookies: a Cookie header of the client's own or of one request is sent instead of the jar's", async () => {
  const srv = rawServer((req, s) => s.write(ok(req.headers.cookie ?? "none")));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    cookies: { jar: "1" },
    headers: { Cookie: "mine=2" },
  });
  const plain = new HttpClient(`http://127.0.0.1:${srv.port}`, { cookies: { jar: "1" } });
  try {
    assert.equal((await client.get("/").wait())!.text(), "mine=2");
    assert.equal((await plain.get("/").wait())!.text(), "jar=1");
    assert.equal((await plain.get("/", { headers: { cookie: "one=3" } }).wait())!.text(), "one=3");
  } finally {
    client.close();
    plain.close();
    await srv.close();
  }
});

test("cookies: Max-Age and Expires, deletion by Max-Age=0 and past Expires", () => {
  const jar = new CookieJar();
  const now = Date.parse("2025-01-01T00:00:00Z");
  jar.store(
    [
      "a=1; Max-Age=60",
      "b=2; Expires=Wed, 01 Jan 2025 00:00:30 GMT",
      "c=3; Max-Age=60; Expires=Wed, 01 Jan 2020 00:00:00 GMT", // Max-Age wins
      "d=4",
    ],
    "example.com",
    "/",
    false,
    now,
  );
  assert.equal(jar.cookieHeader("example.com", "/", false, now), "a=1; b=2; c=3; d=4");
  jar.store(
    ["a=x; Max-Age=0", "d=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],
    "example.com",
    "/",
    false,
    now,
  );
  assert.equal(jar.cookieHeader("example.com", "/", false, now), "b=2; c=3");
  assert.equal(jar.cookieHeader("example.com", "/", false, now + 45_000), "c=3");
});

test("cookies: Path matching and default path, most specific first", () => {
  const jar = new CookieJar();
  jar.store(["root=1; Path=/", "api=2; Path=/api", "def=3"], "h.example", "/docs/page", false);
  assert.equal(jar.cookieHeader("h.example", "/api/users?x=1", false), "api=2; root=1");
  assert.equal(jar.cookieHeader("h.example", "/apix", false), "root=1");
  assert.equal(jar.cookieHeader("h.example", "/docs/other", false), "def=3; root=1");
  assert.equal(jar.cookieHeader("h.example", "/", false), "root=1");
});

test("cookies: Domain: host-only by default, subdomains with Domain, foreign domains rejected", () => {
  const jar = new CookieJar();
  jar.store(
    ["host=1", "dom=2; Domain=.example.com", "evil=3; Domain=other.com"],
    "www.example.com",
    "/",
    false,
  );
  assert.equal(jar.cookieHeader("www.example.com", "/", false), "host=1; dom=2");
  assert.equal(jar.cookieHeader("api.example.com", "/", false), "dom=2");
  assert.equal(jar.cookieHeader("example.com", "/", false), "dom=2");
  assert.equal(jar.cookieHeader("other.com", "/", false), null);
  assert.equal(jar.get("evil"), undefined);
  // IP hosts: no subdomain matching
  jar.store(["ip=1"], "127.0.0.1", "/", false);
  assert.equal(jar.cookieHeader("127.0.0.1", "/", false), "ip=1");
});

test("cookies: Secure only over TLS, and not stored from plain HTTP", () => {
  const jar = new CookieJar();
  jar.store(["s=1; Secure", "p=2"], "example.com", "/", true);
  assert.equal(jar.cookieHeader("example.com", "/", true), "s=1; p=2");
  assert.equal(jar.cookieHeader("example.com", "/", false), "p=2");
  const plain = new CookieJar();
  plain.store(["s=1; Secure"], "example.com", "/", false);
  assert.equal(plain.size, 0);
});

test("cookies: replacing a cookie keeps one; malformed lines are ignored", () => {
  const jar = new CookieJar();
  jar.store(["a=1", "a=2"], "h", "/", false);
  assert.equal(jar.cookieHeader("h", "/", false), "a=2");
  jar.store(
    ["", "novalue", "=x", "b", ";;;", "c=\x01", "ok=1; Max-Age=abc; Expires=garbage; Domain="],
    "h",
    "/",
    false,
  );
  assert.deepEqual(jar.toObject(), { a: "2", ok: "1" });
  assert.equal([...jar].length, 2);
});

test("cookies: a cookie past its expiry is no longer sent, though nothing else changed", () => {
  const jar = new CookieJar();
  const now = Date.parse("2025-01-01T00:00:00Z");
  jar.set("short", "1", { expires: now + 1_000 });
  jar.set("long", "2");
  for (let i = 0; i < 3; i++) {
    assert.equal(jar.cookieHeader("example.com", "/", false, now), "short=1; long=2");
  }
  assert.equal(jar.cookieHeader("example.com", "/", false, now + 999), "short=1; long=2");
  assert.equal(jar.cookieHeader("example.com", "/", false, now + 1_000), "long=2");
  assert.equal(jar.cookieHeader("example.com", "/a?q=1", false, now + 1_000), "long=2");
});

test("cookies: the cookies a jar lists are copies: changing one changes nothing sent", async () => {
  const srv = rawServer((req, s) => s.write(ok(req.headers.cookie ?? "none")));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { cookies: { session: "abc" } });
  try {
    assert.equal((await client.get("/").wait())!.text(), "session=abc");
    for (const c of client.cookies) c.value = "changed";
    assert.equal((await client.get("/").wait())!.text(), "session=abc");
    assert.deepEqual(client.cookies.toObject(), { session: "abc" });
  } finally {
    client.close();
    await srv.close();
  }
});

test("cookies and Basic auth on every request, as they are when each is sent", async () => {
  let n = 0;
  const srv = rawServer((req, s) => {
    const set = req.target === "/renew" ? `Set-Cookie: session=s${++n}\r\n` : "";
    s.write(ok(`${req.headers.authorization} | ${req.headers.cookie ?? "none"}`, set));
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { auth: ["alice", "pw"] });
  const alice = "Basic " + btoa("alice:pw");
  try {
    const sent = async (path = "/") => (await client.get(path).wait())!.text();
    assert.equal(await sent(), `${alice} | none`);
    assert.equal(await sent("/renew"), `${alice} | none`);
    for (let i = 0; i < 3; i++) assert.equal(await sent(), `${alice} | session=s1`);
    assert.equal(await sent("/renew"), `${alice} | session=s1`);
    assert.equal(await sent(), `${alice} | session=s2`);
    client.auth = ["bob", "pw2"];
    assert.equal(await sent(), `Basic ${btoa("bob:pw2")} | session=s2`);
    client.cookies.set("theme", "dark");
    assert.equal(await sent(), `Basic ${btoa("bob:pw2")} | session=s2; theme=dark`);
  } finally {
    client.close();
    await srv.close();
  }
});
