// The Node part of `make bench` (SPEC §6): this package against jose 6 (with a pre-imported
// key), the bare `crypto.subtle.verify` of the same signature, and the bare synchronous
// node:crypto check (which the package itself uses in Node: lib/node-crypto.js), in one
// process, in alternating blocks so that machine noise hits every contender alike. Cold: every token is
// new (each is validated once, so the package's token cache only ever misses); warm: the same
// token again and again.
//
// Run alone: `node js/bench/node.mjs [--json]` (after `make npm-package`). Not part of the
// published package (`files` in package.json leaves js/bench/ out).
import * as jose from "jose";
import * as nodeCrypto from "node:crypto";

// The package under test: this one, or another build of it (BENCH_PACKAGE=/path/to/index.js,
// for comparing builds in one sitting).
const { createValidator } = await import(process.env.BENCH_PACKAGE ?? "../index.js");

const ISSUER = "https://issuer.bench";
const AUDIENCE = "bench-api";
export const ALGORITHMS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"];

const enc = new TextEncoder();
const b64decode = (text) => new Uint8Array(Buffer.from(text, "base64url"));

function subtleParams(alg) {
  switch (alg) {
    case "HS256":
      return { verify: { name: "HMAC" } };
    case "RS256":
      return { verify: { name: "RSASSA-PKCS1-v1_5" } };
    case "PS256":
      return { verify: { name: "RSA-PSS", saltLength: 32 } };
    case "ES256":
      return { verify: { name: "ECDSA", hash: "SHA-256" } };
    case "EdDSA":
      return { verify: { name: "Ed25519" } };
    default:
      throw new Error(alg);
  }
}

/** The bare synchronous node:crypto check of one signature (HMAC: compute and compare). */
function nodeVerifier(alg, key) {
  const options = {
    HS256: null,
    RS256: key,
    PS256: { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ES256: { key, dsaEncoding: "ieee-p1363" },
    EdDSA: key,
  }[alg];
  if (alg === "HS256") {
    return (data, signature) => {
      const mac = nodeCrypto.createHmac("sha256", key).update(data).digest();
      return mac.length === signature.length && nodeCrypto.timingSafeEqual(mac, signature);
    };
  }
  const digest = alg === "EdDSA" ? null : "sha256";
  return (data, signature) => nodeCrypto.verify(digest, data, options, signature);
}

async function fixture(alg, count) {
  let signingKey;
  let publicJwk;
  if (alg === "HS256") {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    signingKey = secret;
    publicJwk = { kty: "oct", k: jose.base64url.encode(secret) };
  } else {
    const pair = await jose.generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
    signingKey = pair.privateKey;
    publicJwk = await jose.exportJWK(pair.publicKey);
  }
  const jwk = { ...publicJwk, kid: `${alg}-bench`, alg, use: "sig" };
  // jose and the bare WebCrypto call get the key imported once, outside the timed loop.
  // For HS256 that is a CryptoKey too (given raw bytes, jose would import them every call).
  const joseKey =
    alg === "HS256"
      ? await crypto.subtle.importKey("raw", signingKey, { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
      : await jose.importJWK(jwk, alg);
  const subtleKey = joseKey;
  // The same check through node:crypto's one-shot functions on the calling thread (what the
  // package uses in Node): the native limit without the thread-pool hop of subtle.verify.
  const nodeKey = nodeCrypto.KeyObject.from(joseKey);
  const now = Math.floor(Date.now() / 1000);
  // A realistic access token (RFC 9068 shape, ~600 bytes).
  const sign = (i) =>
    new jose.SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: `user-${i}@example.com`,
      client_id: "bench-client",
      scope: "openid profile email orders:read orders:write",
      jti: `${alg}-${i}-${crypto.randomUUID()}`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      auth_time: now,
      acr: "urn:mace:incommon:iap:silver",
      amr: ["pwd", "mfa"],
    })
      .setProtectedHeader({ alg, kid: jwk.kid, typ: "at+jwt" })
      .sign(signingKey);
  const tokens = [];
  for (let i = 0; i < count; i++) tokens.push(await sign(i));
  // The bare WebCrypto contender gets the signature and signed bytes already decoded.
  const decoded = tokens.map((token) => {
    const last = token.lastIndexOf(".");
    return { data: enc.encode(token.slice(0, last)), signature: b64decode(token.slice(last + 1)) };
  });
  return { alg, jwks: { keys: [jwk] }, joseKey, subtleKey, nodeKey, tokens, decoded };
}

/** Times `block` calls of `run(i)` and returns microseconds per call. */
async function timeBlock(run, start, block) {
  const t0 = performance.now();
  for (let i = start; i < start + block; i++) await run(i);
  return ((performance.now() - t0) * 1000) / block;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs the contenders for one algorithm in alternating blocks.
 * @returns {Promise<{ cold: Record<string, number>, warm: Record<string, number> }>} µs per validation (medians of blocks)
 */
async function benchAlgorithm(alg, { rounds, coldBlock, warmBlock, warmup }) {
  const fx = await fixture(alg, warmup + rounds * coldBlock + 1);
  const options = { issuer: ISSUER, audience: AUDIENCE, jwks: fx.jwks, algorithms: [alg], tokenType: "at+jwt" };
  const pkg = createValidator(options);
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], typ: "at+jwt" };
  const params = subtleParams(alg).verify;
  const nodeVerify = nodeVerifier(alg, fx.nodeKey);
  const warmToken = fx.tokens[fx.tokens.length - 1];
  const warmDecoded = fx.decoded[fx.decoded.length - 1];

  const contenders = {
    package: {
      cold: (i) => pkg.validate(fx.tokens[i]),
      warm: () => pkg.validate(warmToken),
    },
    jose: {
      cold: (i) => jose.jwtVerify(fx.tokens[i], fx.joseKey, joseOptions),
      warm: () => jose.jwtVerify(warmToken, fx.joseKey, joseOptions),
    },
    subtle: {
      cold: async (i) => {
        if (!(await crypto.subtle.verify(params, fx.subtleKey, fx.decoded[i].signature, fx.decoded[i].data))) throw new Error("bad signature");
      },
      warm: async () => {
        if (!(await crypto.subtle.verify(params, fx.subtleKey, warmDecoded.signature, warmDecoded.data))) throw new Error("bad signature");
      },
    },
    node: {
      cold: (i) => {
        if (!nodeVerify(fx.decoded[i].data, fx.decoded[i].signature)) throw new Error("bad signature");
      },
      warm: () => {
        if (!nodeVerify(warmDecoded.data, warmDecoded.signature)) throw new Error("bad signature");
      },
    },
  };
  // Sanity and warm-up before any timing: the JIT, key imports, and V8's wasm tier-up (wasm
  // starts in the baseline compiler and is recompiled optimised once hot), with tokens that
  // the timed blocks do not use. The warm token is seen here, so the package's cache holds
  // it for the warm runs.
  for (const c of Object.values(contenders)) {
    for (let i = 0; i < warmup; i++) await c.cold(i);
    for (let i = 0; i < 200; i++) await c.warm();
  }
  // BENCH_ONLY=package,jose runs some contenders only (for looking into one of them).
  const names = Object.keys(contenders).filter((name) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(",").includes(name));
  const samples = { cold: {}, warm: {} };
  for (const name of names) samples.cold[name] = [];
  for (const name of names) samples.warm[name] = [];
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no contender always runs first (or after a GC-heavy one).
    const order = names.map((_, k) => names[(k + round) % names.length]);
    for (const name of order) samples.cold[name].push(await timeBlock(contenders[name].cold, warmup + round * coldBlock, coldBlock));
    for (const name of order) samples.warm[name].push(await timeBlock(contenders[name].warm, 0, warmBlock));
  }
  const result = { cold: {}, warm: {} };
  for (const kind of ["cold", "warm"]) for (const name of names) result[kind][name] = median(samples[kind][name]);
  return result;
}

export async function runNodeBench({ rounds = 8, coldBlock = 150, warmBlock = 2000, warmup = 300, algorithms = ALGORITHMS } = {}) {
  const results = {};
  for (const alg of algorithms) results[alg] = await benchAlgorithm(alg, { rounds, coldBlock, warmBlock, warmup });
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runNodeBench();
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } else {
    const f = (x) => x.toFixed(x < 10 ? 2 : 1).padStart(8);
    console.log("alg      kind  package     jose   subtle     node  pkg/jose  pkg/subtle  pkg/node");
    for (const [alg, r] of Object.entries(results)) {
      for (const kind of ["cold", "warm"]) {
        const { package: p, jose: j, subtle: s, node: n } = r[kind];
        console.log(`${alg.padEnd(8)} ${kind}  ${f(p)} ${f(j)} ${f(s)} ${f(n)}  ${(p / j).toFixed(3).padStart(8)}  ${(p / s).toFixed(3).padStart(10)}  ${(p / n).toFixed(3).padStart(8)}`);
      }
    }
  }
}
