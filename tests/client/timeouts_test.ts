import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, HttpTimeoutError, select, STATE_IDLE } from "../../client/mod.ts";
import { ok, rawServer } from "./_helpers.ts";

test("timeouts: connect timeout when the TLS handshake never completes", async () => {
  // A TCP server that accepts and says nothing: the connect phase (TCP + TLS) hangs.
  const srv = rawServer(() => {});
  const client = new HttpClient(`https://127.0.0.1:${srv.port}`, { connectTimeout: 200 });
  try {
    const t0 = performance.now();
    await assert.rejects(client.get("/").wait(), (e: Error) => {
      assert.ok(e instanceof HttpTimeoutError, `${e.name}: ${e.message}`);
      assert.match(e.message, /Connect to "127\.0\.0\.1" port \d+ timed out after 200 ms/);
      return true;
    });
    const took = performance.now() - t0;
    assert.ok(took >= 150 && took < 2000, `took ${took} ms`);
    assert.equal(client.state, STATE_IDLE);
  } finally {
    client.close();
    await srv.close();
  }
});

test("timeouts: slow server: request timeout closes the connection", async () => {
  const srv = rawServer(() => {}); // reads the request, never answers
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { timeout: 150 });
  try {
    await assert.rejects(client.get("/slow").wait(), (e: Error) => {
      assert.ok(e instanceof HttpTimeoutError);
      assert.match(e.message, /150 ms/);
      return true;
    });
    assert.equal(client.isConnected, false);
    await srv.sockets[0]!.closed; // the server sees the close
  } finally {
    client.close();
    await srv.close();
  }
});

test("timeouts: after quick exchanges a request still gets its whole timeout, and no more", async () => {
  // Answers every request but /slow.
  const srv = rawServer((req, s) => {
    if (req.target !== "/slow") s.write(ok("quick"));
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { timeout: 200 });
  try {
    for (let i = 0; i < 50; i++) assert.equal((await client.get("/").wait())!.text(), "quick");
    const start = performance.now();
    await assert.rejects(client.get("/slow").wait(), HttpTimeoutError);
    const took = performance.now() - start;
    assert.ok(took >= 195 && took < 1_000, `timed out after ${took} ms`);
  } finally {
    client.close();
    await srv.close();
  }
});

test("timeouts: per-request timeout overrides the client's", async () => {
  const srv = rawServer(() => {});
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { timeout: 60_000 });
  try {
    await assert.rejects(client.get("/slow", { timeout: 100 }).wait(), HttpTimeoutError);
  } finally {
    client.close();
    await srv.close();
  }
});

test("timeouts: wait(timeoutMs) returns null, then the response arrives", async () => {
  let answer: (() => void) | null = null;
  const srv = rawServer((_req, s) => {
    answer = () => s.write(ok("late"));
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { timeout: 5000 });
  try {
    client.get("/");
    assert.equal(await client.wait(50), null);
    assert.equal(client.isConnected, true, "the connection stays");
    assert.ok(answer, "request reached the server");
    (answer as () => void)();
    const res = await client.wait(2000);
    assert.equal(res!.text(), "late");
  } finally {
    client.close();
    await srv.close();
  }
});

test("timeouts: processEvents throws HttpTimeoutError once the deadline passed", async () => {
  const srv = rawServer(() => {});
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { timeout: 100 });
  try {
    client.get("/");
    assert.equal(client.processEvents(), null);
    const ready = await select([client], 3000);
    assert.deepEqual(ready, [client]);
    assert.throws(() => client.processEvents(), HttpTimeoutError);
    assert.equal(client.processEvents(), null, "the error is reported once");
  } finally {
    client.close();
    await srv.close();
  }
});
