/**
 * The `uhttp` command: send an HTTP request and print the response, like a small,
 * honest curl. Built on `HttpClient` and nothing else.
 *
 * ```sh
 * deno install -g -A -n uhttp jsr:@uhttp/core/cli
 * uhttp https://api.example.com/users -v
 * uhttp PUT localhost:8080/item/1 -j '{"name": "x"}'
 * uhttp localhost:8080/big.bin -o big.bin
 * ```
 *
 * @example Running the command from code
 * ```ts
 * import { main } from "@uhttp/core/cli";
 * const code = await main(["--version"]);
 * console.log(code); // 0
 * ```
 *
 * @module
 */
import { concatBytes } from "./core/bytes.ts";
import { openFile, type SyncFile } from "./core/net/mod.ts";
import {
  EVENT_COMPLETE,
  EVENT_DATA,
  EVENT_ERROR,
  EVENT_HEADERS,
  HttpClient,
  HttpClientError,
  HttpConnectionError,
  type HttpResponse,
  HttpResponseError,
  HttpTimeoutError,
  parseUrl,
  type RequestOptions,
} from "./client/mod.ts";
import {
  type CliOptions,
  effectiveMethod,
  parseArgs,
  remoteFileName,
  type Source,
  USAGE,
  UsageError,
  withScheme,
} from "./cli/args.ts";
import {
  formatJson,
  humanSize,
  humanTime,
  isJsonType,
  looksBinary,
  progressLine,
} from "./cli/output.ts";
import { cliProcess } from "./cli/system.ts";

/**
 * Version of the command, shown by `uhttp -V`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@uhttp/core/cli";
 * console.log(VERSION);
 * ```
 */
export const VERSION = "0.1.0";

/** Exit codes of the command. */
const EXIT = { ok: 0, http: 1, usage: 2, connect: 3, timeout: 4, response: 5, interrupted: 130 };
const MAX_REDIRECTS = 10;
const encoder = new TextEncoder();
const proc = cliProcess();

/** Writes all bytes to stdout (1) or stderr (2). */
function writeAll(fd: 1 | 2, bytes: Uint8Array | string): void {
  let data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  while (data.length > 0) data = data.subarray(proc.writeSome(fd, data));
}

const stderr = (text: string) => writeAll(2, text);

/** A file's bytes from its start to its end (a pipe too: no seek), in pieces of 64 KiB. */
function* fileChunks(path: string): Generator<Uint8Array> {
  const file = openFile(path, "read");
  try {
    for (let pos = 0;;) {
      const chunk = new Uint8Array(65536);
      const n = file.readAt(chunk, pos);
      if (n === 0) return;
      pos += n;
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/** A file's bytes, whole. */
function readFileBytes(path: string): Uint8Array {
  return concatBytes([...fileChunks(path)]);
}

/** The same pieces, as a stream for a request body (read as they are sent). */
async function* fileStream(path: string): AsyncGenerator<Uint8Array> {
  yield* fileChunks(path);
}

async function readSource(src: Source): Promise<Uint8Array> {
  if (src.kind === "text") return encoder.encode(src.text);
  if (src.kind === "stdin") return await proc.readStdin();
  try {
    return readFileBytes(src.path);
  } catch {
    throw new UsageError(`Cannot read file "${src.path}"`);
  }
}

function hasHeader(o: CliOptions, name: string): boolean {
  return o.headers.some(([k]) => k.toLowerCase() === name);
}

/** Builds the request options (body, headers, query) from the command line. */
async function requestOptions(o: CliOptions): Promise<RequestOptions> {
  const headers: [string, string][] = o.headers.slice();
  const req: RequestOptions = { headers, expectContinue: o.expectContinue };
  if (o.query.length > 0) {
    const q: Record<string, (string | null)[]> = {};
    for (const [k, v] of o.query) (q[k] ??= []).push(v);
    req.query = q;
  }
  if (o.json !== null) {
    const bytes = await readSource(o.json);
    try {
      JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new UsageError("Invalid JSON argument");
    }
    if (!hasHeader(o, "content-type")) headers.push(["content-type", "application/json"]);
    req.data = bytes;
  } else if (o.data !== null) {
    const bytes = await readSource(o.data);
    if (!hasHeader(o, "content-type")) {
      headers.push(["content-type", "application/x-www-form-urlencoded"]);
    }
    req.data = bytes;
  } else if (o.file !== null) {
    let size: number;
    try {
      const file = openFile(o.file, "read");
      const stat = file.stat();
      file.close();
      if (!stat.isFile) throw new Error();
      size = stat.size;
    } catch {
      throw new UsageError(`Cannot read file "${o.file}"`);
    }
    if (!hasHeader(o, "content-type")) headers.push(["content-type", "application/octet-stream"]);
    if (!hasHeader(o, "content-length")) headers.push(["content-length", String(size)]);
    req.data = fileStream(o.file);
  }
  return req;
}

/** Where and how the body goes. */
interface Sink {
  write(bytes: Uint8Array): void;
  finish(): void;
}

function headText(res: HttpResponse): string {
  let s = `HTTP/${res.httpVersion} ${res.status} ${res.statusMessage}\r\n`;
  for (const [k, v] of res.fields) s += `${k}: ${v}\r\n`;
  return s + "\r\n";
}

function verboseResponse(res: HttpResponse): void {
  let s = "";
  const req = res.request;
  if (req !== null) {
    s += `> ${req.method} ${req.target} HTTP/1.1\n`;
    for (const [k, v] of req.headers) s += `> ${k}: ${v}\n`;
    s += ">\n";
  }
  s += `< HTTP/${res.httpVersion} ${res.status} ${res.statusMessage}\n`;
  for (const [k, v] of res.fields) s += `< ${k}: ${v}\n`;
  stderr(s + "<\n");
}

/** Body to stdout: streamed, or buffered when it must be pretty-printed or checked. */
function stdoutSink(o: CliOptions, res: HttpResponse): Sink {
  const tty = proc.isTerminal(1);
  const json = isJsonType(res.contentType);
  const buffer = (json && (tty || o.jsonOut)) || tty;
  if (!buffer) {
    return { write: (b) => writeAll(1, b), finish: () => {} };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  return {
    write(b) {
      chunks.push(b);
      total += b.length;
    },
    finish() {
      const all = concatBytes(chunks, total);
      if (json && (tty || o.jsonOut)) {
        try {
          const value = JSON.parse(new TextDecoder().decode(all));
          writeAll(1, formatJson(value, tty) + "\n");
          return;
        } catch {
          // Not valid JSON after all: print it as it came.
        }
      }
      if (tty && looksBinary(all)) {
        stderr(
          `[binary data: ${humanSize(total)}] Use -o FILE to save it (uhttp URL -o FILE).\n`,
        );
        return;
      }
      writeAll(1, all);
    },
  };
}

/** Body to a file, with a progress bar on a terminal. */
function fileSink(o: CliOptions, path: string, res: HttpResponse): Sink {
  let file: SyncFile;
  try {
    file = openFile(path, "write");
  } catch {
    throw new UsageError(`Cannot write file "${path}"`);
  }
  const showProgress = !o.silent && proc.isTerminal(2);
  const total = res.contentLength;
  const started = performance.now();
  let received = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    stderr("\r" + progressLine(received, total, now - started) + "\x1b[K");
  };
  if (showProgress) draw(true);
  return {
    write(b) {
      file.writeAll(b);
      received += b.length;
      if (showProgress) draw(false);
    },
    finish() {
      file.close();
      if (showProgress) {
        draw(true);
        stderr("\n");
      }
    },
  };
}

/** One exchange; returns the response (head) and follows nothing. */
async function exchange(
  o: CliOptions,
  url: string,
  method: string,
  options: RequestOptions,
  openSink: (res: HttpResponse) => Sink | null,
): Promise<HttpResponse> {
  let target: ReturnType<typeof parseUrl>;
  try {
    target = parseUrl(url);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const caCerts = o.cacert === null ? undefined : [readCaCert(o.cacert)];
  const user = o.user !== null ? [o.user.user, o.user.password] as const : target.auth;
  const client = new HttpClient(target.host.includes(":") ? `[${target.host}]` : target.host, {
    port: target.port,
    tls: target.secure ? { insecure: o.insecure, ...(caCerts ? { caCerts } : {}) } : false,
    timeout: o.timeout * 1000,
    ...(o.connectTimeout !== null ? { connectTimeout: o.connectTimeout * 1000 } : {}),
    ...(user !== null ? { auth: user } : {}),
  });
  const path = target.path === "" ? "/" : target.path;
  try {
    if (o.verbose) {
      stderr(
        `* Connecting to ${client.host}:${client.port}${target.secure ? " (TLS)" : ""}\n`,
      );
    }
    const started = performance.now();
    client.request(method, path, { ...options, stream: true });
    let sink: Sink | null = null;
    let size = 0;
    for (;;) {
      const res = await client.wait();
      if (res === null) throw new HttpConnectionError("Connection closed without a response");
      if (res.event === EVENT_HEADERS) {
        if (o.verbose) verboseResponse(res);
        sink = openSink(res);
        if (sink === null) {
          client.close();
          return res;
        }
        client.acceptBodyStreaming();
        continue;
      }
      if (res.event === EVENT_DATA) {
        const chunk = client.readBuffer();
        if (chunk !== null) {
          size += chunk.length;
          sink!.write(chunk);
        }
        continue;
      }
      if (res.event === EVENT_ERROR) {
        throw client.error ?? new HttpResponseError("Invalid response");
      }
      if (res.event === EVENT_COMPLETE) {
        const rest = client.readBuffer();
        if (rest !== null) {
          size += rest.length;
          sink!.write(rest);
        }
      } else {
        // The whole response arrived at once.
        if (o.verbose) verboseResponse(res);
        sink = openSink(res);
        if (sink !== null) {
          size = res.data.length;
          sink.write(res.data);
        }
      }
      sink?.finish();
      if (o.verbose) {
        stderr(`* time ${humanTime(performance.now() - started)}, size ${humanSize(size)}\n`);
      }
      return res;
    }
  } finally {
    client.close();
  }
}

function readCaCert(path: string): string {
  try {
    return new TextDecoder().decode(readFileBytes(path));
  } catch {
    throw new UsageError(`Cannot read CA certificate "${path}"`);
  }
}

/**
 * Runs the command with the given arguments (without the command name).
 *
 * @param argv Arguments, as on the command line.
 * @returns The exit code: 0 success, 1 HTTP status >= 400, 2 usage error,
 * 3 connection error, 4 timeout, 5 invalid response.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    stderr(
      `uhttp: ${(e as Error).message}\nUsage: uhttp [METHOD] URL [options]  (uhttp -h for help)\n`,
    );
    return EXIT.usage;
  }
  if (o.help) {
    writeAll(1, USAGE + "\n");
    return EXIT.ok;
  }
  if (o.version) {
    writeAll(1, `uhttp ${VERSION}\n`);
    return EXIT.ok;
  }
  try {
    let url = withScheme(o.url);
    let method = effectiveMethod(o);
    let options = await requestOptions(o);
    const outputPath = o.remoteName ? remoteFileName(url) : o.output;
    for (let hop = 0;; hop++) {
      const redirecting = (res: HttpResponse) =>
        o.location && res.status >= 300 && res.status < 400 &&
        res.headers["location"] !== undefined;
      const res = await exchange(o, url, method, options, (res) => {
        if (redirecting(res)) return null;
        if (o.include || (o.head && !o.verbose)) writeAll(1, headText(res));
        if (method === "HEAD") return null;
        return outputPath !== null ? fileSink(o, outputPath, res) : stdoutSink(o, res);
      });
      if (redirecting(res)) {
        if (hop >= MAX_REDIRECTS) {
          if (!o.silent) stderr(`uhttp: Too many redirects (more than ${MAX_REDIRECTS})\n`);
          return EXIT.response;
        }
        url = new URL(res.headers["location"]!, res.url).href;
        if (
          res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")
        ) {
          method = method === "HEAD" ? "HEAD" : "GET";
          options = { headers: o.headers.filter(([k]) => !/^content-/i.test(k)) };
        }
        if (o.verbose) stderr(`* Following redirect to ${url}\n`);
        continue;
      }
      return res.status >= 400 ? EXIT.http : EXIT.ok;
    }
  } catch (e) {
    const code = e instanceof UsageError
      ? EXIT.usage
      : e instanceof HttpTimeoutError
      ? EXIT.timeout
      : e instanceof HttpResponseError
      ? EXIT.response
      : e instanceof HttpConnectionError || e instanceof HttpClientError
      ? EXIT.connect
      : EXIT.connect;
    if (!o.silent || code === EXIT.usage) {
      const message = e instanceof Error ? e.message : String(e);
      stderr(`uhttp: ${message.split("\n")[0]}\n`);
    }
    return code;
  }
}

if (import.meta.main) {
  proc.onInterrupt(() => proc.exit(EXIT.interrupted));
  proc.setExitCode(await main(proc.args));
}
