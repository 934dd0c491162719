/**
 * Runs rows of the case table (cases.ts) against a live server over raw TCP.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Case, type EchoExpect, FOLLOW_UP, type Reply, type Step } from "./cases.ts";
import {
  bytes,
  concat,
  delay,
  echoOf,
  header,
  latin1,
  RawConn,
  type WireResponse,
} from "./_helpers.ts";

/** How long "no response yet" waits for silence. */
export const QUIET_MS = 200;
/** How long a response may take. */
export const RESPONSE_MS = 3000;

function describe(r: WireResponse): string {
  return JSON.stringify(latin1(r.raw, 0, Math.min(r.raw.length, 400)));
}

/** Checks an error response: text/plain, connection: close, short, not reflecting the request. */
export function checkError(r: WireResponse, request: Uint8Array, where: string): void {
  const ct = header(r, "content-type") ?? "";
  assert.ok(ct.startsWith("text/plain"), `${where}: error content-type "${ct}": ${describe(r)}`);
  const conn = (header(r, "connection") ?? "").toLowerCase();
  assert.equal(conn, "close", `${where}: error without "connection: close": ${describe(r)}`);
  assert.ok(r.body.length <= 256, `${where}: error body is ${r.body.length} bytes: ${describe(r)}`);
  const body = latin1(r.body);
  assert.ok(!body.includes("<"), `${where}: error body holds markup: ${describe(r)}`);
  // No 12-byte window of the body may come from the request.
  const req = latin1(request);
  for (let i = 0; i + 12 <= body.length; i++) {
    const w = body.slice(i, i + 12);
    assert.ok(
      !req.includes(w),
      `${where}: error body reflects the request ("${w}"): ${describe(r)}`,
    );
  }
}

function checkEcho(r: WireResponse, e: EchoExpect, where: string): void {
  const echo = echoOf(r);
  if (e.method !== undefined) assert.equal(echo.method, e.method, `${where}: method`);
  if (e.target !== undefined) assert.equal(echo.target, e.target, `${where}: target`);
  if (e.version !== undefined) assert.equal(echo.version, e.version, `${where}: version`);
  if (e.headers !== undefined) {
    assert.deepEqual(
      echo.headers,
      e.headers.map(([k, v]) => [k, v]),
      `${where}: headers`,
    );
  }
  if (e.body !== undefined) {
    assert.equal(typeof echo.body, "string", `${where}: body is not a string`);
    assert.equal(atob(echo.body), e.body, `${where}: body`);
  }
}

function statusOk(status: number, want: number | readonly number[]): boolean {
  return typeof want === "number" ? status === want : want.includes(status);
}

function replies(c: Case): readonly Reply[] | null {
  const e = c.expect;
  if (typeof e === "number") return [{ status: e, ...(c.echo ? { echo: c.echo } : {}) }];
  if (typeof e === "string") return null;
  if (e.length > 0 && typeof e[0] === "number") return [{ status: e as readonly number[] }];
  return e as readonly Reply[];
}

/** Only the bytes a row writes (for fragmentation), or null when it has control steps. */
export function rowBytes(c: Case): Uint8Array | null {
  const parts: Uint8Array[] = [];
  for (const s of c.send) {
    if (typeof s === "string") parts.push(bytes(s));
    else if ("delay" in s) continue;
    else return null;
  }
  return concat(parts);
}

/**
 * Runs one row on a fresh connection. `steps` replaces the row's own steps (used to
 * fragment it). Throws an assertion error describing what differed.
 */
export async function runCase(
  port: number,
  c: Case,
  steps: readonly Step[] = c.send,
): Promise<void> {
  const conn = await RawConn.open(port);
  const sent: Uint8Array[] = [];
  const where = c.name;
  try {
    for (const s of steps) {
      if (typeof s === "string") {
        sent.push(bytes(s));
        await conn.write(s);
      } else if ("delay" in s) {
        await delay(s.delay);
      } else if ("interim" in s) {
        const r = await conn.readResponse(RESPONSE_MS);
        assert.ok(typeof r !== "string", `${where}: no interim ${s.interim} (${r})`);
        assert.equal(r.status, s.interim, `${where}: interim status: ${describe(r)}`);
      } else if ("quiet" in s) {
        const q = await conn.quiet(s.quiet);
        assert.ok(
          q,
          `${where}: something came (or a close) while the server should wait: ${
            JSON.stringify(latin1(conn.buffered))
          }`,
        );
      } else {
        conn.end();
      }
    }
    const request = concat(sent);
    const e = c.expect;
    if (e === "no response yet") {
      const q = await conn.quiet(QUIET_MS);
      assert.ok(
        q,
        `${where}: expected no response yet, got ${conn.closed ? "a close" : "bytes"}: ${
          JSON.stringify(latin1(conn.buffered, 0, Math.min(300, conn.buffered.length)))
        }`,
      );
      return;
    }
    if (e === "closed") {
      const b = await conn.waitClosed(RESPONSE_MS);
      assert.ok(b !== "timeout", `${where}: connection not closed`);
      assert.equal(
        b.length,
        0,
        `${where}: expected a close without a response, got ${JSON.stringify(latin1(b))}`,
      );
      return;
    }
    if (e === "error or closed") {
      const r = await conn.readResponse(RESPONSE_MS);
      if (r === "timeout") assert.fail(`${where}: neither an error nor a close`);
      if (r === "closed") {
        assert.equal(
          conn.buffered.length,
          0,
          `${where}: partial response before the close: ${JSON.stringify(latin1(conn.buffered))}`,
        );
        return;
      }
      assert.ok(r.status >= 400, `${where}: expected an error or a close, got ${describe(r)}`);
      checkError(r, request, where);
      const rest = await conn.waitClosed(RESPONSE_MS);
      assert.ok(rest !== "timeout", `${where}: connection left open after ${r.status}`);
      assert.equal(
        rest.length,
        0,
        `${where}: bytes after the error: ${JSON.stringify(latin1(rest))}`,
      );
      return;
    }
    const want = replies(c)!;
    let pending: WireResponse | null = null;
    let lastWasError = false;
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      let r: WireResponse | "closed" | "timeout";
      if (pending) {
        r = pending;
        pending = null;
      } else r = await conn.readResponse(RESPONSE_MS, w.head === true);
      if (typeof r === "string") {
        if (w.optional) continue;
        assert.fail(
          `${where}: response ${i + 1} of ${want.length} missing (${r}); buffered ${
            JSON.stringify(latin1(conn.buffered, 0, Math.min(300, conn.buffered.length)))
          }`,
        );
      }
      if (!statusOk(r.status, w.status)) {
        if (w.optional) {
          pending = r;
          continue;
        }
        assert.fail(
          `${where}: response ${i + 1}: expected ${JSON.stringify(w.status)}, got ${describe(r)}`,
        );
      }
      if (r.status >= 400) {
        checkError(r, request, where);
        assert.equal(
          i,
          want.length - 1,
          `${where}: error ${r.status} before the last expected reply`,
        );
        const rest = await conn.waitClosed(RESPONSE_MS);
        assert.ok(rest !== "timeout", `${where}: connection left open after ${r.status}`);
        assert.equal(
          rest.length,
          0,
          `${where}: bytes after the error: ${JSON.stringify(latin1(rest))}`,
        );
        lastWasError = true;
        break;
      }
      if (w.echo) checkEcho(r, w.echo, `${where} (response ${i + 1})`);
      for (const [k, v] of Object.entries(w.headers ?? {})) {
        assert.equal(
          (header(r, k) ?? "").toLowerCase(),
          v.toLowerCase(),
          `${where}: response ${i + 1} header "${k}": ${describe(r)}`,
        );
      }
    }
    assert.equal(pending, null, `${where}: unexpected response`);
    if (lastWasError) return;
    if ((c.after ?? "open") === "closed") {
      const rest = await conn.waitClosed(RESPONSE_MS);
      assert.ok(rest !== "timeout", `${where}: connection should close after the last response`);
      assert.equal(
        rest.length,
        0,
        `${where}: bytes after the last response: ${
          JSON.stringify(latin1(rest, 0, Math.min(300, rest.length)))
        }`,
      );
      return;
    }
    await conn.write(FOLLOW_UP);
    const r = await conn.readResponse(RESPONSE_MS);
    assert.ok(
      typeof r !== "string",
      `${where}: follow-up GET /__next not answered (${r}): connection not kept alive`,
    );
    assert.equal(r.status, 200, `${where}: follow-up: ${describe(r)}`);
    assert.equal(
      echoOf(r).target,
      "/__next",
      `${where}: the next response was not for the follow-up: ${describe(r)}`,
    );
    const rest = await conn.waitClosed(RESPONSE_MS);
    assert.ok(
      rest !== "timeout",
      `${where}: not closed after the follow-up with Connection: close`,
    );
    assert.equal(
      rest.length,
      0,
      `${where}: bytes after the follow-up: ${
        JSON.stringify(latin1(rest, 0, Math.min(300, rest.length)))
      }`,
    );
  } finally {
    await conn.close();
  }
}
