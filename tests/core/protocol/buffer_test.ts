import { test } from "node:test";
import assert from "node:assert/strict";
import { OutputBuffer } from "../../../core/protocol/mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = (s: string) => new TextEncoder().encode(s);

test("OutputBuffer.content: the content, one view while array and length stay", () => {
  const out = new OutputBuffer(8);
  assert.equal(out.content().length, 0);
  out.push(enc("abc"));
  const first = out.content();
  assert.equal(text(first), "abc");
  out.length = 0;
  out.push(enc("xyz"));
  assert.equal(out.content(), first, "same array, same length: same view");
  assert.equal(text(first), "xyz", "the view shows the new bytes");
  out.push(enc("!"));
  assert.equal(text(out.content()), "xyz!", "a longer content gets a new view");
  out.push(enc("0123456789"));
  assert.equal(text(out.content()), "xyz!0123456789", "after the array grew");
  out.length = 3;
  out.bytes = new Uint8Array(out.bytes); // another array of the same size
  assert.notEqual(out.content().buffer, first.buffer);
  assert.equal(text(out.content()), "xyz");
  out.length = out.bytes.length;
  assert.equal(out.content(), out.bytes, "a full array is given as it is");
});
