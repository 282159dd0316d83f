// The package's API over the wasm core. This file holds glue only — loading, WebCrypto and
// type conversion; every validation rule is in the Rust core.
import init, {
  JsValidator,
  algorithmNames,
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
  dpopChallenge,
  extractScheme,
  peekIssuer,
  isCompactJws,
  JsOpaque,
} from "../pkg/edge_token_validator.js";
import { checkSenderConstraints, ReplayStore } from "./sender.js";

let wasmSource = null;
let syncHostSource = null;
// Where a runtime checks signatures on the calling thread (Node: lib/node-crypto.js), or null
// (WebCrypto, asynchronous).
let syncHost = null;
let ready = null;
let codes = null;
let algNames = null;

/** Sets how the wasm bytes are obtained (each entry point knows its runtime). @internal */
export function setWasmSource(source) {
  wasmSource = source;
}

/** Sets how a runtime with a synchronous verifier provides it (Node). @internal */
export function setSyncHost(source) {
  syncHostSource = source;
}

/** Loads the wasm core once; every async entry point awaits this. @internal */
export function loadCore() {
  ready ??= (async () => {
    if (syncHostSource) syncHost = await syncHostSource();
    await init({ module_or_path: await wasmSource() });
    codes = JSON.parse(errorTable());
    algNames = algorithmNames();
  })();
  return ready;
}

/** Whether the core is loaded, for the synchronous helpers of lib/oauth.js. @internal */
export function coreIsLoaded() {
  return codes !== null;
}

/** A validation failure with a stable `code` (SPEC §2) and its RFC 6750 HTTP form. */
export class TokenError extends Error {
  constructor(code, description, { realm = "api", scope, retryAfter, dpopError, dpopAlgorithms } = {}) {
    super(description);
    this.name = "TokenError";
    this.code = code;
    const entry = codes?.[code] ?? { status: 401, error: "invalid_token" };
    this.status = entry.status;
    // A DPoP proof failure challenges with the DPoP scheme (RFC 9449 §7.1).
    if (dpopError) this.error = dpopError;
    this.wwwAuthenticate = dpopError
      ? dpopChallenge(realm, dpopAlgorithms ?? [], dpopError, description)
      : wwwAuthenticate(code, description, realm, scope);
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
    const error = this.error ?? (this.code === "missing_token" ? "invalid_token" : (codes?.[this.code]?.error ?? "invalid_token"));
    const body = JSON.stringify({ error, error_description: this.message, code: this.code });
    return new Response(body, { status: this.status, headers });
  }
}

function rethrow(raw, context) {
  if (typeof raw === "string" && raw.startsWith("{")) {
    const { code, description, dpopError } = JSON.parse(raw);
    throw new TokenError(code, description, dpopError ? { ...context, dpopError } : context);
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

// Imported keys for verifyJws, by algorithm and RFC 7638 thumbprint (validators keep their
// own, by the core's key number).
const importedKeys = new Map();
const unsupportedInHost = new Set();
// Built once per algorithm: the cold path runs for every new token.
const paramsByAlg = new Map();

/** The WebCrypto parameters for `alg`, or null when the host does not check it (HS* and
 * ES256K are checked in wasm; a runtime may lack an algorithm). */
function hostParams(alg) {
  let params = paramsByAlg.get(alg);
  if (params === undefined) paramsByAlg.set(alg, (params = webCryptoParams(alg)));
  return params && !unsupportedInHost.has(alg) && globalThis.crypto?.subtle ? params : null;
}

/**
 * Returns the WebCrypto verdict, or null when the host cannot check this algorithm.
 * `keyCache` maps `cacheKey` to the imported CryptoKey; `data` is the signed bytes when the
 * caller already has them (else they are read from the pending handle).
 */
async function verifyWithHost(pending, alg, keyCache, cacheKey, data) {
  const params = hostParams(alg);
  if (!params) return null;
  let key = keyCache.get(cacheKey);
  try {
    if (!key) {
      key = await crypto.subtle.importKey("jwk", JSON.parse(pending.keyJwk), params.importParams, false, ["verify"]);
      if (keyCache.size > 256) keyCache.clear();
      keyCache.set(cacheKey, key);
    }
    return await crypto.subtle.verify(params.verifyParams, key, pending.signature, data ?? pending.signingInput);
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

/** Freezes a parsed JSON value in place (objects and arrays, all the way down). */
function deepFreeze(value) {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** A parsed result with its header, claims and scopes read-only (they may be shared). */
function parseResult(json) {
  const result = JSON.parse(json);
  deepFreeze(result.header);
  deepFreeze(result.claims);
  deepFreeze(result.scopes);
  return result;
}

// The verified-token cache (SPEC §4 `cache`): on by default.
const DEFAULT_CACHE_ENTRIES = 1000;

function cacheSettings(cache) {
  if (cache === false) return { maxEntries: 0 };
  if (cache === undefined || cache === true) return { maxEntries: DEFAULT_CACHE_ENTRIES };
  const bad = (description) => {
    throw JSON.stringify({ code: "invalid_request", description });
  };
  if (typeof cache !== "object" || cache === null) bad("option cache: false or { maxEntries?, ttlSeconds? }");
  const unknown = Object.keys(cache).find((name) => name !== "maxEntries" && name !== "ttlSeconds");
  if (unknown) bad(`option cache: unknown member ${unknown}`);
  const { maxEntries = DEFAULT_CACHE_ENTRIES, ttlSeconds } = cache;
  if (!Number.isInteger(maxEntries) || maxEntries < 0 || maxEntries > 1_000_000) bad("option cache.maxEntries: an integer from 0 to 1000000");
  if (ttlSeconds !== undefined && !(typeof ttlSeconds === "number" && ttlSeconds >= 0 && Number.isFinite(ttlSeconds))) {
    bad("option cache.ttlSeconds: a non-negative number of seconds");
  }
  return { maxEntries, ttlSeconds };
}

const MODULE_OPTIONS = ["issuer", "audience", "algorithms", "clockToleranceSeconds", "maxTokenAgeSeconds", "requiredClaims", "requiredScopes", "tokenType", "maxTokenBytes"];

/**
 * The verdict of a synchronous host (Node), or undefined when there is none or it does not
 * check `alg` with this key (then WebCrypto is asked). `keyCache` maps `cacheKey` to the
 * prepared key (null: the host declined it).
 */
function verifyInThread(pending, alg, keyCache, cacheKey, data) {
  if (syncHost === null) return undefined;
  let prepared = keyCache.get(cacheKey);
  if (prepared === undefined) {
    prepared = syncHost.prepare(alg, pending.keyJwk);
    if (keyCache.size > 256) keyCache.clear();
    keyCache.set(cacheKey, prepared);
  }
  return prepared === null ? undefined : syncHost.verify(prepared, pending.signature, data);
}

// Prepared keys of the synchronous host for verifyJws and DPoP proofs, by algorithm and
// thumbprint (validators keep their own, by the core's key number).
const preparedKeys = new Map();

/** Runs the core's two phases for verifyJws and DPoP proofs: key choice in wasm, signature
 * by the host. */
async function verifyPending(pending) {
  if (!pending.needsVerdict) return false;
  const alg = pending.alg;
  const cacheKey = `${alg}:${pending.keyThumbprint}`;
  return verifyInThread(pending, alg, preparedKeys, cacheKey, pending.signingInput) ?? verifyWithHost(pending, alg, importedKeys, cacheKey);
}

// Tokens go to wasm as UTF-8 in a reused buffer (see `token_text` in src/js/mod.rs). A token
// is only ever encoded up to one character past the size limit: that is enough for the core
// to call it too large, and an oversized header costs nothing.
const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);
function tokenBytes(token, maxChars) {
  const text = token.length > maxChars ? token.slice(0, maxChars) : token;
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
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
/** The token of a Fetch `Request`: `Authorization: DPoP` with its `DPoP` proof header (RFC
 * 9449 §7.1), else `Authorization: Bearer` (RFC 6750 §2.1). Throws the core's error JSON. */
function presentedToken(request, opts) {
  const authorization = request.headers.get("authorization") ?? undefined;
  const token = extractScheme(authorization, "DPoP");
  if (token === undefined) return { token: extractBearer(authorization), opts };
  const proof = request.headers.get("dpop");
  const dpop = { proof: proof && !proof.includes(",") ? proof : undefined, method: request.method, url: request.url, nonce: opts.dpopNonce };
  return { token, opts: { ...opts, dpop } };
}

/** `presentedToken` with the core loaded and its errors as TokenErrors. */
async function readRequest(request, opts, context) {
  await loadCore();
  try {
    return presentedToken(request, opts);
  } catch (raw) {
    rethrow(raw, context);
  }
}

/** Several issuers (SPEC §7): one validator per issuer, the token's `iss` picks it before any
 * key is fetched. `providers` maps an issuer to its own options (audience, jwks, jwksUri,
 * algorithms, tokenType, …). */
function createMultiValidator({ providers, issuer, ...shared }) {
  const issuers = Array.isArray(issuer) ? issuer : [issuer];
  const byIssuer = new Map(issuers.map((iss) => [iss, createValidator({ ...shared, ...(providers[iss] ?? {}), issuer: iss })]));
  const context = { realm: shared.realm };
  const pick = async (token) => {
    await loadCore();
    let iss;
    try {
      iss = peekIssuer(token, shared.maxTokenBytes ?? 8192);
    } catch (raw) {
      rethrow(raw, context);
    }
    const chosen = byIssuer.get(iss);
    if (!chosen) throw new TokenError("issuer_mismatch", "the token's issuer is not accepted", context);
    return chosen;
  };
  return {
    async validate(token, opts = {}) {
      if (typeof token !== "string" || token.length === 0) throw new TokenError("missing_token", "no token was given", context);
      return (await pick(token)).validate(token, opts);
    },
    async authenticate(request, opts = {}) {
      const presented = await readRequest(request, opts, context);
      return (await pick(presented.token)).validate(presented.token, presented.opts);
    },
    async introspect(token) {
      try {
        return await (await pick(token)).introspect(token);
      } catch (error) {
        if (error instanceof TokenError && error.status === 503) throw error;
        return { active: false };
      }
    },
    async exportCache() {
      const all = {};
      for (const [iss, v] of byIssuer) all[iss] = await v.exportCache();
      return JSON.stringify(all);
    },
    async importCache(json) {
      const all = typeof json === "string" ? JSON.parse(json) : json;
      let any = false;
      for (const [iss, v] of byIssuer) if (all?.[iss]) any = (await v.importCache(all[iss])) || any;
      return any;
    },
  };
}

export function createValidator(options) {
  if (options?.providers) return createMultiValidator(options);
  const { jwks, jwksUri, now, fetch: fetchImpl = (...a) => globalThis.fetch(...a), realm, revocations, cache, introspection, ...rest } = options ?? {};
  const coreOptions = Object.fromEntries(Object.entries(rest).filter(([name]) => MODULE_OPTIONS.includes(name)));
  const context = { realm };
  const clock = () => nowSeconds(now);
  let core = null;
  let ready = null;
  let configured = false;
  let inFlight = null;
  let discoveredJwksUri = null;
  let cacheOn = false;
  // The JS form of each cached token, by the core's slot number: `{ token, result, from,
  // until, keyEpoch }`. The core decides hits (keys, clock, scopes); this saves re-parsing the
  // result, and `from`/`until` are the core's answer to "until when would a lookup hit"
  // (TokenCache::passing_window), so a repeat inside them with the same key set and no extra
  // scopes is answered here without crossing into wasm.
  const cachedResults = [];
  // The same entries by token (at most one per slot: an entry leaves when its slot is reused).
  const knownTokens = new Map();
  // Bumped whenever the key set may have changed: entries from before go back to the core,
  // which checks that the same key is still chosen.
  let keyEpoch = 0;
  // Imported CryptoKeys (or the synchronous host's prepared keys), by the core's key number
  // and algorithm.
  const keyCache = new Map();
  const maxChars = (Number.isInteger(rest.maxTokenBytes) ? rest.maxTokenBytes : 8192) + 1;

  const fail = (raw, extra) => rethrow(raw, { ...context, ...extra });

  const setup = async () => {
    await loadCore();
    try {
      const unknown = Object.keys(rest).filter((name) => !MODULE_OPTIONS.includes(name));
      if (unknown.length) throw JSON.stringify({ code: "invalid_request", description: `unknown option ${unknown[0]}` });
      const { maxEntries, ttlSeconds } = cacheSettings(cache);
      core = new JsValidator(JSON.stringify(coreOptions));
      core.setTokenCache(maxEntries, ttlSeconds);
      cacheOn = maxEntries > 0;
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
      configured = true;
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
        keyEpoch++;
        core.onFetchSuccess(clock(), body, response.headers.get("cache-control") ?? undefined);
      } catch {
        // The core decides what a failure means (stale-if-error, backoff); it is not thrown.
        core.onFetchFailure(clock());
      } finally {
        inFlight = null;
      }
    })());

  const ensureKeys = async (token) => {
    switch (core.decide(tokenBytes(token, maxChars), clock())) {
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

  // A failure that may be insufficient_scope names every scope asked for (RFC 6750 §3).
  const failScope = (raw, extraScopes) => {
    const scope = [...(coreOptions.requiredScopes ?? []), ...(extraScopes ?? [])].join(" ");
    fail(raw, { scope: scope || undefined });
  };

  // Each caller gets its own top-level object; the header, claims and scopes inside are
  // frozen and shared by every validation of the same token.
  const view = ({ header, claims, alg, kid, scopes }) =>
    kid === undefined ? { header, claims, alg, scopes } : { header, claims, alg, kid, scopes };

  // Every validation, cached or not, asks the revocation hook, so a revoked token stops at
  // once even while it sits in the cache.
  const checkRevocation = async (result) => {
    if (await revocations.isRevoked(result.claims)) {
      throw new TokenError("revoked", "the token has been revoked", context);
    }
    return view(result);
  };

  // Opaque tokens (SPEC §7): asked upstream (RFC 7662) when `introspection` is configured;
  // the answer is judged and cached by the core.
  let opaque = null;
  const validateOpaque = async (token, opts) => {
    if (!opaque) {
      try {
        opaque = new JsOpaque(JSON.stringify(coreOptions), introspection.clientId, introspection.clientSecret);
        checkFetchUrl(introspection.endpoint);
      } catch (raw) {
        opaque = null;
        fail(raw);
      }
    }
    const extraScopes = opts.requiredScopes ?? [];
    if (!opaque.isCached(token, clock())) {
      let body;
      try {
        const response = await fetchImpl(introspection.endpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: opaque.authorization },
          body: opaque.requestBody(token),
          redirect: "manual",
          signal: AbortSignal.timeout(fetchTimeoutMs()),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        body = new Uint8Array(await response.arrayBuffer());
      } catch {
        throw new TokenError("introspection_unavailable", "the token could not be introspected right now", { ...context, retryAfter: 5 });
      }
      try {
        opaque.store(token, body, clock());
      } catch (raw) {
        fail(raw, { retryAfter: 5 });
      }
    }
    let result;
    try {
      result = parseResult(opaque.judge(token, clock(), extraScopes));
    } catch (raw) {
      failScope(raw, extraScopes);
    }
    return revocations ? checkRevocation(result) : view(result);
  };

  // Keeps the JS form of the token the core just cached or found in `slot`, with the
  // window the core gave for it.
  const remember = (slot, token, result) => {
    const previous = cachedResults[slot];
    if (previous !== undefined && knownTokens.get(previous.token) === previous) knownTokens.delete(previous.token);
    const entry = { token, slot, result, from: core.lastValidFrom, until: core.lastValidUntil, keyEpoch };
    cachedResults[slot] = entry;
    knownTokens.set(token, entry);
  };

  // Claims sets (frozen, shared by every validation of a cached token) that the core cleared
  // for a plain Bearer presentation (no DPoP proof, no client certificate): that verdict
  // depends on the claims alone, so a repeated token need not cross into wasm again.
  const clearedForBearer = new WeakSet();

  // Validation without the presentation rules (introspection asks about the token itself).
  const validateToken = async (token, opts = {}) => {
      if (!configured) {
        ready ??= setup();
        await ready;
      }
      if (typeof token !== "string" || token.length === 0) {
        throw new TokenError("missing_token", "no token was given", context);
      }
      if (introspection && !isCompactJws(token)) return validateOpaque(token, opts);
      const extraScopes = opts.requiredScopes?.length ? opts.requiredScopes : undefined;
      // Warm: a token verified before. Inside the window the core gave for it, with the same
      // key set and no extra scopes, nothing crosses into wasm; otherwise the core's lookup
      // decides (and names the rule a token now breaks). A token never cached skips both.
      const known = cacheOn ? knownTokens.get(token) : undefined;
      if (known !== undefined) {
        if (extraScopes === undefined && known.keyEpoch === keyEpoch) {
          const now = clock();
          if (now >= known.from && now < known.until) {
            core.markUsed(known.slot);
            return revocations ? checkRevocation(known.result) : view(known.result);
          }
        }
        let slot = -1;
        try {
          slot = core.lookup(tokenBytes(token, maxChars), clock(), extraScopes);
        } catch (raw) {
          failScope(raw, extraScopes);
        }
        const hit = slot >= 0 ? cachedResults[slot] : undefined;
        if (hit !== undefined && hit.token === token) {
          remember(slot, token, hit.result);
          return revocations ? checkRevocation(hit.result) : view(hit.result);
        }
      }
      if (jwks === undefined) await ensureKeys(token);
      // After any await: the buffer is shared.
      const bytes = tokenBytes(token, maxChars);
      let pending;
      try {
        pending = core.begin(bytes, clock());
      } catch (raw) {
        fail(raw, { retryAfter: core.retryAfter(clock()) });
      }
      // A signature whose shape is already wrong needs no host: the verdict is false.
      let verdict = false;
      let prepared;
      if (pending.needsVerdict) {
        const algIndex = pending.algIndex;
        const alg = algNames[algIndex];
        const keyNumber = pending.keyId * 16 + algIndex;
        // The signed bytes are the token up to its last dot (ASCII, as begin accepted it).
        const signedLength = token.lastIndexOf(".");
        verdict = verifyInThread(pending, alg, keyCache, keyNumber, bytes.subarray(0, signedLength));
        if (verdict === undefined && hostParams(alg)) {
          // WebCrypto works off this thread: start it, run the claim rules (and parse their
          // result) meanwhile, then wait. The core's finish still decides, verdict first. The
          // signed bytes are copied out of the shared buffer before any await.
          const verifying = verifyWithHost(pending, alg, keyCache, keyNumber, bytes.slice(0, signedLength));
          const preparedJson = core.precheck(pending, clock(), extraScopes);
          if (preparedJson !== undefined) prepared = parseResult(preparedJson);
          verdict = await verifying;
        }
      }
      let result;
      try {
        const json = core.finish(pending, verdict ?? undefined, clock(), extraScopes);
        result = json === undefined ? prepared : parseResult(json);
      } catch (raw) {
        failScope(raw, extraScopes);
      }
      // The binding rules' verdict for a plain Bearer presentation, from the core.
      if (core.lastBearerOk) clearedForBearer.add(result.claims);
      if (cacheOn) {
        const slot = core.lastSlot();
        if (slot >= 0) remember(slot, token, result);
      }
      return revocations ? checkRevocation(result) : view(result);
  };

  // The algorithms a DPoP proof may use: the validator's asymmetric ones.
  const dpopAlgorithms = () => (coreOptions.algorithms ?? algNames).filter((alg) => !alg.startsWith("HS"));
  const replay = new ReplayStore();

  const validator = {
    async validate(token, opts = {}) {
      const result = await validateToken(token, opts);
      const plainBearer = !opts.dpop && opts.clientCertificateThumbprint == null;
      if (plainBearer && clearedForBearer.has(result.claims)) return result;
      try {
        await checkSenderConstraints({
          token,
          claims: result.claims,
          opts,
          now: clock(),
          toleranceSeconds: coreOptions.clockToleranceSeconds ?? 60,
          algorithms: dpopAlgorithms(),
          replay,
          verifyPending,
        });
      } catch (raw) {
        fail(raw, { dpopAlgorithms: dpopAlgorithms() });
      }
      if (plainBearer) clearedForBearer.add(result.claims);
      return result;
    },

    async authenticate(request, opts = {}) {
      const presented = await readRequest(request, opts, context);
      return validator.validate(presented.token, presented.opts);
    },

    async introspect(token) {
      try {
        const { claims } = await validateToken(token);
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
        keyEpoch++;
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
