import { test } from "node:test";
import assert from "node:assert/strict";
import { formatAuthority, parseHttpUrl, parseUrl } from "../../core/url.ts";
import { DecodeError } from "../../core/percent.ts";

test("parseUrl splits and decodes an origin-form target", () => {
  assert.deepEqual(parseUrl("/files/my%20doc+v2.txt?tag=a&tag=b&dl"), {
    path: "/files/my doc+v2.txt",
    query: { tag: ["a", "b"], dl: null },
    rawPath: "/files/my%20doc+v2.txt",
    rawQuery: "tag=a&tag=b&dl",
  });
  assert.deepEqual(parseUrl("/"), { path: "/", query: {}, rawPath: "/", rawQuery: "" });
  assert.deepEqual(parseUrl("/caf%C3%A9?q=a+b"), {
    path: "/café",
    query: { q: "a b" },
    rawPath: "/caf%C3%A9",
    rawQuery: "q=a+b",
  });
});

test("parseUrl keeps only the first ? as the separator", () => {
  const u = parseUrl("/a?b=c?d&e=%3F");
  assert.equal(u.path, "/a");
  assert.deepEqual(u.query, { b: "c?d", e: "?" });
});

test("parseUrl splits off a fragment", () => {
  const u = parseUrl("/a?x=1#top");
  assert.equal(u.fragment, "top");
  assert.deepEqual(u.query, { x: "1" });
  assert.equal("fragment" in parseUrl("/a"), false);
});

test("parseUrl accepts absolute-form and asterisk-form", () => {
  assert.deepEqual(parseUrl("http://example.com:8080/p%20q?x=1"), {
    path: "/p q",
    query: { x: "1" },
    rawPath: "/p%20q",
    rawQuery: "x=1",
  });
  assert.equal(parseUrl("HTTPS://example.com").path, "/");
  assert.equal(parseUrl("http://example.com?x=1").path, "/");
  assert.deepEqual(parseUrl("http://example.com?x=1").query, { x: "1" });
  assert.equal(parseUrl("*").path, "*");
});

test("parseUrl rejects bad percent-encoding in path and query", () => {
  for (const bad of ["/%", "/a%4", "/%zz", "/%C3%28", "/ok?a=%zz", "/ok?%FF", "/%C0%AF"]) {
    assert.throws(() => parseUrl(bad), DecodeError, bad);
  }
});

test("parseHttpUrl holds the seed's examples", () => {
  assert.deepEqual(parseHttpUrl("https://api.example.com/v1/users"), {
    scheme: "https",
    secure: true,
    host: "api.example.com",
    port: 443,
    path: "/v1/users",
    auth: null,
  });
  assert.deepEqual(parseHttpUrl("http://localhost:8080/api"), {
    scheme: "http",
    secure: false,
    host: "localhost",
    port: 8080,
    path: "/api",
    auth: null,
  });
  assert.deepEqual(parseHttpUrl("https://user:pass@api.example.com"), {
    scheme: "https",
    secure: true,
    host: "api.example.com",
    port: 443,
    path: "",
    auth: ["user", "pass"],
  });
  assert.deepEqual(parseHttpUrl("example.com"), {
    scheme: "http",
    secure: false,
    host: "example.com",
    port: 80,
    path: "",
    auth: null,
  });
});

test("parseHttpUrl handles IPv6 literals", () => {
  const u = parseHttpUrl("http://[::1]:8080/x");
  assert.equal(u.host, "::1");
  assert.equal(u.port, 8080);
  assert.equal(u.path, "/x");
  assert.equal(parseHttpUrl("https://[2001:DB8::1]/").host, "2001:db8::1");
  assert.equal(parseHttpUrl("https://[2001:db8::1]").port, 443);
  assert.equal(parseHttpUrl("[::ffff:127.0.0.1]:81").host, "::ffff:127.0.0.1");
  assert.equal(parseHttpUrl("http://[fe80::1%25eth0]:80/").host, "fe80::1%eth0");
  for (const bad of ["http://[::1", "http://[nothex]/", "http://[1.2.3.4]/", "http://[::1]x/"]) {
    assert.throws(() => parseHttpUrl(bad), TypeError, bad);
  }
});

test("parseHttpUrl is case-insensitive on scheme and host, scheme optional", () => {
  const u = parseHttpUrl("HTTPS://API.Example.COM:8443");
  assert.equal(u.scheme, "https");
  assert.equal(u.host, "api.example.com");
  assert.equal(u.port, 8443);
  assert.equal(parseHttpUrl("localhost:3000/x").port, 3000);
  assert.equal(parseHttpUrl("//cdn.example.com/a").host, "cdn.example.com");
  assert.equal(parseHttpUrl("http://a:/x").port, 80);
});

test("parseHttpUrl decodes userinfo", () => {
  assert.deepEqual(parseHttpUrl("http://us%40er:p%40ss:w%3Ard@h/").auth, ["us@er", "p@ss:w:rd"]);
  assert.deepEqual(parseHttpUrl("http://user@h/").auth, ["user", ""]);
  assert.deepEqual(parseHttpUrl("http://a@b:c@h/").auth, ["a@b", "c"]);
  assert.deepEqual(parseHttpUrl("http://:@h/").auth, ["", ""]);
  assert.throws(() => parseHttpUrl("http://u:%zz@h/"), TypeError);
});

test("parseHttpUrl keeps the query with the path and drops the fragment", () => {
  assert.equal(parseHttpUrl("http://h/a?b=1&c=%20#frag").path, "/a?b=1&c=%20");
  assert.equal(parseHttpUrl("http://h?x=1").path, "/?x=1");
  assert.equal(parseHttpUrl("http://h#x").path, "");
  assert.equal(parseHttpUrl("http://h/a b/é").path, "/a%20b/%C3%A9");
  assert.equal(parseHttpUrl("http://h/a%2Fb").path, "/a%2Fb");
});

test("parseHttpUrl converts international host names to punycode", () => {
  assert.equal(parseHttpUrl("http://bücher.example/").host, "xn--bcher-kva.example");
});

test("parseHttpUrl rejects other schemes, bad hosts and bad ports with TypeError", () => {
  const cases: [string, RegExp][] = [
    ["ftp://example.com/", /Unsupported URL scheme "ftp"/],
    ["ws://example.com/", /Unsupported URL scheme "ws"/],
    ["http://", /Missing host/],
    ["http:///x", /Missing host/],
    ["http://:80/", /Missing host/],
    ["http://user:secret@/x", /Missing host/],
    ["http://h:0/", /Invalid port "0"/],
    ["http://h:65536/", /Invalid port "65536"/],
    ["http://h:8x/", /Invalid port "8x"/],
    ["http://h:-1/", /Invalid port "-1"/],
    ["http://h:123456/", /Invalid port/],
    ["http://a b/", /Invalid host/],
    ["http://a<b/", /Invalid host/],
    ["http://h/a\r\nX-Injected: 1", /control characters/],
    ["http://h\n.example/", /control characters/],
    ["http://h/\u0000", /control characters/],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => parseHttpUrl(url), (err: unknown) => {
      assert.ok(err instanceof TypeError, url);
      assert.match(err.message, message, url);
      return true;
    });
  }
});

test("parseHttpUrl error messages never contain the password", () => {
  try {
    parseHttpUrl("http://user:hunter2@bad host:99999/");
    assert.fail("no throw");
  } catch (err) {
    assert.ok(err instanceof TypeError);
    assert.doesNotMatch(err.message, /hunter2/);
  }
});

test("formatAuthority brackets IPv6 and drops default ports", () => {
  assert.equal(formatAuthority("example.com", 80), "example.com");
  assert.equal(formatAuthority("example.com", 443), "example.com:443");
  assert.equal(formatAuthority("example.com", 443, true), "example.com");
  assert.equal(formatAuthority("example.com", 80, true), "example.com:80");
  assert.equal(formatAuthority("::1", 8080), "[::1]:8080");
  assert.equal(formatAuthority("::1", 80), "[::1]");
  assert.equal(formatAuthority("127.0.0.1", 3000), "127.0.0.1:3000");
});
