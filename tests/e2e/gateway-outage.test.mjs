// Identity-provider outages (SPEC §3, §5): keys cached by one isolate survive in the Cache
// API, a new isolate starts warm from it, stale keys keep serving while the issuer is down,
// and past the 24 h stale limit the gateway answers 503 with Retry-After.
//
// Time: each phase is a fresh `wrangler dev` whose clock is shifted by the test-only setting
// DEV_CLOCK_OFFSET_SECONDS; the runs share one local state directory, so the Cache API
// data one isolate wrote is there for the next.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway } from "../../js/test/support/wrangler.mjs";
import { startIdp } from "../../js/test/support/idp.mjs";

let idp;
let gateway;
after(async () => {
  await gateway?.stop();
  await idp?.stop();
});

test("IdP down: warm keys serve past their freshness; past the stale limit, 503 jwks_unavailable", async (t) => {
  const persistTo = mkdtempSync(join(tmpdir(), "etv-outage-"));
  t.after(() => rmSync(persistTo, { recursive: true, force: true }));
  idp = await startIdp({ algorithms: ["ES256"], cacheControl: "max-age=600" });
  const vars = (offset) => ({ ISSUER: idp.issuer, JWKS_URI: idp.jwksUri, DEV_CLOCK_OFFSET_SECONDS: String(offset) });
  const token = await idp.mint({ exp: Math.floor(Date.now() / 1000) + 3 * 86400 });
  const call = () => fetch(`${gateway.url}/api`, { headers: { authorization: `Bearer ${token}` } });

  await t.test("warm-up: keys fetched once", async () => {
    gateway = await startGateway({ vars: vars(0), persistTo });
    assert.equal((await call()).status, 200);
    assert.equal(idp.state.requests.jwks, 1);
    await gateway.stop();
  });

  idp.setMode("fail");

  await t.test("a new isolate 700 s later, IdP down: the stale keys from the Cache API still serve (200)", async () => {
    gateway = await startGateway({ vars: vars(700), persistTo });
    const response = await call();
    assert.equal(response.status, 200, await response.text());
    assert.ok(idp.state.requests.jwks >= 2, "a refresh was tried");
    await gateway.stop();
  });

  await t.test("past expiry + 24 h, IdP still down: 503 with Retry-After, never an accept", async () => {
    gateway = await startGateway({ vars: vars(600 + 86400 + 60), persistTo });
    const response = await call();
    assert.equal(response.status, 503);
    assert.ok(Number(response.headers.get("retry-after")) >= 1);
    const body = await response.json();
    assert.equal(body.code, "jwks_unavailable");
    assert.match(response.headers.get("www-authenticate"), /^Bearer realm=/);
    await gateway.stop();
  });
});
