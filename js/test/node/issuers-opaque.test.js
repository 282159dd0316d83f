// Several issuers and opaque tokens in the JS package (SPEC §7), against real local servers:
// two identity providers and an RFC 7662 introspection endpoint on 127.0.0.1.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createValidator } from "../../index.js";
import { startIdp } from "../support/idp.mjs";
import { startIntrospection } from "../../../tests/e2e/introspection-server.mjs";

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test("several issuers: each token is judged by its own issuer's keys; unknown issuers and crossed kids are refused without a fetch", async () => {
  const a = await startIdp({ algorithms: ["ES256"] });
  const b = await startIdp({ algorithms: ["RS256"] });
  const stranger = await startIdp({ algorithms: ["ES256"] });
  servers.push(a, b, stranger);
  const validator = createValidator({
    issuer: [a.issuer, b.issuer],
    providers: { [a.issuer]: { jwksUri: a.jwksUri, audience: "api" }, [b.issuer]: { jwksUri: b.jwksUri, audience: ["api", "other"] } },
  });
  assert.equal((await validator.validate(await a.mint({ aud: "api", sub: "from-a" }))).claims.sub, "from-a");
  assert.equal((await validator.validate(await b.mint({ aud: "other", sub: "from-b" }))).claims.sub, "from-b");
  await assert.rejects(validator.validate(await stranger.mint({ aud: "api" })), { code: "issuer_mismatch" });
  assert.equal(stranger.state.requests.jwks + stranger.state.requests.discovery, 0);
  // B's key and kid, claiming A's issuer: A's key set decides, and it has no such key.
  await assert.rejects(validator.validate(await b.mint({ aud: "api", iss: a.issuer })), (e) => ["unknown_key", "algorithm_not_allowed"].includes(e.code));
  const ok = await validator.authenticate(new Request("https://api.test/", { headers: { authorization: `Bearer ${await b.mint({ aud: "api" })}` } }));
  assert.equal(ok.claims.iss, b.issuer);
});

test("opaque tokens: introspected upstream, cached per token, judged like claims; upstream failure is 503", async () => {
  const upstream = await startIntrospection({ clientId: "rs", clientSecret: "s3cret" });
  servers.push(upstream);
  const now = Math.floor(Date.now() / 1000);
  upstream.state.tokens.set("opaque-1", { active: true, sub: "op", scope: "read", exp: now + 600, iss: "https://as.test" });
  const validator = createValidator({
    issuer: "https://as.test",
    jwks: { keys: [] },
    introspection: { endpoint: upstream.url, clientId: "rs", clientSecret: "s3cret" },
  });
  const result = await validator.validate("opaque-1");
  assert.equal(result.claims.sub, "op");
  assert.deepEqual(result.scopes, ["read"]);
  await validator.validate("opaque-1");
  assert.equal(upstream.state.requests, 1, "the active answer is cached");
  await assert.rejects(validator.validate("opaque-1", { requiredScopes: ["write"] }), { code: "insufficient_scope", status: 403 });
  assert.equal(upstream.state.requests, 1, "a cached answer never grants a scope it did not return");
  await assert.rejects(validator.validate("opaque-unknown"), { code: "revoked", status: 401 });
  upstream.setMode("fail");
  await assert.rejects(validator.validate("opaque-2"), { code: "introspection_unavailable", status: 503 });
  upstream.setMode("hang");
  const started = Date.now();
  await assert.rejects(validator.validate("opaque-3"), { code: "introspection_unavailable" });
  assert.ok(Date.now() - started >= 4500);
  upstream.setMode("ok");
});
