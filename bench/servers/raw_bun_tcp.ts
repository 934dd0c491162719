/**
 * Ceiling: a raw `Bun.listen` fixed responder (native, callback-driven). Answers
 * every `\r\n\r\n`-terminated request with one fixed response without parsing;
 * pipelined requests are counted and answered with one write; backpressure is
 * handled in `drain`. Argument: body size in bytes (default hello world).
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { bodyBytesArg, EndCounter, fixedResponse, repeated } from "./raw_common.ts";
import { installGcHook } from "./gc_hook.ts";

declare const Bun: any;
declare const process: { argv: string[] };

installGcHook();

const responses = repeated(fixedResponse(bodyBytesArg(process.argv.slice(2))));

interface State {
  ends: EndCounter;
  pending: Uint8Array[];
}

function flush(socket: any, st: State): void {
  while (st.pending.length > 0) {
    const out = st.pending[0]!;
    const n = socket.write(out);
    if (n < out.length) {
      st.pending[0] = out.subarray(Math.max(n, 0));
      return;
    }
    st.pending.shift();
  }
}

const listener = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open(socket: any) {
      socket.data = { ends: new EndCounter(), pending: [] } as State;
    },
    data(socket: any, buf: Uint8Array) {
      const st = socket.data as State;
      const k = st.ends.count(buf, buf.length);
      if (k === 0) return;
      st.pending.push(responses(k));
      if (st.pending.length === 1) flush(socket, st);
    },
    drain(socket: any) {
      flush(socket, socket.data as State);
    },
    error() {},
    close() {},
  },
});
console.log(`listening on http://127.0.0.1:${listener.port}/`);
