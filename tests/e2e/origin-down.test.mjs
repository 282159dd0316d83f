// The origin cannot be reached (SPEC §5 forwarding): every forwarded request — public route,
// valid token, with or without CORS headers to add — answers 502 bad_gateway with
// `Cache-Control: no-store`, and the gateway logs it; it never hangs or answers 500. The
// origin is a loopback port with nothing listening (a real refused connection, no mock).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGateway, freePort } from "../../js/test/support/wrangler.mjs";
import { startIdp } from "../../js/test/support/idp.mjs";

let idp;
let gateway;
const AUDIENCE = "orders-api";
const APP = "https://app.example";

before(async () => {
  idp = await startIdp({ algorithms: ["RS256"] });
  gateway = await startGateway({
    vars: {
      ISSUER: idp.issuer,
      AUDIENCE,
      ORIGIN: `http://127.0.0.1:${await freePort()}`,
      ROUTES: JSON.stringify([{ prefix: "/public/", public: true }]),
      CORS_ALLOWED_ORIGINS: APP,
    },
  });
});

after(async () => {
  await gateway?.stop();
  await idp?.stop();
});

async function assertBadGateway(response, label) {
  assert.equal(response.status, 502, label);
  assert.equal(response.headers.get("cache-control"), "no-store", label);
  assert.deepEqual(await response.json(), { error: "bad_gateway" }, label);
}

test("an unreachable origin answers 502 bad_gateway on public and authenticated routes, with CORS headers for allowed origins", async () => {
  const token = await idp.mint({ aud: AUDIENCE, sub: "alice", scope: "orders:read" });
  const bearer = { authorization: `Bearer ${token}` };
  await assertBadGateway(await fetch(`${gateway.url}/public/status`), "public route");
  await assertBadGateway(await fetch(`${gateway.url}/orders`, { headers: bearer }), "valid token");
  // Twice: the second time the token comes from the cache (the path with no await before forwarding).
  await assertBadGateway(await fetch(`${gateway.url}/orders`, { headers: bearer }), "valid token, cached");
  const withCors = await fetch(`${gateway.url}/orders`, { headers: { ...bearer, origin: APP } });
  assert.equal(withCors.headers.get("access-control-allow-origin"), APP);
  await assertBadGateway(withCors, "valid token, CORS");
  const publicCors = await fetch(`${gateway.url}/public/status`, { headers: { origin: APP } });
  assert.equal(publicCors.headers.get("access-control-allow-origin"), APP);
  await assertBadGateway(publicCors, "public route, CORS");
  // A refused token is still refused: 401, not 502.
  assert.equal((await fetch(`${gateway.url}/orders`)).status, 401);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.match(gateway.logs(), /"event":"origin_unreachable"/);
});
