/**
 * Responses written in seeded-random fragments (tiny and large pieces, some
 * separated by short timers so they arrive in separate reads) must reach the
 * application intact, and stay intact: the Deno transport lends the client one
 * reused read buffer, so every body byte the client keeps must be a copy. Each
 * test fetches many Content-Length and chunked bodies on one keep-alive
 * connection, keeps every piece it was handed, and checks them all again at the
 * end (a later read overwriting kept bytes shows up there).
 *
 * A failure names the seed, the response index, its framing and size; the seeds
 * are fixed, so the same fragmentation is written again on the next run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_HEADERS,
  EVENT_RESPONSE,
  HttpClient,
  type HttpResponse,
} from "../../client/mod.ts";
import { listen, type Transport } from "../../core/net/mod.ts";
import { prng } from "../_prng.ts";
import { concatBytes } from "../../core/bytes.ts";
import { encodeLatin1 } from "../../core/protocol/writers.ts";

/** Body sizes, cycled by response index (70000 is above the preallocation size). */
const SIZES = [0, 1, 13, 700, 1500, 5000, 70000];
/** Responses per test: every size three times with each framing. */
const RESPONSES = SIZES.length * 6;

/** An integer in [0, n). */
const below = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

const sizeOf = (i: number): number => SIZES[i % SIZES.length]!;
const isChunked = (i: number): boolean => Math.floor(i / SIZES.length) % 2 === 1;

/** The body of response `i`: its bytes depend on the index and on the position. */
function bodyFor(i: number): Uint8Array {
  const n = sizeOf(i);
  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = (k * 7 + (k >>> 8) * 13 + i * 31) & 0xff;
  return b;
}

/** The whole response `i` and where its head ends. */
function responseFor(i: number, rnd: () => number): { wire: Uint8Array; headEnd: number } {
  const body = bodyFor(i);
  if (!isChunked(i)) {
    const head = encodeLatin1(
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nX-I: ${i}\r\n\r\n`,
    );
    return { wire: concatBytes([head, body]), headEnd: head.length };
  }
  const head = encodeLatin1(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-I: ${i}\r\n\r\n`);
  const parts = [head];
  for (let p = 0; p < body.length;) {
    // Chunks of 1 byte up to a few KB, so chunk heads fall anywhere in a read.
    const n = Math.min(body.length - p, 1 + below(rnd, rnd() < 0.5 ? 16 : 3000));
    parts.push(
      encodeLatin1(n.toString(16) + "\r\n"),
      body.subarray(p, p + n),
      encodeLatin1("\r\n"),
    );
    p += n;
  }
  parts.push(encodeLatin1(`0\r\nX-Check: ${i}\r\n\r\n`));
  return { wire: concatBytes(parts), headEnd: head.length };
}

/** Cuts `wire` into pieces; `pause` marks a timer break after the piece. */
function fragments(
  wire: Uint8Array,
  headEnd: number,
  rnd: () => number,
): { piece: Uint8Array; pause: boolean }[] {
  const cuts = new Map<number, boolean>();
  for (let p = 0; p < wire.length;) {
    const kind = rnd();
    p += kind < 0.4
      ? 1 + below(rnd, 16)
      : kind < 0.7
      ? 17 + below(rnd, 1200)
      : 1201 + below(rnd, 20000);
    cuts.set(Math.min(p, wire.length), rnd() < 0.3);
  }
  // Half the time the head arrives alone, so event mode sees it before the body.
  if (headEnd < wire.length && rnd() < 0.5) cuts.set(headEnd, true);
  const out: { piece: Uint8Array; pause: boolean }[] = [];
  let from = 0;
  for (const [to, pause] of [...cuts].sort((a, b) => a[0] - b[0])) {
    out.push({ piece: wire.subarray(from, to), pause });
    from = to;
  }
  return out;
}

interface FragServer {
  port: number;
  /** Connections accepted so far. */
  connections: () => number;
  close(): Promise<void>;
}

/**
 * A raw server answering `GET /r/<i>` with response `i`, written in fragments
 * drawn from `seed` and `i` (the same fragments for the same seed and index).
 */
function fragServer(seed: number): FragServer {
  const transports: Transport[] = [];
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  let stopped = false;
  const pause = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, 1);
      timers.set(t, resolve);
    });
  const listener = listen({ hostname: "127.0.0.1", port: 0 }, (t) => {
    transports.push(t);
    let text = "";
    const queue: number[] = [];
    let writing = false;
    const writeAll = async () => {
      writing = true;
      while (queue.length > 0 && !stopped && !t.closed) {
        const i = queue.shift()!;
        if (i < 0) {
          t.write(encodeLatin1("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
          continue;
        }
        const rnd = prng((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0);
        const { wire, headEnd } = responseFor(i, rnd);
        for (const { piece, pause: wait } of fragments(wire, headEnd, rnd)) {
          t.write(piece);
          if (wait) await pause();
          if (stopped) break;
        }
      }
      writing = false;
    };
    t.setHandlers({
      onData: (b) => {
        for (let k = 0; k < b.length; k++) text += String.fromCharCode(b[k]!);
        let end;
        while ((end = text.indexOf("\r\n\r\n")) >= 0) {
          const m = /^GET \/r\/(\d+) /.exec(text.slice(0, end));
          text = text.slice(end + 4);
          queue.push(m ? Number(m[1]) : -1);
        }
        if (!writing) void writeAll();
      },
      onEnd: () => t.close(),
    });
  });
  return {
    port: listener.addr.port,
    connections: () => transports.length,
    async close() {
      stopped = true;
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
      listener.close();
      for (const t of transports) t.abort();
      await Promise.all([listener.finished, ...transports.map((t) => t.finished)]);
    },
  };
}

/** How one test reads a body. */
type Mode = "buffered" | "streaming" | "readable";

/** Describes response `i` in assertion messages. */
const what = (mode: Mode, seed: number, i: number): string =>
  `${mode}, seed 0x${seed.toString(16)}: response ${i} (${
    isChunked(i) ? "chunked" : "content-length"
  }, ${sizeOf(i)} bytes)`;

/** Fails with the first differing byte when `got` is not the body of response `i`. */
function assertBody(got: Uint8Array, i: number, where: string): void {
  const want = bodyFor(i);
  assert.equal(got.length, want.length, `${where}: body length`);
  for (let k = 0; k < want.length; k++) {
    if (got[k] !== want[k]) {
      assert.fail(`${where}: byte ${k} is ${got[k]}, sent ${want[k]}`);
    }
  }
}

async function nextEvent(client: HttpClient, where: string): Promise<HttpResponse> {
  const res = await client.wait(2000);
  assert.ok(res !== null, `${where}: no event within 2 s`);
  return res;
}

/**
 * Fetches every response on one connection in `mode`, keeps the pieces the client
 * handed out, and checks them on arrival and again at the end.
 *
 * @returns how many bodies were read incrementally (not already complete at the head)
 */
async function fetchAll(mode: Mode, seed: number): Promise<number> {
  const srv = fragServer(seed);
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`);
  const kept: { i: number; pieces: Uint8Array[] }[] = [];
  let incremental = 0;
  try {
    for (let i = 0; i < RESPONSES; i++) {
      const where = what(mode, seed, i);
      const pieces: Uint8Array[] = [];
      let res: HttpResponse;
      if (mode === "buffered") {
        res = (await client.get(`/r/${i}`).wait(2000))!;
        assert.ok(res !== null, `${where}: no response within 2 s`);
        pieces.push(res.data);
      } else {
        res = await nextEvent(client.get(`/r/${i}`, { stream: true }), where);
        if (res.event === EVENT_RESPONSE) {
          pieces.push(res.data); // complete with the head
        } else {
          assert.equal(res.event, EVENT_HEADERS, `${where}: first event`);
          incremental++;
          if (mode === "streaming") {
            client.acceptBodyStreaming();
            let ev: HttpResponse;
            while ((ev = await nextEvent(client, where)).event === EVENT_DATA) {
              const b = client.readBuffer();
              if (b !== null) pieces.push(b);
            }
            assert.equal(ev.event, EVENT_COMPLETE, `${where}: last event`);
            const b = client.readBuffer();
            if (b !== null) pieces.push(b);
          } else {
            const body = res.body;
            assert.ok(body !== null, `${where}: body stream`);
            const reader = body.getReader();
            while (true) {
              const r = await reader.read();
              if (r.done) break;
              pieces.push(r.value);
            }
            assert.equal((await nextEvent(client, where)).event, EVENT_COMPLETE, where);
          }
        }
      }
      assert.equal(res.status, 200, `${where}: status`);
      assert.equal(res.headers["x-i"], String(i), `${where}: head of another response`);
      if (isChunked(i)) assert.equal(res.trailers["x-check"], String(i), `${where}: trailer`);
      assertBody(concatBytes(pieces), i, `${where} arrived corrupted`);
      kept.push({ i, pieces });
    }
    // Bytes handed out earlier must not have been overwritten by later reads.
    for (const { i, pieces } of kept) {
      assertBody(concatBytes(pieces), i, `${what(mode, seed, i)} changed after later reads`);
    }
    assert.equal(srv.connections(), 1, `${mode}, seed 0x${seed.toString(16)}: connections`);
    return incremental;
  } finally {
    client.close();
    await srv.close();
  }
}

test("fragmented responses: buffered bodies (res.data) arrive and stay intact", async () => {
  await fetchAll("buffered", 0x5eed01);
});

test("fragmented responses: streamed bodies (readBuffer) arrive and stay intact", async () => {
  const incremental = await fetchAll("streaming", 0x5eed02);
  assert.ok(incremental > 0, "some bodies were streamed after their head");
});

test("fragmented responses: ReadableStream bodies (res.body) arrive and stay intact", async () => {
  const incremental = await fetchAll("readable", 0x5eed03);
  assert.ok(incremental > 0, "some bodies were read from res.body after their head");
});
