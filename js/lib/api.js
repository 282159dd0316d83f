// The package's API over the wasm core. This file holds glue only — loading, WebCrypto and
// type conversion; every validation rule is in the Rust core.
import init, {
  JsValidator,
  errorTable,
  wwwAuthenticate,
  extractBearer,
  beginJws,
  finishJws,
  introspectionResponse,
  discoveryUrl,
  parseDiscovery,
  checkFetchUrl,
  fetchTimeoutMs,
} from "../pkg/edge_token_validator.js";

let wasmSource = null;
let ready = null;
let codes = null;

/** Sets how the wasm bytes are obtained (each entry point knows its runtime). @internal */
export function setWasmSource(source) {
  wasmSource = source;
}

/** Loads the wasm core once; every async entry point awaits this. @internal */
export function loadCore() {
  ready ??= (async () => {
    await init({ module_or_path: await wasmSource() });
    codes = JSON.parse(errorTable());
  })();
  return ready;
}

/** Whether the core is loaded, for the synchronous helpers of lib/oauth.js. @internal */
export function coreIsLoaded() {
  return codes !== null;
}

/** A validation failure with a stable `code` (SPEC §2) and its RFC 6750 HTTP form. */
export class TokenError extends Error {
  constructor(code, description, { realm = "api", scope, retryAfter } = {}) {
    super(description);
    this.name = "TokenError";
    this.code = code;
    const entry = codes?.[code] ?? { status: 401, error: "invalid_token" };
    this.status = entry.status;
    this.wwwAuthenticate = wwwAuthenticate(code, description, realm, scope);
    if (this.status === 503) this.retryAfter = retryAfter ?? 1;
  }

  /** The RFC 6750 response: status, `WWW-Authenticate`, JSON body, `Cache-Control: no-store`. */
  toResponse() {
    const headers = {
      "content-type": "application/json",
      "cache-control": "no-store",
      "www-authenticate": this.wwwAuthenticate,
    };
    if (this.status === 503) headers["retry-after"] = String(this.retryAfter);
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

const MODULE_OPTIONS = ["issuer", "audience", "algorithms", "clockToleranceSeconds", "maxTokenAgeSeconds", "requiredClaims", "requiredScopes", "tokenType", "maxTokenBytes"];

/** Runs the core's two phases: key choice in wasm, signature by the host when it can. */
async function verifyPending(pending) {
  if (!pending.needsVerdict) return false;
  return verifyWithHost(pending);
}

// Redirects are not followed ("manual": Workers do not support "error"); a 3xx is a failure.
async function fetchWithTimeout(fetchImpl, url) {
  const response = await fetchImpl(url, { headers: { accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(fetchTimeoutMs()) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response;
}

/**
 * Creates a validator (SPEC §4). Keys come from `jwks` (static), `jwksUri`, or OIDC
 * discovery from `issuer`; remote keys follow the core's cache rules (SPEC §3).
 * @param {object} options
 */
export function createValidator(options) {
  const { jwks, jwksUri, now, fetch: fetchImpl = (...a) => globalThis.fetch(...a), realm, revocations, cache: _cache, ...rest } = options ?? {};
  const coreOptions = Object.fromEntries(Object.entries(rest).filter(([name]) => MODULE_OPTIONS.includes(name)));
  const context = { realm };
  const clock = () => nowSeconds(now);
  let core = null;
  let ready = null;
  let inFlight = null;
  let discoveredJwksUri = null;

  const fail = (raw, extra) => rethrow(raw, { ...context, ...extra });

  const setup = async () => {
    await loadCore();
    try {
      const unknown = Object.keys(rest).filter((name) => !MODULE_OPTIONS.includes(name));
      if (unknown.length) throw JSON.stringify({ code: "invalid_request", description: `unknown option ${unknown[0]}` });
      core = new JsValidator(JSON.stringify(coreOptions));
      if (jwks !== undefined) {
        core.setStaticKeys(typeof jwks === "string" ? jwks : JSON.stringify(jwks));
      } else if (jwksUri !== undefined) {
        checkFetchUrl(jwksUri);
      } else {
        if (typeof coreOptions.issuer !== "string") {
          throw JSON.stringify({ code: "invalid_request", description: "OIDC discovery needs exactly one issuer (or give jwks or jwksUri)" });
        }
        checkFetchUrl(discoveryUrl(coreOptions.issuer));
      }
    } catch (raw) {
      fail(raw);
    }
  };

  const keySetUri = async () => {
    if (jwksUri !== undefined) return jwksUri;
    if (discoveredJwksUri) return discoveredJwksUri;
    const response = await fetchWithTimeout(fetchImpl, discoveryUrl(coreOptions.issuer));
    const uri = parseDiscovery(new Uint8Array(await response.arrayBuffer()), coreOptions.issuer);
    checkFetchUrl(uri);
    discoveredJwksUri = uri;
    return uri;
  };

  // One fetch at a time per validator; every caller that must wait shares this promise.
  const refreshKeys = () =>
    (inFlight ??= (async () => {
      try {
        const response = await fetchWithTimeout(fetchImpl, await keySetUri());
        const body = new Uint8Array(await response.arrayBuffer());
        core.onFetchSuccess(clock(), body, response.headers.get("cache-control") ?? undefined);
      } catch {
        // The core decides what a failure means (stale-if-error, backoff); it is not thrown.
        core.onFetchFailure(clock());
      } finally {
        inFlight = null;
      }
    })());

  const ensureKeys = async (token) => {
    switch (core.decide(token, clock())) {
      case "fetch":
        await refreshKeys();
        break;
      case "await":
        await (inFlight ?? Promise.resolve());
        break;
      case "refresh":
        refreshKeys();
        break;
      case "unavailable":
        throw new TokenError("jwks_unavailable", "the issuer's keys cannot be fetched right now", { ...context, retryAfter: core.retryAfter(clock()) });
      default:
    }
  };

  const validator = {
    async validate(token, opts = {}) {
      ready ??= setup();
      await ready;
      if (typeof token !== "string" || token.length === 0) {
        throw new TokenError("missing_token", "no token was given", context);
      }
      await ensureKeys(token);
      let pending;
      try {
        pending = core.begin(token, clock());
      } catch (raw) {
        fail(raw, { retryAfter: core.retryAfter(clock()) });
      }
      const verdict = await verifyPending(pending);
      let result;
      try {
        result = JSON.parse(core.finish(pending, verdict ?? undefined, clock(), opts.requiredScopes ?? []));
      } catch (raw) {
        const scope = [...(coreOptions.requiredScopes ?? []), ...(opts.requiredScopes ?? [])].join(" ");
        fail(raw, { scope: scope || undefined });
      }
      if (revocations && (await revocations.isRevoked(result.claims))) {
        throw new TokenError("revoked", "the token has been revoked", context);
      }
      return result;
    },

    async authenticate(request, opts = {}) {
      await loadCore();
      let token;
      try {
        token = extractBearer(request.headers.get("authorization") ?? undefined);
      } catch (raw) {
        fail(raw);
      }
      return validator.validate(token, opts);
    },

    async introspect(token) {
      try {
        const { claims } = await validator.validate(token);
        return JSON.parse(introspectionResponse(JSON.stringify(claims)));
      } catch (error) {
        if (error instanceof TokenError && error.status === 503) throw error;
        return { active: false };
      }
    },

    /** The remote key cache as JSON, for storage between edge isolates. */
    async exportCache() {
      ready ??= setup();
      await ready;
      return core.exportCache() ?? null;
    },

    /** Takes in an exported cache when it is newer than this one's; returns whether it was. */
    async importCache(json) {
      ready ??= setup();
      await ready;
      try {
        return core.importCache(typeof json === "string" ? json : JSON.stringify(json));
      } catch (raw) {
        fail(raw);
      }
    },
  };
  return validator;
}

/**
 * Verifies a compact JWS's signature and header rules only (no claims): SPEC §4.
 * @returns {Promise<{ header: object, payload: Uint8Array }>}
 */
export async function verifyJws(compact, { jwks, algorithms } = {}) {
  await loadCore();
  let pending;
  try {
    pending = beginJws(compact, typeof jwks === "string" ? jwks : JSON.stringify(jwks), algorithms);
  } catch (raw) {
    rethrow(raw, {});
  }
  const payload = pending.payload;
  const verdict = await verifyPending(pending);
  try {
    return { header: JSON.parse(finishJws(pending, verdict ?? undefined)), payload };
  } catch (raw) {
    rethrow(raw, {});
  }
}
