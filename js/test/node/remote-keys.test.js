// Remote keys (SPEC §3) against a real local HTTP server: discovery, rotation, unknown-kid
// floods, outages, slow servers, single flight, Cache-Control, and the https rule.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { createValidator, TokenError } from "../../index.js";
import { startIdp } from "../support/idp.mjs";

let idp;
afterEach(async () => {
  await idp?.stop();
  idp = null;
});

const clock = (start = Math.floor(Date.now() / 1000)) => {
  const c = { t: start, now: () => c.t };
  return c;
};

test("OIDC discovery finds the jwks_uri; keys are fetched once and cached", async () => {
  idp = await startIdp();
  const validator = createValidator({ issuer: idp.issuer });
  for (let i = 0; i < 5; i++) assert.equal((await validator.validate(await idp.mint({ sub: `u${i}` }))).claims.sub, `u${i}`);
  assert.deepEqual(idp.state.requests, { discovery: 1, jwks: 1 });
});

test("rotation: a new kid is accepted on first sight; a removed key is refused after the next refresh", async () => {
  idp = await startIdp({ algorithms: ["ES256"] });
  const c = clock();
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri, now: c.now });
  const oldKid = idp.state.keys[0].kid;
  const oldToken = await idp.mint({}, { kid: oldKid });
  await validator.validate(oldToken);
  c.t += 31; // past the unknown-kid cooldown
  const newKid = await idp.addKey("ES256");
  assert.equal((await validator.validate(await idp.mint({}, { kid: newKid }))).kid, newKid);
  assert.equal(idp.state.requests.jwks, 2);
  idp.removeKey(oldKid);
  await validator.validate(oldToken); // still cached: removal is seen at the next refresh
  c.t += 601; // the default 10-minute freshness has passed
  await assert.rejects(validator.validate(oldToken), { code: "unknown_key" });
  assert.equal(idp.state.requests.jwks, 3);
});

test("a flood of 60 forged kids costs at most 2 fetches", async () => {
  idp = await startIdp({ algorithms: ["RS256"] });
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  await validator.validate(await idp.mint());
  const { privateKey } = await jose.generateKeyPair("RS256");
  const forged = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      new jose.SignJWT({ iss: idp.issuer, exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: "RS256", kid: `forged-${i}` }).sign(privateKey),
    ),
  );
  const results = await Promise.allSettled(forged.map((t) => validator.validate(t)));
  assert.ok(results.every((r) => r.status === "rejected" && r.reason.code === "unknown_key"));
  assert.ok(idp.state.requests.jwks <= 2, `jwks fetched ${idp.state.requests.jwks} times`);
});

test("outage: cached keys keep working; past the stale limit, jwks_unavailable with Retry-After", async () => {
  idp = await startIdp({ algorithms: ["RS256"] });
  const c = clock();
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri, now: c.now });
  const token = await idp.mint({ exp: c.t + 3 * 86400 });
  await validator.validate(token);
  idp.setMode("fail");
  c.t += 700; // stale: a refresh is tried, fails, and the stale keys serve
  assert.equal((await validator.validate(token)).alg, "RS256");
  c.t += 3600;
  assert.equal((await validator.validate(token)).alg, "RS256");
  c.t += 86400; // past 24 h of staleness
  const error = await validator.validate(token).catch((e) => e);
  assert.ok(error instanceof TokenError);
  assert.equal(error.code, "jwks_unavailable");
  assert.equal(error.status, 503);
  assert.ok(error.retryAfter >= 1);
  const response = error.toResponse();
  assert.equal(response.status, 503);
  assert.ok(Number(response.headers.get("retry-after")) >= 1);
});

test("no keys and the server down: jwks_unavailable, not an accept", async () => {
  idp = await startIdp();
  idp.setMode("fail");
  const validator = createValidator({ issuer: idp.issuer });
  await assert.rejects(validator.validate(await idp.mint()), { code: "jwks_unavailable", status: 503 });
});

test("a slow server: the 5 s timeout is honoured and gives jwks_unavailable", async () => {
  idp = await startIdp();
  idp.setMode("hang");
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  const started = Date.now();
  await assert.rejects(validator.validate(await idp.mint()), { code: "jwks_unavailable" });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 4500 && elapsed < 9000, `took ${elapsed} ms`);
});

test("concurrent validations share one fetch", async () => {
  idp = await startIdp({ algorithms: ["ES256"] });
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => idp.mint({ sub: `c${i}` })));
  const results = await Promise.all(tokens.map((t) => validator.validate(t)));
  assert.equal(results.length, 20);
  assert.equal(idp.state.requests.jwks, 1);
});

test("Cache-Control max-age is honoured, clamped to at least 60 s", async () => {
  idp = await startIdp({ algorithms: ["ES256"], cacheControl: "public, max-age=120" });
  const c = clock();
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri, now: c.now });
  const token = await idp.mint({ exp: c.t + 86400 });
  await validator.validate(token);
  c.t += 119;
  await validator.validate(token);
  assert.equal(idp.state.requests.jwks, 1);
  c.t += 2;
  await validator.validate(token);
  assert.equal(idp.state.requests.jwks, 2);
  idp.state.cacheControl = "max-age=5"; // below the floor: 60 s
  c.t += 200;
  await validator.validate(token);
  assert.equal(idp.state.requests.jwks, 3);
  c.t += 59;
  await validator.validate(token);
  assert.equal(idp.state.requests.jwks, 3);
  c.t += 2;
  await validator.validate(token);
  assert.equal(idp.state.requests.jwks, 4);
});

test("http is refused for non-loopback hosts; loopback http is allowed", async () => {
  for (const jwksUri of ["http://issuer.example/jwks", "http://127.0.0.1.evil.example/jwks", "http://localhost@evil.example/jwks", "ftp://127.0.0.1/jwks"]) {
    const validator = createValidator({ issuer: "https://issuer.example", jwksUri });
    await assert.rejects(validator.validate("a.b.c"), { code: "invalid_request" }, jwksUri);
  }
  await assert.rejects(createValidator({ issuer: "http://issuer.example" }).validate("a.b.c"), { code: "invalid_request" });
});

test("exportCache / importCache carry the keys to a fresh validator without a fetch", async () => {
  idp = await startIdp({ algorithms: ["ES256"] });
  const first = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  const token = await idp.mint();
  await first.validate(token);
  const exported = await first.exportCache();
  idp.setMode("fail");
  const second = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  assert.equal(await second.importCache(exported), true);
  assert.equal((await second.validate(token)).alg, "ES256");
  assert.equal(idp.state.requests.jwks, 1);
});

test("introspect: active answer for a valid token, exactly {active:false} otherwise", async () => {
  idp = await startIdp({ algorithms: ["ES256"] });
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri });
  const answer = await validator.introspect(await idp.mint({ sub: "s", scope: "a b", client_id: "c", jti: "j" }));
  assert.equal(answer.active, true);
  assert.equal(answer.scope, "a b");
  assert.equal(answer.sub, "s");
  assert.equal(answer.client_id, "c");
  assert.equal(answer.iss, idp.issuer);
  assert.equal(answer.token_type, "Bearer");
  assert.deepEqual(await validator.introspect("garbage"), { active: false });
  assert.deepEqual(await validator.introspect(await idp.mint({ exp: 1 })), { active: false });
});

test("revocations hook: a revoked token is refused with code revoked", async () => {
  idp = await startIdp({ algorithms: ["ES256"] });
  const validator = createValidator({ issuer: idp.issuer, jwksUri: idp.jwksUri, revocations: { isRevoked: async (claims) => claims.jti === "bad" } });
  await validator.validate(await idp.mint({ jti: "good" }));
  await assert.rejects(validator.validate(await idp.mint({ jti: "bad" })), { code: "revoked" });
});
