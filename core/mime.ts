/**
 * Content types by file extension.
 *
 * @module
 */

/**
 * Media types by lowercase file extension (without the dot and without a charset).
 * {@linkcode contentTypeFor} adds `charset=utf-8` to the text types.
 *
 * @example Checking whether an extension is known
 * ```ts
 * import { MIME_TYPES } from "@uhttp/core";
 * console.log(MIME_TYPES["wasm"], "xyz" in MIME_TYPES); // "application/wasm" false
 * ```
 */
export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  // Text and code
  html: "text/html",
  htm: "text/html",
  xhtml: "application/xhtml+xml",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "text/javascript",
  ts: "text/plain",
  json: "application/json",
  jsonld: "application/ld+json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  ndjson: "application/x-ndjson",
  txt: "text/plain",
  text: "text/plain",
  log: "text/plain",
  ini: "text/plain",
  conf: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  xml: "application/xml",
  xsl: "application/xml",
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  yaml: "application/yaml",
  yml: "application/yaml",
  toml: "application/toml",
  ics: "text/calendar",
  vcf: "text/vcard",
  rtf: "application/rtf",
  sh: "application/x-sh",
  // Images
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  jfif: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  apng: "image/apng",
  svg: "image/svg+xml",
  svgz: "image/svg+xml",
  ico: "image/x-icon",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  heic: "image/heic",
  heif: "image/heif",
  jxl: "image/jxl",
  // Audio and video
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  flac: "audio/flac",
  weba: "audio/webm",
  mid: "audio/midi",
  midi: "audio/midi",
  mp4: "video/mp4",
  m4v: "video/mp4",
  ogv: "video/ogg",
  webm: "video/webm",
  mov: "video/quicktime",
  avi: "video/x-msvideo",
  mkv: "video/x-matroska",
  mpeg: "video/mpeg",
  mpg: "video/mpeg",
  m3u8: "application/vnd.apple.mpegurl",
  mpd: "application/dash+xml",
  vtt: "text/vtt",
  srt: "application/x-subrip",
  // Fonts
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  eot: "application/vnd.ms-fontobject",
  // Archives and binaries
  wasm: "application/wasm",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  bz2: "application/x-bzip2",
  xz: "application/x-xz",
  zst: "application/zstd",
  br: "application/octet-stream",
  "7z": "application/x-7z-compressed",
  rar: "application/vnd.rar",
  jar: "application/java-archive",
  bin: "application/octet-stream",
  exe: "application/octet-stream",
  dmg: "application/octet-stream",
  iso: "application/octet-stream",
  deb: "application/vnd.debian.binary-package",
  apk: "application/vnd.android.package-archive",
  // Documents
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  odp: "application/vnd.oasis.opendocument.presentation",
  epub: "application/epub+zip",
  // Certificates and keys
  pem: "application/x-pem-file",
  crt: "application/x-x509-ca-cert",
  cer: "application/pkix-cert",
  der: "application/x-x509-ca-cert",
});

/** The type returned for unknown extensions. */
const DEFAULT_TYPE = "application/octet-stream";

function withCharset(type: string): string {
  if (
    type.startsWith("text/") ||
    type === "application/json" ||
    type === "application/ld+json" ||
    type === "application/manifest+json" ||
    type === "application/xml" ||
    type === "application/xhtml+xml" ||
    type === "application/rss+xml" ||
    type === "application/atom+xml" ||
    type === "application/yaml" ||
    type === "application/toml" ||
    type === "application/x-sh" ||
    type === "image/svg+xml"
  ) {
    return type + "; charset=utf-8";
  }
  return type;
}

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map(
  Object.entries(MIME_TYPES).map(([ext, type]) => [ext, withCharset(type)]),
);

/**
 * Returns the `Content-Type` for a file path or an extension.
 *
 * The extension is what follows the last `.` of the last path segment, matched
 * case-insensitively; a bare extension (`"css"` or `".css"`) works too. Text types
 * get `; charset=utf-8`. Unknown or missing extensions give
 * `application/octet-stream`.
 *
 * @param pathOrExt A path (`/www/index.HTML`), a file name or an extension.
 * @returns The content type, e.g. `text/html; charset=utf-8`.
 *
 * @example Serving files
 * ```ts
 * import { contentTypeFor } from "@uhttp/core";
 * contentTypeFor("/www/index.html"); // "text/html; charset=utf-8"
 * contentTypeFor("photo.JPG"); // "image/jpeg"
 * contentTypeFor("mjs"); // "text/javascript; charset=utf-8"
 * contentTypeFor("archive.unknown"); // "application/octet-stream"
 * ```
 */
export function contentTypeFor(pathOrExt: string): string {
  const slash = Math.max(pathOrExt.lastIndexOf("/"), pathOrExt.lastIndexOf("\\"));
  const name = pathOrExt.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  // "css" and ".css" are extensions; "README" in a path has none.
  const ext = dot === -1 ? (slash === -1 ? name : "") : name.slice(dot + 1);
  return CONTENT_TYPES.get(ext.toLowerCase()) ?? DEFAULT_TYPE;
}
