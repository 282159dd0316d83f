// The gateway in workerd (wrangler dev) in front of a local identity provider and a local
// origin, all on 127.0.0.1 (SPEC §5, issue: the gateway Worker).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as jose from "../../js/node_modules/jose/dist/webapi/index.js";
import { startGateway } from "../../js/test/support/wrangler.mjs";
import { startIdp } from "../../js/test/support/idp.mjs";
import { startOrigin } from "./origin.mjs";

let idp;
let origin;
let gateway;
const AUDIENCE = "orders-api";
const ADMIN_TOKEN = randomBytes(24).toString("base64url");
const CLIENT_SECRET = randomBytes(16).toString("base64url");
const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

before(async () => {
  idp = await startIdp({ algorithms: ["RS256", "ES256"] });
  origin = await startOrigin();
  gateway = await startGateway({
    vars: {
      ISSUER: idp.issuer,
      AUDIENCE,
      ORIGIN: origin.url,
      REALM: "orders",
      ROUTES: JSON.stringify([
        { prefix: "/public/", public: true },
        { prefix: "/admin/", scopes: ["orders:admin"] },
        { prefix: "/orders", methods: ["POST", "PUT"], scopes: ["orders:write"] },
      ]),
      FORWARD_CLAIMS: JSON.stringify({ email: "X-User-Email", groups: "X-User-Groups" }),
      CORS_ALLOWED_ORIGINS: "https://app.example",
      INTROSPECTION_CLIENTS: JSON.stringify({ "rs-1": CLIENT_SECRET }),
      ADMIN_TOKEN,
    },
  });
});

after(async () => {
  await gateway?.stop();
  await origin?.stop();
  await idp?.stop();
});

const mint = (claims = {}, options) => idp.mint({ aud: AUDIENCE, sub: "alice", scope: "orders:read", ...claims }, options);
const call = (path, token, init = {}) =>
  fetch(`${gateway.url}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });

test("valid RS256 and ES256 tokens are forwarded with identity headers; spoofed X-Auth-* never arrive", async () => {
  for (const key of idp.state.keys) {
    const token = await mint({ email: "alice@example.com", groups: ["a", "b"], client_id: "spa" }, { kid: key.kid });
    const response = await call("/orders/42?expand=items", token, { headers: { "x-auth-subject": "mallory", "X-Auth-Scopes": "everything" } });
    assert.equal(response.status, 200, key.alg);
    assert.equal(response.headers.get("x-origin"), "yes");
    const seen = await response.json();
    assert.equal(seen.url, "/orders/42?expand=items");
    assert.equal(seen.headers["x-auth-subject"], "alice");
    assert.equal(seen.headers["x-auth-issuer"], idp.issuer);
    assert.equal(seen.headers["x-auth-scopes"], "orders:read");
    assert.equal(seen.headers["x-auth-client-id"], "spa");
    assert.equal(seen.headers["x-user-email"], "alice@example.com");
    assert.equal(seen.headers["x-user-groups"], "a,b");
    const claims = JSON.parse(Buffer.from(seen.headers["x-auth-claims"], "base64url").toString());
    assert.equal(claims.sub, "alice");
    assert.equal(seen.headers.authorization, undefined, "the token is not passed on (Envoy's forward: false)");
  }
});

test("missing, malformed, expired, wrong-audience and wrong-issuer tokens are refused in RFC 6750 form", async () => {
  const missing = await call("/orders/1");
  assert.equal(missing.status, 401);
  // RFC 6750 §3.1 (no error attribute) and RFC 9449 §7.1: both accepted schemes, Bearer first.
  assert.match(missing.headers.get("www-authenticate"), /^Bearer realm="orders", DPoP realm="orders", algs="[A-Za-z0-9 ]+"$/);
  const basicScheme = await call("/orders/1", null, { headers: { authorization: "Basic dTpw" } });
  assert.equal(basicScheme.status, 401);
  assert.equal((await basicScheme.json()).code, "missing_token");
  const twoTokens = await call("/orders/1", null, { headers: { authorization: "Bearer a b" } });
  assert.equal(twoTokens.status, 400);
  assert.match(twoTokens.headers.get("www-authenticate"), /error="invalid_request"/);
  const cases = [
    ["not.a-token", "malformed"],
    [await mint({ exp: Math.floor(Date.now() / 1000) - 3600 }), "expired"],
    [await mint({ aud: "other-api" }), "audience_mismatch"],
    [await new jose.SignJWT({ iss: "https://evil.example", aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: "ES256", kid: idp.state.keys[1].kid }).sign(idp.state.keys[1].privateKey), "issuer_mismatch"],
  ];
  for (const [token, code] of cases) {
    const response = await call("/orders/1", token);
    assert.equal(response.status, 401, code);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.match(response.headers.get("www-authenticate"), /^Bearer realm="orders", error="invalid_token", error_description="/);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ["code", "error", "error_description"]);
    assert.equal(body.code, code);
    assert.ok(!body.error_description.includes(token.slice(0, 20)));
  }
  const before = origin.received.length;
  await call("/orders/1", await mint({ aud: "other-api" }));
  assert.equal(origin.received.length, before, "a refused request never reaches the origin");
});

test("route scopes: 403 insufficient_scope with the scope named; the right scope passes", async () => {
  const reader = await mint();
  const denied = await call("/admin/users", reader);
  assert.equal(denied.status, 403);
  assert.match(denied.headers.get("www-authenticate"), /error="insufficient_scope".*scope="orders:admin"/);
  assert.equal((await denied.json()).code, "insufficient_scope");
  assert.equal((await call("/orders", reader, { method: "POST", body: "{}" })).status, 403);
  assert.equal((await call("/orders", reader)).status, 200, "GET is not narrowed by the POST/PUT route");
  assert.equal((await call("/orders", await mint({ scope: "orders:read orders:write" }), { method: "PUT", body: "{}" })).status, 200);
  assert.equal((await call("/admin/users", await mint({ scp: ["orders:admin"] }))).status, 200);
});

test("a public route needs no token; a token in the query string is not accepted", async () => {
  const open = await call("/public/health");
  assert.equal(open.status, 200);
  assert.equal((await open.json()).url, "/public/health");
  const token = await mint();
  const queried = await call(`/orders/1?access_token=${token}`);
  assert.equal(queried.status, 401);
  assert.equal((await queried.json()).code, "missing_token");
});

test("rotation: a new kid is fetched on first sight after the cooldown", async () => {
  await call("/orders/1", await mint()); // warm
  await new Promise((r) => setTimeout(r, 31_000)); // past the 30 s unknown-kid cooldown
  const before = idp.state.requests.jwks;
  const kid = await idp.addKey("ES256");
  const response = await call("/orders/1", await mint({}, { kid }));
  assert.equal(response.status, 200);
  assert.equal(idp.state.requests.jwks, before + 1);
});

test("50 tokens with forged kids cost at most 2 JWKS fetches", async () => {
  const before = idp.state.requests.jwks;
  const { privateKey } = await jose.generateKeyPair("ES256");
  const now = Math.floor(Date.now() / 1000);
  const forged = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      new jose.SignJWT({ iss: idp.issuer, aud: AUDIENCE, exp: now + 60 }).setProtectedHeader({ alg: "ES256", kid: `forged-${i}-${randomBytes(4).toString("hex")}` }).sign(privateKey),
    ),
  );
  const statuses = await Promise.all(forged.map(async (t) => (await call("/orders/1", t)).status));
  assert.ok(statuses.every((s) => s === 401));
  assert.ok(idp.state.requests.jwks - before <= 2, `${idp.state.requests.jwks - before} fetches`);
});

test("CORS: preflight from an allowed origin without a token; refused origin gets no CORS headers", async () => {
  const preflight = await fetch(`${gateway.url}/orders/1`, {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
  assert.match(preflight.headers.get("access-control-allow-headers"), /authorization/i);
  const failure = await call("/orders/1", null, { headers: { origin: "https://app.example" } });
  assert.equal(failure.status, 401);
  assert.equal(failure.headers.get("access-control-allow-origin"), "https://app.example");
  assert.match(failure.headers.get("access-control-expose-headers"), /WWW-Authenticate/);
  const ok = await call("/orders/1", await mint(), { headers: { origin: "https://app.example" } });
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
  const refused = await fetch(`${gateway.url}/orders/1`, {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  const plain = await call("/orders/1", await mint(), { headers: { origin: "https://evil.example" } });
  assert.equal(plain.headers.get("access-control-allow-origin"), null);
});

test("introspection (RFC 7662) needs client credentials; answers active or exactly {active:false}", async () => {
  const token = await mint({ jti: "intro-1", client_id: "spa" });
  const form = (t) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${encodeURIComponent(t)}` });
  const anonymous = await fetch(`${gateway.url}/_auth/introspect`, form(token));
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get("www-authenticate"), /^Basic realm=/);
  const wrong = await fetch(`${gateway.url}/_auth/introspect`, { ...form(token), headers: { ...form(token).headers, authorization: basic("rs-1", "nope") } });
  assert.equal(wrong.status, 401);
  const active = await fetch(`${gateway.url}/_auth/introspect`, { ...form(token), headers: { ...form(token).headers, authorization: basic("rs-1", CLIENT_SECRET) } });
  assert.equal(active.status, 200);
  const answer = await active.json();
  assert.equal(answer.active, true);
  assert.equal(answer.sub, "alice");
  assert.equal(answer.jti, "intro-1");
  assert.equal(answer.scope, "orders:read");
  const inactive = await fetch(`${gateway.url}/_auth/introspect`, { ...form("garbage"), headers: { ...form("garbage").headers, authorization: basic("rs-1", CLIENT_SECRET) } });
  assert.deepEqual(await inactive.json(), { active: false });
});

test("revocation by jti (RFC 7009 and admin) and by sub: the revoked are refused, others unaffected", async () => {
  const victim = await mint({ sub: "bob", jti: "bob-1" });
  const other = await mint({ sub: "carol", jti: "carol-1" });
  assert.equal((await call("/orders/1", victim)).status, 200);
  // Admin API requires the admin token.
  const noAdmin = await fetch(`${gateway.url}/_auth/revocations`, { method: "POST", body: JSON.stringify({ sub: "bob" }) });
  assert.equal(noAdmin.status, 401);
  const bySub = await fetch(`${gateway.url}/_auth/revocations`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ sub: "bob" }) });
  assert.equal(bySub.status, 200);
  const refused = await call("/orders/1", victim);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).code, "revoked");
  assert.equal((await call("/orders/1", other)).status, 200, "another user is unaffected");
  // A token bob gets after the revocation works again.
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await call("/orders/1", await mint({ sub: "bob", jti: "bob-2" }))).status, 200);
  // By jti through the admin API …
  const byJti = await fetch(`${gateway.url}/_auth/revocations`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ jti: "carol-1", exp: Math.floor(Date.now() / 1000) + 3600 }) });
  assert.equal(byJti.status, 200);
  assert.equal((await (await call("/orders/1", other)).json()).code, "revoked");
  // … and through RFC 7009 with client credentials.
  const dave = await mint({ sub: "dave", jti: "dave-1" });
  const revoke = await fetch(`${gateway.url}/_auth/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic("rs-1", CLIENT_SECRET) },
    body: `token=${dave}&token_type_hint=access_token`,
  });
  assert.equal(revoke.status, 200);
  assert.equal((await (await call("/orders/1", dave)).json()).code, "revoked");
  assert.equal((await call("/orders/1", await mint({ sub: "dave", jti: "dave-2" }))).status, 200);
});

test("a 1 MB request body reaches the origin intact", async () => {
  const body = randomBytes(1024 * 1024);
  const response = await call("/upload", await mint(), { method: "POST", body, headers: { "content-type": "application/octet-stream" } });
  assert.equal(response.status, 200);
  const seen = await response.json();
  assert.equal(seen.method, "POST");
  assert.equal(seen.bodyLength, body.length);
  assert.equal(seen.bodySha256, createHash("sha256").update(body).digest("hex"));
});

test("security events are JSON lines without tokens", async () => {
  const token = await mint({ aud: "nope" });
  await call("/orders/1", token);
  await new Promise((r) => setTimeout(r, 300));
  const lines = gateway.logs().split("\n").filter((l) => l.includes('"event"'));
  const rejected = lines.map((l) => JSON.parse(l.slice(l.indexOf("{")))).findLast((e) => e.event === "token_rejected" && e.code === "audience_mismatch");
  assert.ok(rejected, lines.join("\n"));
  assert.equal(rejected.issuer, idp.issuer);
  assert.equal(rejected.kid, idp.state.keys.at(-1).kid);
  assert.equal(rejected.token_fingerprint.length, 12);
  assert.ok(lines.some((l) => l.includes('"revocation"') && l.includes('"why"')));
  assert.ok(!gateway.logs().includes(token), "a token appeared in the log");
  assert.ok(!gateway.logs().includes(ADMIN_TOKEN), "the admin token appeared in the log");
});
