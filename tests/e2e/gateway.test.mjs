// End to end: the gateway Worker in workerd (wrangler dev) with the demo configuration.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startGateway, repoRoot } from "../../js/test/support/wrangler.mjs";

const mint = (env = {}) =>
  execFileSync("node", [`${repoRoot}dev/mint-token.mjs`], { env: { ...process.env, ...env } }).toString().trim();

let gateway;
before(async () => {
  gateway = await startGateway({ env: "dev" });
});
after(async () => {
  await gateway?.stop();
});

test("a valid demo token is answered 200 with its sub (echo mode)", async () => {
  const response = await fetch(`${gateway.url}/hello`, { headers: { authorization: `Bearer ${mint({ SUB: "e2e-user" })}` } });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.sub, "e2e-user");
  assert.deepEqual(body.scopes, ["read", "write"]);
  assert.equal(body.claims.aud, "demo-api");
});

test("no token: 401 with a Bearer challenge and no error attribute (RFC 6750 §3.1)", async () => {
  const response = await fetch(`${gateway.url}/hello`);
  assert.equal(response.status, 401);
  // Bearer first, then DPoP (accepted by default, RFC 9449 §7.1); neither with an error.
  assert.match(response.headers.get("www-authenticate"), /^Bearer realm="edge-token-validator-dev", DPoP realm="edge-token-validator-dev", algs="[A-Za-z0-9 ]+"$/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal((await response.json()).code, "missing_token");
});

test("a token with a forged signature: 401 invalid_token, signature_invalid", async () => {
  const [header, payload, signature] = mint().split(".");
  const forged = `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
  const response = await fetch(`${gateway.url}/hello`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(response.status, 401);
  assert.match(response.headers.get("www-authenticate"), /error="invalid_token"/);
  const body = await response.json();
  assert.equal(body.code, "signature_invalid");
  assert.equal(body.error, "invalid_token");
  // Security events are logged without the token (SPEC §5).
  assert.ok(!gateway.logs().includes(forged), "the log must not contain the token");
});

test("an expired token: 401 expired", async () => {
  const response = await fetch(`${gateway.url}/hello`, { headers: { authorization: `Bearer ${mint({ TTL: "-3600" })}` } });
  assert.equal(response.status, 401);
  assert.equal((await response.json()).code, "expired");
});
