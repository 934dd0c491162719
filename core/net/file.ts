/**
 * Synchronous file access, per runtime, for the server's file responses and
 * uploads and the client's downloads to a file: Deno's own file API on Deno (so
 * that Node's `fs` is never loaded there), `node:fs` (native, loaded on first
 * use) on Bun. `mod.ts` picks one as it picks the socket backend.
 *
 * @module
 */
import { nodeFs } from "../node_builtin.ts";

/**
 * What {@linkcode SyncFile.stat} tells.
 *
 * @example
 * ```ts
 * import type { FileStat } from "./file.ts";
 * const stat: FileStat = { isFile: true, size: 13, mtimeMs: Date.UTC(2026, 0, 1) };
 * console.log(stat.size); // 13
 * ```
 */
export interface FileStat {
  /** `true` for a regular file (not a directory or a device). */
  isFile: boolean;
  /** Size in bytes. */
  size: number;
  /** Last modification, in whole ms since the epoch (0 when the system does not say). */
  mtimeMs: number;
}

/**
 * An open file. Every method is synchronous.
 *
 * @example
 * ```ts
 * import { openFile } from "./mod.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "hello");
 * const file = openFile(path, "read");
 * const buf = new Uint8Array(3);
 * console.log(file.stat().size, file.readAt(buf, 2), new TextDecoder().decode(buf)); // 5 3 llo
 * file.close();
 * Deno.removeSync(path);
 * ```
 */
export interface SyncFile {
  /**
   * Size, modification time and kind of the file.
   *
   * @returns The file's status.
   */
  stat(): FileStat;
  /**
   * Reads into `target` from byte `position` of the file. Reading on from where
   * the last read ended needs no seek, so a pipe can be read from its start.
   *
   * @param target Where the bytes go (filled from its start).
   * @param position Offset in the file.
   * @returns The number of bytes read; 0 at the end of the file.
   */
  readAt(target: Uint8Array, position: number): number;
  /**
   * Writes all of `bytes` at the current end of what was written.
   *
   * @param bytes The bytes.
   */
  writeAll(bytes: Uint8Array): void;
  /** Closes the file. Idempotent; an error while closing is ignored. */
  close(): void;
}

/** A file opened with Deno's API. */
class DenoFile implements SyncFile {
  #file: Deno.FsFile | null;
  /** Where the next read starts without a seek; -1 when unknown. */
  #position = 0;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  stat(): FileStat {
    const info = this.#open().statSync();
    return { isFile: info.isFile, size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 };
  }

  readAt(target: Uint8Array, position: number): number {
    const file = this.#open();
    if (position !== this.#position) file.seekSync(position, Deno.SeekMode.Start);
    this.#position = -1; // in case the read throws
    const n = file.readSync(target) ?? 0;
    this.#position = position + n;
    return n;
  }

  writeAll(bytes: Uint8Array): void {
    const file = this.#open();
    let off = 0;
    while (off < bytes.length) off += file.writeSync(off === 0 ? bytes : bytes.subarray(off));
  }

  close(): void {
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    try {
      file.close();
    } catch { /* nothing to do */ }
  }

  #open(): Deno.FsFile {
    if (this.#file === null) throw new Error("File is closed");
    return this.#file;
  }
}

/** A file opened with `node:fs` (Bun). */
class NodeFile implements SyncFile {
  #fd: number;
  /** The descriptor's own offset (moved by reads without a position only). */
  #offset = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  stat(): FileStat {
    const s = nodeFs().fstatSync(this.#open());
    return { isFile: s.isFile(), size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
  }

  readAt(target: Uint8Array, position: number): number {
    const fd = this.#open();
    if (position !== this.#offset) return nodeFs().readSync(fd, target, 0, target.length, position);
    // From where the last read ended: a plain read, which a pipe allows too.
    const n = nodeFs().readSync(fd, target, 0, target.length, null);
    this.#offset += n;
    return n;
  }

  writeAll(bytes: Uint8Array): void {
    const fd = this.#open();
    let off = 0;
    while (off < bytes.length) off += nodeFs().writeSync(fd, bytes, off, bytes.length - off);
  }

  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    try {
      nodeFs().closeSync(fd);
    } catch { /* nothing to do */ }
  }

  #open(): number {
    if (this.#fd < 0) throw new Error("File is closed");
    return this.#fd;
  }
}

/**
 * Opening and removing files on one runtime.
 *
 * @example
 * ```ts
 * import { denoFiles, type FileSystem } from "./file.ts";
 * const files: FileSystem = denoFiles;
 * const path = Deno.makeTempFileSync();
 * files.open(path, "write").close();
 * files.remove(path);
 * ```
 */
export interface FileSystem {
  /** Opens a file for reading, or for writing (created, or truncated when it exists). */
  open(path: string, mode: "read" | "write"): SyncFile;
  /** Removes a file. */
  remove(path: string): void;
}

/**
 * Files through Deno's API.
 *
 * @example
 * ```ts
 * import { denoFiles } from "./file.ts";
 * const path = Deno.makeTempFileSync();
 * const out = denoFiles.open(path, "write");
 * out.writeAll(new Uint8Array([1, 2, 3]));
 * out.close();
 * console.log(Deno.statSync(path).size); // 3
 * denoFiles.remove(path);
 * ```
 */
export const denoFiles: FileSystem = {
  open: (path, mode) =>
    new DenoFile(
      Deno.openSync(
        path,
        mode === "read" ? { read: true } : { write: true, create: true, truncate: true },
      ),
    ),
  remove: (path) => Deno.removeSync(path),
};

/**
 * Files through `node:fs` (Bun; it works on Deno too, loading Node's `fs` there).
 *
 * @example
 * ```ts
 * import { nodeFiles } from "./file.ts";
 * const path = Deno.makeTempFileSync();
 * const out = nodeFiles.open(path, "write");
 * out.writeAll(new Uint8Array([1, 2, 3]));
 * out.close();
 * console.log(Deno.statSync(path).size); // 3
 * nodeFiles.remove(path);
 * ```
 */
export const nodeFiles: FileSystem = {
  open: (path, mode) => new NodeFile(nodeFs().openSync(path, mode === "read" ? "r" : "w")),
  remove: (path) => nodeFs().unlinkSync(path),
};
