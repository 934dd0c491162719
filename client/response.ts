/**
 * `HttpResponse`: what the client returns for a finished (or, in event mode, a
 * started) response.
 *
 * @module
 */
import { type Fields, RemoteProtocolError, type Request } from "../core/protocol/mod.ts";
import { fieldsRecord } from "../core/fields_record.ts";
import { contentLengthOf } from "../core/protocol/framing.ts";
import { fieldValues } from "../core/protocol/headers.ts";
import { HttpResponseError } from "./errors.ts";

import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_RESPONSE,
} from "../core/events.ts";

export { EVENT_COMPLETE, EVENT_DATA, EVENT_ERROR, EVENT_HEADERS, EVENT_RESPONSE };

/**
 * One of the client events.
 *
 * @example
 * ```ts
 * import { EVENT_COMPLETE, type ClientEvent } from "@uhttp/core/client";
 * const e: ClientEvent = EVENT_COMPLETE;
 * ```
 */
export type ClientEvent =
  | typeof EVENT_HEADERS
  | typeof EVENT_DATA
  | typeof EVENT_COMPLETE
  | typeof EVENT_ERROR
  | typeof EVENT_RESPONSE;

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * An HTTP response received by `HttpClient`.
 *
 * @example
 * ```ts
 * import type { HttpResponse } from "@uhttp/core/client";
 * function show(res: HttpResponse) {
 *   console.log(res.status, res.statusMessage, res.headers["content-type"]);
 *   if (res.ok) console.log(res.text());
 * }
 * ```
 */
export class HttpResponse {
  /** Status code. */
  readonly status: number;
  /** Reason phrase as sent by the server. */
  readonly statusMessage: string;
  /** The header fields as received (original casing, repeats kept). */
  readonly fields: Fields;
  /** Full URL of the request that produced this response. */
  readonly url: string;
  /** HTTP version of the response (`"1.1"` or `"1.0"`). */
  readonly httpVersion: string;
  /**
   * The request head this response answers, as it was written (with the auth and
   * cookie fields the client added), or `null` for a response built by hand.
   */
  request: Request | null = null;
  /** The last event of this response in event mode, else `null`. */
  event: ClientEvent | null = null;
  #headers: Record<string, string> | null = null;
  #data: Uint8Array = EMPTY;
  #trailers: Record<string, string> | null = null;
  #trailerFields: Fields | null = null;
  #json: { value: unknown } | null = null;
  #text: string | null = null;
  /** @internal set by the client when the body is read as a stream. */
  _body: ReadableStream<Uint8Array> | null = null;
  /** @internal called by `body` to switch the client to streaming. */
  _openBody: (() => ReadableStream<Uint8Array> | null) | null = null;

  /**
   * Creates a response (the client does this; exported for tests and adapters).
   *
   * @param status Status code.
   * @param statusMessage Reason phrase.
   * @param fields Header fields.
   * @param url Request URL.
   * @param httpVersion Response HTTP version.
   */
  constructor(
    status: number,
    statusMessage: string,
    fields: Fields,
    url: string,
    httpVersion = "1.1",
  ) {
    this.status = status;
    this.statusMessage = statusMessage;
    this.fields = fields;
    this.url = url;
    this.httpVersion = httpVersion;
  }

  /**
   * Headers with lowercase names; repeated fields joined with `", "` (use
   * {@linkcode HttpResponse.getSetCookie} for `set-cookie`).
   */
  get headers(): Record<string, string> {
    return this.#headers ??= fieldsRecord(this.fields);
  }

  /**
   * Every `Set-Cookie` line, unjoined.
   *
   * @returns The values in order.
   */
  getSetCookie(): string[] {
    return this.fields.getAll("set-cookie");
  }

  /**
   * Every value of a header, unjoined.
   *
   * @param name Header name, any case.
   * @returns The values in order.
   */
  getAll(name: string): string[] {
    return this.fields.getAll(name);
  }

  /** The body bytes (empty until complete, and in streaming modes). */
  get data(): Uint8Array {
    return this.#data;
  }

  /** Trailer fields of a chunked body, lowercase names (`{}` when none). */
  get trailers(): Record<string, string> {
    return this.#trailers ??= {};
  }

  /** Trailer fields as received, or `null` when none. */
  get trailerFields(): Fields | null {
    return this.#trailerFields;
  }

  /** `true` for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The `content-type` header, or `null`. */
  get contentType(): string | null {
    return this.fields.get("content-type");
  }

  /**
   * The `content-length` header as a number, read as the body's framing reads it
   * (equal repeated values count as one), or `null` when absent or not a length.
   */
  get contentLength(): number | null {
    const values = fieldValues(this.fields, "content-length");
    if (values.length === 0) return null;
    try {
      return contentLengthOf(values, RemoteProtocolError);
    } catch {
      return null;
    }
  }

  /**
   * The streamed body as a web `ReadableStream` (event mode, before any
   * `accept*` call); `null` otherwise.
   */
  get body(): ReadableStream<Uint8Array> | null {
    if (this._body === null && this._openBody !== null) {
      const open = this._openBody;
      this._openBody = null;
      this._body = open();
    }
    return this._body;
  }

  /**
   * The body decoded as UTF-8 (or the `charset` of `content-type` when the runtime
   * knows it). Cached.
   *
   * @returns The text.
   */
  text(): string {
    if (this.#text !== null) return this.#text;
    let decoder = utf8;
    const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(this.contentType ?? "");
    if (m && !/^utf-?8$/i.test(m[1]!)) {
      try {
        decoder = new TextDecoder(m[1]!);
      } catch {
        decoder = utf8;
      }
    }
    return this.#text = decoder.decode(this.#data);
  }

  /**
   * The body parsed as JSON; lazy and cached.
   *
   * @returns The parsed value.
   * @throws {HttpResponseError} when the body is not valid JSON.
   */
  json<T = unknown>(): T {
    if (this.#json === null) {
      try {
        this.#json = { value: JSON.parse(this.text()) };
      } catch (e) {
        throw new HttpResponseError("Response body is not valid JSON", { cause: e });
      }
    }
    return this.#json.value as T;
  }

  /** @internal sets the body and trailers when the response completes. */
  _complete(data: Uint8Array, trailers: Fields | null): void {
    this.#data = data;
    this.#text = null;
    this.#json = null;
    if (trailers !== null && trailers.size > 0) {
      this.#trailerFields = trailers;
      this.#trailers = trailers.toObject();
    }
  }
}
