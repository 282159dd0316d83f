// The top-level configuration carries no keys: an unconfigured deployment refuses everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startGateway, repoRoot } from "../../js/test/support/wrangler.mjs";

test("without configuration every request gets 500 not_configured, even with a dev token", async () => {
  const gateway = await startGateway({});
  try {
    const token = execFileSync("node", [`${repoRoot}dev/mint-token.mjs`]).toString().trim();
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      const response = await fetch(`${gateway.url}/hello`, { headers });
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { error: "server_error", code: "not_configured" });
    }
    assert.match(gateway.logs(), /"setting":"ISSUER"/);
  } finally {
    await gateway.stop();
  }
});
