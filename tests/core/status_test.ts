import { test } from "node:test";
import assert from "node:assert/strict";
import { reasonPhrase, STATUS_TEXT } from "../../core/status.ts";

test("reasonPhrase knows the common and the newer IANA codes", () => {
  assert.equal(reasonPhrase(200), "OK");
  assert.equal(reasonPhrase(404), "Not Found");
  assert.equal(reasonPhrase(103), "Early Hints");
  assert.equal(reasonPhrase(413), "Content Too Large");
  assert.equal(reasonPhrase(421), "Misdirected Request");
  assert.equal(reasonPhrase(425), "Too Early");
  assert.equal(reasonPhrase(451), "Unavailable For Legal Reasons");
  assert.equal(reasonPhrase(506), "Variant Also Negotiates");
  assert.equal(reasonPhrase(508), "Loop Detected");
  assert.equal(reasonPhrase(511), "Network Authentication Required");
});

test("reasonPhrase returns an empty string for unknown codes", () => {
  assert.equal(reasonPhrase(299), "");
  assert.equal(reasonPhrase(599), "");
  assert.equal(reasonPhrase(0), "");
  assert.equal(reasonPhrase(-1), "");
  assert.equal(reasonPhrase(200.5), "");
});

test("STATUS_TEXT covers every registered code and is frozen", () => {
  const codes = Object.keys(STATUS_TEXT).map(Number);
  for (
    const c of [
      100,
      101,
      102,
      103,
      200,
      201,
      202,
      203,
      204,
      205,
      206,
      207,
      208,
      226,
      300,
      301,
      302,
      303,
      304,
      305,
      307,
      308,
      400,
      401,
      402,
      403,
      404,
      405,
      406,
      407,
      408,
      409,
      410,
      411,
      412,
      413,
      414,
      415,
      416,
      417,
      421,
      422,
      423,
      424,
      425,
      426,
      428,
      429,
      431,
      451,
      500,
      501,
      502,
      503,
      504,
      505,
      506,
      507,
      508,
      510,
      511,
    ]
  ) {
    assert.ok(codes.includes(c), `missing ${c}`);
  }
  assert.ok(Object.isFrozen(STATUS_TEXT));
  for (const text of Object.values(STATUS_TEXT)) assert.doesNotMatch(text, /[\r\n]/);
});
