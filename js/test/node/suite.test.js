// The shared suite in Node, against the built package.
import { test } from "node:test";
import * as jose from "jose";
import * as lib from "../../index.js";
import { cases } from "../suite/index.js";
import { loadEs256kFixtures } from "../fixtures/es256k.js";

for (const { name, run } of cases(lib, jose, { es256kFixtures: await loadEs256kFixtures() })) {
  test(name, run);
}
