/**
 * The raw-socket case table (cases.ts) against examples/echo_server.ts, one test per
 * row, a fresh TCP connection per case, one echo server process for the file. Rows
 * marked `fragment` also run split at every byte boundary and one byte per write.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CASES, type Step } from "./cases.ts";
import { rowBytes, runCase } from "./_runner.ts";
import { delay, latin1, pool, type ServerProcess, simpleGet, startServer } from "./_helpers.ts";

let server: Promise<ServerProcess> | null = null;
let current: ServerProcess | null = null;
/** The echo server; a fresh one when a case killed the previous one. */
async function echo(): Promise<ServerProcess> {
  if (current && !current.alive()) server = null;
  server ??= startServer().then((s) => current = s);
  return await server;
}
async function port(): Promise<number> {
  return (await echo()).port;
}

/** After each case: the server must still serve a normal request. */
async function survived(name: string): Promise<void> {
  const s = await echo();
  try {
    const r = await simpleGet(s.port, "/__health", 2000);
    assert.equal(r.status, 200);
  } catch (e) {
    await s.stop();
    const err = s.stderr();
    server = null;
    assert.fail(
      `the echo server stopped serving after "${name}" (${(e as Error).message}); stderr: ${
        err.slice(-2000)
      }`,
    );
  }
}

test("echo server starts and answers", async () => {
  const p = await port();
  const r = await simpleGet(p, "/hello");
  assert.equal(r.status, 200);
});

for (const c of CASES) {
  test(`[${c.category}] ${c.name}`, async () => {
    try {
      await runCase(await port(), c);
    } finally {
      await survived(c.name);
    }
  });
}

for (const c of CASES.filter((c) => c.fragment)) {
  test(`[fragmented] split at every byte boundary: ${c.name}`, { timeout: 30_000 }, async () => {
    const p = await port();
    const whole = rowBytes(c);
    assert.ok(whole, "fragmented rows are made of writes only");
    const splits = Array.from({ length: whole.length - 1 }, (_, i) => i + 1);
    await pool(splits, 48, async (i) => {
      const steps: Step[] = [latin1(whole, 0, i), { delay: 15 }, latin1(whole, i)];
      try {
        await runCase(p, c, steps);
      } catch (e) {
        throw new Error(
          `split at byte ${i} (${JSON.stringify(latin1(whole, 0, i).slice(-12))} | ...): ${
            (e as Error).message
          }`,
        );
      }
    });
  });
}

for (const c of CASES.filter((c) => c.fragment)) {
  test(`[fragmented] one byte per write: ${c.name}`, { timeout: 30_000 }, async () => {
    const whole = rowBytes(c)!;
    const steps: Step[] = [];
    for (let i = 0; i < whole.length; i++) {
      if (i > 0) steps.push({ delay: 1 });
      steps.push(String.fromCharCode(whole[i]!));
    }
    await runCase(await port(), c, steps);
  });
}

test("three splits with long pauses are answered once complete", async () => {
  const c = CASES.find((c) => c.name === "CL 5")!;
  const whole = rowBytes(c)!;
  const a = 10;
  const b = whole.length - 3;
  await runCase(await port(), c, [
    latin1(whole, 0, a),
    { quiet: 120 },
    latin1(whole, a, b),
    { quiet: 120 },
    latin1(whole, b),
  ]);
});

test("the echo server survived the table and stops cleanly", async () => {
  const s = await echo();
  const r = await simpleGet(s.port, "/bye");
  assert.equal(r.status, 200);
  assert.ok(s.alive(), "echo server died");
  await s.stop();
  await delay(0);
  const err = s.stderr();
  assert.ok(!/uncaught|panicked/i.test(err), `echo server stderr: ${err.slice(0, 2000)}`);
});
