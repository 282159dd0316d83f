// Which host checks a signature in Node (issue 7): node:crypto's one-shot verify on the calling
// thread for RS/PS/ES/EdDSA (lib/node-crypto.js), never crypto.subtle, and wasm for HS* and
// ES256K. If the fast path were lost (say, an entry point stopped installing it), every
// answer would still be right, so only counting the calls can tell.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as jose from "jose";
import { createValidator } from "../../index.js";

const ISSUER = "https://issuer.host.test";
const require = createRequire(import.meta.url);
const nodeCrypto = require("node:crypto");
const calls = { node: 0, subtle: 0 };
const realNodeVerify = nodeCrypto.verify;
nodeCrypto.verify = function (...args) {
  calls.node += 1;
  return realNodeVerify.apply(this, args);
};
syncBuiltinESMExports();
const realSubtleVerify = SubtleCrypto.prototype.verify;
SubtleCrypto.prototype.verify = function (...args) {
  calls.subtle += 1;
  return realSubtleVerify.apply(this, args);
};
beforeEach(() => {
  calls.node = 0;
  calls.subtle = 0;
});

async function signed(alg) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, sub: "alice", iat: now, exp: now + 600 };
  if (alg.startsWith("HS")) {
    const secret = crypto.getRandomValues(new Uint8Array(64));
    const token = await new jose.SignJWT(claims).setProtectedHeader({ alg, kid: "k" }).sign(secret);
    return { token, jwks: { keys: [{ kty: "oct", k: jose.base64url.encode(secret), kid: "k", alg }] } };
  }
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const token = await new jose.SignJWT(claims).setProtectedHeader({ alg, kid: "k" }).sign(privateKey);
  return { token, jwks: { keys: [{ ...(await jose.exportJWK(publicKey)), kid: "k", alg }] } };
}

for (const alg of ["RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"]) {
  test(`${alg}: checked by node:crypto on the calling thread, not by crypto.subtle`, async () => {
    const { token, jwks } = await signed(alg);
    const validator = createValidator({ issuer: ISSUER, jwks, algorithms: [alg], cache: false });
    await validator.validate(token);
    assert.deepEqual(calls, { node: 1, subtle: 0 });
    // A forged signature of the right shape is refused by the same path.
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${jose.base64url.encode(crypto.getRandomValues(new Uint8Array(jose.base64url.decode(token.split(".")[2]).length)))}`;
    await assert.rejects(validator.validate(forged), { code: "signature_invalid" });
  });
}

test("HS256: checked in wasm, by neither host", async () => {
  const { token, jwks } = await signed("HS256");
  await createValidator({ issuer: ISSUER, jwks, algorithms: ["HS256"] }).validate(token);
  assert.deepEqual(calls, { node: 0, subtle: 0 });
});
