/**
 * What the `uhttp` command needs from its process, per runtime: its arguments,
 * stdout and stderr, stdin, Ctrl-C and the exit code. Deno's own API on Deno
 * (its `process` global loads Node's layer, about 17 ms of start-up), Node's
 * `process` on Bun, where it costs nothing.
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import { nodeFs } from "../core/node_builtin.ts";

/** The process of the command. */
export interface CliProcess {
  /** Arguments after the script's name. */
  readonly args: readonly string[];
  /**
   * Writes to stdout (1) or stderr (2) at once, as much as it takes.
   *
   * @returns The number of bytes written (0 when the output would block).
   */
  writeSome(fd: 1 | 2, bytes: Uint8Array): number;
  /** Whether stdout (1) or stderr (2) is a terminal. */
  isTerminal(fd: 1 | 2): boolean;
  /** Everything on stdin, up to its end. */
  readStdin(): Promise<Uint8Array>;
  /** Runs `handler` on Ctrl-C (SIGINT). */
  onInterrupt(handler: () => void): void;
  /** Ends the process at once. */
  exit(code: number): never;
  /** Sets the status the process exits with when it ends by itself. */
  setExitCode(code: number): void;
}

/** Everything a stream gives, joined. */
async function readAll(chunks: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) {
    parts.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  return concatBytes(parts);
}

function denoProcess(): CliProcess {
  const stream = (fd: 1 | 2) => fd === 1 ? Deno.stdout : Deno.stderr;
  return {
    args: Deno.args,
    writeSome: (fd, bytes) => stream(fd).writeSync(bytes),
    isTerminal: (fd) => stream(fd).isTerminal(),
    readStdin: () => readAll(Deno.stdin.readable),
    onInterrupt: (handler) => Deno.addSignalListener("SIGINT", handler),
    exit: (code) => Deno.exit(code),
    setExitCode: (code) => {
      Deno.exitCode = code;
    },
  };
}

/** The part of Node's `process` used on Bun. */
interface NodeProcess {
  argv: string[];
  stdin: AsyncIterable<Uint8Array | string>;
  stdout: { isTTY?: boolean };
  stderr: { isTTY?: boolean };
  on(signal: "SIGINT", handler: () => void): void;
  exit(code: number): never;
  exitCode: number | undefined;
}

function nodeProcess(): CliProcess {
  const process = (globalThis as unknown as { process: NodeProcess }).process;
  return {
    args: process.argv.slice(2),
    writeSome: (fd, bytes) => {
      try {
        return nodeFs().writeSync(fd, bytes);
      } catch (e) {
        if ((e as { code?: string }).code === "EAGAIN") return 0;
        throw e;
      }
    },
    isTerminal: (fd) => (fd === 1 ? process.stdout : process.stderr).isTTY === true,
    readStdin: () => readAll(process.stdin),
    onInterrupt: (handler) => process.on("SIGINT", handler),
    exit: (code) => process.exit(code),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/**
 * The process of the command on this runtime.
 *
 * @returns Its arguments, outputs, input, signals and exit.
 *
 * @example
 * ```ts
 * import { cliProcess } from "./system.ts";
 * const proc = cliProcess();
 * proc.writeSome(2, new TextEncoder().encode(`${proc.args.length} arguments\n`));
 * ```
 */
export function cliProcess(): CliProcess {
  return "Bun" in globalThis ? nodeProcess() : denoProcess();
}
