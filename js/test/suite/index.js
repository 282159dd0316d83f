// One suite, three runtimes (Node, Chromium, workerd): each runner imports this module and
// passes the library under test and jose (the independent signer). Every case is a plain
// async function that throws on failure.
import { ok, equal, deepEqual, rejectsWith } from "./check.js";
import { oauthCases } from "./oauth.js";

const ISSUER = "https://issuer.test";
const AUDIENCE = "api";
const now = () => Math.floor(Date.now() / 1000);

// Every algorithm jose signs; ES256K (which WebCrypto and jose lack) comes from PyJWT fixtures.
export const ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

async function keyFixture(jose, alg, kid = `${alg}-key`) {
  if (alg.startsWith("HS")) {
    const secret = crypto.getRandomValues(new Uint8Array(Number(alg.slice(2)) / 8));
    const jwk = { kty: "oct", k: jose.base64url.encode(secret), kid, alg };
    return { jwks: { keys: [jwk] }, signingKey: secret, kid, alg };
  }
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" };
  return { jwks: { keys: [jwk] }, signingKey: privateKey, kid, alg };
}

function signer(jose, fixture) {
  return (claims, header = {}) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: fixture.alg, kid: fixture.kid, typ: "at+jwt", ...header }).sign(fixture.signingKey);
}

function tamper(token) {
  const [h, p, s] = token.split(".");
  const bytes = s.split("");
  const i = Math.floor(bytes.length / 2);
  bytes[i] = bytes[i] === "A" ? "B" : "A";
  return `${h}.${p}.${bytes.join("")}`;
}

/**
 * @param {object} lib the package under test
 * @param {object} jose jose 6, the independent oracle
 * @param {{ es256kFixtures?: object[], attackCorpus?: object[] }} extras data only some runners have
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function cases(lib, jose, extras = {}) {
  const list = [];
  const add = (name, run) => list.push({ name, run });
  const { TokenError } = lib;

  for (const alg of ALGORITHMS) {
    add(`interop: a ${alg} token signed by jose validates; a tampered one is signature_invalid`, async () => {
      const fixture = await keyFixture(jose, alg);
      const sign = signer(jose, fixture);
      const validator = lib.createValidator({ issuer: ISSUER, audience: AUDIENCE, jwks: fixture.jwks, algorithms: [alg], tokenType: "at+jwt" });
      const token = await sign({ iss: ISSUER, aud: AUDIENCE, sub: `user-${alg}`, scope: "a b", exp: now() + 600 });
      const result = await validator.validate(token);
      equal(result.alg, alg);
      equal(result.kid, fixture.kid);
      equal(result.claims.sub, `user-${alg}`);
      deepEqual(result.scopes, ["a", "b"]);
      // Twice: the second run exercises the cached imported key.
      equal((await validator.validate(token)).claims.sub, `user-${alg}`);
      await rejectsWith(validator.validate(tamper(token)), "signature_invalid", TokenError, alg);
    });
  }

  for (const fixture of extras.es256kFixtures ?? []) {
    add(`interop: ES256K token signed by PyJWT (${fixture.name}) gives ${fixture.expect}`, async () => {
      const validator = lib.createValidator({ issuer: fixture.issuer, jwks: fixture.jwks, algorithms: ["ES256K"], now: () => fixture.now });
      if (fixture.expect === "valid") {
        equal((await validator.validate(fixture.token)).alg, "ES256K");
      } else {
        await rejectsWith(validator.validate(fixture.token), fixture.expect, TokenError);
      }
    });
  }

  // The core's attack corpus, built by the Rust tests (tests/common/corpus.rs): each token
  // must get the code it gets in Rust (or pass, for the positive controls).
  for (const entry of extras.attackCorpus ?? []) {
    const { name, token, jwks, options, now: at, expect } = entry;
    add(`attack corpus: ${name} gives ${expect}`, async () => {
      const validator = lib.createValidator({ ...options, jwks, now: () => at });
      if (expect === "valid") {
        ok(await validator.validate(token), name);
      } else {
        await rejectsWith(validator.validate(token), expect, TokenError, name);
      }
    });
  }

  add("the default allow-list is asymmetric: HS256 must be asked for (RFC 8725 §3.1)", async () => {
    const fixture = await keyFixture(jose, "HS256");
    const token = await signer(jose, fixture)({ iss: ISSUER, exp: now() + 60 });
    await rejectsWith(lib.createValidator({ issuer: ISSUER, jwks: fixture.jwks }).validate(token), "algorithm_not_allowed", TokenError);
  });

  add("claim rules: issuer, audience, expiry, nbf, iat, type and scope carry their codes", async () => {
    const fixture = await keyFixture(jose, "ES256");
    const sign = signer(jose, fixture);
    const t = now();
    const base = { iss: ISSUER, aud: AUDIENCE, exp: t + 600 };
    const validator = lib.createValidator({ issuer: ISSUER, audience: AUDIENCE, jwks: fixture.jwks, tokenType: "at+jwt", maxTokenAgeSeconds: 3600 });
    const expectations = [
      [{ ...base, iss: `${ISSUER}/` }, {}, "issuer_mismatch"],
      [{ ...base, aud: ["other", "x"] }, {}, "audience_mismatch"],
      [{ ...base, exp: t - 120 }, {}, "expired"],
      [{ ...base, nbf: t + 600 }, {}, "not_yet_valid"],
      [{ ...base, iat: t + 600 }, {}, "issued_in_future"],
      [{ ...base, iat: t - 7200 }, {}, "too_old"],
      [{ ...base, exp: "tomorrow" }, {}, "invalid_claim"],
      [{ ...base, iat: t }, { typ: "JWT" }, "type_mismatch"],
    ];
    for (const [claims, header, code] of expectations) {
      await rejectsWith(validator.validate(await sign(claims, header)), code, TokenError, code);
    }
    const good = await sign({ ...base, iat: t, aud: ["x", AUDIENCE], scope: "read" });
    equal((await validator.validate(good)).claims.iss, ISSUER);
    const scoped = await rejectsWith(validator.validate(good, { requiredScopes: ["write"] }), "insufficient_scope", TokenError);
    equal(scoped.status, 403);
    ok(scoped.wwwAuthenticate.includes('error="insufficient_scope"'), scoped.wwwAuthenticate);
    ok(scoped.wwwAuthenticate.includes('scope="write"'), scoped.wwwAuthenticate);
  });

  add("alg none in any case is unsupported_algorithm (RFC 8725 §2.1)", async () => {
    const fixture = await keyFixture(jose, "RS256");
    const validator = lib.createValidator({ issuer: ISSUER, jwks: fixture.jwks });
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      const header = jose.base64url.encode(JSON.stringify({ alg, kid: fixture.kid }));
      const payload = jose.base64url.encode(JSON.stringify({ iss: ISSUER, exp: now() + 60 }));
      await rejectsWith(validator.validate(`${header}.${payload}.`), "unsupported_algorithm", TokenError, alg);
    }
  });

  add("TokenError.toResponse() is the RFC 6750 answer", async () => {
    const fixture = await keyFixture(jose, "ES256");
    const validator = lib.createValidator({ issuer: ISSUER, jwks: fixture.jwks, realm: "suite" });
    const error = await rejectsWith(validator.authenticate(new Request("https://api.test/")), "missing_token", TokenError);
    const response = error.toResponse();
    equal(response.status, 401);
    equal(response.headers.get("www-authenticate"), 'Bearer realm="suite"');
    equal(response.headers.get("cache-control"), "no-store");
    deepEqual(await response.json(), { error: "invalid_token", error_description: error.message, code: "missing_token" });
  });

  list.push(...oauthCases(lib, extras));
  return list;
}
