import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  basicAuthorization,
  digestAuthorization,
  HttpClient,
  parseChallenges,
} from "../../client/mod.ts";
import { ok, type RawRequest, rawServer } from "./_helpers.ts";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function params(header: string): Record<string, string> {
  const c = parseChallenges(header)[0]!;
  assert.equal(c.scheme, "digest");
  return c.params;
}

test("auth: Digest known answer (MD5, qop=auth)", () => {
  const value = digestAuthorization({
    auth: ["digestuser", "digestpass"],
    method: "GET",
    uri: "/protected",
    challenge: { realm: "test-realm", nonce: "test-nonce-12345", qop: "auth" },
    nc: 1,
    cnonce: "c4ca4238",
  });
  const p = params(value);
  assert.equal(p.response, "cb62e008e336464543a451d0931651bf");
  assert.equal(p.nc, "00000001");
  assert.equal(p.cnonce, "c4ca4238");
  assert.equal(p.qop, "auth");
  assert.equal(p.uri, "/protected");
});

const RFC7616 = {
  realm: "http-auth@example.org",
  qop: "auth, auth-int",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
};

test("auth: RFC 7616 §3.9.1 examples (SHA-256 and MD5)", () => {
  const common = {
    auth: ["Mufasa", "Circle of Life"] as const,
    method: "GET",
    uri: "/dir/index.html",
    nc: 1,
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  const sha = params(digestAuthorization({
    ...common,
    challenge: { ...RFC7616, algorithm: "SHA-256" },
  }));
  assert.equal(sha.response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  assert.equal(sha.opaque, RFC7616.opaque);
  assert.equal(sha.algorithm, "SHA-256");
  const m = params(digestAuthorization({ ...common, challenge: { ...RFC7616, algorithm: "MD5" } }));
  assert.equal(m.response, "8ca523f5e9506fed4657c9700eebdbec");
});

test("auth: -sess, SHA-512-256, auth-int, userhash and no-qop variants", () => {
  const base = { auth: ["u", "p"] as const, method: "POST", uri: "/x", nc: 2, cnonce: "cn" };
  const ch = { realm: "r", nonce: "n" };
  // RFC 2617 without qop: MD5(HA1:nonce:HA2)
  const plain = params(digestAuthorization({ ...base, challenge: ch }));
  assert.equal(plain.response, md5(`${md5("u:r:p")}:n:${md5("POST:/x")}`));
  assert.equal(plain.qop, undefined);
  // MD5-sess
  const sess = params(
    digestAuthorization({ ...base, challenge: { ...ch, qop: "auth", algorithm: "MD5-sess" } }),
  );
  const ha1 = md5(`${md5("u:r:p")}:n:cn`);
  assert.equal(sess.response, md5(`${ha1}:n:00000002:cn:auth:${md5("POST:/x")}`));
  // auth-int hashes the body
  const body = new TextEncoder().encode("data");
  const int = params(digestAuthorization({ ...base, body, challenge: { ...ch, qop: "auth-int" } }));
  assert.equal(int.qop, "auth-int");
  assert.equal(
    int.response,
    md5(`${md5("u:r:p")}:n:00000002:cn:auth-int:${md5(`POST:/x:${md5("data")}`)}`),
  );
  // SHA-512-256 and SHA-256-sess produce 64 hex digits
  for (const algorithm of ["SHA-512-256", "SHA-256-sess", "SHA-512-256-sess"]) {
    const p = params(
      digestAuthorization({ ...base, challenge: { ...ch, qop: "auth", algorithm } }),
    );
    assert.match(p.response!, /^[0-9a-f]{64}$/);
  }
  const sha512 = createHash("sha512-256");
  assert.ok(sha512);
  // userhash
  const uh = params(
    digestAuthorization({ ...base, challenge: { ...ch, qop: "auth", userhash: "true" } }),
  );
  assert.equal(uh.username, md5("u:r"));
  assert.equal(uh.userhash, "true");
});

test("auth: challenge parser: several challenges, quoted commas, escapes, token68", () => {
  const list = parseChallenges(
    'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple, really", ' +
      'Digest realm="d", nonce="abc,def", qop="auth,auth-int", stale=TRUE, Negotiate abc==',
  );
  assert.deepEqual(list.map((c) => c.scheme), ["newauth", "basic", "digest", "negotiate"]);
  assert.equal(list[0]!.params.title, 'Login to "apps"');
  assert.equal(list[0]!.params.type, "1");
  assert.equal(list[1]!.params.realm, "simple, really");
  assert.equal(list[2]!.params.nonce, "abc,def");
  assert.equal(list[2]!.params.qop, "auth,auth-int");
  assert.equal(list[2]!.params.stale, "TRUE");
  assert.equal(list[3]!.token68, "abc==");
  assert.deepEqual(parseChallenges(""), []);
  assert.deepEqual(parseChallenges(',,, ="x"').length, 0);
});

test("auth: Basic from the URL, the option, the setter and per request", async () => {
  const srv = rawServer((req, s) => s.write(ok(req.headers.authorization ?? "none")));
  const client = new HttpClient(`http://alice:s%40cret@127.0.0.1:${srv.port}`);
  try {
    const text = async (o = {}) => (await client.get("/", o).wait())!.text();
    assert.equal(await text(), basicAuthorization(["alice", "s@cret"]));
    client.auth = ["bob", "pw"];
    assert.equal(await text(), "Basic " + btoa("bob:pw"));
    assert.equal(await text({ auth: ["carol", "x"] }), "Basic " + btoa("carol:x"));
    assert.equal(await text({ auth: null }), "none");
    assert.equal(await text({ headers: { Authorization: "Bearer t" } }), "Bearer t");
    client.auth = null;
    assert.equal(await text(), "none");
    assert.equal(
      basicAuthorization(["Aladdin", "open sesame"]),
      "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    );
  } finally {
    client.close();
    await srv.close();
  }
});

test("auth: an Authorization header of the client's own is sent instead of its auth", async () => {
  const srv = rawServer((req, s) => s.write(ok(req.headers.authorization ?? "none")));
  const client = new HttpClient(`http://alice:pw@127.0.0.1:${srv.port}`, {
    headers: { Authorization: "Bearer own" },
  });
  try {
    assert.equal((await client.get("/").wait())!.text(), "Bearer own");
    assert.equal((await client.post("/", { data: "x" }).wait())!.text(), "Bearer own");
  } finally {
    client.close();
    await srv.close();
  }
});

/** A raw Digest server (MD5, qop=auth) with a nonce that can be made stale. */
function digestServer(user: string, pass: string, opts: { staleAfter?: number } = {}) {
  const realm = "test-realm";
  let nonce = "nonce-1";
  let served = 0;
  const seen: Record<string, string>[] = [];
  const srv = rawServer((req: RawRequest, s) => {
    const auth = req.headers.authorization;
    const challenge = (stale: boolean) =>
      `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="${realm}", Digest realm="${realm}", ` +
      `nonce="${nonce}", qop="auth,auth-int", opaque="op", algorithm=MD5${
        stale ? ", stale=true" : ""
      }\r\n` +
      `Content-Length: 12\r\n\r\nunauthorized`;
    if (!auth?.startsWith("Digest ")) return s.write(challenge(false));
    const p = parseChallenges(auth)[0]!.params;
    seen.push(p);
    if (opts.staleAfter !== undefined && served === opts.staleAfter && p.nonce === nonce) {
      nonce = "nonce-2";
      served++;
      return s.write(challenge(true));
    }
    const ha1 = md5(`${user}:${realm}:${pass}`);
    const expect = md5(
      `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${md5(`${req.method}:${p.uri}`)}`,
    );
    if (p.nonce !== nonce || p.response !== expect || p.opaque !== "op") {
      return s.write(challenge(false));
    }
    served++;
    s.write(ok(`hello ${p.username}`));
  });
  return { srv, seen };
}

test("auth: Digest 401 round trip, nc counting and preemptive reuse, no Basic up front", async () => {
  const { srv, seen } = digestServer("digestuser", "digestpass");
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, {
    auth: ["digestuser", "digestpass"],
  });
  try {
    const a = await client.get("/protected").wait();
    assert.equal(a!.status, 200);
    assert.equal(a!.text(), "hello digestuser");
    const b = await client.get("/protected?x=1").wait();
    assert.equal(b!.status, 200);
    assert.deepEqual(seen.map((p) => p.nc), ["00000001", "00000002"]);
    assert.notEqual(seen[0]!.cnonce, seen[1]!.cnonce, "random cnonce per request");
    assert.equal(seen[1]!.uri, "/protected?x=1");
    // First request: Basic (no challenge known yet), then Digest only.
    assert.match(srv.requests[0]!.headers.authorization!, /^Basic /);
    assert.ok(srv.requests.slice(1).every((r) => r.headers.authorization?.startsWith("Digest ")));
    assert.equal(srv.requests.length, 3);
    assert.equal(srv.sockets.length, 1, "retried on the same kept-alive connection");
  } finally {
    client.close();
    await srv.close();
  }
});

test("auth: Digest wrong password returns the second 401 (no loop)", async () => {
  const { srv } = digestServer("digestuser", "digestpass");
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { auth: ["digestuser", "wrong"] });
  try {
    const res = await client.get("/protected").wait();
    assert.equal(res!.status, 401);
    assert.equal(res!.text(), "unauthorized");
    assert.equal(srv.requests.length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test("auth: Digest stale=true retries once with the new nonce", async () => {
  const { srv, seen } = digestServer("u", "p", { staleAfter: 1 });
  const client = new HttpClient(`http://127.0.0.1:${srv.port}`, { auth: ["u", "p"] });
  try {
    assert.equal((await client.get("/a").wait())!.status, 200);
    const res = await client.post("/b", { data: "body" }).wait();
    assert.equal(res!.status, 200);
    assert.deepEqual(seen.map((p) => [p.nonce, p.nc]), [
      ["nonce-1", "00000001"],
      ["nonce-1", "00000002"],
      ["nonce-2", "00000001"],
    ]);
    assert.equal(srv.requests.at(-1)!.method, "POST");
    assert.equal(new TextDecoder().decode(srv.requests.at(-1)!.body), "body");
  } finally {
    client.close();
    await srv.close();
  }
});
