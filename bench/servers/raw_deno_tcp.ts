/**
 * Ceiling: a raw `Deno.listen` fixed responder. Answers every `\r\n\r\n`-terminated
 * request with one fixed response, without parsing; pipelined requests are counted
 * and answered with one write. Argument: body size in bytes (default hello world).
 *
 * @module
 */
import { bodyBytesArg, EndCounter, fixedResponse, repeated } from "./raw_common.ts";
import { installGcHook } from "./gc_hook.ts";

installGcHook();

const responses = repeated(fixedResponse(bodyBytesArg(Deno.args)));
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`listening on http://127.0.0.1:${listener.addr.port}/`);

async function serve(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  const ends = new EndCounter();
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      const k = ends.count(buf, n);
      if (k === 0) continue;
      let out = responses(k);
      while (out.length > 0) out = out.subarray(await conn.write(out));
    }
  } catch {
    // peer went away
  }
  try {
    conn.close();
  } catch {
    // already closed
  }
}

for await (const conn of listener) {
  conn.setNoDelay(true);
  serve(conn);
}
