/**
 * Formatting of streamed response bodies: server-sent events and multipart parts.
 *
 * @module
 */
import { Fields } from "../core/protocol/mod.ts";
import { randomHex } from "../core/bytes.ts";
import { HttpError } from "./errors.ts";

/**
 * One server-sent event.
 *
 * @example
 * ```ts
 * import type { SseEvent } from "@uhttp/core/server";
 * const e: SseEvent = { event: "price", id: "42", data: { eur: 1.08 } };
 * ```
 */
export interface SseEvent {
  /** The payload: text (split into `data:` lines) or any value sent as JSON. */
  data?: unknown;
  /** Event type (`event:` field). */
  event?: string;
  /** Event id (`id:` field). */
  id?: string | number;
  /** Reconnection time in milliseconds (`retry:` field). */
  retry?: number;
}

function field(name: string, value: string): string {
  // deno-lint-ignore no-control-regex
  if (/[\r\n\u0000]/.test(value)) {
    throw new HttpError(`Invalid SSE "${name}" field: CR, LF and NUL are not allowed`);
  }
  return name + ": " + value + "\n";
}

/** Formats one SSE event, blank line included. */
export function formatSseEvent(e: SseEvent): string {
  let out = "";
  if (e.event !== undefined) out += field("event", e.event);
  if (e.id !== undefined) out += field("id", String(e.id));
  if (e.retry !== undefined) {
    if (!Number.isInteger(e.retry) || e.retry < 0) {
      throw new HttpError(`Invalid SSE retry ${JSON.stringify(e.retry)}`);
    }
    out += "retry: " + e.retry + "\n";
  }
  if (e.data !== undefined) {
    const text = typeof e.data === "string" ? e.data : JSON.stringify(e.data) ?? "";
    for (const line of text.split(/\r\n|\r|\n/)) out += "data: " + line + "\n";
  }
  return out + "\n";
}

/** A fresh multipart boundary. */
export function multipartBoundary(): string {
  return "frame" + randomHex(8);
}

const ENCODER = new TextEncoder();

/** One part: boundary line, part headers, data, CRLF. Headers are validated. */
export function multipartFrame(
  boundary: string,
  data: Uint8Array,
  headers: [string, string][],
): Uint8Array {
  let hasType = false;
  let hasLength = false;
  for (const [n] of headers) {
    const l = n.toLowerCase();
    if (l === "content-type") hasType = true;
    if (l === "content-length") hasLength = true;
  }
  if (!hasType) headers.push(["content-type", "image/jpeg"]);
  if (!hasLength) headers.push(["content-length", String(data.length)]);
  const fields = new Fields(headers); // throws on CR/LF/NUL
  let head = "--" + boundary + "\r\n";
  for (const [n, v] of fields) head += n + ": " + v + "\r\n";
  head += "\r\n";
  const headBytes = ENCODER.encode(head);
  const out = new Uint8Array(headBytes.length + data.length + 2);
  out.set(headBytes, 0);
  out.set(data, headBytes.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

/** The closing boundary. */
export function multipartEnd(boundary: string): Uint8Array {
  return ENCODER.encode("--" + boundary + "--\r\n");
}
