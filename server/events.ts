/**
 * The events of event mode (`new HttpServer({ eventMode: true })`).
 *
 * @module
 */
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  EVENT_REQUEST,
} from "../core/events.ts";

export { EVENT_COMPLETE, EVENT_DATA, EVENT_ERROR, EVENT_HEADERS, EVENT_REQUEST };

/**
 * One of the event constants.
 *
 * @example
 * ```ts
 * import type { ServerEvent } from "@uhttp/core/server";
 * const e: ServerEvent = "request";
 * ```
 */
export type ServerEvent =
  | typeof EVENT_REQUEST
  | typeof EVENT_HEADERS
  | typeof EVENT_DATA
  | typeof EVENT_COMPLETE
  | typeof EVENT_ERROR;
