import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHeaderLine, parseHeaderParameters } from "../../core/header_params.ts";
import { DecodeError } from "../../core/percent.ts";

test("parseHeaderParameters splits Content-Disposition with quoted strings", () => {
  assert.deepEqual(parseHeaderParameters('form-data; name="a"; filename="x y.txt"'), {
    value: "form-data",
    params: { name: "a", filename: "x y.txt" },
  });
});

test("parseHeaderParameters splits Content-Type and lowercases parameter names", () => {
  assert.deepEqual(parseHeaderParameters("text/html; Charset=UTF-8"), {
    value: "text/html",
    params: { charset: "UTF-8" },
  });
  assert.deepEqual(parseHeaderParameters("application/json"), {
    value: "application/json",
    params: {},
  });
  assert.deepEqual(parseHeaderParameters("  multipart/form-data ;boundary=----x123 "), {
    value: "multipart/form-data",
    params: { boundary: "----x123" },
  });
  assert.deepEqual(parseHeaderParameters(""), { value: "", params: {} });
});

test("parseHeaderParameters unescapes quoted strings and does not split inside quotes", () => {
  const p = parseHeaderParameters(String.raw`attachment; filename="a \"b\"; c\\d.txt"; size=3`);
  assert.deepEqual(p.params, { filename: 'a "b"; c\\d.txt', size: "3" });
  assert.deepEqual(parseHeaderParameters('x; a=""; b').params, { a: "", b: "" });
  // An unterminated quote takes the rest of the value.
  assert.deepEqual(parseHeaderParameters('x; a="open; b=1').params, { a: "open; b=1" });
});

test("parseHeaderParameters keeps the first duplicate and skips empty parts", () => {
  assert.deepEqual(parseHeaderParameters("x;; a=1;  ; A=2; =3").params, { a: "1" });
});

test("parseHeaderParameters decodes RFC 8187 extended parameters", () => {
  const p = parseHeaderParameters(
    `attachment; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve%20file.txt`,
  );
  assert.equal(p.params.filename, "naïve file.txt");
  assert.equal(
    parseHeaderParameters(`attachment; filename*=iso-8859-1'en'%A3%20rates`).params.filename,
    "£ rates",
  );
  // Malformed extended values are ignored, the plain one stays.
  assert.equal(
    parseHeaderParameters(`a; filename="ok.txt"; filename*=UTF-8''%C3%28`).params.filename,
    "ok.txt",
  );
  assert.equal(
    parseHeaderParameters(`a; filename="ok.txt"; filename*=nocharset`).params.filename,
    "ok.txt",
  );
});

test("parseHeaderParameters is safe from prototype pollution", () => {
  const { params } = parseHeaderParameters("x; __proto__=polluted; constructor=c");
  assert.equal(Object.getPrototypeOf(params), Object.prototype);
  assert.equal(params["__proto__"], "polluted");
  assert.equal(params.constructor, "c");
});

test("parseHeaderLine splits name and value", () => {
  assert.deepEqual(parseHeaderLine("Content-Type: text/plain"), ["content-type", "text/plain"]);
  assert.deepEqual(parseHeaderLine("X-Request-ID:  abc123 \t"), ["x-request-id", "abc123"]);
  assert.deepEqual(parseHeaderLine("X-Empty:"), ["x-empty", ""]);
  assert.deepEqual(parseHeaderLine("Host: [::1]:8080"), ["host", "[::1]:8080"]);
  assert.deepEqual(parseHeaderLine("X-Tab:\ta\tb"), ["x-tab", "a\tb"]);
});

test("parseHeaderLine rejects malformed lines", () => {
  for (
    const bad of [
      "no colon",
      ": empty name",
      "Bad Name: x",
      " Leading: x",
      "Name : x",
      "X-A: b\r\nX-Injected: 1",
      "X-A: b\nc",
      "X-A: \u0000",
      "X-A: \u007f",
    ]
  ) {
    assert.throws(() => parseHeaderLine(bad), DecodeError, JSON.stringify(bad));
  }
});
