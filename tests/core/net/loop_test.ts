import { test } from "node:test";
import assert from "node:assert/strict";
import { type Pollable, ReadySignal, select } from "../../../core/net/mod.ts";

/** A pollable inbox, the way HttpServer/HttpClient implement the contract. */
class Inbox implements Pollable {
  items: string[] = [];
  #signal = new ReadySignal();
  constructor(readonly name: string) {}
  get ready(): boolean {
    return this.items.length > 0;
  }
  whenReady(): Promise<void> {
    return this.#signal.wait();
  }
  push(item: string): void {
    this.items.push(item);
    this.#signal.notify();
  }
}

test("select returns just the item that became ready", async () => {
  const a = new Inbox("a");
  const b = new Inbox("b");
  const c = new Inbox("c");
  setTimeout(() => b.push("hello"), 5);
  const ready = await select([a, b, c], 5_000);
  assert.deepEqual(ready, [b]);
  assert.equal(b.items[0], "hello");
});

test("select returns [] when the timeout passes first", async () => {
  const a = new Inbox("a");
  const started = performance.now();
  const ready = await select([a, new Inbox("b")], 30);
  const elapsed = performance.now() - started;
  assert.deepEqual(ready, []);
  assert.ok(elapsed >= 25, `returned after ${elapsed} ms`);
});

test("select returns at once the items already ready (no lost wake-up)", async () => {
  const a = new Inbox("a");
  const b = new Inbox("b");
  const c = new Inbox("c");
  a.push("1");
  c.push("3");
  assert.deepEqual(await select([a, b, c]), [a, c]);
  assert.deepEqual(await select([a, b, c], 0), [a, c]);
  assert.deepEqual(await select([b], 0), []);
});

test("select waits again after a spurious wake-up", async () => {
  const a = new Inbox("a");
  const signal = new ReadySignal();
  let flag = false;
  const flaky: Pollable = {
    get ready() {
      return flag;
    },
    whenReady: () => signal.wait(),
  };
  setTimeout(() => signal.notify(), 2); // wakes, but not ready
  setTimeout(() => {
    flag = true;
    signal.notify();
  }, 15);
  assert.deepEqual(await select([a, flaky], 5_000), [flaky]);
});

test("ReadySignal keeps a notification that came before wait()", async () => {
  const signal = new ReadySignal();
  signal.notify();
  signal.notify(); // notifications do not pile up
  let resolved = false;
  await signal.wait().then(() => resolved = true);
  assert.equal(resolved, true);
  // The next wait needs a new notification.
  let second = false;
  const p = signal.wait().then(() => second = true);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(second, false);
  signal.notify();
  await p;
  assert.equal(second, true);
});

test("ReadySignal wakes every waiter of a round with one notify", async () => {
  const signal = new ReadySignal();
  const woken: number[] = [];
  const waits = [1, 2, 3].map((i) => signal.wait().then(() => woken.push(i)));
  signal.notify();
  await Promise.all(waits);
  assert.deepEqual(woken, [1, 2, 3]);
});
