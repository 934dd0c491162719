/**
 * HTTP status codes and their reason phrases.
 *
 * @module
 */

/**
 * Reason phrases of every status code in the IANA HTTP Status Code Registry
 * (RFC 9110 and its companions), keyed by code.
 *
 * @example Looking up a reason phrase
 * ```ts
 * import { STATUS_TEXT } from "@uhttp/core";
 * console.log(STATUS_TEXT[404]); // "Not Found"
 * ```
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  104: "Upload Resumption Supported",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
});

/**
 * Returns the reason phrase of an HTTP status code.
 *
 * @param status The status code, e.g. `404`.
 * @returns The registered reason phrase (`"Not Found"`), or `""` for an unknown code.
 *
 * @example Building a status line
 * ```ts
 * import { reasonPhrase } from "@uhttp/core";
 * const line = `HTTP/1.1 418 ${reasonPhrase(418)}\r\n`; // "HTTP/1.1 418 I'm a teapot\r\n"
 * console.log(line, reasonPhrase(299)); // reasonPhrase(299) === ""
 * ```
 */
export function reasonPhrase(status: number): string {
  return Object.hasOwn(STATUS_TEXT, status) ? STATUS_TEXT[status]! : "";
}
