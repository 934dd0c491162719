import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeQuery, parseQuery } from "../../core/query.ts";
import { DecodeError } from "../../core/percent.ts";

test("parseQuery parses pairs, repeated keys and bare keys", () => {
  assert.deepEqual(parseQuery("a=1&b=2"), { a: "1", b: "2" });
  assert.deepEqual(parseQuery("tag=a&tag=b&tag=c"), { tag: ["a", "b", "c"] });
  assert.deepEqual(parseQuery("debug&x="), { debug: null, x: "" });
  assert.deepEqual(parseQuery("k&k=v&k"), { k: [null, "v", null] });
  assert.deepEqual(parseQuery("a=b=c"), { a: "b=c" });
});

test("parseQuery decodes + as space and percent escapes", () => {
  assert.deepEqual(parseQuery("q=hello+world%21&n%C3%A1me=J%C3%BAlia"), {
    q: "hello world!",
    "náme": "Júlia",
  });
  assert.deepEqual(parseQuery("a%2Bb=c%26d%3De"), { "a+b": "c&d=e" });
});

test("parseQuery skips empty pairs and a leading ?", () => {
  assert.deepEqual(parseQuery(""), {});
  assert.deepEqual(parseQuery("?"), {});
  assert.deepEqual(parseQuery("?a=1&&b=2&"), { a: "1", b: "2" });
  assert.deepEqual(parseQuery("&&&"), {});
  assert.deepEqual(parseQuery("=x"), { "": "x" });
});

test("parseQuery appends to an existing query", () => {
  const q = parseQuery("a=1&b=2");
  const same = parseQuery("a=3&c", q);
  assert.equal(same, q);
  assert.deepEqual(q, { a: ["1", "3"], b: "2", c: null });
});

test("parseQuery rejects bad percent-encoding and invalid UTF-8", () => {
  for (const bad of ["a=%", "a=%4", "a=%zz", "%zz=1", "a=%C3%28", "a&b=%FF", "x=100%"]) {
    assert.throws(() => parseQuery(bad), DecodeError, bad);
  }
});

test("parseQuery is safe from prototype pollution", () => {
  const q = parseQuery("__proto__=x&constructor=y&toString&hasOwnProperty=1&hasOwnProperty=2");
  assert.equal(Object.getPrototypeOf(q), Object.prototype);
  assert.equal(Object.hasOwn(q, "__proto__"), true);
  assert.equal(q["__proto__"], "x");
  assert.equal(q.constructor, "y");
  assert.equal(q.toString, null);
  assert.deepEqual(q.hasOwnProperty, ["1", "2"]);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test("parseQuery is linear on many pairs", () => {
  const s = "a&".repeat(100_000) + "b=1";
  const started = performance.now();
  const q = parseQuery(s);
  assert.equal((q.a as unknown[]).length, 100_000);
  assert.equal(q.b, "1");
  assert.ok(performance.now() - started < 2000);
});

test("encodeQuery writes arrays as repeated keys and null as a bare key", () => {
  assert.equal(
    encodeQuery({ q: "a b", tag: ["x", "y"], debug: null, skip: undefined, n: 2, t: true }),
    "q=a+b&tag=x&tag=y&debug&n=2&t=true",
  );
  assert.equal(encodeQuery({}), "");
  assert.equal(encodeQuery({ "a&b": "c=d", "é": "€" }), "a%26b=c%3Dd&%C3%A9=%E2%82%AC");
  assert.equal(encodeQuery({ a: [null, "1", undefined] }), "a&a=1");
  assert.equal(encodeQuery({ "": null, a: "1" }), "&a=1");
  assert.equal(encodeQuery({ "": "" }), "=");
});

test("encodeQuery takes an object's own enumerable keys, in their order", () => {
  const withInherited = Object.create({ inherited: "no" }) as Record<string, string>;
  withInherited.b = "1";
  withInherited.a = "2";
  Object.defineProperty(withInherited, "hidden", { value: "no", enumerable: false });
  assert.equal(encodeQuery(withInherited), "b=1&a=2");
  assert.equal(encodeQuery({ 2: "x", b: "y", 1: "z" }), "1=z&2=x&b=y");
  assert.equal(encodeQuery(JSON.parse('{"__proto__":"p","q":"1"}')), "__proto__=p&q=1");
});

test("encodeQuery accepts entries and keeps their order", () => {
  assert.equal(encodeQuery([["b", "1"], ["a", "2"], ["b", "3"]]), "b=1&a=2&b=3");
  assert.equal(encodeQuery(new URLSearchParams("x=1&y=a+b")), "x=1&y=a+b");
  assert.equal(encodeQuery(new Map([["k", null]])), "k");
});

test("encodeQuery and parseQuery round-trip", () => {
  const obj = { a: "1 + 1 = 2", b: ["é", "&", ""], c: null, "key with space": "%" };
  assert.deepEqual(parseQuery(encodeQuery(obj)), obj);
});
