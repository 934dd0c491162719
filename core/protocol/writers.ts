/**
 * The sending half of the protocol core: head serialisation and the body writers
 * that apply the framing chosen for a message.
 *
 * @module
 */
import { reasonPhrase } from "../status.ts";
import { OutputBuffer } from "./buffer.ts";
import { LocalProtocolError } from "./errors.ts";
import type { InformationalResponse, Request, Response } from "./events.ts";
import type { Fields } from "./headers.ts";
import type { BodyFraming } from "./framing.ts";

const CRLF = Uint8Array.of(0x0d, 0x0a);
const LAST_CHUNK = Uint8Array.of(0x30, 0x0d, 0x0a);
const LAST_CHUNK_NO_TRAILERS = Uint8Array.of(0x30, 0x0d, 0x0a, 0x0d, 0x0a);

/** Encodes a latin-1 string (every code unit below 256) as bytes. */
export function encodeLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function fieldLines(
  headers: Fields,
  extra: readonly (readonly [string, string])[],
  skip: string | null,
): string {
  let s = "";
  const names = headers.names;
  const lower = headers.lowerNames;
  const values = headers.values;
  for (let i = 0; i < names.length; i++) {
    if (lower[i] === skip) continue;
    s += names[i] + ": " + values[i] + "\r\n";
  }
  for (const [n, v] of extra) s += n + ": " + v + "\r\n";
  return s;
}

/** Head bytes of requests serialised without extra fields (a `Request` is immutable). */
const requestHeads = new WeakMap<Request, Uint8Array>();

/**
 * Serialises a request head. `extra` fields are appended (automatic framing).
 * Without `extra` the bytes are remembered per `Request` object, so a client that
 * sends the same `Request` again gets them without encoding (do not modify them).
 */
export function writeRequestHead(
  req: Request,
  extra: readonly (readonly [string, string])[] = [],
): Uint8Array {
  if (extra.length === 0) {
    const known = requestHeads.get(req);
    if (known !== undefined) return known;
  }
  const head = encodeLatin1(
    req.method + " " + req.target + " HTTP/1.1\r\n" + fieldLines(req.headers, extra, null) + "\r\n",
  );
  if (extra.length === 0) requestHeads.set(req, head);
  return head;
}

/** `HTTP/1.1 <status> <standard reason>\r\n` as bytes, by status (filled on first use). */
const STATUS_LINES: (Uint8Array | undefined)[] = [];

function statusLine(status: number, reason: string): Uint8Array {
  if (reason === "") {
    const cached = STATUS_LINES[status];
    if (cached !== undefined) return cached;
    const line = encodeLatin1("HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n");
    if (status >= 100 && status <= 999) STATUS_LINES[status] = line;
    return line;
  }
  return encodeLatin1("HTTP/1.1 " + status + " " + reason + "\r\n");
}

/** Writes `name: value\r\n` (latin-1) at `pos`; returns the position after it. */
function writeField(out: Uint8Array, pos: number, name: string, value: string): number {
  for (let i = 0; i < name.length; i++) out[pos++] = name.charCodeAt(i);
  out[pos++] = 0x3a;
  out[pos++] = 0x20;
  for (let i = 0; i < value.length; i++) out[pos++] = value.charCodeAt(i);
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  return pos;
}

/**
 * Serialises a response head as HTTP/1.1. The reason comes from the status table
 * when the event has none; an unknown code gets an empty reason. `skip` drops every
 * field with that lowercase name (used to turn chunked into close-delimited).
 */
export function writeResponseHead(
  res: Response | InformationalResponse,
  extra: readonly (readonly [string, string])[] = [],
  skip: string | null = null,
): Uint8Array {
  const out = new OutputBuffer();
  writeResponseHeadTo(out, res, extra, skip, 0);
  return out.bytes;
}

/**
 * Appends a response head (as {@linkcode writeResponseHead} makes it) to `out`,
 * making room for `room` more bytes after it (for the body).
 */
export function writeResponseHeadTo(
  out: OutputBuffer,
  res: Response | InformationalResponse,
  extra: readonly (readonly [string, string])[],
  skip: string | null,
  room: number,
): void {
  const line = statusLine(res.status, res.reason);
  const headers = res.headers;
  const names = headers.names;
  const lower = headers.lowerNames;
  const values = headers.values;
  let n = line.length + 2;
  for (let i = 0; i < names.length; i++) {
    if (lower[i] === skip) continue;
    n += names[i]!.length + values[i]!.length + 4;
  }
  for (let i = 0; i < extra.length; i++) n += extra[i]![0].length + extra[i]![1].length + 4;
  const bytes = out.reserve(n + room);
  let pos = out.length;
  bytes.set(line, pos);
  pos += line.length;
  for (let i = 0; i < names.length; i++) {
    if (lower[i] === skip) continue;
    pos = writeField(bytes, pos, names[i]!, values[i]!);
  }
  for (let i = 0; i < extra.length; i++) pos = writeField(bytes, pos, extra[i]![0], extra[i]![1]);
  bytes[pos] = 0x0d;
  bytes[pos + 1] = 0x0a;
  out.length = pos + 2;
}

/** Applies a body framing to the bytes we send. */
export interface BodyWriter {
  /** Pieces to write for `data`, in order (`data` itself is never copied). */
  data(data: Uint8Array): Uint8Array[];
  /** Pieces that end the body. */
  end(trailers: Fields): Uint8Array[];
}

class NoBodyWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array[] {
    if (data.length > 0) throw new LocalProtocolError("This message cannot have a body");
    return [];
  }
  end(trailers: Fields): Uint8Array[] {
    noTrailers(trailers);
    return [];
  }
}

class ContentLengthWriter implements BodyWriter {
  #remaining: number;
  readonly #length: number;
  constructor(length: number) {
    this.#length = length;
    this.#remaining = length;
  }
  data(data: Uint8Array): Uint8Array[] {
    if (data.length > this.#remaining) {
      throw new LocalProtocolError(
        `Too much data for the declared Content-Length of ${this.#length} bytes`,
      );
    }
    this.#remaining -= data.length;
    return data.length === 0 ? [] : [data];
  }
  end(trailers: Fields): Uint8Array[] {
    if (this.#remaining > 0) {
      throw new LocalProtocolError(
        `Too little data for the declared Content-Length: ${
          this.#length - this.#remaining
        } of ${this.#length} bytes sent`,
      );
    }
    noTrailers(trailers);
    return [];
  }
}

class ChunkedWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array[] {
    if (data.length === 0) return [];
    return [encodeLatin1(data.length.toString(16) + "\r\n"), data, CRLF];
  }
  end(trailers: Fields): Uint8Array[] {
    if (trailers.size === 0) return [LAST_CHUNK_NO_TRAILERS];
    return [LAST_CHUNK, encodeLatin1(fieldLines(trailers, [], null) + "\r\n")];
  }
}

class UntilCloseWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array[] {
    return data.length === 0 ? [] : [data];
  }
  end(trailers: Fields): Uint8Array[] {
    noTrailers(trailers);
    return [];
  }
}

function noTrailers(trailers: Fields): void {
  if (trailers.size > 0) {
    throw new LocalProtocolError("Trailers can only be sent with a chunked body");
  }
}

/** The writer for a framing. */
export function bodyWriter(framing: BodyFraming): BodyWriter {
  switch (framing.kind) {
    case "none":
      return new NoBodyWriter();
    case "length":
      return new ContentLengthWriter(framing.length);
    case "chunked":
      return new ChunkedWriter();
    default:
      return new UntilCloseWriter();
  }
}
