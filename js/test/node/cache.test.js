// The verified-token cache (SPEC §4 `cache`, issue 7): a repeated token skips the signature
// check, and still gets every rule that can change its verdict: the clock rules, the extra
// scopes, the revocation hook, the current key set.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { createValidator } from "../../index.js";
import { startIdp } from "../support/idp.mjs";
import { createRequire, syncBuiltinESMExports } from "node:module";

const ISSUER = "https://issuer.cache.test";
const T0 = 1_900_000_000;

const clock = (start = T0) => {
  const c = { t: start, now: () => c.t };
  return c;
};

async function fixture(alg = "ES256") {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg, use: "sig" };
  const sign = (claims) =>
    new jose.SignJWT({ iss: ISSUER, sub: "alice", scope: "read", iat: T0, exp: T0 + 600, ...claims })
      .setProtectedHeader({ alg, kid: "k1" })
      .sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

// Counts the host's signature checks, by node:crypto (the Node entry point's) or WebCrypto
// (where node:crypto declines): a cache hit makes none. node:crypto's ESM exports follow
// its CommonJS object after syncBuiltinESMExports, so lib/node-crypto.js calls the counter.
const require = createRequire(import.meta.url);
const nodeCrypto = require("node:crypto");
const realNodeVerify = nodeCrypto.verify;
const realVerify = SubtleCrypto.prototype.verify;
let verifications = 0;
nodeCrypto.verify = function (...args) {
  verifications += 1;
  return realNodeVerify.apply(this, args);
};
syncBuiltinESMExports();
SubtleCrypto.prototype.verify = function (...args) {
  verifications += 1;
  return realVerify.apply(this, args);
};
afterEach(() => {
  verifications = 0;
});

test("a repeated token is answered from the cache: same claims, no second signature check", async () => {
  const { jwks, sign } = await fixture();
  const c = clock();
  const validator = createValidator({ issuer: ISSUER, jwks, now: c.now });
  const token = await sign({ jti: "a" });
  const first = await validator.validate(token);
  assert.equal(verifications, 1);
  c.t += 10;
  const second = await validator.validate(token);
  assert.equal(verifications, 1, "the second validation must not check the signature again");
  assert.deepEqual(second, first);
  // Each caller gets its own object; what is shared inside is read-only.
  assert.notEqual(second, first);
  assert.ok(Object.isFrozen(second.claims) && Object.isFrozen(second.header) && Object.isFrozen(second.scopes));
  assert.throws(() => {
    "use strict";
    second.claims.sub = "mallory";
  }, TypeError);
  second.extra = "callers may add to their own object";
});

test("cache: false checks the signature every time", async () => {
  const { jwks, sign } = await fixture();
  const validator = createValidator({ issuer: ISSUER, jwks, now: clock().now, cache: false });
  const token = await sign();
  await validator.validate(token);
  await validator.validate(token);
  assert.equal(verifications, 2);
});

test("the clock rules run on every hit: a cached token expires (exp + tolerance) and turns too old", async () => {
  const { jwks, sign } = await fixture();
  const c = clock();
  const validator = createValidator({ issuer: ISSUER, jwks, now: c.now, maxTokenAgeSeconds: 300 });
  const token = await sign();
  await validator.validate(token);
  c.t = T0 + 299;
  await validator.validate(token);
  assert.equal(verifications, 1);
  c.t = T0 + 361; // beyond maxTokenAgeSeconds + the 60 s tolerance
  await assert.rejects(validator.validate(token), { code: "too_old" });

  const plain = createValidator({ issuer: ISSUER, jwks, now: c.now });
  c.t = T0;
  await plain.validate(token);
  c.t = T0 + 659;
  await plain.validate(token); // within the tolerance after exp: still valid (checked in full)
  c.t = T0 + 660;
  await assert.rejects(plain.validate(token), { code: "expired" });
});

test("a repeat is answered without the core only strictly inside the clock rules: at exp (no tolerance) it is expired", async () => {
  const { jwks, sign } = await fixture();
  const c = clock();
  const validator = createValidator({ issuer: ISSUER, jwks, now: c.now, clockToleranceSeconds: 0 });
  const token = await sign(); // iat T0, exp T0 + 600
  await validator.validate(token);
  c.t = T0 + 599.998; // inside the window the core gave (it ends 1 ms before exp)
  await validator.validate(token);
  assert.equal(verifications, 1);
  c.t = T0 + 600; // RFC 7519 §4.1.4: not at or after exp
  await assert.rejects(validator.validate(token), { code: "expired" });
  // And before iat (issued in the future beyond a zero tolerance), even though it was cached.
  const early = createValidator({ issuer: ISSUER, jwks, now: c.now, clockToleranceSeconds: 0 });
  c.t = T0;
  await early.validate(token);
  c.t = T0 - 0.5;
  await assert.rejects(early.validate(token), { code: "issued_in_future" });
});

test("extra required scopes are checked on every hit, and a refusal does not evict the token", async () => {
  const { jwks, sign } = await fixture();
  const validator = createValidator({ issuer: ISSUER, jwks, now: clock().now });
  const token = await sign();
  await validator.validate(token);
  await assert.rejects(validator.validate(token, { requiredScopes: ["admin"] }), (error) => {
    assert.equal(error.code, "insufficient_scope");
    assert.equal(error.status, 403);
    assert.match(error.wwwAuthenticate, /scope="admin"/);
    return true;
  });
  assert.equal((await validator.validate(token, { requiredScopes: ["read"] })).claims.sub, "alice");
  assert.equal(verifications, 1);
});

test("the revocation hook is asked on every validation, cached or not", async () => {
  const { jwks, sign } = await fixture();
  const revoked = new Set();
  const validator = createValidator({
    issuer: ISSUER,
    jwks,
    now: clock().now,
    revocations: { isRevoked: async (claims) => revoked.has(claims.jti) },
  });
  const token = await sign({ jti: "t-1" });
  await validator.validate(token);
  revoked.add("t-1");
  await assert.rejects(validator.validate(token), { code: "revoked" });
  revoked.delete("t-1");
  await validator.validate(token);
  assert.equal(verifications, 1);
});

test("maxEntries bounds the cache: the least recently used token is checked again", async () => {
  const { jwks, sign } = await fixture();
  const validator = createValidator({ issuer: ISSUER, jwks, now: clock().now, cache: { maxEntries: 2 } });
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((jti) => sign({ jti })));
  await validator.validate(a);
  await validator.validate(b);
  await validator.validate(a); // a is now the most recent
  await validator.validate(c); // evicts b
  assert.equal(verifications, 3);
  await validator.validate(a);
  assert.equal(verifications, 3);
  await validator.validate(b);
  assert.equal(verifications, 4);
});

test("ttlSeconds ends an entry before the token's exp", async () => {
  const { jwks, sign } = await fixture();
  const c = clock();
  const validator = createValidator({ issuer: ISSUER, jwks, now: c.now, cache: { ttlSeconds: 30 } });
  const token = await sign();
  await validator.validate(token);
  c.t += 29;
  await validator.validate(token);
  assert.equal(verifications, 1);
  c.t += 1;
  await validator.validate(token);
  assert.equal(verifications, 2);
});

test("HS256 tokens are cached too (checked in wasm, so only the answers tell)", async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const jwks = { keys: [{ kty: "oct", k: jose.base64url.encode(secret), kid: "h" }] };
  const c = clock();
  const validator = createValidator({ issuer: ISSUER, jwks, algorithms: ["HS256"], now: c.now });
  const token = await new jose.SignJWT({ iss: ISSUER, exp: T0 + 100 }).setProtectedHeader({ alg: "HS256", kid: "h" }).sign(secret);
  assert.equal((await validator.validate(token)).alg, "HS256");
  assert.equal((await validator.validate(token)).alg, "HS256");
  c.t = T0 + 161;
  await assert.rejects(validator.validate(token), { code: "expired" });
});

test("a key removed upstream stops a cached token once the key set is refreshed", async (t) => {
  const idp = await startIdp({ algorithms: ["RS256"] });
  t.after(() => idp.stop());
  const c = clock(Math.floor(Date.now() / 1000));
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri, now: c.now });
  const kid = idp.state.keys[0].kid;
  const token = await idp.mint({}, { kid });
  await validator.validate(token);
  await validator.validate(token);
  assert.equal(verifications, 1);
  await idp.addKey("RS256");
  idp.removeKey(kid);
  c.t += 601; // the key set's freshness (10 minutes by default) has passed
  await assert.rejects(validator.validate(token), { code: "unknown_key" });
});

test("bad cache options are refused with invalid_request", async () => {
  const { jwks, sign } = await fixture();
  const token = await sign();
  for (const cache of [{ maxEntries: -1 }, { maxEntries: 1.5 }, { ttlSeconds: -3 }, { size: 3 }, "on"]) {
    await assert.rejects(createValidator({ issuer: ISSUER, jwks, cache }).validate(token), { code: "invalid_request" }, JSON.stringify(cache));
  }
});
