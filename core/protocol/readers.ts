/**
 * The receiving half of the protocol core: head parsing straight from bytes and
 * the three body readers (Content-Length, chunked with trailers, until close).
 *
 * @module
 */
import type { ReceiveBuffer } from "./buffer.ts";
import { RemoteProtocolError } from "./errors.ts";
import { Data, EndOfMessage, InformationalResponse, Request, Response } from "./events.ts";
import { EMPTY_FIELDS, type Fields, trustedFields } from "./headers.ts";
import { isValidHost, isValidTargetForm, latin1, TOKEN } from "./syntax.ts";

const LF = 0x0a;
const NO_BYTES = new Uint8Array(0);
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/**
 * Finds the end of a head (the byte after its empty line) in `buf[from, end)`,
 * scanning from `scanFrom`. Returns -1 when the head is not complete yet.
 * A line ends in LF (CRLF or bare LF); the empty line is `\n\n` or `\n\r\n`.
 */
export function findHeadEnd(bytes: Uint8Array, scanFrom: number, end: number): number {
  let i = scanFrom;
  while (i < end) {
    const lf = bytes.indexOf(LF, i);
    if (lf < 0 || lf >= end) return -1;
    const next = lf + 1;
    if (next >= end) return -1;
    const b = bytes[next];
    if (b === LF) return next + 1;
    if (b === CR) {
      if (next + 1 >= end) return -1;
      if (bytes[next + 1] === LF) return next + 2;
    }
    i = next;
  }
  return -1;
}

/**
 * Where the next scan for a head end may resume: just before the last LF that could
 * still start the empty line, so nothing is scanned twice more than once.
 */
export function resumeScanAt(start: number, end: number): number {
  return Math.max(start, end - 2);
}

/** LF positions of the last head scanned (module scratch; read right after the scan). */
let lineEnds = new Int32Array(64);
let lineCount = 0;
let scanHigh = false;

/**
 * Scans a head from its first byte in one pass: finds its end, records where each
 * line ends, and rejects NUL and any CR not followed by LF as soon as they are seen.
 * Returns the index after the empty line, or -1 when the head is not complete.
 * The parse functions below read what this scan recorded, so they must be called
 * right after it, on the same bytes.
 */
export function scanHead(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  let high = false;
  let ends = lineEnds;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x20) {
      if (c === LF) {
        if (n === ends.length) {
          const grown = new Int32Array(n * 2);
          grown.set(ends);
          lineEnds = ends = grown;
        }
        ends[n++] = i;
        const p = bytes[i - 1];
        if (
          i - 1 >= start && (p === LF || (p === CR && i - 2 >= start && bytes[i - 2] === LF))
        ) {
          lineCount = n;
          scanHigh = high;
          return i + 1;
        }
      } else if (c === CR) {
        if (i + 1 < end && bytes[i + 1] !== LF) {
          throw new RemoteProtocolError("Bare CR in message head");
        }
      } else if (c === 0) {
        throw new RemoteProtocolError("NUL byte in message head");
      }
    } else if (c > 0x7e) high = true;
  }
  return -1;
}

/** Length of the leading empty lines (CRLF or LF) before a head; -1 for a bare CR. */
export function skipEmptyLines(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b === LF) i++;
    else if (b === CR) {
      if (i + 1 >= end) break;
      if (bytes[i + 1] !== LF) return -1;
      i += 2;
    } else break;
  }
  return i - start;
}

/** One-byte checks on the start of a request, before its line is complete. */
export function rejectEarly(bytes: Uint8Array, start: number, end: number): void {
  const first = bytes[start]!;
  if (first < 0x21 || first > 0x7e) {
    throw new RemoteProtocolError(
      first === 0x16 ? "TLS handshake received on a plain-text port" : "Invalid request line",
    );
  }
  if (end - start >= 2 && first === 0x16 && bytes[start + 1] === 0x03) {
    throw new RemoteProtocolError("TLS handshake received on a plain-text port");
  }
}

/** Bit of {@linkcode lastFieldFlags}: the head has a Content-Length field. */
export const HAS_CONTENT_LENGTH = 1;
/** Bit of {@linkcode lastFieldFlags}: the head has a Transfer-Encoding field. */
export const HAS_TRANSFER_ENCODING = 2;
/** Bit of {@linkcode lastFieldFlags}: the head has a Connection field. */
export const HAS_CONNECTION = 4;
/** Bit of {@linkcode lastFieldFlags}: the head has an Expect field. */
export const HAS_EXPECT = 8;
/** Bit of {@linkcode lastFieldFlags}: the head has an Upgrade field. */
export const HAS_UPGRADE = 16;

/** The HAS_* bit of a lowercase field name, or 0 for a field that framing ignores. */
function framingFlag(lower: string): number {
  switch (lower) {
    case "content-length":
      return HAS_CONTENT_LENGTH;
    case "transfer-encoding":
      return HAS_TRANSFER_ENCODING;
    case "connection":
      return HAS_CONNECTION;
    case "expect":
      return HAS_EXPECT;
    case "upgrade":
      return HAS_UPGRADE;
    default:
      return 0;
  }
}

/** The HAS_* bits of the fields of `fields` (for a head we send). */
export function fieldFlagsOf(fields: Fields): number {
  let flags = 0;
  const lower = fields.lowerNames;
  for (let i = 0; i < lower.length; i++) flags |= framingFlag(lower[i]!);
  return flags;
}

/** HAS_* bits of the fields of the last head parsed (module scratch, like `lineEnds`). */
let fieldFlags = 0;

/**
 * Which fields that decide framing or the connection's fate (Content-Length,
 * Transfer-Encoding, Connection, Expect, Upgrade) the last parsed head had, as
 * HAS_* bits, so that the state machine looks up only those present. Read it
 * right after {@linkcode parseRequestHead} or {@linkcode parseResponseHead}.
 */
export function lastFieldFlags(): number {
  return fieldFlags;
}

/** A method or field name common enough to be kept as a string instead of decoded each time. */
interface KnownWord {
  /** The word's bytes, exactly as sent. */
  bytes: Uint8Array;
  text: string;
  /** The text in lowercase. */
  lower: string;
  /** Its HAS_* bit, or 0. */
  flag: number;
}

/** A table of known words, by length. */
function knownWords(words: readonly string[], withLowercase: boolean): KnownWord[][] {
  const byLength: KnownWord[][] = [];
  for (const word of words) {
    const lower = word.toLowerCase();
    const flag = framingFlag(lower);
    for (const variant of withLowercase ? [word, lower] : [word]) {
      const bytes = new Uint8Array(variant.length);
      for (let i = 0; i < variant.length; i++) bytes[i] = variant.charCodeAt(i);
      (byLength[variant.length] ??= []).push({ bytes, text: variant, lower, flag });
    }
  }
  return byLength;
}

/** Standard methods (case-sensitive). */
const KNOWN_METHODS = knownWords(
  ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"],
  false,
);

/** Common field names, in their usual casing and in lowercase. */
const KNOWN_NAMES = knownWords([
  "Host",
  "Connection",
  "Content-Length",
  "Content-Type",
  "Transfer-Encoding",
  "Expect",
  "Upgrade",
  "User-Agent",
  "Accept",
  "Accept-Encoding",
  "Accept-Language",
  "Cache-Control",
  "Cookie",
  "Authorization",
  "Origin",
  "Referer",
  "If-None-Match",
  "If-Modified-Since",
  "Range",
], true);

/** The word of `table` that `bytes[start, end)` spells exactly, or null. */
function findKnown(
  table: KnownWord[][],
  bytes: Uint8Array,
  start: number,
  end: number,
): KnownWord | null {
  const candidates = table[end - start];
  if (candidates === undefined) return null;
  for (let k = 0; k < candidates.length; k++) {
    const known = candidates[k]!;
    const b = known.bytes;
    let i = 0;
    while (i < b.length && bytes[start + i] === b[i]) i++;
    if (i === b.length) return known;
  }
  return null;
}

function contentEnd(bytes: Uint8Array, start: number, lf: number): number {
  return lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
}

const asciiDecoder = new TextDecoder();

/**
 * `bytes[start, end)` decoded as UTF-8. The whole array is passed as it is: on
 * Bun, the first view made of a socket's read array costs about half a
 * microsecond, and a head is usually all of one read.
 */
function decodeRange(bytes: Uint8Array, start: number, end: number): string {
  return asciiDecoder.decode(
    start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end),
  );
}

/**
 * At most this many bytes after a head at the start of an array are decoded with
 * it, so that the whole array is passed instead of a view cut for the head: a view
 * costs more than decoding a short body along (and the head's text is sliced by
 * position, which the bytes after an ASCII head cannot move).
 */
const DECODE_SLACK = 64;

/**
 * The text of the head `bytes[start, end)` just scanned: ASCII decoded natively,
 * anything else as latin-1. The text may go on after the head.
 */
function headText(bytes: Uint8Array, start: number, end: number): string {
  if (scanHigh) return latin1(bytes, start, end);
  return decodeRange(
    bytes,
    start,
    start === 0 && bytes.length - end <= DECODE_SLACK ? bytes.length : end,
  );
}

/**
 * The head being parsed, `textBytes[textStart, textEnd)`, decoded only when a
 * part of it must become a string (lines found in the connection's
 * {@linkcode HeadLines} need none). Module scratch like `lineEnds`: set by
 * `beginText`, read by `sliceText`, let go by `releaseHeadText`.
 */
let textBytes: Uint8Array = NO_BYTES;
let textStart = 0;
let textEnd = 0;
/** Index in `textBytes` of `textValue[0]`. */
let textBase = 0;
let textValue: string | null = null;

/** Starts parsing the head `bytes[start, end)`; `decoded` may hold its text already. */
function beginText(
  bytes: Uint8Array,
  start: number,
  end: number,
  decoded: DecodedBytes | null,
): void {
  textBytes = bytes;
  textStart = start;
  textEnd = end;
  textValue = decoded === null ? null : decoded.text;
  textBase = decoded === null ? start : decoded.base;
}

/**
 * Lets go of the head being parsed (its bytes may be a large read buffer). Parsing
 * calls it when it ends; whoever catches an error thrown while parsing a head (or
 * trailers) calls it too, so that the module does not keep that buffer.
 */
export function releaseHeadText(): void {
  textBytes = NO_BYTES;
  textValue = null;
}

/**
 * Pieces of a head not decoded yet of at most this many bytes are made into
 * strings from their character codes (`latin1`, eight at a time): 30-110 ns on Deno and
 * 70-160 ns on Bun, where decoding the head costs a call of `TextDecoder`
 * (150-250 ns on both). A head whose lines were all kept but a short one (a new
 * target, a new Content-Length) is not decoded.
 */
const SHORT_TEXT = 16;

/** Bytes `[from, to)` of the head being parsed, as a string. */
function sliceText(from: number, to: number): string {
  if (textValue === null && to - from <= SHORT_TEXT) return latin1(textBytes, from, to);
  textValue ??= headText(textBytes, textStart, textEnd);
  return textValue.slice(from - textBase, to - textBase);
}

/** What a field line kept in a {@linkcode HeadLines} gave. */
interface KnownField {
  name: string;
  lower: string;
  value: string;
  /** Its HAS_* bit, or 0. */
  flag: number;
}

/** Longest head a {@linkcode HeadLines} keeps whole, in bytes (a longer one goes line by line). */
const MAX_KEPT_HEAD = 2048;

/** Lines a {@linkcode HeadLines} keeps, at most: the start line and the first field lines. */
const MAX_KNOWN_LINES = 32;
/**
 * Longest line a {@linkcode HeadLines} keeps, in bytes (a longer one is parsed each
 * time): a browser's Cookie line is often longer than a few hundred bytes, and
 * comparing it takes less time than parsing it and decoding the head for it.
 */
const MAX_KNOWN_LINE = 1024;
/** Bytes of slots a {@linkcode HeadLines} gives its lines in all (lines past it are not kept). */
const MAX_KNOWN_BYTES = 4096;

/**
 * The lines of the heads a connection received last, parsed: a line that comes
 * again byte for byte at the same place (the same Host, User-Agent or
 * Content-Type in every message of a keep-alive connection) is taken from here,
 * neither checked nor decoded again. A line is found only when every byte is
 * the same as when it was parsed, so what it gives is what parsing it would
 * give. Heads with bytes above 0x7e do not use it.
 *
 * The lines' bytes are kept in one array, each line in a slot of its own (a line
 * that no longer fits its slot gets a new one; the array is compacted when it
 * grows), so a connection keeps little more than the bytes themselves.
 *
 * A head of up to {@linkcode MAX_KEPT_HEAD} bytes whose every line was found
 * kept is also kept whole, with the event it gave: a head that comes again byte
 * for byte (every request of wrk, a client polling one URL, a load balancer's
 * health check) is then taken in one comparison, without being scanned or split
 * into lines ({@linkcode HeadLines.repeated}).
 */
export class HeadLines {
  /** The last head kept whole: its bytes (from index 0)... */
  #head: Uint8Array = NO_BYTES;
  /** ...its length... */
  #headLength = 0;
  /** ...what parsing it gave (null: no head kept)... */
  #headEvent: Request | Response | InformationalResponse | null = null;
  /** ...and its HAS_* bits. */
  #headFlags = 0;
  /** Lines of the head being parsed that were not found kept (parsed, then kept or not). */
  #newLines = 0;
  /** The kept lines' bytes. */
  #bytes: Uint8Array = NO_BYTES;
  /** Bytes of `#bytes` given to slots (those of slots given up included, until compacted). */
  #used = 0;
  /** Bytes of the slots the lines have now. */
  #slotBytes = 0;
  /** For line k: `[3k]` where its slot starts, `[3k + 1]` its length (-1: none), `[3k + 2]` the slot's size. */
  #slots: number[] = [];
  /** What field line k gave, at index k - 1. */
  fields: (KnownField | null)[] = [];
  /** What the start line gave: a request's method, target and version... */
  method = "";
  target = "";
  version = "";
  /** ...or a response's status and reason (with `version`). */
  status = 0;
  reason = "";
  /** The last Host value found valid. */
  validHost: string | null = null;

  /** The length of the head kept whole, which {@linkcode HeadLines.repeated} matched. */
  get keptHeadLength(): number {
    return this.#headLength;
  }

  /**
   * When `bytes[start, end)` starts with the head kept whole, byte for byte up to
   * and including its empty line, a new event with the parts that head gave (the
   * same immutable {@linkcode Fields}), and {@linkcode lastFieldFlags} set as its
   * parse set them; otherwise null. The head is `keptHeadLength` bytes long.
   */
  repeated(
    bytes: Uint8Array,
    start: number,
    end: number,
  ): Request | Response | InformationalResponse | null {
    const event = this.#headEvent;
    const n = this.#headLength;
    if (event === null || end - start < n) return null;
    const kept = this.#head;
    for (let j = 0; j < n; j++) {
      if (kept[j] !== bytes[start + j]) return null;
    }
    fieldFlags = this.#headFlags;
    const headers = event.headers;
    if (event instanceof Request) {
      return new ParsedRequest(event.method, event.target, headers, event.httpVersion);
    }
    return event.status < 200
      ? new ParsedInformational(event.status, headers, event.reason, event.httpVersion)
      : new ParsedResponse(event.status, headers, event.reason, event.httpVersion);
  }

  /**
   * Keeps the head `bytes[start, end)` whole with the event its parse just gave
   * (and `fieldFlags`) when every line of it was found kept (it came again line
   * for line, so it is likely to come again) and it is at most
   * {@linkcode MAX_KEPT_HEAD} bytes; otherwise the head kept before stays in
   * place, and a connection whose heads change every time does not pay for the
   * copy.
   */
  keepHead(
    bytes: Uint8Array,
    start: number,
    end: number,
    event: Request | Response | InformationalResponse,
  ): void {
    const n = end - start;
    const repeats = this.#newLines === 0;
    this.#newLines = 0;
    if (!repeats || n > MAX_KEPT_HEAD) return;
    if (this.#head.length < n) this.#head = new Uint8Array((n + 63) & ~63);
    this.#head.set(bytes.subarray(start, end));
    this.#headLength = n;
    this.#headEvent = event;
    this.#headFlags = fieldFlags;
  }

  /** Whether line `k` is kept and its bytes are `bytes[pos, end)`. */
  has(k: number, bytes: Uint8Array, pos: number, end: number): boolean {
    const slots = this.#slots;
    const i = 3 * k;
    if (i >= slots.length || slots[i + 1] !== end - pos) return false;
    const kept = this.#bytes;
    const at = slots[i]! - pos;
    for (let j = pos; j < end; j++) {
      if (kept[at + j] !== bytes[j]) return false;
    }
    return true;
  }

  /**
   * Keeps `bytes[pos, end)` as line `k` (whose parts the caller keeps beside).
   * Returns false when the line is not kept (too long, or too far in the head).
   */
  keep(k: number, bytes: Uint8Array, pos: number, end: number): boolean {
    this.#newLines++;
    const n = end - pos;
    if (n > MAX_KNOWN_LINE || k >= MAX_KNOWN_LINES) return false;
    const slots = this.#slots;
    const i = 3 * k;
    while (slots.length <= i) slots.push(0, -1, 0);
    if (n > slots[i + 2]!) {
      const size = (n + 7) & ~7;
      const grown = this.#slotBytes - slots[i + 2]! + size;
      if (grown > MAX_KNOWN_BYTES) return false;
      this.#slotBytes = grown;
      if (this.#used + size > this.#bytes.length) this.#compact(size);
      slots[i] = this.#used;
      slots[i + 2] = size;
      this.#used += size;
    }
    const kept = this.#bytes;
    const at = slots[i]! - pos;
    for (let j = pos; j < end; j++) kept[at + j] = bytes[j]!;
    slots[i + 1] = n;
    return true;
  }

  /** Moves the slots into a new array with room for `more` bytes after them. */
  #compact(more: number): void {
    const slots = this.#slots;
    let used = 0;
    for (let i = 0; i < slots.length; i += 3) used += slots[i + 2]!;
    const old = this.#bytes;
    const next = new Uint8Array(Math.max(64, 2 * (used + more)));
    used = 0;
    for (let i = 0; i < slots.length; i += 3) {
      const at = slots[i]!;
      for (let j = 0; j < slots[i + 1]!; j++) next[used + j] = old[at + j]!;
      slots[i] = used;
      used += slots[i + 2]!;
    }
    this.#bytes = next;
    this.#used = used;
  }
}

/**
 * Received bytes decoded as text once, so that the heads of pipelined requests
 * that arrived in one read are sliced from one decode rather than decoded one by
 * one. Its owner calls {@linkcode DecodedBytes.forget} whenever the bytes it
 * decoded may change (new data, a copy of the buffer).
 */
export class DecodedBytes {
  /** The array decoded, or null when nothing is held. */
  bytes: Uint8Array | null = null;
  /** Index in `bytes` of `text[0]`. */
  base = 0;
  /** One past the last byte decoded. */
  end = 0;
  text = "";

  /**
   * Decodes `bytes[start, end)`. Keeps the text only when every byte became one
   * character (so byte and character positions agree); returns whether it did.
   */
  decode(bytes: Uint8Array, start: number, end: number): boolean {
    const text = decodeRange(bytes, start, end);
    if (text.length !== end - start) {
      this.bytes = null;
      return false;
    }
    this.bytes = bytes;
    this.base = start;
    this.end = end;
    this.text = text;
    return true;
  }

  /** Whether `bytes[start, end)` is in the decoded text. */
  covers(bytes: Uint8Array, start: number, end: number): boolean {
    return this.bytes === bytes && start >= this.base && end <= this.end;
  }

  /** Drops the text. */
  forget(): void {
    this.bytes = null;
    this.text = "";
  }
}

/**
 * Parses the field lines recorded by the last scan of the head `beginText` set,
 * from line `first` up to the empty line. `allowFold` replaces obs-fold with one
 * space (responses); otherwise it is an error. `known` (null for trailers and
 * for heads with bytes above 0x7e) gives the lines met before and keeps the ones
 * parsed now.
 */
function parseFields(
  bytes: Uint8Array,
  first: number,
  allowFold: boolean,
  strictCrlf: boolean,
  known: HeadLines | null,
): Fields {
  const last = lineCount - 1;
  if (last <= first) {
    fieldFlags = 0;
    return EMPTY_FIELDS;
  }
  // One slot per line (folded lines leave theirs unused, cut off at the end):
  // arrays grown by `push` would start with room for 17.
  const names: string[] = new Array(last - first);
  const lower: string[] = new Array(last - first);
  const values: string[] = new Array(last - first);
  let count = 0;
  let flags = 0;
  for (let k = first; k < last; k++) {
    const pos = k === 0 ? textStart : lineEnds[k - 1]! + 1;
    const lf = lineEnds[k]!;
    const ce = contentEnd(bytes, pos, lf);
    if (strictCrlf && ce === lf) throw new RemoteProtocolError("Trailer line without CRLF");
    if (known !== null && known.has(k, bytes, pos, ce)) {
      const field = known.fields[k - 1]!;
      names[count] = field.name;
      lower[count] = field.lower;
      values[count++] = field.value;
      flags |= field.flag;
      continue;
    }
    const first = bytes[pos];
    if (first === SP || first === HT) {
      if (!allowFold) throw new RemoteProtocolError("Obsolete line folding in header");
      if (count === 0) throw new RemoteProtocolError("Continuation line without a field");
      const folded = fieldValue(bytes, pos, ce);
      const prev = count - 1;
      values[prev] = folded.length === 0
        ? values[prev]!
        : values[prev]!.length === 0
        ? folded
        : values[prev] + " " + folded;
      continue;
    }
    let i = pos;
    let upper = false;
    while (i < ce) {
      const c = bytes[i]!;
      if (TOKEN[c] !== 1) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      i++;
    }
    if (i >= ce || bytes[i] !== COLON) {
      if (i < ce && (bytes[i] === SP || bytes[i] === HT)) {
        throw new RemoteProtocolError("Whitespace between header name and colon");
      }
      throw new RemoteProtocolError("Invalid header line");
    }
    if (i === pos) throw new RemoteProtocolError("Empty header name");
    const word = findKnown(KNOWN_NAMES, bytes, pos, i);
    let name: string;
    let lowerName: string;
    let flag: number;
    if (word !== null) {
      name = word.text;
      lowerName = word.lower;
      flag = word.flag;
    } else {
      name = sliceText(pos, i);
      lowerName = upper ? name.toLowerCase() : name;
      flag = framingFlag(lowerName);
    }
    const value = fieldValue(bytes, i + 1, ce);
    names[count] = name;
    lower[count] = lowerName;
    values[count++] = value;
    flags |= flag;
    if (known !== null && known.keep(k, bytes, pos, ce)) {
      const fields = known.fields;
      while (fields.length < k) fields.push(null);
      const field = fields[k - 1];
      if (field === null || field === undefined) {
        fields[k - 1] = { name, lower: lowerName, value, flag };
      } else {
        field.name = name;
        field.lower = lowerName;
        field.value = value;
        field.flag = flag;
      }
    }
  }
  if (count < names.length) names.length = lower.length = values.length = count;
  fieldFlags = flags;
  return trustedFields(names, lower, values);
}

/** A field value with SP/HTAB stripped at both ends. */
function fieldValue(bytes: Uint8Array, start: number, end: number): string {
  while (start < end && (bytes[start] === SP || bytes[start] === HT)) start++;
  while (end > start && (bytes[end - 1] === SP || bytes[end - 1] === HT)) end--;
  return sliceText(start, end);
}

/** `HTTP/d.d` at `bytes[pos]`: returns "1.1", "1.0", another "d.d", or null. */
function parseVersion(bytes: Uint8Array, pos: number, end: number): string | null {
  if (end - pos !== 8) return null;
  if (
    bytes[pos] !== 0x48 || bytes[pos + 1] !== 0x54 || bytes[pos + 2] !== 0x54 ||
    bytes[pos + 3] !== 0x50 || bytes[pos + 4] !== 0x2f || bytes[pos + 6] !== 0x2e
  ) return null;
  const major = bytes[pos + 5]! - 0x30;
  const minor = bytes[pos + 7]! - 0x30;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return null;
  return major === 1 && minor === 1
    ? "1.1"
    : major === 1 && minor === 0
    ? "1.0"
    : `${major}.${minor}`;
}

/** `T` with its read-only fields made writable (for the constructors below). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds a {@linkcode Request} from parsed parts, which the parser has already
 * checked: the same fields and prototype as `new Request()` gives, without the
 * checks and with one fixed shape for every parsed request.
 */
const ParsedRequest = function (
  this: Writable<Request>,
  method: string,
  target: string,
  headers: Fields,
  httpVersion: string,
) {
  this.method = method;
  this.target = target;
  this.headers = headers;
  this.httpVersion = httpVersion;
} as unknown as new (
  method: string,
  target: string,
  headers: Fields,
  httpVersion: string,
) => Request;
ParsedRequest.prototype = Request.prototype;

/**
 * A constructor like {@linkcode ParsedRequest} for response heads whose objects
 * get `proto` (final or 1xx responses).
 */
function parsedResponseType<T extends Response | InformationalResponse>(
  proto: T,
): new (status: number, headers: Fields, reason: string, httpVersion: string) => T {
  const Parsed = function (
    this: Writable<T>,
    status: number,
    headers: Fields,
    reason: string,
    httpVersion: string,
  ) {
    this.status = status;
    this.headers = headers;
    this.reason = reason;
    this.httpVersion = httpVersion;
  } as unknown as new (status: number, headers: Fields, reason: string, httpVersion: string) => T;
  Parsed.prototype = proto;
  return Parsed;
}

const ParsedResponse = parsedResponseType(Response.prototype);
const ParsedInformational = parsedResponseType(InformationalResponse.prototype);

/**
 * Parses the request head `bytes[start, headEnd)` that {@linkcode scanHead} just
 * found (leading empty lines already skipped). `decoded` may hold the head's text
 * already (a head of ASCII bytes is then sliced from it, not decoded again);
 * `lines` holds the lines of the connection's heads before this one.
 */
export function parseRequestHead(
  bytes: Uint8Array,
  start: number,
  headEnd: number,
  decoded: DecodedBytes | null = null,
  lines: HeadLines | null = null,
): Request {
  beginText(
    bytes,
    start,
    headEnd,
    decoded !== null && !scanHigh && decoded.covers(bytes, start, headEnd) ? decoded : null,
  );
  const ce = contentEnd(bytes, start, lineEnds[0]!);
  const known = scanHigh ? null : lines;
  let method: string;
  let target: string;
  let version: string;
  if (known !== null && known.has(0, bytes, start, ce)) {
    method = known.method;
    target = known.target;
    version = known.version;
  } else {
    let i = start;
    while (i < ce && TOKEN[bytes[i]!] === 1) i++;
    if (i === start || i >= ce || bytes[i] !== SP) {
      throw new RemoteProtocolError("Invalid request line");
    }
    method = findKnown(KNOWN_METHODS, bytes, start, i)?.text ?? sliceText(start, i);
    const targetStart = ++i;
    while (i < ce && bytes[i]! >= 0x21 && bytes[i]! <= 0x7e) i++;
    if (i === targetStart || i >= ce || bytes[i] !== SP) {
      throw new RemoteProtocolError("Invalid request line");
    }
    target = sliceText(targetStart, i);
    if (!isValidTargetForm(method, target)) {
      throw new RemoteProtocolError("Invalid request target");
    }
    const parsed = parseVersion(bytes, i + 1, ce);
    if (parsed === null) throw new RemoteProtocolError("Invalid request line");
    if (parsed !== "1.1" && parsed !== "1.0") {
      throw new RemoteProtocolError(`Unsupported HTTP version "HTTP/${parsed}"`, 505);
    }
    version = parsed;
    if (known !== null && known.keep(0, bytes, start, ce)) {
      known.method = method;
      known.target = target;
      known.version = version;
    }
  }
  const headers = parseFields(bytes, 1, false, false, known);
  releaseHeadText();
  const lower = headers.lowerNames;
  let hosts = 0;
  for (let k = 0; k < lower.length; k++) {
    if (lower[k] !== "host") continue;
    hosts++;
    const host = headers.values[k]!;
    if (host === known?.validHost) continue;
    if (!isValidHost(host)) throw new RemoteProtocolError("Invalid Host header");
    if (known !== null) known.validHost = host;
  }
  if (hosts > 1) throw new RemoteProtocolError("Request has more than one Host header");
  if (hosts === 0 && version === "1.1") {
    throw new RemoteProtocolError("HTTP/1.1 request without a Host header");
  }
  const request = new ParsedRequest(method, target, headers, version);
  known?.keepHead(bytes, start, headEnd, request);
  return request;
}

/**
 * Parses the response head `bytes[start, headEnd)` that {@linkcode scanHead} just
 * found; `lines` holds the lines of the connection's heads before this one.
 */
export function parseResponseHead(
  bytes: Uint8Array,
  start: number,
  headEnd: number,
  lines: HeadLines | null = null,
): Response | InformationalResponse {
  beginText(bytes, start, headEnd, null);
  const ce = contentEnd(bytes, start, lineEnds[0]!);
  const known = scanHigh ? null : lines;
  let status: number;
  let reason: string;
  let version: string;
  if (known !== null && known.has(0, bytes, start, ce)) {
    status = known.status;
    reason = known.reason;
    version = known.version;
  } else {
    const parsed = parseVersion(bytes, start, Math.min(ce, start + 8));
    if (parsed === null || (ce > start + 8 && bytes[start + 8] !== SP)) {
      throw new RemoteProtocolError("Invalid status line");
    }
    if (parsed !== "1.1" && parsed !== "1.0") {
      throw new RemoteProtocolError(`Unsupported HTTP version "HTTP/${parsed}"`, 505);
    }
    version = parsed;
    const s = start + 9;
    if (ce < s + 3) throw new RemoteProtocolError("Invalid status line");
    status = 0;
    for (let i = s; i < s + 3; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) throw new RemoteProtocolError("Invalid status line");
      status = status * 10 + d;
    }
    if (status < 100) throw new RemoteProtocolError("Invalid status line");
    reason = "";
    if (ce > s + 3) {
      if (bytes[s + 3] !== SP) throw new RemoteProtocolError("Invalid status line");
      for (let i = s + 4; i < ce; i++) {
        const c = bytes[i]!;
        if ((c < 0x20 && c !== HT) || c === 0x7f) {
          throw new RemoteProtocolError("Invalid reason phrase");
        }
      }
      reason = sliceText(s + 4, ce);
    }
    if (known !== null && known.keep(0, bytes, start, ce)) {
      known.status = status;
      known.reason = reason;
      known.version = version;
    }
  }
  const headers = parseFields(bytes, 1, true, false, known);
  releaseHeadText();
  const response = status < 200
    ? new ParsedInformational(status, headers, reason, version)
    : new ParsedResponse(status, headers, reason, version);
  known?.keepHead(bytes, start, headEnd, response);
  return response;
}

/** What a body reader produced. */
export type ReadResult = Data | EndOfMessage | null;

/** Reads one kind of message body from the receive buffer. */
export interface BodyReader {
  /** The next Data or EndOfMessage, or null when more bytes are needed. */
  read(buf: ReceiveBuffer): ReadResult;
  /** Called when the peer closed with this reader unfinished. */
  readEof(): ReadResult;
}

const END = new EndOfMessage();

/** A body of known length. */
export class ContentLengthReader implements BodyReader {
  #remaining: number;
  readonly #length: number;

  constructor(length: number) {
    this.#length = length;
    this.#remaining = length;
  }

  /** The whole body's length in bytes. */
  get length(): number {
    return this.#length;
  }

  read(buf: ReceiveBuffer): ReadResult {
    if (this.#remaining === 0) return END;
    if (buf.length === 0) return null;
    const data = buf.take(this.#remaining);
    this.#remaining -= data.length;
    return new Data(data);
  }

  /**
   * The rest of the body when `buf` holds all of it (this reader is then done),
   * else null with nothing taken.
   */
  readRest(buf: ReceiveBuffer): Uint8Array | null {
    const n = this.#remaining;
    if (n === 0) return NO_BYTES;
    if (buf.length < n) return null;
    this.#remaining = 0;
    return buf.take(n);
  }

  readEof(): ReadResult {
    throw new RemoteProtocolError(
      `Connection closed after ${this.#length - this.#remaining} of ${this.#length} body bytes`,
    );
  }
}

/** A body that lasts until the peer closes. */
export class UntilCloseReader implements BodyReader {
  read(buf: ReceiveBuffer): ReadResult {
    return buf.length === 0 ? null : new Data(buf.takeAll());
  }

  readEof(): ReadResult {
    return END;
  }
}

const SIZE_LINE = 0;
const CHUNK_DATA = 1;
const CHUNK_CRLF = 2;
const TRAILERS = 3;
const FINISHED = 4;

/** A chunked body with optional trailers. */
export class ChunkedReader implements BodyReader {
  #phase = SIZE_LINE;
  #remaining = 0;
  #chunkSize = 0;
  #received = 0;
  readonly #maxLine: number;

  /** @param maxLine Limit for a size line or the trailer block without its end. */
  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  read(buf: ReceiveBuffer): ReadResult {
    for (;;) {
      switch (this.#phase) {
        case SIZE_LINE: {
          if (!this.#readSizeLine(buf)) return null;
          continue;
        }
        case CHUNK_DATA: {
          if (buf.length === 0) return null;
          const start = this.#remaining === this.#chunkSize;
          const data = buf.take(this.#remaining);
          this.#remaining -= data.length;
          this.#received += data.length;
          if (this.#remaining === 0) this.#phase = CHUNK_CRLF;
          return new Data(data, start, this.#remaining === 0);
        }
        case CHUNK_CRLF: {
          if (buf.length < 2) {
            if (buf.length === 1 && buf.bytes[buf.start] !== CR) {
              throw new RemoteProtocolError("Chunk data not followed by CRLF");
            }
            return null;
          }
          if (buf.bytes[buf.start] !== CR || buf.bytes[buf.start + 1] !== LF) {
            throw new RemoteProtocolError("Chunk data not followed by CRLF");
          }
          buf.consume(2);
          this.#phase = SIZE_LINE;
          continue;
        }
        case TRAILERS:
          return this.#readTrailers(buf);
        default:
          return END;
      }
    }
  }

  #readSizeLine(buf: ReceiveBuffer): boolean {
    const bytes = buf.bytes;
    const lf = bytes.indexOf(LF, buf.start);
    if (lf < 0 || lf >= buf.end) {
      if (buf.length > this.#maxLine) {
        throw new RemoteProtocolError("Chunk size line is too long", 431);
      }
      // A bare CR followed by another byte can be rejected before the line ends.
      const cr = bytes.indexOf(CR, buf.start);
      if (cr >= 0 && cr + 1 < buf.end) throw new RemoteProtocolError("Invalid chunk size line");
      return false;
    }
    if (lf === buf.start || bytes[lf - 1] !== CR) {
      throw new RemoteProtocolError("Chunk size line must end in CRLF");
    }
    const ce = lf - 1;
    let i = buf.start;
    let size = 0;
    while (i < ce) {
      const c = bytes[i]!;
      const d = c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
        ? c - 0x57
        : c >= 0x41 && c <= 0x46
        ? c - 0x37
        : -1;
      if (d < 0) break;
      size = size * 16 + d;
      i++;
    }
    const digits = i - buf.start;
    if (digits === 0 || digits > 16) throw new RemoteProtocolError("Invalid chunk size");
    if (size > Number.MAX_SAFE_INTEGER) throw new RemoteProtocolError("Chunk size is too large");
    if (i < ce) {
      if (bytes[i] !== 0x3b) throw new RemoteProtocolError("Invalid chunk size line");
      for (let j = i + 1; j < ce; j++) {
        const c = bytes[j]!;
        if (c === CR || c === 0) throw new RemoteProtocolError("Invalid chunk extension");
      }
    }
    buf.consume(lf + 1 - buf.start);
    if (size === 0) {
      this.#phase = TRAILERS;
    } else {
      this.#chunkSize = size;
      this.#remaining = size;
      this.#phase = CHUNK_DATA;
    }
    return true;
  }

  #readTrailers(buf: ReceiveBuffer): ReadResult {
    const bytes = buf.bytes;
    if (buf.length >= 2 && bytes[buf.start] === CR && bytes[buf.start + 1] === LF) {
      buf.consume(2);
      this.#phase = FINISHED;
      return END;
    }
    if (buf.length >= 1 && bytes[buf.start] === LF) {
      throw new RemoteProtocolError("Chunked body must end in CRLF");
    }
    if (buf.length >= 2 && bytes[buf.start] === CR) {
      throw new RemoteProtocolError("Bare CR in trailer section");
    }
    const end = scanHead(bytes, buf.start, buf.end);
    if (end < 0) {
      if (buf.length > this.#maxLine) {
        throw new RemoteProtocolError("Trailer section is too large", 431);
      }
      return null;
    }
    if (bytes[end - 2] !== CR) throw new RemoteProtocolError("Trailer section must end in CRLF");
    beginText(bytes, buf.start, end, null);
    const trailers = parseFields(bytes, 0, false, true, null);
    releaseHeadText();
    buf.consume(end - buf.start);
    this.#phase = FINISHED;
    return new EndOfMessage(trailers);
  }

  readEof(): ReadResult {
    if (this.#phase === CHUNK_DATA) {
      throw new RemoteProtocolError(
        `Connection closed after ${this.#received} body bytes, ${this.#remaining} bytes short of the current chunk`,
      );
    }
    throw new RemoteProtocolError(
      `Connection closed after ${this.#received} body bytes, before the end of the chunked body`,
    );
  }
}
