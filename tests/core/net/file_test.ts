import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFile, removeFile } from "../../../core/net/mod.ts";
import { denoFiles, type FileSystem, nodeFiles } from "../../../core/net/file.ts";

const SYSTEMS: [string, FileSystem][] = [["runtime's own", {
  open: openFile,
  remove: removeFile,
}], ["node:fs", nodeFiles]];
if ("Deno" in globalThis && !("Bun" in globalThis)) SYSTEMS.push(["Deno's", denoFiles]);

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "uhttp-file-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

for (const [name, files] of SYSTEMS) {
  test(`files (${name}): reads at any position, in order or after a jump back`, () => {
    withDir((dir) => {
      const path = join(dir, "digits.txt");
      writeFileSync(path, "0123456789");
      const file = files.open(path, "read");
      try {
        const stat = file.stat();
        assert.equal(stat.isFile, true);
        assert.equal(stat.size, 10);
        assert.equal(stat.mtimeMs, Math.floor(statSync(path).mtimeMs));
        const buf = new Uint8Array(4);
        const text = (n: number) => new TextDecoder().decode(buf.subarray(0, n));
        assert.equal(file.readAt(buf, 6), 4);
        assert.equal(text(4), "6789");
        assert.equal(file.readAt(buf, 10), 0, "at the end");
        assert.equal(file.readAt(buf, 1), 4);
        assert.equal(text(4), "1234");
        assert.equal(file.readAt(buf, 5), 4, "right after the last read");
        assert.equal(text(4), "5678");
        assert.equal(file.readAt(buf, 8), 2);
        assert.equal(text(2), "89");
      } finally {
        file.close();
      }
      file.close(); // twice is harmless
      assert.throws(() => file.readAt(new Uint8Array(1), 0));
    });
  });

  test(`files (${name}): writing truncates, writes everything, removes`, () => {
    withDir((dir) => {
      const path = join(dir, "out.bin");
      writeFileSync(path, "old content that is longer");
      const big = new Uint8Array(3 << 20).map((_, i) => i * 7);
      const file = files.open(path, "write");
      file.writeAll(new Uint8Array([1, 2, 3]));
      file.writeAll(big);
      file.close();
      const got = readFileSync(path);
      assert.equal(got.length, 3 + big.length);
      assert.deepEqual([...got.subarray(0, 4)], [1, 2, 3, 0]);
      assert.ok(Buffer.compare(got.subarray(3), big) === 0);
      files.remove(path);
      assert.throws(() => statSync(path));
      assert.throws(() => files.remove(path), "removing a missing file throws");
    });
  });

  test(`files (${name}): a directory is no file; a missing file does not open`, () => {
    withDir((dir) => {
      const d = files.open(dir, "read");
      try {
        assert.equal(d.stat().isFile, false);
      } finally {
        d.close();
      }
      assert.throws(() => files.open(join(dir, "missing"), "read"));
      assert.throws(() => files.open(join(dir, "no/such/dir/file"), "write"));
    });
  });
}
