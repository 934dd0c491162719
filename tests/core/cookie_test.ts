import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseCookies,
  parseSetCookie,
  serializeCookie,
  serializeCookies,
} from "../../core/cookie.ts";

test("parseCookies parses a Cookie header", () => {
  assert.deepEqual(parseCookies("session=abc123; theme=dark"), {
    session: "abc123",
    theme: "dark",
  });
  assert.deepEqual(parseCookies("a=1;b=2 ;  c = 3 "), { a: "1", b: "2", c: "3" });
  assert.deepEqual(parseCookies("token=a=b=c"), { token: "a=b=c" });
  assert.deepEqual(parseCookies('q="quoted value"'), { q: '"quoted value"' });
  assert.deepEqual(parseCookies("e=%20x"), { e: "%20x" });
});

test("parseCookies skips malformed pairs and keeps the first of a repeated name", () => {
  assert.deepEqual(parseCookies(""), {});
  assert.deepEqual(parseCookies("novalue; =x; ; a=1; a=2; b="), { a: "1", b: "" });
});

test("parseCookies is safe from prototype pollution", () => {
  const c = parseCookies("__proto__=x; constructor=y");
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.equal(c["__proto__"], "x");
  assert.equal(c.constructor, "y");
});

test("serializeCookie writes the value and every attribute", () => {
  assert.equal(serializeCookie("id", "42"), "id=42");
  assert.equal(
    serializeCookie("session", "abc123", {
      path: "/",
      domain: "example.com",
      maxAge: 3600,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      partitioned: true,
    }),
    "session=abc123; Domain=example.com; Path=/; Max-Age=3600; " +
      "Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; HttpOnly; SameSite=Strict; Partitioned",
  );
  assert.equal(serializeCookie("a", "", {}), "a=");
  assert.equal(serializeCookie("a", '"q"'), 'a="q"');
});

test("serializeCookie accepts Expires as a string or milliseconds", () => {
  assert.equal(
    serializeCookie("a", "1", { expires: "Sunday, 06-Nov-94 08:49:37 GMT" }),
    "a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
  );
  assert.equal(
    serializeCookie("a", "1", { expires: "2030-01-02T03:04:05Z" }),
    "a=1; Expires=Wed, 02 Jan 2030 03:04:05 GMT",
  );
  assert.equal(
    serializeCookie("a", "1", { expires: 0 }),
    "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  );
  assert.throws(() => serializeCookie("a", "1", { expires: "not a date" }), TypeError);
  assert.throws(() => serializeCookie("a", "1", { expires: new Date(NaN) }), TypeError);
});

test("serializeCookie normalises SameSite and Max-Age", () => {
  assert.equal(serializeCookie("a", "1", { sameSite: "lax" }), "a=1; SameSite=Lax");
  assert.equal(
    serializeCookie("a", "1", { sameSite: "none", secure: true }),
    "a=1; Secure; SameSite=None",
  );
  assert.equal(serializeCookie("a", "1", { maxAge: 1.9 }), "a=1; Max-Age=1");
  assert.equal(serializeCookie("a", "1", { maxAge: -5 }), "a=1; Max-Age=0");
  assert.throws(() => serializeCookie("a", "1", { maxAge: NaN }), TypeError);
  assert.throws(() => serializeCookie("a", "1", { maxAge: Infinity }), TypeError);
  assert.throws(
    () => serializeCookie("a", "1", { sameSite: "Sometimes" as "Lax" }),
    TypeError,
  );
});

test("serializeCookie with null deletes the cookie", () => {
  assert.equal(
    serializeCookie("session", null, { path: "/app", maxAge: 99, expires: new Date() }),
    "session=; Path=/app; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  );
});

test("serializeCookie rejects cookie injection in names, values and attributes", () => {
  const badNames = ["", "a b", "a;b", "a=b", "a,b", "a\r\nSet-Cookie: x", "a\n", "é", 'a"', "a(b)"];
  for (const name of badNames) {
    assert.throws(() => serializeCookie(name, "v"), TypeError, JSON.stringify(name));
  }
  const badValues = [
    "a b",
    "a;b",
    "a,b",
    'a"b',
    "a\\b",
    "a\r\nSet-Cookie: evil=1",
    "a\nb",
    "a\rb",
    "a\u0000",
    "a\tb",
    "é",
    '"unterminated',
    "x; Domain=evil.com",
  ];
  for (const value of badValues) {
    assert.throws(() => serializeCookie("n", value), TypeError, JSON.stringify(value));
  }
  assert.throws(() => serializeCookie("n", "v", { path: "/;Domain=evil" }), TypeError);
  assert.throws(() => serializeCookie("n", "v", { path: "/\r\nX: 1" }), TypeError);
  assert.throws(() => serializeCookie("n", "v", { domain: "a.com; Secure" }), TypeError);
  assert.throws(() => serializeCookie("n", "v", { domain: "a.com\r\n" }), TypeError);
  assert.throws(() => serializeCookie("n", "v", { domain: "" }), TypeError);
});

test("serializeCookie error messages escape control characters", () => {
  try {
    serializeCookie("a\r\nb", "v");
    assert.fail("no throw");
  } catch (err) {
    assert.ok(err instanceof TypeError);
    assert.doesNotMatch(err.message, /[\r\n]/);
  }
});

test("serializeCookie enforces Secure where browsers require it", () => {
  assert.throws(() => serializeCookie("a", "1", { sameSite: "None" }), TypeError);
  assert.throws(() => serializeCookie("a", "1", { partitioned: true }), TypeError);
  assert.throws(() => serializeCookie("__Secure-a", "1"), TypeError);
  assert.equal(serializeCookie("__Secure-a", "1", { secure: true }), "__Secure-a=1; Secure");
  assert.throws(() => serializeCookie("__Host-a", "1", { secure: true }), TypeError);
  assert.throws(
    () => serializeCookie("__Host-a", "1", { secure: true, path: "/", domain: "a.com" }),
    TypeError,
  );
  assert.equal(
    serializeCookie("__Host-a", "1", { secure: true, path: "/" }),
    "__Host-a=1; Path=/; Secure",
  );
});

test("serializeCookies builds one value per cookie", () => {
  assert.deepEqual(
    serializeCookies({ theme: "dark", old: null, sid: { value: "x1", httpOnly: true, path: "/" } }),
    [
      "theme=dark",
      "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      "sid=x1; Path=/; HttpOnly",
    ],
  );
  assert.deepEqual(serializeCookies({ gone: { value: null, path: "/x" } }), [
    "gone=; Path=/x; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  ]);
  assert.throws(() => serializeCookies({ "bad name": "1" }), TypeError);
});

test("parseSetCookie reads name, value and attributes", () => {
  assert.deepEqual(
    parseSetCookie(
      "sid=abc; Path=/app; Domain=.Example.COM; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT; " +
        "Secure; HttpOnly; SameSite=lax; Partitioned",
    ),
    {
      name: "sid",
      value: "abc",
      attributes: {
        path: "/app",
        domain: "example.com",
        maxAge: 60,
        expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
        secure: true,
        httpOnly: true,
        sameSite: "Lax",
        partitioned: true,
      },
    },
  );
  assert.deepEqual(parseSetCookie("a=1"), {
    name: "a",
    value: "1",
    attributes: { secure: false, httpOnly: false, partitioned: false },
  });
  assert.deepEqual(parseSetCookie(' q = "x y" ;secure')?.value, '"x y"');
  assert.equal(parseSetCookie("e=")?.value, "");
});

test("parseSetCookie reads the cookie date formats browsers accept", () => {
  const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
  for (
    const d of [
      "Sun, 06 Nov 1994 08:49:37 GMT",
      "Sunday, 06-Nov-94 08:49:37 GMT",
      "Sun Nov  6 08:49:37 1994",
      "Sun, 06-Nov-1994 08:49:37 GMT",
      "6 november 1994 8:49:37",
    ]
  ) {
    assert.equal(parseSetCookie(`a=1; Expires=${d}`)?.attributes.expires?.getTime(), expected, d);
  }
  assert.equal(
    parseSetCookie("a=1; Expires=Thu, 01 Jan 2065 00:00:00 GMT")?.attributes.expires?.getTime(),
    Date.UTC(2065, 0, 1),
  );
  assert.equal(
    parseSetCookie("a=1; expires=Wed, 31 Feb 2030 00:00:00 GMT")?.attributes.expires,
    undefined,
  );
  assert.equal(parseSetCookie("a=1; expires=garbage")?.attributes.expires, undefined);
});

test("parseSetCookie ignores invalid attribute values", () => {
  const c = parseSetCookie("a=1; Max-Age=abc; Path=relative; Domain=; SameSite=bogus; Unknown=1");
  assert.deepEqual(c?.attributes, { secure: false, httpOnly: false, partitioned: false });
  assert.equal(parseSetCookie("a=1; Max-Age=-5")?.attributes.maxAge, -1);
  assert.equal(parseSetCookie("a=1; Max-Age=0")?.attributes.maxAge, 0);
});

test("parseSetCookie returns null for malformed values", () => {
  for (const bad of ["", "novalue", "=x", " =x; Path=/", "a=1\r\nX: y", "a=\u0000", ";a=1"]) {
    assert.equal(parseSetCookie(bad), null, JSON.stringify(bad));
  }
});

test("serializeCookie output reads back with parseSetCookie", () => {
  const header = serializeCookie("sid", "v1", {
    path: "/",
    maxAge: 10,
    secure: true,
    httpOnly: true,
    sameSite: "None",
  });
  assert.deepEqual(parseSetCookie(header), {
    name: "sid",
    value: "v1",
    attributes: {
      path: "/",
      maxAge: 10,
      secure: true,
      httpOnly: true,
      sameSite: "None",
      partitioned: false,
    },
  });
});
