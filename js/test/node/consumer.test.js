// The package as a consumer meets it: packed with `npm pack`, installed into a fresh project,
// imported by name. Tokens are signed independently with jose.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as jose from "jose";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
let project;
let lib;

before(async () => {
  project = mkdtempSync(join(tmpdir(), "etv-consumer-"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], { cwd: packageDir })
    .toString()
    .trim()
    .split("\n")
    .pop();
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(project, tarball)], { cwd: project });
  // Import by name from inside the consumer project, through its exports map.
  writeFileSync(join(project, "load.js"), 'export * from "edge-token-validator";\n');
  lib = await import(join(project, "load.js"));
});

after(() => rmSync(project, { recursive: true, force: true }));

const ISSUER = "https://issuer.test";

async function rs256Fixture() {
  const { publicKey, privateKey } = await jose.generateKeyPair("RS256");
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const sign = (claims, header = {}) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1", ...header }).sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

test("a valid RS256 token from a static JWKS validates; sub and scopes come back", async () => {
  const { jwks, sign } = await rs256Fixture();
  const now = Math.floor(Date.now() / 1000);
  const token = await sign({ iss: ISSUER, aud: "api", sub: "alice", scope: "read write", exp: now + 300 });
  const validator = lib.createValidator({ issuer: ISSUER, audience: "api", jwks });
  const result = await validator.validate(token);
  assert.equal(result.claims.sub, "alice");
  assert.equal(result.alg, "RS256");
  assert.equal(result.kid, "k1");
  assert.deepEqual(result.scopes, ["read", "write"]);
});

test("signature, issuer, audience and expiry failures carry their stable codes", async () => {
  const { jwks, sign } = await rs256Fixture();
  const other = await rs256Fixture();
  const now = Math.floor(Date.now() / 1000);
  const validator = lib.createValidator({ issuer: ISSUER, audience: "api", jwks });
  const cases = [
    [await other.sign({ iss: ISSUER, aud: "api", exp: now + 300 }), "signature_invalid"],
    [await sign({ iss: "https://evil.test", aud: "api", exp: now + 300 }), "issuer_mismatch"],
    [await sign({ iss: ISSUER, aud: "other", exp: now + 300 }), "audience_mismatch"],
    [await sign({ iss: ISSUER, aud: "api", exp: now - 3600 }), "expired"],
    [await sign({ iss: ISSUER, aud: "api" }), "missing_claim"],
    ["not-a-token", "malformed"],
  ];
  for (const [token, code] of cases) {
    await assert.rejects(validator.validate(token), (err) => {
      assert.ok(err instanceof lib.TokenError, `${code}: ${err}`);
      assert.equal(err.code, code);
      assert.equal(err.status, 401);
      assert.match(err.wwwAuthenticate, /^Bearer realm="api", error="invalid_token", error_description="/);
      assert.ok(!err.message.includes(token), "the description must not echo the token");
      return true;
    });
  }
});

test("authenticate reads Authorization: Bearer and maps failures to RFC 6750 responses", async () => {
  const { jwks, sign } = await rs256Fixture();
  const now = Math.floor(Date.now() / 1000);
  const validator = lib.createValidator({ issuer: ISSUER, audience: "api", jwks });
  const token = await sign({ iss: ISSUER, aud: "api", sub: "bob", exp: now + 60 });
  const ok = await validator.authenticate(new Request("https://api.test/", { headers: { authorization: `Bearer ${token}` } }));
  assert.equal(ok.claims.sub, "bob");

  const missing = await validator.authenticate(new Request("https://api.test/")).catch((e) => e);
  assert.equal(missing.code, "missing_token");
  const response = missing.toResponse();
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="api"');
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), { error: "invalid_token", error_description: missing.message, code: "missing_token" });

  const basic = await validator
    .authenticate(new Request("https://api.test/", { headers: { authorization: "Basic dTpw" } }))
    .catch((e) => e);
  assert.equal(basic.code, "missing_token");
  const twoTokens = await validator
    .authenticate(new Request("https://api.test/", { headers: { authorization: "Bearer a b" } }))
    .catch((e) => e);
  assert.equal(twoTokens.code, "invalid_request");
  assert.equal(twoTokens.status, 400);
});

test("the injected clock decides expiry", async () => {
  const { jwks, sign } = await rs256Fixture();
  const token = await sign({ iss: ISSUER, exp: 1000 });
  const early = lib.createValidator({ issuer: ISSUER, jwks, now: () => 900 });
  assert.equal((await early.validate(token)).claims.exp, 1000);
  const late = lib.createValidator({ issuer: ISSUER, jwks, now: () => 1061 });
  await assert.rejects(late.validate(token), { code: "expired" });
});
