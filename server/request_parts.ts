/**
 * What a request's target and cookies parse into, kept for the requests that
 * repeat them (a client polling one URL sends the same head again and again), so
 * that each is parsed once (the header fields' record: `fieldsRecord`). The parts
 * a handler may change (the query, the cookies record) are handed out as copies:
 * a change made while answering one request reaches no other.
 *
 * @module
 */
import { type ParsedUrl, parseUrl } from "../core/url.ts";
import { parseCookies } from "../core/cookie.ts";

/** Targets (and Cookie values) kept at most; the cache starts over when full. */
const KEPT = 64;
/**
 * Longest target or Cookie value kept (a head may be 16 KiB): what is kept stays
 * under 64 × 2 × 2 KiB, a small share of a device's memory.
 */
const LONGEST_KEPT = 2048;
const urls = new Map<string, ParsedUrl>();
const cookieRecords = new Map<string, Readonly<Record<string, string>>>();

/**
 * The parse of a request target, shared by every request with that target:
 * read it, do not change it (copy its `query` with `copyQuery` first).
 *
 * @throws {Error} as {@linkcode parseUrl} (nothing is kept then).
 *
 * @example
 * ```ts
 * import { parsedTarget } from "./request_parts.ts";
 * console.log(parsedTarget("/a%20b?x=1").path); // "/a b"
 * ```
 */
export function parsedTarget(target: string): ParsedUrl {
  let url = urls.get(target);
  if (url === undefined) {
    url = parseUrl(target);
    if (target.length > LONGEST_KEPT) return url;
    if (urls.size >= KEPT) urls.clear();
    urls.set(target, url);
  }
  return url;
}

/**
 * The cookies of a `Cookie` field value (several fields joined with `", "`), a
 * new copy each time.
 *
 * @example
 * ```ts
 * import { cookieRecord } from "./request_parts.ts";
 * console.log(cookieRecord("a=1; b=2")); // { a: "1", b: "2" }
 * ```
 */
export function cookieRecord(header: string): Record<string, string> {
  let record = cookieRecords.get(header);
  if (record === undefined) {
    const parsed = parseCookies(header.replaceAll(", ", "; "));
    if (header.length > LONGEST_KEPT) return parsed; // not kept: the caller's own
    if (cookieRecords.size >= KEPT) cookieRecords.clear();
    cookieRecords.set(header, record = parsed);
  }
  return { ...record };
}
