// The shared suite in Node, against the built package.
import { test, after } from "node:test";
import * as jose from "jose";
import * as lib from "../../index.js";
import { cases } from "../suite/index.js";
import { loadEs256kFixtures } from "../fixtures/es256k.js";
import { loadAttackCorpus } from "../fixtures/attacks.js";
import { startTokenServer } from "../support/token-server.mjs";

const tokenServer = await startTokenServer();
after(() => tokenServer.stop());

for (const { name, run } of cases(lib, jose, { es256kFixtures: await loadEs256kFixtures(), attackCorpus: await loadAttackCorpus(), tokenServer: tokenServer.origin })) {
  test(name, run);
}
