// S3: opens N keep-alive connections to ORIGIN (at most 64 connecting at once),
// sends REQUESTS GETs on each (one at a time, 1 unless given) and waits for each
// response's head and body, then keeps them all open and idle. Prints `ready N`
// when all are idle; closes everything and exits when stdin closes (or after 60 s).
// Usage: node bench/clients/idle_conns.mjs ORIGIN N [REQUESTS]
import { connect } from "node:net";

const [origin, count = "2000", perConnection = "1"] = process.argv.slice(2);
const url = new URL(origin);
const total = Number(count);
const requests = Number(perConnection);
const REQUEST = `GET / HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`;
const sockets = [];

function open() {
  return new Promise((resolve, reject) => {
    const s = connect({ host: url.hostname, port: Number(url.port) });
    let buf = "";
    let answered = 0;
    s.setEncoding("latin1");
    s.once("connect", () => s.write(REQUEST));
    s.on("error", reject);
    const onData = (d) => {
      buf += d;
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const m = /content-length:\s*(\d+)/i.exec(buf.slice(0, end));
      const want = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < want) return;
      if (!buf.startsWith("HTTP/1.1 200")) return reject(new Error(buf.slice(0, 40)));
      if (++answered < requests) {
        buf = buf.slice(want);
        s.write(REQUEST);
        return;
      }
      s.off("data", onData);
      s.on("close", () => {
        if (!closing) {
          console.error("server closed an idle connection");
          process.exit(1);
        }
      });
      resolve(s);
    };
    s.on("data", onData);
  });
}

let closing = false;
let next = 0;
async function worker() {
  while (next < total) {
    next++;
    sockets.push(await open());
  }
}
await Promise.all(Array.from({ length: Math.min(64, total) }, worker));
console.log(`ready ${sockets.length}`);

const finish = () => {
  closing = true;
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.resume();
setTimeout(finish, 60_000);
