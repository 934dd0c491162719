/**
 * Shared by the raw TCP ceiling programs: the fixed response and a scanner that
 * counts request ends (`\r\n\r\n`) across reads, without parsing anything else.
 *
 * @module
 */

/** The fixed response for a body of `bodyBytes` bytes (default: "Hello, World!"). */
export function fixedResponse(bodyBytes: number): Uint8Array {
  const body = bodyBytes > 0 ? new Uint8Array(bodyBytes).fill(120) : new TextEncoder().encode(
    "Hello, World!",
  );
  const head = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n`,
  );
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** `n` copies of `response` back to back, cached per `n` (pipelined answers in one write). */
export function repeated(response: Uint8Array): (n: number) => Uint8Array {
  const cache: Uint8Array[] = [response];
  return (n) => {
    let r = cache[n - 1];
    if (r === undefined) {
      r = new Uint8Array(response.length * n);
      for (let i = 0; i < n; i++) r.set(response, i * response.length);
      if (n <= 256) cache[n - 1] = r;
    }
    return r;
  };
}

/** Counts `\r\n\r\n` in a byte stream; `state` is how much of the terminator was seen. */
export class EndCounter {
  state = 0;
  /** Request ends completed in `buf[0..len)`. */
  count(buf: Uint8Array, len: number): number {
    let n = 0;
    let s = this.state;
    for (let i = 0; i < len; i++) {
      const b = buf[i];
      if (b === 13) s = s === 2 ? 3 : 1;
      else if (b === 10 && (s === 1 || s === 3)) {
        if (s === 3) {
          n++;
          s = 0;
        } else s = 2;
      } else s = 0;
    }
    this.state = s;
    return n;
  }
}

/** The body size asked for on the command line (first argument), 0 for hello world. */
export function bodyBytesArg(args: string[]): number {
  const v = Number(args[0] ?? "0");
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
