// Signatures in Node by node:crypto's one-shot `verify`, on the calling thread. Node's
// `crypto.subtle.verify` runs the same OpenSSL call on the libuv thread pool, and the hand-off
// costs more than the arithmetic: measured here (2 cores, Node 20), RS256 16.6 µs
// synchronously against 47–57 µs through WebCrypto, ES256 43 against 74–87, EdDSA 59 against
// 84. jsonwebtoken verifies this way too. Loaded only by the Node entry point (index.js);
// every other runtime keeps WebCrypto. Glue only: the core chose the key and checked the
// signature's shape before this sees a byte, and its `finish` still takes the verdict.
import { createPublicKey, verify, constants } from "node:crypto";

const DIGEST = { 256: "sha256", 384: "sha384", 512: "sha512" };

/**
 * How node:crypto checks `alg` with `key` (a KeyObject): `{ digest, key }` for `verify`, or
 * null when this host does not check it (HS* and ES256K stay in wasm, as with WebCrypto).
 */
function verifyOptions(alg, key) {
  const bits = alg.slice(2);
  switch (alg.slice(0, 2)) {
    case "RS":
      return { digest: DIGEST[bits], key };
    case "PS":
      // RFC 7518 §3.5: the salt is as long as the hash; an explicit length must match.
      return { digest: DIGEST[bits], key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 } };
    case "ES":
      // JWS signatures are r‖s (RFC 7518 §3.4), not DER.
      return alg === "ES256K" ? null : { digest: DIGEST[bits], key: { key, dsaEncoding: "ieee-p1363" } };
    case "Ed":
      return { digest: null, key };
    default:
      return null;
  }
}

export const nodeHost = {
  /** The prepared key for `alg` from the core's public JWK (JSON), or null when this host
   * does not check `alg` or refuses the key (the core then answers, failing closed). */
  prepare(alg, jwkJson) {
    try {
      return verifyOptions(alg, createPublicKey({ key: JSON.parse(jwkJson), format: "jwk" }));
    } catch {
      return null;
    }
  },
  /** The verdict on `signature` over `data` (both Uint8Arrays). */
  verify(prepared, signature, data) {
    try {
      return verify(prepared.digest, data, prepared.key, signature);
    } catch {
      // OpenSSL refuses some malformed signatures by throwing rather than answering false.
      return false;
    }
  },
};
