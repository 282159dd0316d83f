// DPoP (RFC 9449) and certificate-bound tokens (RFC 8705) in the JS package, with proofs
// minted independently by jose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import * as jose from "jose";
import { createValidator, TokenError } from "../../index.js";

const ISSUER = "https://issuer.test";
const URL_ = "https://api.test/orders";
const now = () => Math.floor(Date.now() / 1000);
const ath = (token) => createHash("sha256").update(token).digest("base64url");

async function setup() {
  const issuer = await jose.generateKeyPair("ES256");
  const issuerJwk = { ...(await jose.exportJWK(issuer.publicKey)), kid: "as", alg: "ES256" };
  const client = await jose.generateKeyPair("ES256", { extractable: true });
  const clientJwk = await jose.exportJWK(client.publicKey);
  const jkt = await jose.calculateJwkThumbprint(clientJwk);
  const mint = (claims) => new jose.SignJWT({ iss: ISSUER, exp: now() + 300, sub: "u", ...claims }).setProtectedHeader({ alg: "ES256", kid: "as" }).sign(issuer.privateKey);
  const proof = ({ token, htm = "GET", htu = URL_, iat = now(), jti = randomUUID(), nonce, header = {}, key = client.privateKey, jwk = clientJwk }) =>
    new jose.SignJWT({ htm, htu, iat, jti, ath: ath(token), ...(nonce ? { nonce } : {}) }).setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk, ...header }).sign(key);
  const validator = createValidator({ issuer: ISSUER, jwks: { keys: [issuerJwk] } });
  return { mint, proof, validator, client, clientJwk, jkt };
}

async function refusedDpop(promise, error = "invalid_dpop_proof") {
  const e = await promise.then(() => null, (x) => x);
  assert.ok(e instanceof TokenError, `expected a TokenError, got ${e}`);
  assert.equal(e.code, "dpop_invalid");
  assert.equal(e.status, 401);
  assert.match(e.wwwAuthenticate, new RegExp(`^DPoP realm="api", algs="[^"]+", error="${error}"`));
  return e;
}

test("RFC 9449: a valid proof passes; the same proof again is a replay", async () => {
  const { mint, proof, validator, jkt } = await setup();
  const token = await mint({ cnf: { jkt } });
  const dpop = { proof: await proof({ token }), method: "GET", url: `${URL_}?page=2` };
  assert.equal((await validator.validate(token, { dpop })).claims.sub, "u");
  await refusedDpop(validator.validate(token, { dpop }));
});

test("RFC 9449 §4.3: method, URL, iat, ath, foreign key, private key in header, alg none, missing proof", async () => {
  const { mint, proof, validator, jkt, client, clientJwk } = await setup();
  const token = await mint({ cnf: { jkt } });
  const check = async (proofText, method = "GET", url = URL_) => refusedDpop(validator.validate(token, { dpop: { proof: proofText, method, url } }));
  await check(await proof({ token }), "POST");
  await check(await proof({ token }), "GET", "https://api.test/other");
  await check(await proof({ token, iat: now() - 600 }));
  await check(await proof({ token: "another-token" }));
  const stranger = await jose.generateKeyPair("ES256", { extractable: true });
  await check(await proof({ token, key: stranger.privateKey, jwk: await jose.exportJWK(stranger.publicKey) }));
  await check(await proof({ token, header: { jwk: await jose.exportJWK(client.privateKey) } }));
  const none = `${jose.base64url.encode(JSON.stringify({ typ: "dpop+jwt", alg: "none", jwk: clientJwk }))}.${jose.base64url.encode(JSON.stringify({ htm: "GET", htu: URL_, iat: now(), jti: randomUUID(), ath: ath(token) }))}.`;
  await check(none);
  await check(undefined);
});

test("RFC 9449 §7.1: a DPoP-bound token presented as Bearer is refused", async () => {
  const { mint, validator, jkt } = await setup();
  const error = await validator.validate(await mint({ cnf: { jkt } })).catch((e) => e);
  assert.equal(error.code, "dpop_invalid");
  assert.match(error.wwwAuthenticate, /^Bearer realm="api", error="invalid_token"/);
});

test("RFC 9449 §8: a nonce the caller requires must be in the proof", async () => {
  const { mint, proof, validator, jkt } = await setup();
  const token = await mint({ cnf: { jkt } });
  await refusedDpop(validator.validate(token, { dpop: { proof: await proof({ token }), method: "GET", url: URL_, nonce: "n-1" } }), "use_dpop_nonce");
  const ok = await validator.validate(token, { dpop: { proof: await proof({ token, nonce: "n-1" }), method: "GET", url: URL_, nonce: "n-1" } });
  assert.equal(ok.claims.sub, "u");
});

test("authenticate(request) reads Authorization: DPoP and the DPoP header", async () => {
  const { mint, proof, validator, jkt } = await setup();
  const token = await mint({ cnf: { jkt } });
  const request = new Request(URL_, { headers: { authorization: `DPoP ${token}`, dpop: await proof({ token }) } });
  assert.equal((await validator.authenticate(request)).claims.sub, "u");
  const withoutProof = new Request(URL_, { headers: { authorization: `DPoP ${token}` } });
  await refusedDpop(validator.authenticate(withoutProof));
});

test("RFC 8705: a certificate-bound token needs the matching client certificate thumbprint", async () => {
  const { mint, validator } = await setup();
  const thumbprint = createHash("sha256").update("a client certificate (DER)").digest("base64url");
  const token = await mint({ cnf: { "x5t#S256": thumbprint } });
  assert.equal((await validator.validate(token, { clientCertificateThumbprint: thumbprint })).claims.sub, "u");
  const other = createHash("sha256").update("another certificate").digest("base64url");
  await assert.rejects(validator.validate(token, { clientCertificateThumbprint: other }), { code: "invalid_claim", status: 401 });
  await assert.rejects(validator.validate(token), { code: "invalid_claim" });
});
