// The package's API over the wasm core. This file holds glue only — loading, WebCrypto and
// type conversion; every validation rule is in the Rust core.
import init, { JsValidator, errorTable, wwwAuthenticate, extractBearer } from "../pkg/edge_token_validator.js";

let wasmSource = null;
let ready = null;
let codes = null;

/** Sets how the wasm bytes are obtained (each entry point knows its runtime). @internal */
export function setWasmSource(source) {
  wasmSource = source;
}

function loadCore() {
  ready ??= (async () => {
    await init({ module_or_path: await wasmSource() });
    codes = JSON.parse(errorTable());
  })();
  return ready;
}

/** A validation failure with a stable `code` (SPEC §2) and its RFC 6750 HTTP form. */
export class TokenError extends Error {
  constructor(code, description, { realm = "api", scope } = {}) {
    super(description);
    this.name = "TokenError";
    this.code = code;
    const entry = codes?.[code] ?? { status: 401, error: "invalid_token" };
    this.status = entry.status;
    this.wwwAuthenticate = wwwAuthenticate(code, description, realm, scope);
  }

  /** The RFC 6750 response: status, `WWW-Authenticate`, JSON body, `Cache-Control: no-store`. */
  toResponse() {
    const headers = {
      "content-type": "application/json",
      "cache-control": "no-store",
      "www-authenticate": this.wwwAuthenticate,
    };
    if (this.status === 503) headers["retry-after"] = "30";
    const error = this.code === "missing_token" ? "invalid_token" : (codes?.[this.code]?.error ?? "invalid_token");
    const body = JSON.stringify({ error, error_description: this.message, code: this.code });
    return new Response(body, { status: this.status, headers });
  }
}

function rethrow(raw, context) {
  if (typeof raw === "string" && raw.startsWith("{")) {
    const { code, description } = JSON.parse(raw);
    throw new TokenError(code, description, context);
  }
  throw raw;
}

// WebCrypto parameters per JWS algorithm (RFC 7518 §3). HS* and ES256K are checked in wasm:
// WebCrypto has no secp256k1, and HMAC in wasm avoids an async round trip.
const HASH = { 256: "SHA-256", 384: "SHA-384", 512: "SHA-512" };
function webCryptoParams(alg) {
  const bits = alg.slice(2);
  switch (alg.slice(0, 2)) {
    case "RS":
      return { importParams: { name: "RSASSA-PKCS1-v1_5", hash: HASH[bits] }, verifyParams: { name: "RSASSA-PKCS1-v1_5" } };
    case "PS":
      return { importParams: { name: "RSA-PSS", hash: HASH[bits] }, verifyParams: { name: "RSA-PSS", saltLength: Number(bits) / 8 } };
    case "ES": {
      if (alg === "ES256K") return null;
      const namedCurve = { 256: "P-256", 384: "P-384", 512: "P-521" }[bits];
      return { importParams: { name: "ECDSA", namedCurve }, verifyParams: { name: "ECDSA", hash: HASH[bits] } };
    }
    case "Ed":
      return { importParams: { name: "Ed25519" }, verifyParams: { name: "Ed25519" } };
    default:
      return null;
  }
}

const importedKeys = new Map();
const unsupportedInHost = new Set();

/** Returns the WebCrypto verdict, or null when the host cannot check this algorithm. */
async function verifyWithHost(pending) {
  const alg = pending.alg;
  const params = webCryptoParams(alg);
  if (!params || unsupportedInHost.has(alg) || !globalThis.crypto?.subtle) return null;
  const cacheKey = `${alg}:${pending.keyThumbprint}`;
  let key = importedKeys.get(cacheKey);
  try {
    if (!key) {
      key = await crypto.subtle.importKey("jwk", JSON.parse(pending.keyJwk), params.importParams, false, ["verify"]);
      if (importedKeys.size > 256) importedKeys.clear();
      importedKeys.set(cacheKey, key);
    }
    return await crypto.subtle.verify(params.verifyParams, key, pending.signature, pending.signingInput);
  } catch (error) {
    // An older runtime without (say) Ed25519: the wasm implementation takes over.
    if (error?.name === "NotSupportedError" || error?.name === "TypeError") {
      unsupportedInHost.add(alg);
      return null;
    }
    throw error;
  }
}

function nowSeconds(now) {
  return now ? now() : Date.now() / 1000;
}

/**
 * Creates a validator (SPEC §4).
 * @param {object} options
 */
export function createValidator(options) {
  const { jwks, now, fetch: _fetch, realm, ...coreOptions } = options ?? {};
  let state = null;
  const context = { realm };
  const setup = async () => {
    await loadCore();
    let core;
    try {
      core = new JsValidator(JSON.stringify(coreOptions));
      if (jwks === undefined) throw JSON.stringify({ code: "invalid_request", description: "option jwks is required" });
      core.setKeys(typeof jwks === "string" ? jwks : JSON.stringify(jwks));
    } catch (raw) {
      rethrow(raw, context);
    }
    return core;
  };
  const validator = {
    async validate(token, opts = {}) {
      state ??= setup();
      const core = await state;
      if (typeof token !== "string" || token.length === 0) {
        throw new TokenError("missing_token", "no token was given", context);
      }
      let pending;
      try {
        pending = core.begin(token);
      } catch (raw) {
        rethrow(raw, context);
      }
      let verdict = false;
      if (pending.needsVerdict) verdict = await verifyWithHost(pending);
      try {
        const result = core.finish(pending, verdict ?? undefined, nowSeconds(now), opts.requiredScopes ?? []);
        return JSON.parse(result);
      } catch (raw) {
        rethrow(raw, { ...context, scope: (opts.requiredScopes ?? coreOptions.requiredScopes ?? []).join(" ") || undefined });
      }
    },
    async authenticate(request, opts = {}) {
      await loadCore();
      let token;
      try {
        token = extractBearer(request.headers.get("authorization") ?? undefined);
      } catch (raw) {
        rethrow(raw, context);
      }
      return validator.validate(token, opts);
    },
  };
  return validator;
}
