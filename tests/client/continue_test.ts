import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, STATE_WAITING_100_CONTINUE } from "../../client/mod.ts";
import { delay, ok, rawServer } from "./_helpers.ts";

const BODY = "x".repeat(5000);

test("100-continue: accepted: head first, body after 100, final response", async () => {
  const srv = rawServer((req, s) => s.write(ok(`got ${req.body.length}`)), {
    onHead: (req, s) => {
      if (req.method === "GET") return;
      assert.equal(req.headers.expect, "100-continue");
      assert.equal(s.received.endsWith("\r\n\r\n"), true, "no body bytes before 100");
      s.write("HTTP/1.1 100 Continue\r\n\r\n");
    },
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const t0 = performance.now();
    const res = await client.post("/upload", { data: BODY, expectContinue: true }).wait();
    assert.equal(res!.text(), "got 5000");
    assert.ok(performance.now() - t0 < 900, "did not wait for the 1 s fallback");
    // The connection is reused afterwards.
    assert.equal((await client.get("/").wait())!.status, 200);
    assert.equal(srv.sockets.length, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test("100-continue: rejected: the final status is returned and the body never sent", async () => {
  const srv = rawServer(() => {}, {
    onHead: (_req, s) => {
      s.write("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\n\r\ntoo big!");
    },
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    client.post("/upload", { data: BODY, expectContinue: true });
    assert.equal(client.state === STATE_WAITING_100_CONTINUE || client.state === 1, true);
    const res = await client.wait();
    assert.equal(res!.status, 413);
    assert.equal(res!.text(), "too big!");
    await delay(1200); // past the 1 s fallback: still nothing may be sent
    assert.equal(srv.sockets[0]!.received.includes("xxxx"), false, "body never sent");
    // The next request works (a new connection: the old one cannot be reused).
    const next = await client.get("/").wait();
    assert.equal(next!.status, 413);
    assert.equal(srv.sockets.length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test("100-continue: ignored by the server: the body goes after 1 s anyway", async () => {
  const srv = rawServer((req, s) => s.write(ok(`got ${req.body.length}`)));
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const t0 = performance.now();
    const res = await client.put("/upload", { data: BODY, expectContinue: true }).wait();
    const took = performance.now() - t0;
    assert.equal(res!.text(), "got 5000");
    assert.ok(took >= 900 && took < 3000, `took ${took} ms`);
  } finally {
    client.close();
    await srv.close();
  }
});

test("100-continue: a streamed body waits for 100 too", async () => {
  const srv = rawServer((req, s) => s.write(ok(new TextDecoder().decode(req.body))), {
    onHead: (_req, s) => s.write("HTTP/1.1 100 Continue\r\n\r\n"),
  });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  try {
    const parts = async function* () {
      yield "a";
      yield "b";
    };
    const res = await client.post("/s", { data: parts(), expectContinue: true }).wait();
    assert.equal(res!.text(), "ab");
  } finally {
    client.close();
    await srv.close();
  }
});
