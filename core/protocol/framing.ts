/**
 * Framing and connection rules (RFC 9112 §6, §9), shared by the readers and the
 * writers so that each rule lives in one place. Every check takes the error class
 * to throw, so the same rule raises `RemoteProtocolError` for what we receive and
 * `LocalProtocolError` for what we send.
 *
 * @module
 */
import { type Fields, fieldValues } from "./headers.ts";
import type { ProtocolError } from "./errors.ts";
import { isToken } from "./syntax.ts";

/** How a message body is delimited. */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** Message without a body. */
export const NO_BODY: BodyFraming = { kind: "none" };
/** Chunked body. */
export const CHUNKED: BodyFraming = { kind: "chunked" };
/** Body delimited by the end of the connection. */
export const UNTIL_CLOSE: BodyFraming = { kind: "close" };

type ErrorClass = new (message: string, statusHint?: number) => ProtocolError;

/**
 * The single Content-Length of a message: repeated fields and comma lists of equal
 * values count as one; anything else is an error.
 */
export function contentLengthOf(values: readonly string[], Err: ErrorClass): number {
  if (values.length === 1) {
    // The usual field: digits alone, taken without cutting the value up.
    const n = parseDigits(values[0]!);
    if (n >= 0) return n;
  }
  let result = -1;
  for (const field of values) {
    let pos = 0;
    while (pos <= field.length) {
      let comma = field.indexOf(",", pos);
      if (comma < 0) comma = field.length;
      const n = parseDigits(stripSpaces(field.slice(pos, comma)));
      if (n < 0) throw new Err("Invalid Content-Length header");
      if (result >= 0 && n !== result) throw new Err("Conflicting Content-Length headers");
      result = n;
      pos = comma + 1;
    }
  }
  return result;
}

function stripSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

/** 1*DIGIT within `Number.MAX_SAFE_INTEGER`, or -1. */
function parseDigits(s: string): number {
  if (s.length === 0 || s.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}

/**
 * The framing of a request body. Stricter than "Transfer-Encoding wins": both
 * headers, a coding list, a repeated field or TE in HTTP/1.0 are rejected.
 */
export function requestFraming(headers: Fields, httpVersion: string, Err: ErrorClass): BodyFraming {
  if (headers.size === 0) return NO_BODY;
  const te = fieldValues(headers, "transfer-encoding");
  const cl = fieldValues(headers, "content-length");
  if (te.length > 0) {
    if (cl.length > 0) throw new Err("Request has both Transfer-Encoding and Content-Length");
    if (httpVersion === "1.0") throw new Err("Transfer-Encoding is not allowed in HTTP/1.0");
    if (te.length > 1) throw new Err("Repeated Transfer-Encoding header");
    const codings = te[0]!.split(",").map(stripSpaces);
    for (const c of codings) {
      if (!isToken(c)) throw new Err("Malformed Transfer-Encoding header");
    }
    for (const c of codings) {
      if (c.toLowerCase() !== "chunked") {
        throw new Err(`Unsupported transfer coding "${c}"`, 501);
      }
    }
    if (codings.length > 1) throw new Err('Repeated transfer coding "chunked"');
    return CHUNKED;
  }
  if (cl.length > 0) {
    const n = contentLengthOf(cl, Err);
    return n === 0 ? NO_BODY : { kind: "length", length: n };
  }
  return NO_BODY;
}

/**
 * The framing of a response body, given the request method it answers (`null`
 * when unknown).
 */
export function responseFraming(
  requestMethod: string | null,
  status: number,
  headers: Fields,
  Err: ErrorClass,
): BodyFraming {
  if (status < 200 || status === 204 || status === 304 || requestMethod === "HEAD") return NO_BODY;
  if (requestMethod === "CONNECT" && status < 300) return NO_BODY;
  if (headers.size === 0) return UNTIL_CLOSE;
  const te = fieldValues(headers, "transfer-encoding");
  if (te.length > 0) {
    const last = te[te.length - 1]!;
    const codings = last.split(",");
    return stripSpaces(codings[codings.length - 1]!).toLowerCase() === "chunked"
      ? CHUNKED
      : UNTIL_CLOSE;
  }
  const cl = fieldValues(headers, "content-length");
  if (cl.length > 0) return { kind: "length", length: contentLengthOf(cl, Err) };
  return UNTIL_CLOSE;
}

/** Whether the comma-separated field `name` (lowercase) holds `token` (case-insensitive). */
export function hasToken(headers: Fields, name: string, token: string): boolean {
  if (headers.size === 0) return false;
  const values = fieldValues(headers, name);
  for (const v of values) {
    const parts = v.split(",");
    for (const p of parts) {
      if (stripSpaces(p).toLowerCase() === token) return true;
    }
  }
  return false;
}

/** Whether a message lets the connection stay open after it. */
export function allowsKeepAlive(headers: Fields, httpVersion: string): boolean {
  if (hasToken(headers, "connection", "close")) return false;
  if (httpVersion === "1.0") return hasToken(headers, "connection", "keep-alive");
  return true;
}

/** Whether a request waits for `100 Continue` before sending its body. */
export function expectsContinue(headers: Fields, httpVersion: string): boolean {
  return httpVersion === "1.1" && hasToken(headers, "expect", "100-continue");
}

/** Whether a request proposes a protocol switch (Upgrade or CONNECT). */
export function proposesSwitch(method: string, headers: Fields): boolean {
  return method === "CONNECT" || headers.lowerNames.includes("upgrade");
}
