// The shared suite inside workerd (wrangler dev), with the package resolved by name through
// its `workerd` export condition.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startGateway } from "../support/wrangler.mjs";
import { loadEs256kFixtures } from "../fixtures/es256k.js";
import { loadAttackCorpus } from "../fixtures/attacks.js";
import { startTokenServer } from "../support/token-server.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const packageDir = fileURLToPath(new URL("../..", import.meta.url));
let worker;
let tokenServer;

before(async () => {
  rmSync(`${here}node_modules`, { recursive: true, force: true });
  mkdirSync(`${here}node_modules`);
  symlinkSync(packageDir, `${here}node_modules/edge-token-validator`, "dir");
  worker = await startGateway({ config: `${here}wrangler.toml`, readyPath: "/" });
  tokenServer = await startTokenServer();
});

after(async () => {
  await worker?.stop();
  await tokenServer?.stop();
  rmSync(`${here}node_modules`, { recursive: true, force: true });
});

test("the shared suite passes in workerd", async (t) => {
  const response = await fetch(worker.url, { method: "POST", body: JSON.stringify({ es256kFixtures: await loadEs256kFixtures(), attackCorpus: await loadAttackCorpus(), tokenServer: tokenServer.origin }) });
  assert.equal(response.status, 200, await response.clone().text());
  const results = await response.json();
  for (const result of results) {
    await t.test(result.name, () => assert.ok(result.ok, result.error));
  }
  assert.ok(results.length >= 20, `only ${results.length} cases ran`);
});
