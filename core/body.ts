/**
 * Turning response data into body bytes and a default content type.
 *
 * @module
 */

/** The data a response may carry (what `respond(data)` takes). */
export type ResponseData =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | number
  | boolean
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** A response body and the content type it calls for. */
export interface EncodedResponseData {
  /** The body bytes (empty for `null`/`undefined`). */
  body: Uint8Array;
  /** The default content type, or `null` when there is no body. */
  contentType: string | null;
}

const UTF8 = new TextEncoder();
const EMPTY = new Uint8Array(0);
const utf8 = (text: string): Uint8Array => UTF8.encode(text);

/** Content type of a string response body (shared with the server's fast path). */
export const TEXT_BODY_TYPE = "text/html; charset=utf-8";

/**
 * Encodes response data by its type, as `respond(data)` does:
 * a string is UTF-8 `text/html; charset=utf-8`; bytes (`Uint8Array`, `ArrayBuffer`,
 * any typed array or `DataView`) are `application/octet-stream` and not copied;
 * an object, array, number or boolean is `application/json`; `null` and
 * `undefined` are an empty body with no content type.
 *
 * @param data The response data.
 * @param encodeText How text (a string, or the JSON of other data) becomes UTF-8
 *   bytes: `TextEncoder.encode` by default (the server encodes a small body in
 *   place, to be copied before its next call).
 * @returns The body bytes and the content type to use when the user set none.
 * @throws {TypeError} For data JSON cannot represent (a function, a symbol, a
 *   bigint, a cycle).
 *
 * @example Encoding the usual kinds of data
 * ```ts
 * import { encodeResponseData } from "@uhttp/core";
 * encodeResponseData("<h1>hi</h1>").contentType; // "text/html; charset=utf-8"
 * encodeResponseData({ ok: true }); // { body: bytes of '{"ok":true}', contentType: "application/json" }
 * encodeResponseData(null); // { body: empty, contentType: null }
 * ```
 */
export function encodeResponseData(
  data: ResponseData,
  encodeText: (text: string) => Uint8Array = utf8,
): EncodedResponseData {
  if (data === undefined || data === null) return { body: EMPTY, contentType: null };
  if (typeof data === "string") {
    return { body: encodeText(data), contentType: TEXT_BODY_TYPE };
  }
  if (data instanceof Uint8Array) return { body: data, contentType: "application/octet-stream" };
  if (data instanceof ArrayBuffer) {
    return { body: new Uint8Array(data), contentType: "application/octet-stream" };
  }
  if (ArrayBuffer.isView(data)) {
    return {
      body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      contentType: "application/octet-stream",
    };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    throw new TypeError("Response data cannot be encoded as JSON", { cause });
  }
  if (json === undefined) throw new TypeError(`Unsupported response data type "${typeof data}"`);
  return { body: encodeText(json), contentType: "application/json" };
}
