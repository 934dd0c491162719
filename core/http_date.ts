/**
 * HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out, all three formats in.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/**
 * Formats a date as an IMF-fixdate, the form HTTP headers use
 * (`Date`, `Last-Modified`, `Expires`).
 *
 * @param date The date (milliseconds are dropped).
 * @returns E.g. `"Sun, 06 Nov 1994 08:49:37 GMT"`.
 * @throws {RangeError} For an invalid date or a year outside 0-9999.
 *
 * @example A Last-Modified header
 * ```ts
 * import { formatHttpDate } from "@uhttp/core";
 * formatHttpDate(new Date(Date.UTC(1994, 10, 6, 8, 49, 37))); // "Sun, 06 Nov 1994 08:49:37 GMT"
 * ```
 */
export function formatHttpDate(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError("Invalid date");
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`Year "${year}" is out of range for HTTP`);
  return `${DAYS[date.getUTCDay()]}, ${pad2(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${
    String(year).padStart(4, "0")
  } ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} GMT`;
}

const MONTH_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  MONTHS.map((m, i) => [m.toLowerCase(), i]),
);

const IMF_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const RFC850_RE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const ASCTIME_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

function build(
  year: number,
  monthName: string,
  day: number,
  hour: number,
  minute: number,
  second: number,
): Date | null {
  const month = MONTH_INDEX[monthName.toLowerCase()];
  if (month === undefined || hour > 23 || minute > 59 || second > 60 || day < 1) return null;
  const date = new Date(Date.UTC(year, month, day, hour, minute, Math.min(second, 59)));
  // Years 0-99 would be mapped to 1900-1999 by Date.UTC.
  if (year < 100) date.setUTCFullYear(year);
  if (date.getUTCDate() !== day) return null; // 31 Feb and the like
  return date;
}

/**
 * Parses an HTTP date in any of the three formats recipients must accept:
 * IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 *
 * A two-digit RFC 850 year more than 50 years in the future is taken as the past
 * century. Names are matched case-insensitively; anything else gives `null`.
 *
 * @param s The header value, e.g. of `If-Modified-Since`.
 * @returns The date, or `null` when `s` is not a valid HTTP date.
 *
 * @example Conditional requests
 * ```ts
 * import { parseHttpDate } from "@uhttp/core";
 * const since = parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
 * console.log(since?.toISOString(), parseHttpDate("yesterday")); // "1994-11-06T08:49:37.000Z" null
 * ```
 */
export function parseHttpDate(s: string): Date | null {
  const v = s.trim();
  let m = IMF_RE.exec(v);
  if (m) return build(+m[3]!, m[2]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  m = RFC850_RE.exec(v);
  if (m) {
    let year = 2000 + +m[3]!;
    if (year > new Date().getUTCFullYear() + 50) year -= 100;
    return build(year, m[2]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  }
  m = ASCTIME_RE.exec(v);
  if (m) return build(+m[6]!, m[1]!, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!);
  return null;
}

let cachedSecond = -1;
let cachedDate = "";

/**
 * Returns the current time as an IMF-fixdate for the `Date` response header,
 * recomputed at most once per second (no timer: it compares `Date.now()`).
 *
 * @returns E.g. `"Tue, 15 Nov 1994 08:12:31 GMT"`.
 *
 * @example A Date header
 * ```ts
 * import { currentHttpDate } from "@uhttp/core";
 * const header = `date: ${currentHttpDate()}\r\n`;
 * console.log(header);
 * ```
 */
export function currentHttpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = formatHttpDate(new Date(second * 1000));
  }
  return cachedDate;
}
