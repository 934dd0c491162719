/**
 * Command-line parsing of `uhttp`: turns argv into a request description or a
 * usage error. Pure: no I/O here.
 *
 * @module
 */

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  /** @param message One line, sentence case. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Where a body option's value comes from. */
export type Source =
  | { kind: "text"; text: string }
  | { kind: "file"; path: string }
  | { kind: "stdin" };

/** Everything the command line asked for. */
export interface CliOptions {
  /** Explicit method, or null to detect. */
  method: string | null;
  /** URL as given (scheme added later). */
  url: string;
  /** `-d`: body text. */
  data: Source | null;
  /** `-j`: JSON text. */
  json: Source | null;
  /** `-f`: file streamed as the body. */
  file: string | null;
  /** `-H`: headers in order, case kept. */
  headers: [string, string][];
  /** `-q`: query pairs in order. */
  query: [string, string | null][];
  /** `-u`: user and password. */
  user: { user: string; password: string } | null;
  /** `-o`: output file; `-O`: take the name from the URL (`""` until resolved). */
  output: string | null;
  /** `-O` was given. */
  remoteName: boolean;
  /** `-v`. */
  verbose: boolean;
  /** `-i`. */
  include: boolean;
  /** `-I`. */
  head: boolean;
  /** `-k`. */
  insecure: boolean;
  /** `--cacert`. */
  cacert: string | null;
  /** `-t`, seconds. */
  timeout: number;
  /** `--connect-timeout`, seconds. */
  connectTimeout: number | null;
  /** `-L`. */
  location: boolean;
  /** `--expect-continue`. */
  expectContinue: boolean;
  /** `-s`. */
  silent: boolean;
  /** `--json-out`. */
  jsonOut: boolean;
  /** `-h`. */
  help: boolean;
  /** `-V`. */
  version: boolean;
}

const FLAGS: Record<string, keyof CliOptions> = {
  "-v": "verbose",
  "--verbose": "verbose",
  "-i": "include",
  "--include": "include",
  "-I": "head",
  "--head": "head",
  "-k": "insecure",
  "--insecure": "insecure",
  "-L": "location",
  "--location": "location",
  "--expect-continue": "expectContinue",
  "-s": "silent",
  "--silent": "silent",
  "--json-out": "jsonOut",
  "-h": "help",
  "--help": "help",
  "-V": "version",
  "--version": "version",
  "-O": "remoteName",
  "--remote-name": "remoteName",
};

const WITH_VALUE = new Set([
  "-d",
  "--data",
  "-j",
  "--json",
  "-f",
  "--file",
  "-H",
  "--header",
  "-q",
  "--query",
  "-u",
  "--user",
  "-o",
  "--output",
  "--cacert",
  "-t",
  "--timeout",
  "--connect-timeout",
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function source(value: string, allowStdin: boolean): Source {
  if (value === "@-" && allowStdin) return { kind: "stdin" };
  if (value.startsWith("@") && value.length > 1) return { kind: "file", path: value.slice(1) };
  return { kind: "text", text: value };
}

function seconds(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`Option ${name} needs a positive number of seconds, not "${value}"`);
  }
  return n;
}

/** `K: V` or `K;` (empty value). */
function header(value: string): [string, string] {
  const colon = value.indexOf(":");
  if (colon < 0) {
    if (value.endsWith(";") && TOKEN.test(value.slice(0, -1))) return [value.slice(0, -1), ""];
    throw new UsageError(`Header must look like "Name: value", not "${value}"`);
  }
  const name = value.slice(0, colon).trim();
  if (!TOKEN.test(name)) throw new UsageError(`Invalid header name "${name}"`);
  const v = value.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (/[\r\n\0]/.test(v)) throw new UsageError(`Invalid value for header "${name}"`);
  return [name, v];
}

/**
 * Parses the arguments after the command name.
 *
 * @throws {UsageError} for unknown options, missing values or a missing URL.
 */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    method: null,
    url: "",
    data: null,
    json: null,
    file: null,
    headers: [],
    query: [],
    user: null,
    output: null,
    remoteName: false,
    verbose: false,
    include: false,
    head: false,
    insecure: false,
    cacert: null,
    timeout: 30,
    connectTimeout: null,
    location: false,
    expectContinue: false,
    silent: false,
    jsonOut: false,
    help: false,
    version: false,
  };
  const positional: string[] = [];
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (onlyPositional || !arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositional = true;
      continue;
    }
    let inline: string | null = null;
    if (arg.startsWith("--") && arg.includes("=")) {
      inline = arg.slice(arg.indexOf("=") + 1);
      arg = arg.slice(0, arg.indexOf("="));
    }
    const flag = FLAGS[arg];
    if (flag !== undefined) {
      if (inline !== null) throw new UsageError(`Option ${arg} takes no value`);
      (o as unknown as Record<string, boolean>)[flag] = true;
      continue;
    }
    if (!WITH_VALUE.has(arg)) {
      // Combined short flags such as -sv or -vL.
      if (/^-[a-zA-Z]{2,}$/.test(arg) && [...arg.slice(1)].every((c) => FLAGS["-" + c])) {
        for (const c of arg.slice(1)) {
          (o as unknown as Record<string, boolean>)[FLAGS["-" + c]!] = true;
        }
        continue;
      }
      throw new UsageError(`Unknown option ${arg}`);
    }
    let value: string;
    if (inline !== null) value = inline;
    else {
      if (i + 1 >= argv.length) throw new UsageError(`Option ${arg} needs a value`);
      value = argv[++i]!;
    }
    switch (arg) {
      case "-d":
      case "--data":
        o.data = source(value, true);
        break;
      case "-j":
      case "--json":
        o.json = source(value, true);
        break;
      case "-f":
      case "--file":
        o.file = value;
        break;
      case "-H":
      case "--header":
        o.headers.push(header(value));
        break;
      case "-q":
      case "--query": {
        const eq = value.indexOf("=");
        o.query.push(eq < 0 ? [value, null] : [value.slice(0, eq), value.slice(eq + 1)]);
        break;
      }
      case "-u":
      case "--user": {
        const colon = value.indexOf(":");
        o.user = colon < 0
          ? { user: value, password: "" }
          : { user: value.slice(0, colon), password: value.slice(colon + 1) };
        break;
      }
      case "-o":
      case "--output":
        o.output = value;
        break;
      case "--cacert":
        o.cacert = value;
        break;
      case "-t":
      case "--timeout":
        o.timeout = seconds(arg, value);
        break;
      default:
        o.connectTimeout = seconds(arg, value);
    }
  }
  if (o.help || o.version) return o;
  if (positional.length === 0) throw new UsageError("Missing URL");
  if (positional.length > 2) {
    throw new UsageError(`Too many arguments: ${positional.slice(2).join(" ")}`);
  }
  if (positional.length === 2) {
    const method = positional[0]!;
    if (!TOKEN.test(method)) throw new UsageError(`Invalid method "${method}"`);
    o.method = method.toUpperCase();
    o.url = positional[1]!;
  } else {
    o.url = positional[0]!;
  }
  const bodies = [o.data, o.json, o.file].filter((b) => b !== null).length;
  if (bodies > 1) throw new UsageError("Use only one of -d, -j and -f");
  if (o.output !== null && o.remoteName) throw new UsageError("Use only one of -o and -O");
  return o;
}

/** The method to use: explicit, else HEAD for -I, POST with a body, else GET. */
export function effectiveMethod(o: CliOptions): string {
  if (o.method !== null) return o.method;
  if (o.head) return "HEAD";
  return o.data !== null || o.json !== null || o.file !== null ? "POST" : "GET";
}

/** Adds `http://` to a URL without a scheme. */
export function withScheme(url: string): string {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url) ? url : "http://" + url;
}

/** The file name `-O` uses: the last path segment, or `index.html`. */
export function remoteFileName(url: string): string {
  const path = withScheme(url).replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, "").split(/[?#]/)[0]!;
  const last = path.split("/").pop() ?? "";
  let name = "";
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  name = name.replace(/[/\\\0]/g, "_");
  return name === "" || name === "." || name === ".." ? "index.html" : name;
}

/** The usage text of `uhttp -h`. */
export const USAGE = `Usage: uhttp [METHOD] URL [options]

Send an HTTP request and print the response body.

Method: given first (any case), else POST when a body option is given, else GET.

Options:
  -d, --data TEXT         body text; @file reads a file, @- reads stdin
  -j, --json JSON         JSON body (checked); @file reads a file, @- reads stdin
  -f, --file PATH         send a file's raw bytes as the body (streamed)
  -H, --header "K: V"     add a header (repeatable); "K;" sends an empty value
  -q, --query k=v         add a query parameter (repeatable)
  -u, --user USER:PASS    credentials (Basic, or Digest when the server asks)
  -o, --output FILE       write the body to FILE (progress bar on a terminal)
  -O, --remote-name       write the body to a file named like the URL's last segment
  -i, --include           print the response head before the body
  -I, --head              send HEAD and print the response head
  -v, --verbose           print the exchange and timing on stderr
  -k, --insecure          do not verify the TLS certificate
      --cacert FILE       trust the CA certificate(s) in FILE
  -t, --timeout SECONDS   time for the whole exchange (default 30)
      --connect-timeout SECONDS
                          time to connect (default 10)
  -L, --location          follow redirects (at most 10)
      --expect-continue   send Expect: 100-continue before the body
  -s, --silent            no progress bar, no error messages
      --json-out          pretty-print a JSON body
  -h, --help              show this help
  -V, --version           show the version

Exit codes: 0 success, 1 HTTP status >= 400, 2 usage error, 3 connection error,
4 timeout, 5 invalid response, 130 interrupted.`;
