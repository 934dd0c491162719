import { test } from "node:test";
import assert from "node:assert/strict";
import { apart, verdict } from "../../bench/verdict.ts";

test("a ratio that misses its goal by less than rounding shows the digits that tell them apart", () => {
  assert.equal(
    verdict(0.946, ">=", 0.95, "x"),
    "not met: 0.946x, 0.4% below the target (needs 1.004x more)",
  );
  assert.equal(
    verdict(0.9499, ">=", 0.95, "x"),
    "not met: 0.9499x, 0.01% below the target (needs 1.0001x more)",
  );
});

test("a clear miss keeps two decimals and a whole percent", () => {
  assert.equal(
    verdict(1.73, ">=", 2.5, "x"),
    "not met: 1.73x, 31% below the target (needs 1.45x more)",
  );
});

test("met targets, the goal itself included", () => {
  assert.equal(verdict(3.32, ">=", 3, "x"), "met (3.32x)");
  assert.equal(verdict(0.95, ">=", 0.95, "x"), "met (0.95x)");
  assert.equal(verdict(5.12, "<=", 6, " KB"), "met (5.12 KB)");
  assert.equal(verdict(2, "<=", 2, " KB"), "met (2.00 KB)");
});

test("a limit passed by less than rounding shows the digits that tell them apart", () => {
  assert.equal(verdict(6.004, "<=", 6, " KB"), "not met: 6.004 KB, 0.004 KB over the limit");
  assert.equal(verdict(6.5, "<=", 6, " KB"), "not met: 6.50 KB, 0.50 KB over the limit");
});

test("apart gives two decimals unless they equal the other number's", () => {
  assert.equal(apart(0.946, 0.95), "0.946");
  assert.equal(apart(0.946, 0.9), "0.95");
  assert.equal(apart(1, 1), "1.00");
  assert.equal(apart(0.123456, 0.1235), "0.1235", "at most four decimals");
});
