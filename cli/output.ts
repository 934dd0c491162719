/**
 * Output formatting of `uhttp`: JSON pretty-printing and colouring, binary
 * detection, human sizes and durations, the progress bar line. Pure: no I/O here.
 *
 * @module
 */

const COLORS = {
  key: "\x1b[34;1m",
  string: "\x1b[32m",
  number: "\x1b[36m",
  literal: "\x1b[35m",
  reset: "\x1b[0m",
};

/** Pretty-prints a JSON value, with ANSI colours when `color` is set. */
export function formatJson(value: unknown, color: boolean): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  if (!color) return text;
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (match, str: string | undefined, colon: string | undefined, lit: string | undefined) => {
      if (str !== undefined) {
        return colon !== undefined
          ? COLORS.key + str + COLORS.reset + colon
          : COLORS.string + str + COLORS.reset;
      }
      if (lit !== undefined) return COLORS.literal + lit + COLORS.reset;
      return COLORS.number + match + COLORS.reset;
    },
  );
}

/** Whether a content type announces JSON (`application/json`, `+json`). */
export function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json") || type === "application/x-ndjson";
}

/**
 * Whether bytes look binary: a NUL byte, or invalid UTF-8, in the first 8 KiB.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** `1536` -> `1.5 KiB`. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** `1234` ms -> `1.23 s`, `12` -> `12 ms`. */
export function humanTime(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * One line of the download progress bar (no newline): bytes so far, the total when
 * known, a bar, the rate and the time left.
 */
export function progressLine(
  received: number,
  total: number | null,
  elapsedMs: number,
  width = 30,
): string {
  const rate = elapsedMs > 0 ? received / (elapsedMs / 1000) : 0;
  const rateText = `${humanSize(Math.round(rate))}/s`;
  if (total === null || total <= 0) {
    return `${humanSize(received)}  ${rateText}`;
  }
  const fraction = Math.min(1, received / total);
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const left = rate > 0 ? (total - received) / rate * 1000 : 0;
  const eta = fraction >= 1 ? "done" : rate > 0 ? `ETA ${humanTime(left)}` : "ETA --";
  const pct = (fraction * 100).toFixed(0).padStart(3);
  return `[${bar}] ${pct}%  ${humanSize(received)} / ${humanSize(total)}  ${rateText}  ${eta}`;
}
