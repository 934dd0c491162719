/**
 * `respondFile()`: files streamed from disk with conditional requests and ranges.
 *
 * @module
 */
import { Data, EndOfMessage, type Response } from "../core/protocol/mod.ts";
import { contentTypeFor } from "../core/mime.ts";
import { formatHttpDate, parseHttpDate } from "../core/http_date.ts";
import { openFile, type SyncFile } from "../core/net/mod.ts";
import type { RequestState } from "./channel.ts";
import type { HttpConnection, RespondFileOptions, ResponseHeaders } from "./connection.ts";

/** How `respondFile` builds and sends through the connection. */
export interface FileHooks {
  head(
    status: number,
    headers: ResponseHeaders | undefined,
    defaults: [string, string][],
  ): Response;
  whole(res: Response, body: Uint8Array): void;
}

const NOT_FOUND = new TextEncoder().encode("Not found");
const EMPTY = new Uint8Array(0);

/** Whether an `If-None-Match` list matches the entity tag (weak comparison). */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const strip = (t: string) => (t.startsWith("W/") ? t.slice(2) : t);
  const want = strip(etag);
  for (const part of header.split(",")) {
    if (strip(part.trim()) === want) return true;
  }
  return false;
}

/** A single `bytes=` range as [start, end] inclusive; `null` to ignore, `"bad"` for 416. */
function parseRange(header: string, size: number): [number, number] | null | "bad" {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null; // not a single byte range: serve the whole file
  const a = m[1]!;
  const b = m[2]!;
  if (a === "" && b === "") return null;
  let start: number;
  let end: number;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "bad";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) return null; // invalid: ignore
  }
  if (start >= size || start > end) return "bad";
  return [start, end];
}

/** Implements `HttpConnection.respondFile`. */
export function respondFile(
  conn: HttpConnection,
  st: RequestState,
  path: string,
  options: RespondFileOptions,
  hooks: FileHooks,
): void {
  let file: SyncFile;
  let size: number;
  let mtime: number;
  try {
    file = openFile(path, "read");
  } catch {
    notFound(hooks);
    return;
  }
  try {
    const stat = file.stat();
    if (!stat.isFile) {
      file.close();
      notFound(hooks);
      return;
    }
    size = stat.size;
    mtime = stat.mtimeMs;
  } catch {
    file.close();
    notFound(hooks);
    return;
  }
  const method = conn.method;
  const etag = `"${size.toString(16)}-${mtime.toString(16)}"`;
  const lastModified = formatHttpDate(new Date(mtime));
  const validators: [string, string][] = [["etag", etag], ["last-modified", lastModified]];

  // Conditional GET.
  if (method === "GET" || method === "HEAD") {
    const inm = conn.header("if-none-match");
    let notModified = false;
    if (inm !== null) notModified = etagMatches(inm, etag);
    else {
      const ims = conn.header("if-modified-since");
      const since = ims === null ? null : parseHttpDate(ims);
      if (since !== null && Math.floor(mtime / 1000) <= Math.floor(since.getTime() / 1000)) {
        notModified = true;
      }
    }
    if (notModified) {
      file.close();
      hooks.whole(hooks.head(304, options.headers, validators), EMPTY);
      return;
    }
  }

  let status = 200;
  let start = 0;
  let length = size;
  const defaults: [string, string][] = [
    ["content-type", contentTypeFor(path)],
    ...validators,
    ["accept-ranges", "bytes"],
  ];
  const rangeHeader = method === "GET" ? conn.header("range") : null;
  if (rangeHeader !== null) {
    const ifRange = conn.header("if-range");
    const applies = ifRange === null || ifRange.trim() === etag || ifRange.trim() === lastModified;
    const range = applies ? parseRange(rangeHeader, size) : null;
    if (range === "bad") {
      file.close();
      hooks.whole(
        hooks.head(416, undefined, [
          ["content-range", `bytes */${size}`],
          ["content-length", "0"],
        ]),
        EMPTY,
      );
      return;
    }
    if (range !== null) {
      status = 206;
      start = range[0];
      length = range[1] - range[0] + 1;
      defaults.push(["content-range", `bytes ${range[0]}-${range[1]}/${size}`]);
    }
  }
  defaults.push(["content-length", String(length)]);

  let res: Response;
  try {
    res = hooks.head(status, options.headers, defaults);
  } catch (e) {
    file.close();
    throw e;
  }
  const chunkSize = st.channel.server.opts.fileChunkSize;
  if (method === "HEAD" || length <= chunkSize) {
    // Small file (or no body): one write with the head.
    let body = EMPTY;
    if (method !== "HEAD" && length > 0) {
      body = new Uint8Array(length);
      let got = 0;
      try {
        while (got < length) {
          const n = file.readAt(body.subarray(got), start + got);
          if (n <= 0) break;
          got += n;
        }
      } catch { /* handled below */ }
      if (got < length) {
        file.close();
        hooks.whole(hooks.head(500, undefined, [["content-length", "0"]]), EMPTY);
        return;
      }
    }
    file.close();
    hooks.whole(res, body);
    return;
  }
  streamFile(st, file, res, start, length, chunkSize);
}

function notFound(hooks: FileHooks): void {
  hooks.whole(
    hooks.head(404, undefined, [
      ["content-type", "text/plain; charset=utf-8"],
      ["content-length", String(NOT_FOUND.length)],
    ]),
    NOT_FOUND,
  );
}

/** Sends the head, then the file in pieces as the socket drains. */
function streamFile(
  st: RequestState,
  file: SyncFile,
  res: Response,
  start: number,
  length: number,
  chunkSize: number,
): void {
  const ch = st.channel;
  st.responded = true;
  if (ch.closed) {
    file.close();
    return;
  }
  const proto = ch.proto;
  ch.write(proto.send(res)!);
  st.sending = true;
  let pos = start;
  let remaining = length;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waitingDrain = false;
  let done = false;

  const finish = (ok: boolean) => {
    if (done) return;
    done = true;
    file.close();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    st.onDrain = null;
    st.onGone = null;
    if (ok && !ch.closed) {
      const end = proto.send(new EndOfMessage())!;
      if (end.length > 0) ch.write(end);
      ch.responseDone(st);
    }
  };
  const pump = () => {
    timer = undefined;
    let budget = 64; // pieces per turn, so other sockets get their turn
    while (remaining > 0) {
      if (ch.closed) {
        finish(false);
        return;
      }
      if (budget-- === 0) {
        timer = setTimeout(pump, 0);
        return;
      }
      const n = Math.min(chunkSize, remaining);
      const buf = new Uint8Array(n);
      let got: number;
      try {
        got = file.readAt(buf, pos);
      } catch {
        got = -1;
      }
      if (got <= 0) {
        // The file shrank or failed: the promised length cannot be kept.
        finish(false);
        ch.abort();
        return;
      }
      pos += got;
      remaining -= got;
      const pieces = proto.sendWithDataPassthrough(
        new Data(got === n ? buf : buf.subarray(0, got)),
      )!;
      let flushed = true;
      for (const p of pieces) flushed = ch.write(p) && flushed;
      if (!flushed) {
        waitingDrain = true;
        return;
      }
    }
    finish(true);
  };
  st.onDrain = () => {
    if (waitingDrain && !done) {
      waitingDrain = false;
      pump();
    }
  };
  st.onGone = () => finish(false);
  pump();
}
