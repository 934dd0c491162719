/**
 * Character classes of RFC 9110 / 9112 as lookup tables, and the checks built on
 * them. Used by parsing and serialising alike so the rules live in one place.
 *
 * @module
 */

/** `TOKEN[c] === 1` when byte `c` is a tchar. */
export const TOKEN: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/** Whether `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Whether `s` is non-empty and only visible ASCII (0x21-0x7E). */
export function isVisibleAscii(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Whether a (stripped) field value may be sent: latin-1 only, no NUL, CR or LF,
 * and no leading/trailing whitespace left.
 */
export function validFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0xff) return false;
  }
  return true;
}

/** Whether a reason phrase may be sent: HTAB, SP, VCHAR, obs-text. */
export function validReason(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/**
 * Decodes bytes as latin-1 (each byte one code unit), which round-trips 0x80-0x9F.
 * Short runs take eight character codes per `String.fromCharCode` call: for a few
 * bytes that costs less than a `TextDecoder` call (see `sliceText` in readers.ts).
 */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 0) return "";
  if (len < 64) {
    let s = "";
    let i = start;
    for (; i + 8 <= end; i += 8) {
      s += String.fromCharCode(
        bytes[i]!,
        bytes[i + 1]!,
        bytes[i + 2]!,
        bytes[i + 3]!,
        bytes[i + 4]!,
        bytes[i + 5]!,
        bytes[i + 6]!,
        bytes[i + 7]!,
      );
    }
    for (; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return s;
}

/** Encodes a latin-1 string (code units 0-255) into `out` at `pos`; returns the new position. */
export function writeLatin1(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

/** `HOST[c] === 1` when byte `c` may appear in a Host value (RFC 3986 host + port). */
const HOST: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "-._~%!$&'()*+,;=:[]") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/**
 * Whether a Host field value is syntactically a `uri-host [":" port]` (empty is
 * allowed): no spaces, slashes, userinfo or other delimiters.
 */
export function isValidHost(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || HOST[c] !== 1) return false;
  }
  return true;
}

const NO_ASTERISK = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "TRACE"]);

/**
 * Whether a request target has a form RFC 9112 §3.2 allows for the method:
 * origin-form (`/path`) or absolute-form (`scheme://...`) for every method,
 * authority-form (`host:port`) only for CONNECT, and asterisk-form (`*`) for
 * OPTIONS and extension methods (SSDP's `M-SEARCH *`), never for the other
 * standard methods.
 */
export function isValidTargetForm(method: string, target: string): boolean {
  const first = target.charCodeAt(0);
  if (method === "CONNECT") return target.includes(":") && isValidHost(target);
  if (first === 0x2f) return true;
  if (target === "*") return !NO_ASTERISK.has(method);
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target);
}
