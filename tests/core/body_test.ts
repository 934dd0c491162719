import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeResponseData } from "../../core/body.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

test("encodeResponseData encodes strings as UTF-8 HTML", () => {
  const r = encodeResponseData("<h1>héllo</h1>");
  assert.equal(r.contentType, "text/html; charset=utf-8");
  assert.deepEqual(r.body, new TextEncoder().encode("<h1>héllo</h1>"));
  assert.equal(encodeResponseData("").body.length, 0);
  assert.equal(encodeResponseData("").contentType, "text/html; charset=utf-8");
});

test("encodeResponseData passes bytes through as octet-stream", () => {
  const bytes = new Uint8Array([0, 1, 255]);
  const r = encodeResponseData(bytes);
  assert.equal(r.body, bytes);
  assert.equal(r.contentType, "application/octet-stream");
  const ab = encodeResponseData(new Uint8Array([7, 8]).buffer);
  assert.deepEqual(ab.body, new Uint8Array([7, 8]));
  assert.equal(ab.contentType, "application/octet-stream");
  const view = new Uint16Array([1, 2, 3]).subarray(1);
  const v = encodeResponseData(view);
  assert.equal(v.body.byteLength, 4);
  assert.deepEqual(v.body, new Uint8Array(view.buffer, 2, 4));
  assert.equal(encodeResponseData(new DataView(new ArrayBuffer(3))).body.length, 3);
});

test("encodeResponseData encodes objects, arrays, numbers and booleans as JSON", () => {
  const cases: [unknown, string][] = [
    [{ message: "hello", ok: true }, '{"message":"hello","ok":true}'],
    [[1, "a", null], '[1,"a",null]'],
    [{}, "{}"],
    [[], "[]"],
    [0, "0"],
    [42.5, "42.5"],
    [false, "false"],
    [true, "true"],
    [{ é: "€" }, '{"é":"€"}'],
  ];
  for (const [data, json] of cases) {
    const r = encodeResponseData(data as never);
    assert.equal(r.contentType, "application/json", json);
    assert.equal(text(r.body), json);
  }
});

test("encodeResponseData gives an empty body and no type for null and undefined", () => {
  for (const data of [null, undefined]) {
    const r = encodeResponseData(data);
    assert.equal(r.body.length, 0);
    assert.equal(r.contentType, null);
  }
});

test("encodeResponseData throws TypeError for data JSON cannot hold", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeResponseData(cyclic), TypeError);
  assert.throws(() => encodeResponseData({ n: 1n }), TypeError);
  assert.throws(() => encodeResponseData((() => 1) as never), TypeError);
  assert.throws(() => encodeResponseData(Symbol("s") as never), TypeError);
});
