import { test } from "node:test";
import assert from "node:assert/strict";
import { currentHttpDate, formatHttpDate, parseHttpDate } from "../../core/http_date.ts";

const T = Date.UTC(1994, 10, 6, 8, 49, 37);

test("formatHttpDate writes IMF-fixdate", () => {
  assert.equal(formatHttpDate(new Date(T)), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(formatHttpDate(new Date(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.equal(formatHttpDate(new Date(T + 999)), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(
    formatHttpDate(new Date(Date.UTC(2024, 1, 29, 23, 5, 9))),
    "Thu, 29 Feb 2024 23:05:09 GMT",
  );
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(45);
  assert.equal(formatHttpDate(d), "Sun, 01 Jan 0045 00:00:00 GMT");
});

test("formatHttpDate matches toUTCString for ordinary dates", () => {
  for (let t = 0; t < 4e12; t += 123_456_789_012) {
    assert.equal(formatHttpDate(new Date(t)), new Date(t).toUTCString());
  }
});

test("formatHttpDate rejects invalid dates", () => {
  assert.throws(() => formatHttpDate(new Date(NaN)), RangeError);
  assert.throws(() => formatHttpDate(new Date(Date.UTC(10000, 0, 1))), RangeError);
});

test("parseHttpDate reads the three HTTP date formats", () => {
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")?.getTime(), T);
  assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")?.getTime(), T);
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994")?.getTime(), T);
  assert.equal(parseHttpDate("Sun Nov 16 08:49:37 1994")?.getTime(), T + 10 * 86_400_000);
  assert.equal(parseHttpDate("  sun, 06 nov 1994 08:49:37 gmt ")?.getTime(), T);
});

test("parseHttpDate maps two-digit years to within 50 years from now", () => {
  assert.equal(parseHttpDate("Thursday, 01-Jan-70 00:00:00 GMT")?.getUTCFullYear(), 2070);
  const farYear = (new Date().getUTCFullYear() + 60) % 100;
  const s = `Monday, 01-Jan-${String(farYear).padStart(2, "0")} 00:00:00 GMT`;
  assert.ok(parseHttpDate(s)!.getUTCFullYear() < new Date().getUTCFullYear());
});

test("parseHttpDate round-trips formatHttpDate", () => {
  for (let t = 0; t < 4e12; t += 98_765_432_100) {
    const rounded = Math.floor(t / 1000) * 1000;
    assert.equal(parseHttpDate(formatHttpDate(new Date(t)))?.getTime(), rounded);
  }
});

test("parseHttpDate returns null for anything else", () => {
  for (
    const bad of [
      "",
      "yesterday",
      "1994-11-06T08:49:37Z",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49 GMT",
      "Sun, 06 Foo 1994 08:49:37 GMT",
      "Sun, 31 Feb 1994 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 23:60:00 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT extra",
      "Sunday, 06-Nov-1994 08:49:37 GMT",
    ]
  ) {
    assert.equal(parseHttpDate(bad), null, bad);
  }
});

test("currentHttpDate is the current second as IMF-fixdate and is cached", async () => {
  for (;;) {
    const before = Date.now();
    const a = currentHttpDate();
    const b = currentHttpDate();
    const after = Date.now();
    // Retry in a later turn when a second boundary fell between the two readings.
    if (Math.floor(before / 1000) !== Math.floor(after / 1000)) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    assert.equal(a, b);
    assert.equal(a, formatHttpDate(new Date(before)));
    assert.match(a, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    break;
  }
});

test("currentHttpDate follows the clock from one turn of the event loop to the next", async () => {
  const first = currentHttpDate();
  const second = Math.floor(Date.now() / 1000);
  // Wait (in later turns) until the clock is in a later second.
  while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
  const now = Date.now();
  const next = currentHttpDate();
  assert.notEqual(next, first);
  if (Math.floor(Date.now() / 1000) === Math.floor(now / 1000)) {
    assert.equal(next, formatHttpDate(new Date(now)));
  }
});
