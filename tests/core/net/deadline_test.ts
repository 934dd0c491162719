import { test } from "node:test";
import assert from "node:assert/strict";
import { Deadline } from "../../../core/net/mod.ts";

function after(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

test("a Deadline fires on its own", async () => {
  const started = performance.now();
  let firedAt = 0;
  const fired = new Promise<void>((resolve) => {
    const d = new Deadline(() => {
      firedAt = performance.now();
      resolve();
    });
    d.set(20);
    assert.equal(d.pending, true);
  });
  await fired;
  assert.ok(firedAt - started >= 19, `fired after ${firedAt - started} ms`);
});

test("a Deadline subclass is told through onExpire, in order with callback deadlines", async () => {
  const order: string[] = [];
  class Named extends Deadline {
    constructor(readonly name: string, readonly done?: () => void) {
      super();
    }
    override onExpire(): void {
      order.push(this.name);
      this.done?.();
    }
  }
  await new Promise<void>((resolve) => {
    new Named("first").set(5);
    new Deadline(() => order.push("callback")).set(10);
    new Named("last", resolve).set(15);
  });
  assert.deepEqual(order, ["first", "callback", "last"]);
});

test("clear() keeps a Deadline from firing", async () => {
  let fired = 0;
  const d = new Deadline(() => fired++);
  d.set(10);
  d.clear();
  assert.equal(d.pending, false);
  d.clear(); // harmless
  await after(30);
  assert.equal(fired, 0);
});

test("set() again moves the Deadline", async () => {
  const order: string[] = [];
  const a = new Deadline(() => order.push("a"));
  const b = new Deadline(() => order.push("b"));
  a.set(5);
  b.set(15);
  a.set(30); // moved after b
  await after(60);
  assert.deepEqual(order, ["b", "a"]);
  assert.equal(a.pending, false);
});

test("many deadlines share one timer and fire in order", async () => {
  const COUNT = 2_000;
  const fired: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => done = r);
  const expectedCount = COUNT / 2 + COUNT / 4;
  const deadlines: Deadline[] = [];
  for (let i = 0; i < COUNT; i++) {
    deadlines.push(
      new Deadline(() => {
        fired.push(i);
        if (fired.length === expectedCount) done();
      }),
    );
  }
  // Count the timers made while the deadlines are set, moved and cleared.
  const realSetTimeout = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    timers++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  try {
    for (const d of deadlines) d.set(40); // all due in 40 ms, in this order
    for (let i = COUNT - 1; i >= 0; i -= 2) deadlines[i]!.set(10); // odd ones moved earlier
    for (let i = 0; i < COUNT; i += 4) deadlines[i]!.clear(); // a quarter cancelled
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.ok(timers <= 2, `${timers} timers for ${COUNT} deadlines`);
  await all;
  const odd = [];
  for (let i = COUNT - 1; i >= 0; i -= 2) odd.push(i);
  const rest = [];
  for (let i = 2; i < COUNT; i += 4) rest.push(i);
  // Earlier due first; the same due in the order they were set.
  assert.deepEqual(fired, [...odd, ...rest]);
  assert.ok(deadlines.every((d) => !d.pending));
});

test("ever earlier deadlines do not re-arm the timer for each", async () => {
  const COUNT = 500;
  let count = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => done = r);
  const realSetTimeout = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    timers++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  try {
    for (let i = 0; i < COUNT; i++) {
      new Deadline(() => {
        if (++count === COUNT) done();
      }).set(20 - i * 0.01); // 20 ms down to 15 ms
    }
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.ok(timers <= 10, `${timers} timers for ${COUNT} deadlines`);
  await all;
  assert.equal(count, COUNT);
});

test("setCoarse() moved on every call reads the clock once, and passes only ms after the last call", async () => {
  const realNow = performance.now;
  let reads = 0;
  performance.now = () => {
    reads++;
    return realNow.call(performance);
  };
  let firedAt = 0;
  let fired!: () => void;
  const passed = new Promise<void>((r) => fired = r);
  const d = new Deadline(() => {
    firedAt = performance.now();
    fired();
  });
  try {
    for (let i = 0; i < 1_000; i++) d.setCoarse(80);
  } finally {
    performance.now = realNow;
  }
  assert.ok(reads <= 2, `${reads} clock reads for 1000 calls`);
  // Moved on for two delays: it must not pass meanwhile.
  const start = performance.now();
  let lastCall = start;
  while (lastCall - start < 160) {
    await after(15);
    assert.equal(firedAt, 0, `passed ${performance.now() - lastCall} ms after the last call`);
    d.setCoarse(80);
    lastCall = performance.now();
  }
  await passed;
  const late = firedAt - lastCall;
  assert.ok(late >= 79 && late < 80 * 2, `passed ${late} ms after the last call`);
  assert.equal(d.pending, false);
});

test("set() and clear() end setCoarse()'s checks", async () => {
  let fired = 0;
  let firedAt = 0;
  let done!: () => void;
  const passed = new Promise<void>((r) => done = r);
  const d = new Deadline(() => {
    fired++;
    firedAt = performance.now();
    done();
  });
  d.setCoarse(10_000);
  const start = performance.now();
  d.set(20); // exact again: passes once, 20 ms from now
  await passed;
  const took = firedAt - start;
  assert.ok(took >= 19 && took < 5_000, `passed after ${took} ms`);
  assert.equal(d.pending, false);
  d.setCoarse(10);
  d.clear();
  await after(40);
  assert.equal(fired, 1);
  assert.equal(d.pending, false);
});

test("setCoarse() tells onQuiet() at each check that finds no call since the one before", async () => {
  const quietAt: number[] = [];
  let expiredAt = 0;
  let done!: () => void;
  const passed = new Promise<void>((r) => done = r);
  class QuietDeadline extends Deadline {
    override onQuiet(): void {
      quietAt.push(performance.now());
    }
    override onExpire(): void {
      expiredAt = performance.now();
      done();
    }
  }
  const d = new QuietDeadline();
  const start = performance.now();
  d.setCoarse(80); // checked every 10 ms
  await passed;
  assert.ok(quietAt.length >= 1, "no check told onQuiet()");
  assert.ok(quietAt[0]! - start >= 9, `quiet after ${quietAt[0]! - start} ms`);
  assert.ok(quietAt.every((t) => t <= expiredAt), "onQuiet() after the deadline passed");
  assert.ok(expiredAt - start >= 79, `passed after ${expiredAt - start} ms`);
});

test("setCoarse() called between checks keeps onQuiet() from being told", async () => {
  let quiet = 0;
  class QuietDeadline extends Deadline {
    override onQuiet(): void {
      quiet++;
    }
  }
  const d = new QuietDeadline();
  // Checked every 100 ms and moved every 5 ms: every check finds a call.
  d.setCoarse(800);
  const start = performance.now();
  while (performance.now() - start < 250) {
    await after(5);
    d.setCoarse(800);
  }
  d.clear();
  assert.equal(quiet, 0);
});

test("a Deadline made with a quiet callback runs it where onQuiet() is told", async () => {
  let quiet = 0;
  let done!: () => void;
  const passed = new Promise<void>((r) => done = r);
  const d = new Deadline(done, () => quiet++);
  d.setCoarse(40); // checked every 5 ms
  await passed;
  assert.ok(quiet >= 1, "the quiet callback never ran");
  assert.equal(d.pending, false);
});
