/**
 * The sending half of the protocol core: head serialisation and the body writers
 * that apply the framing chosen for a message.
 *
 * @module
 */
import { reasonPhrase } from "../status.ts";
import { concatBytes } from "../bytes.ts";
import { OutputBuffer } from "./buffer.ts";
import { LocalProtocolError } from "./errors.ts";
import type { InformationalResponse, Request, Response } from "./events.ts";
import { Fields, type FieldsInit, stripOws } from "./headers.ts";
import type { BodyFraming } from "./framing.ts";
import { validFieldValue } from "./syntax.ts";

const CRLF = Uint8Array.of(0x0d, 0x0a);
const LAST_CHUNK = Uint8Array.of(0x30, 0x0d, 0x0a);
const LAST_CHUNK_NO_TRAILERS = Uint8Array.of(0x30, 0x0d, 0x0a, 0x0d, 0x0a);

/** Encodes a latin-1 string (every code unit below 256) as bytes. */
export function encodeLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The field lines of `headers`, each ended by CRLF. */
function fieldLines(headers: Fields): string {
  let s = "";
  const names = headers.names;
  const values = headers.values;
  for (let i = 0; i < names.length; i++) s += names[i] + ": " + values[i] + "\r\n";
  return s;
}

/**
 * Serialises a request head. The connection keeps the bytes of the last request
 * it sent, so a client that sends the same `Request` again does not encode it again.
 */
export function writeRequestHead(req: Request): Uint8Array {
  return encodeLatin1(
    req.method + " " + req.target + " HTTP/1.1\r\n" + fieldLines(req.headers) + "\r\n",
  );
}

/**
 * Whether `req` differs from `base` in nothing but the value of its last field: a
 * client sending requests with bodies of other lengths, Content-Length last. Its
 * head is then written from `base`'s bytes (see {@linkcode writeRequestHeadFrom}).
 */
export function differsInLastValue(req: Request, base: Request): boolean {
  if (req.method !== base.method || req.target !== base.target) return false;
  const names = req.headers.names;
  const baseNames = base.headers.names;
  const n = names.length;
  if (n === 0 || baseNames.length !== n) return false;
  if (names !== baseNames) {
    for (let i = 0; i < n; i++) if (names[i] !== baseNames[i]) return false;
  }
  const values = req.headers.values;
  const baseValues = base.headers.values;
  for (let i = 0; i < n - 1; i++) if (values[i] !== baseValues[i]) return false;
  return true;
}

/** The length of `req`'s head, given `base` and its head (see {@linkcode differsInLastValue}). */
export function requestHeadLengthFrom(req: Request, base: Request, baseHead: Uint8Array): number {
  if (req === base) return baseHead.length;
  const values = req.headers.values;
  const last = values.length - 1;
  return baseHead.length - base.headers.values[last]!.length + values[last]!.length;
}

/**
 * Writes `req`'s head at `pos` in `bytes` (room for it checked by the caller),
 * copying the bytes of `base`'s head `baseHead` before the last field (see
 * {@linkcode differsInLastValue}); returns the position after it.
 */
export function writeRequestHeadFrom(
  bytes: Uint8Array,
  pos: number,
  req: Request,
  base: Request,
  baseHead: Uint8Array,
): number {
  if (req === base) {
    bytes.set(baseHead, pos);
    return pos + baseHead.length;
  }
  const last = req.headers.names.length - 1;
  const name = req.headers.names[last]!;
  // The last field line and the empty line after it: `name: value\r\n\r\n`.
  const start = baseHead.length - (name.length + base.headers.values[last]!.length + 6);
  // Copied whole when it fits (no view to make), the end then written over.
  bytes.set(pos + baseHead.length <= bytes.length ? baseHead : baseHead.subarray(0, start), pos);
  const end = writeField(bytes, pos + start, name, req.headers.values[last]!);
  bytes[end] = 0x0d;
  bytes[end + 1] = 0x0a;
  return end + 2;
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

/**
 * Header fields checked and encoded once, to go with many plain responses
 * (`PlainResponse.fields`): their lines follow the status line, before the fields
 * the plain path writes itself.
 *
 * @example
 * ```ts
 * import { FieldBlock } from "@uhttp/core/protocol";
 * const block = new FieldBlock([["Cache-Control", "no-store"]]);
 * console.log(block.fields.get("cache-control")); // "no-store"
 * console.log(block.plain); // true
 * ```
 */
export class FieldBlock {
  /** The fields, checked as {@linkcode Fields} checks them. */
  readonly fields: Fields;
  /** Their lines as a head carries them: `name: value\r\n` each, names as given. */
  readonly lines: Uint8Array;
  /**
   * `false` when a field frames the body or governs the connection (Content-Length,
   * Transfer-Encoding, Connection): a plain response with such fields takes the
   * general path, with all its checks.
   */
  readonly plain: boolean;
  /** A Content-Type is among them (it replaces the plain response's own). */
  readonly hasContentType: boolean;
  /** A Date is among them (it replaces the plain response's own). */
  readonly hasDate: boolean;

  /**
   * Checks and encodes the fields.
   *
   * @param init Pairs, a record or `Fields`.
   * @throws {LocalProtocolError} for a name that is not a token or a value with CR, LF or NUL.
   */
  constructor(init: Fields | FieldsInit) {
    const fields = init instanceof Fields ? init : new Fields(init);
    const lower = fields.lowerNames;
    this.fields = fields;
    this.lines = encodeLatin1(fieldLines(fields));
    this.plain = !lower.includes("content-length") && !lower.includes("transfer-encoding") &&
      !lower.includes("connection");
    this.hasContentType = lower.includes("content-type");
    this.hasDate = lower.includes("date");
  }
}

/** `connection: close\r\n`. */
export const CONNECTION_CLOSE_LINE: Uint8Array = encodeLatin1("connection: close\r\n");
/** `connection: keep-alive\r\n`. */
export const CONNECTION_KEEP_ALIVE_LINE: Uint8Array = encodeLatin1("connection: keep-alive\r\n");
const CONTENT_LENGTH_PREFIX = encodeLatin1("content-length: ");

/**
 * Encoded `name: value\r\n` lines of one field, remembered by value: for the few
 * values sent again and again (a server's content types, the date of the current
 * second). Values are checked as `Fields` checks them, once each.
 */
export class FieldLineCache {
  readonly #name: string;
  readonly #limit: number;
  readonly #lines = new Map<string, Uint8Array>();
  #lastValue: string | null = null;
  #lastLine: Uint8Array = CRLF;

  /**
   * @param name The field name, as written.
   * @param limit Values remembered at most (the cache starts over when full).
   */
  constructor(name: string, limit: number) {
    this.#name = name;
    this.#limit = limit;
  }

  /**
   * The line for `value` (surrounding spaces and tabs dropped, as `Fields` does).
   *
   * @throws {LocalProtocolError} for a value with CR, LF, NUL or a code unit above 255.
   */
  line(value: string): Uint8Array {
    if (value === this.#lastValue) return this.#lastLine;
    let line = this.#lines.get(value);
    if (line === undefined) {
      const v = stripOws(value);
      if (!validFieldValue(v)) {
        throw new LocalProtocolError(`Invalid value for header "${this.#name}"`);
      }
      line = encodeLatin1(this.#name + ": " + v + "\r\n");
      if (this.#lines.size >= this.#limit) this.#lines.clear();
      this.#lines.set(value, line);
    }
    this.#lastValue = value;
    this.#lastLine = line;
    return line;
  }
}

/** A head's start (status line to `content-length: `) by status, field lines and type line. */
interface HeadStart {
  status: number;
  fieldLines: Uint8Array | null;
  typeLine: Uint8Array | null;
  withLength: boolean;
  bytes: Uint8Array;
}

/** A head's end (date line to the empty line) by connection line. */
interface HeadEnd {
  dateLine: Uint8Array | null;
  bytes: Uint8Array;
}

/** Head starts built last (a server sends a few kinds of response again and again). */
const HEAD_STARTS: HeadStart[] = [];
const HEAD_STARTS_KEPT = 8;
/** Head ends for the current date: none, `connection: close`, `connection: keep-alive`. */
const HEAD_ENDS: (HeadEnd | undefined)[] = [undefined, undefined, undefined];

/** The lines given (`null` for none) joined; may be one of them itself (read-only use). */
function concatLines(lines: readonly (Uint8Array | null)[]): Uint8Array {
  return concatBytes(lines.filter((l): l is Uint8Array => l !== null));
}

function headStart(
  status: number,
  fieldLines: Uint8Array | null,
  typeLine: Uint8Array | null,
  withLength: boolean,
): Uint8Array {
  for (let i = 0; i < HEAD_STARTS.length; i++) {
    const s = HEAD_STARTS[i]!;
    if (
      s.status === status && s.fieldLines === fieldLines && s.typeLine === typeLine &&
      s.withLength === withLength
    ) {
      return s.bytes;
    }
  }
  const bytes = concatLines([
    statusLine(status, ""),
    fieldLines,
    typeLine,
    withLength ? CONTENT_LENGTH_PREFIX : null,
  ]);
  if (HEAD_STARTS.length === HEAD_STARTS_KEPT) HEAD_STARTS.pop();
  HEAD_STARTS.unshift({ status, fieldLines, typeLine, withLength, bytes });
  return bytes;
}

function headEnd(dateLine: Uint8Array | null, connectionLine: Uint8Array | null): Uint8Array {
  const kind = connectionLine === null ? 0 : connectionLine === CONNECTION_CLOSE_LINE ? 1 : 2;
  const known = HEAD_ENDS[kind];
  if (known !== undefined && known.dateLine === dateLine) return known.bytes;
  const bytes = concatLines([dateLine, connectionLine, CRLF]);
  HEAD_ENDS[kind] = { dateLine, bytes };
  return bytes;
}

/** Copies `src` into `dst` at `pos` (a loop beats `set()` for a few bytes). */
function copyInto(dst: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 24) {
    dst.set(src, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) dst[pos + i] = src[i]!;
  return pos + n;
}

/**
 * Appends a whole response to `out`: the status line with the standard reason,
 * `fieldLines` (a {@linkcode FieldBlock}'s), `typeLine`, `content-length` when
 * `length` is not negative, `dateLine`, `connectionLine` (each line optional), the
 * empty line and the body. The same bytes as {@linkcode writeResponseHeadTo} for
 * those fields.
 *
 * @param connectionLine `null`, {@linkcode CONNECTION_CLOSE_LINE} or
 * {@linkcode CONNECTION_KEEP_ALIVE_LINE}.
 */
export function writePlainResponseTo(
  out: OutputBuffer,
  status: number,
  fieldLines: Uint8Array | null,
  typeLine: Uint8Array | null,
  length: number,
  dateLine: Uint8Array | null,
  connectionLine: Uint8Array | null,
  body: Uint8Array,
): void {
  const start = headStart(status, fieldLines, typeLine, length >= 0);
  const end = headEnd(dateLine, connectionLine);
  let digits = 0;
  if (length >= 0) {
    digits = 1;
    for (let v = length; v >= 10; v = Math.floor(v / 10)) digits++;
  }
  const bytes = out.reserve(
    start.length + (length >= 0 ? digits + 2 : 0) + end.length + body.length,
  );
  let pos = copyInto(bytes, out.length, start);
  if (length >= 0) {
    pos += digits;
    let v = length;
    for (let i = pos - 1; i >= pos - digits; i--) {
      bytes[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    bytes[pos++] = 0x0d;
    bytes[pos++] = 0x0a;
  }
  pos = copyInto(bytes, pos, end);
  out.length = copyInto(bytes, pos, body);
}

/** Applies a body framing to the bytes we send. */
export interface BodyWriter {
  /** Pieces to write for `data`, in order (`data` itself is never copied). */
  data(data: Uint8Array): Uint8Array[];
  /** Pieces that end the body. */
  end(trailers: Fields): Uint8Array[];
}

/**
 * Checks a whole body of `size` bytes at once, as the body writers check it piece
 * by piece: `length` bytes declared by Content-Length, or -1 for a message that
 * has no body.
 *
 * @throws {LocalProtocolError} with the writers' message when the body does not fit.
 */
export function checkWholeBody(size: number, length: number): void {
  if (length < 0) {
    if (size > 0) throw noBodyAllowed();
  } else if (size > length) {
    throw tooMuchData(length);
  } else if (size < length) {
    throw tooLittleData(size, length);
  }
}

function noBodyAllowed(): LocalProtocolError {
  return new LocalProtocolError("This message cannot have a body");
}

function tooMuchData(length: number): LocalProtocolError {
  return new LocalProtocolError(`Too much data for the declared Content-Length of ${length} bytes`);
}

function tooLittleData(sent: number, length: number): LocalProtocolError {
  return new LocalProtocolError(
    `Too little data for the declared Content-Length: ${sent} of ${length} bytes sent`,
  );
}

class NoBodyWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array[] {
    if (data.length > 0) throw noBodyAllowed();
    return [];
  }
  end(trailers: Fields): Uint8Array[] {
    noTrailers(trailers);
    return [];
  }
}

/** The writer of a message without a body: it keeps no state, so it is shared. */
const NO_BODY_WRITER = new NoBodyWriter();

class ContentLengthWriter implements BodyWriter {
  #remaining: number;
  readonly #length: number;
  constructor(length: number) {
    this.#length = length;
    this.#remaining = length;
  }
  data(data: Uint8Array): Uint8Array[] {
    if (data.length > this.#remaining) throw tooMuchData(this.#length);
    this.#remaining -= data.length;
    return data.length === 0 ? [] : [data];
  }
  end(trailers: Fields): Uint8Array[] {
    if (this.#remaining > 0) throw tooLittleData(this.#length - this.#remaining, this.#length);
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
    return [LAST_CHUNK, encodeLatin1(fieldLines(trailers) + "\r\n")];
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
      return NO_BODY_WRITER;
    case "length":
      return new ContentLengthWriter(framing.length);
    case "chunked":
      return new ChunkedWriter();
    default:
      return new UntilCloseWriter();
  }
}
