import { test } from "node:test";
import assert from "node:assert/strict";
import { EndCounter, fixedResponse, repeated } from "../../bench/servers/raw_common.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const REQ = "GET / HTTP/1.1\r\nhost: x\r\n\r\n";

test("EndCounter counts pipelined request ends split at every byte", () => {
  const wire = enc.encode(REQ.repeat(3));
  for (let cut = 0; cut <= wire.length; cut++) {
    const c = new EndCounter();
    const a = wire.slice(0, cut);
    const b = wire.slice(cut);
    assert.equal(c.count(a, a.length) + c.count(b, b.length), 3, `cut at ${cut}`);
  }
});

test("EndCounter does not count a bare LF LF or CR CR", () => {
  const c = new EndCounter();
  const wire = enc.encode("GET / HTTP/1.1\n\nx\r\r\n\n\r\n\r");
  assert.equal(c.count(wire, wire.length), 0);
  const end = enc.encode("\n");
  assert.equal(c.count(end, 1), 1);
});

test("fixedResponse frames its body with a matching content-length", () => {
  for (const size of [0, 1, 70_000]) {
    const r = fixedResponse(size);
    const text = dec.decode(r);
    const headEnd = text.indexOf("\r\n\r\n") + 4;
    const m = /content-length: (\d+)\r\n/.exec(text);
    assert.ok(text.startsWith("HTTP/1.1 200 OK\r\n"));
    assert.equal(Number(m?.[1]), r.length - headEnd);
    assert.equal(r.length - headEnd, size === 0 ? 13 : size);
  }
  assert.ok(dec.decode(fixedResponse(0)).endsWith("\r\n\r\nHello, World!"));
});

test("repeated answers n pipelined requests with n copies back to back", () => {
  const one = fixedResponse(0);
  const times = repeated(one);
  assert.equal(times(1), one);
  const sixteen = times(16);
  assert.equal(sixteen.length, one.length * 16);
  assert.deepEqual(sixteen.subarray(one.length * 15), one);
  assert.equal(times(16), sixteen);
});
