// Sender-constrained tokens in the JS package: DPoP proofs (RFC 9449) and certificate-bound
// tokens (RFC 8705). Glue only: the checks are the core's (src/dpop.rs); this file feeds it
// the proof, asks WebCrypto for the proof's signature, and keeps the jti replay store.
import { beginDpopProof, finishDpopProof, checkBinding } from "../pkg/edge_token_validator.js";

/** An in-memory `jti` store: each proof is remembered until its `iat` window has passed. */
export class ReplayStore {
  #seen = new Map();
  #max;
  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }
  /** False when the key+jti was seen and is still inside its window. */
  firstUse(key, until, now) {
    const seenUntil = this.#seen.get(key);
    if (seenUntil !== undefined && seenUntil > now) return false;
    if (this.#seen.size >= this.#max) {
      for (const [k, u] of this.#seen) if (u <= now) this.#seen.delete(k);
      // Still full of live proofs: refuse rather than forget one (a forgotten jti could be replayed).
      if (this.#seen.size >= this.#max) return false;
    }
    this.#seen.set(key, until);
    return true;
  }
}

/**
 * Applies the binding rules to a validated token. `opts.dpop` = `{ proof, method, url, nonce? }`
 * checks a DPoP proof; without it the token was presented as Bearer (a DPoP-bound token is then
 * refused). `opts.clientCertificateThumbprint` is the base64url SHA-256 of the client
 * certificate (DER), for `cnf["x5t#S256"]`. Throws the core's error JSON (rethrown by the caller).
 */
export async function checkSenderConstraints({ token, claims, opts, now, toleranceSeconds, algorithms, replay, verifyPending }) {
  const claimsJson = JSON.stringify(claims);
  const certificate = opts.clientCertificateThumbprint ?? undefined;
  const dpop = opts.dpop;
  if (!dpop) {
    checkBinding(claimsJson, undefined, certificate);
    return null;
  }
  if (typeof dpop.proof !== "string" || !dpop.proof) {
    throw JSON.stringify({ code: "dpop_invalid", description: "the DPoP proof is missing", dpopError: "invalid_dpop_proof" });
  }
  const proof = beginDpopProof(dpop.proof, algorithms);
  const pending = proof.takePending();
  const verdict = await verifyPending(pending);
  const accepted = JSON.parse(
    finishDpopProof(proof, pending, verdict ?? undefined, dpop.method, dpop.url, token, claimsJson, now, toleranceSeconds, dpop.nonce ?? undefined),
  );
  if (!replay.firstUse(`${accepted.jkt}:${accepted.jti}`, accepted.rememberUntil, now)) {
    throw JSON.stringify({ code: "dpop_invalid", description: "the DPoP proof was already used (jti replay)", dpopError: "invalid_dpop_proof" });
  }
  checkBinding(claimsJson, accepted.jkt, certificate);
  return accepted;
}
