import { test } from "node:test";
import assert from "node:assert/strict";
import { contentTypeFor, MIME_TYPES } from "../../core/mime.ts";

test("contentTypeFor maps the common web types", () => {
  const cases: [string, string][] = [
    ["index.html", "text/html; charset=utf-8"],
    ["a.htm", "text/html; charset=utf-8"],
    ["style.css", "text/css; charset=utf-8"],
    ["app.js", "text/javascript; charset=utf-8"],
    ["mod.mjs", "text/javascript; charset=utf-8"],
    ["data.json", "application/json; charset=utf-8"],
    ["a.txt", "text/plain; charset=utf-8"],
    ["feed.xml", "application/xml; charset=utf-8"],
    ["logo.svg", "image/svg+xml; charset=utf-8"],
    ["a.png", "image/png"],
    ["a.jpg", "image/jpeg"],
    ["a.jpeg", "image/jpeg"],
    ["a.gif", "image/gif"],
    ["a.webp", "image/webp"],
    ["a.avif", "image/avif"],
    ["favicon.ico", "image/x-icon"],
    ["m.wasm", "application/wasm"],
    ["doc.pdf", "application/pdf"],
    ["a.zip", "application/zip"],
    ["a.tar.gz", "application/gzip"],
    ["a.tar", "application/x-tar"],
    ["v.mp4", "video/mp4"],
    ["v.webm", "video/webm"],
    ["s.mp3", "audio/mpeg"],
    ["s.ogg", "audio/ogg"],
    ["s.wav", "audio/wav"],
    ["f.woff", "font/woff"],
    ["f.woff2", "font/woff2"],
    ["f.ttf", "font/ttf"],
    ["f.otf", "font/otf"],
    ["t.csv", "text/csv; charset=utf-8"],
    ["README.md", "text/markdown; charset=utf-8"],
    ["app.js.map", "application/json; charset=utf-8"],
  ];
  for (const [file, type] of cases) assert.equal(contentTypeFor(file), type, file);
});

test("contentTypeFor takes paths, upper case and bare extensions", () => {
  assert.equal(contentTypeFor("/var/www/INDEX.HTML"), "text/html; charset=utf-8");
  assert.equal(contentTypeFor("C:\\www\\photo.JPG"), "image/jpeg");
  assert.equal(contentTypeFor("css"), "text/css; charset=utf-8");
  assert.equal(contentTypeFor(".png"), "image/png");
  assert.equal(contentTypeFor("/dir.d/file.json"), "application/json; charset=utf-8");
});

test("contentTypeFor falls back to application/octet-stream", () => {
  assert.equal(contentTypeFor("file.unknownext"), "application/octet-stream");
  assert.equal(contentTypeFor("/etc/README"), "application/octet-stream");
  assert.equal(contentTypeFor("/dir.html/noext"), "application/octet-stream");
  assert.equal(contentTypeFor(""), "application/octet-stream");
  assert.equal(contentTypeFor("a."), "application/octet-stream");
  assert.equal(contentTypeFor("constructor"), "application/octet-stream");
  assert.equal(contentTypeFor("x.__proto__"), "application/octet-stream");
});

test("MIME_TYPES is frozen and holds no charset", () => {
  assert.ok(Object.isFrozen(MIME_TYPES));
  for (const type of Object.values(MIME_TYPES)) assert.doesNotMatch(type, /;|\s/);
});
