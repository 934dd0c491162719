import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DecodeError,
  decodePercentEncoding,
  encodePath,
  encodeQueryComponent,
} from "../../core/percent.ts";

test("decodePercentEncoding decodes ASCII and UTF-8 escapes", () => {
  assert.equal(decodePercentEncoding("/a%20b"), "/a b");
  assert.equal(decodePercentEncoding("%2F%2f"), "//");
  assert.equal(decodePercentEncoding("caf%C3%A9"), "café");
  assert.equal(decodePercentEncoding("%F0%9F%98%80!"), "😀!");
  assert.equal(decodePercentEncoding("%e2%82%ac"), "€");
  assert.equal(decodePercentEncoding(""), "");
  assert.equal(decodePercentEncoding("plain"), "plain");
  assert.equal(decodePercentEncoding("%25"), "%");
  assert.equal(decodePercentEncoding("%2525"), "%25");
});

test("decodePercentEncoding keeps + unless plusAsSpace", () => {
  assert.equal(decodePercentEncoding("a+b"), "a+b");
  assert.equal(decodePercentEncoding("a+b%2B", { plusAsSpace: true }), "a b+");
  assert.equal(decodePercentEncoding("+%20+", { plusAsSpace: true }), "   ");
  assert.equal(decodePercentEncoding("a+b", { plusAsSpace: true }), "a b");
});

test("decodePercentEncoding keeps unescaped non-ASCII characters", () => {
  assert.equal(decodePercentEncoding("é%20ü"), "é ü");
});

test("decodePercentEncoding rejects a % without two hex digits", () => {
  for (
    const bad of ["%", "a%", "%4", "a%4", "%zz", "%4z", "%z4", "%%", "%+1", "% 1", "%-1", "100%"]
  ) {
    assert.throws(() => decodePercentEncoding(bad), DecodeError, bad);
    assert.throws(() => decodePercentEncoding(bad, { plusAsSpace: true }), DecodeError, bad);
  }
});

test("decodePercentEncoding rejects invalid UTF-8", () => {
  for (const bad of ["%C3%28", "%C3", "%80", "%FF", "%ED%A0%80", "%C0%AF", "%E2%82", "%F0%9F%98"]) {
    assert.throws(() => decodePercentEncoding(bad), DecodeError, bad);
  }
  // A multi-byte sequence split by a literal character is invalid too.
  assert.throws(() => decodePercentEncoding("%C3x%A9"), DecodeError);
});

test("DecodeError is an Error with its own name", () => {
  try {
    decodePercentEncoding("%zz");
    assert.fail("no throw");
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.ok(err instanceof DecodeError);
    assert.equal((err as Error).name, "DecodeError");
    assert.match((err as Error).message, /^Invalid percent-encoding "%zz"$/);
  }
});

test("decodePercentEncoding handles long runs of escapes", () => {
  const s = "%C3%A9".repeat(100_000);
  assert.equal(decodePercentEncoding(s), "é".repeat(100_000));
});

test("encodeQueryComponent matches URLSearchParams", () => {
  for (const s of ["a b", "a+b", "x&y=z", "é€😀", "~!*'()-._", "/?#[]@", "100%", "\r\n", ""]) {
    const expected = new URLSearchParams([["k", s]]).toString().slice(2);
    assert.equal(encodeQueryComponent(s), expected, s);
    assert.equal(decodePercentEncoding(encodeQueryComponent(s), { plusAsSpace: true }), s);
  }
});

test("encodePath keeps path characters and escapes the rest", () => {
  assert.equal(encodePath("/files/my report.pdf"), "/files/my%20report.pdf");
  assert.equal(encodePath("/50% off?#.txt"), "/50%25%20off%3F%23.txt");
  assert.equal(encodePath("/a:b@c/d+e,f;g=h&i'(j)*!$~"), "/a:b@c/d+e,f;g=h&i'(j)*!$~");
  assert.equal(encodePath("/café/😀"), "/caf%C3%A9/%F0%9F%98%80");
  assert.equal(encodePath("/a\r\nb"), "/a%0D%0Ab");
  assert.equal(decodePercentEncoding(encodePath("/x y/é%")), "/x y/é%");
});
