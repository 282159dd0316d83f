// Browser helpers for the OAuth 2.0 authorization-code flow with PKCE, as RFC 9700 §2.1.1
// and the OAuth 2.0 for Browser-Based Apps BCP want it for single-page apps. The PKCE
// values, the random `state`/`nonce` values and the endpoint URL rule come from the Rust core
// through wasm; this file holds only the HTTP glue and the token lifecycle.
import { loadCore, coreIsLoaded } from "./api.js";
import {
  createPkcePair as corePkcePair,
  deriveCodeChallenge as coreDeriveCodeChallenge,
  verifyCodeChallenge as coreVerifyCodeChallenge,
  randomToken,
  checkFetchUrl,
  fetchTimeoutMs,
} from "../pkg/edge_token_validator.js";

/**
 * An OAuth error: one the server sent (`error` is its code, `status` the HTTP status for
 * token endpoint answers), or one this library found in a response (`state_mismatch`,
 * `issuer_mismatch`, `invalid_response`, `network_error`, `sign_in_required`).
 */
export class OAuthError extends Error {
  constructor(error, errorDescription, { status, errorUri, cause } = {}) {
    super(errorDescription ? `${error}: ${errorDescription}` : error, cause === undefined ? undefined : { cause });
    this.name = "OAuthError";
    this.error = error;
    if (errorDescription !== undefined) this.errorDescription = errorDescription;
    if (status !== undefined) this.status = status;
    if (errorUri !== undefined) this.errorUri = errorUri;
  }
}

// The core's errors cross as a JSON string `{code, description}`.
function coreDescription(raw) {
  if (typeof raw === "string" && raw.startsWith("{")) return JSON.parse(raw).description;
  throw raw;
}

function requireString(where, name, value) {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${where}: ${name} must be a non-empty string`);
}

/** The core's fetch-URL rule (https, or http to a loopback host): the core must be loaded. */
function checkEndpoint(where, name, url) {
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError(`${where}: ${name} must be a URL`);
  try {
    checkFetchUrl(String(url));
  } catch (raw) {
    throw new TypeError(`${where}: ${name} refused: ${coreDescription(raw)}`);
  }
}

// ------------------------------------------------------------------ PKCE and random values

/**
 * A fresh PKCE pair (RFC 7636 §4.1–4.2): a 43-character verifier from 256 random bits and its
 * S256 challenge.
 * @returns {Promise<{ codeVerifier: string, codeChallenge: string, codeChallengeMethod: "S256" }>}
 */
export async function createPkcePair() {
  await loadCore();
  try {
    return JSON.parse(corePkcePair());
  } catch (raw) {
    throw new Error(coreDescription(raw));
  }
}

/**
 * The S256 challenge of a code verifier.
 * @throws {TypeError} when the verifier is not 43 to 128 unreserved characters
 */
export async function deriveCodeChallenge(codeVerifier) {
  await loadCore();
  if (typeof codeVerifier !== "string") throw new TypeError("deriveCodeChallenge: the code verifier must be a string");
  try {
    return coreDeriveCodeChallenge(codeVerifier);
  } catch (raw) {
    throw new TypeError(`deriveCodeChallenge: ${coreDescription(raw)}`);
  }
}

/** Whether `codeVerifier` matches `codeChallenge` (constant time; `plain` is refused). */
export async function verifyCodeChallenge(codeVerifier, codeChallenge, method = "S256") {
  await loadCore();
  if (typeof codeVerifier !== "string" || typeof codeChallenge !== "string" || typeof method !== "string") return false;
  return coreVerifyCodeChallenge(codeVerifier, codeChallenge, method);
}

// SPEC makes randomState/randomNonce synchronous, and the wasm loads asynchronously. Once it
// is loaded the core makes the value; before that, the same 32 bytes from the same source
// (crypto.getRandomValues, which the core reaches through getrandom) are encoded here. Only
// randomness and encoding are involved: there is no rule to duplicate.
function randomValue(where) {
  if (coreIsLoaded()) {
    try {
      return randomToken();
    } catch (raw) {
      throw new Error(`${where}: ${coreDescription(raw)}`);
    }
  }
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A `state` value: 256 random bits, base64url (43 characters). */
export function randomState() {
  return randomValue("randomState");
}

/** A `nonce` value: 256 random bits, base64url (43 characters). */
export function randomNonce() {
  return randomValue("randomNonce");
}

// ------------------------------------------------------------------ authorization request

// Parameters the helper sets itself. `request` and `request_uri` (RFC 9101, RFC 9126) would
// replace all of them at the server, so they are refused as well.
const PROTECTED_PARAMS = new Set([
  "response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
  "code_challenge", "code_challenge_method", "request", "request_uri",
]);

/**
 * The authorization request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3): `response_type=code`,
 * `code_challenge_method=S256`. Synchronous, so the core must be loaded: it is by
 * `createPkcePair()` or `deriveCodeChallenge()`, which give the `codeChallenge` it takes.
 * @throws {TypeError} on a missing parameter, an endpoint that is not https (loopback hosts
 * excepted) or has a fragment, or `extraParams` that would override a parameter set here
 */
export function buildAuthorizationUrl({ authorizationEndpoint, clientId, redirectUri, scope, state, codeChallenge, nonce, extraParams } = {}) {
  const where = "buildAuthorizationUrl";
  requireString(where, "clientId", clientId);
  requireString(where, "redirectUri", redirectUri);
  requireString(where, "state", state);
  requireString(where, "codeChallenge", codeChallenge);
  if (scope !== undefined) requireString(where, "scope", scope);
  if (nonce !== undefined) requireString(where, "nonce", nonce);
  if (!coreIsLoaded()) {
    throw new Error(`${where}: the wasm core is not loaded yet; await createPkcePair() or deriveCodeChallenge() first`);
  }
  checkEndpoint(where, "authorizationEndpoint", authorizationEndpoint);
  const url = new URL(String(authorizationEndpoint));
  if (url.hash) throw new TypeError(`${where}: authorizationEndpoint must not have a fragment (RFC 6749 §3.1)`);
  // The endpoint's own query is kept (RFC 6749 §3.1), unless it sets this flow's parameters.
  for (const name of url.searchParams.keys()) {
    if (PROTECTED_PARAMS.has(name)) throw new TypeError(`${where}: authorizationEndpoint already sets ${name}`);
  }
  const params = url.searchParams;
  params.set("response_type", "code");
  params.set("client_id", clientId);
  params.set("redirect_uri", redirectUri);
  if (scope !== undefined) params.set("scope", scope);
  params.set("state", state);
  if (nonce !== undefined) params.set("nonce", nonce);
  params.set("code_challenge", codeChallenge);
  params.set("code_challenge_method", "S256");
  if (extraParams !== undefined && extraParams !== null) {
    const entries = extraParams instanceof URLSearchParams ? [...extraParams] : Object.entries(extraParams);
    for (const [name, value] of entries) {
      if (PROTECTED_PARAMS.has(name)) throw new TypeError(`${where}: extraParams may not set ${name}`);
      if (value === undefined || value === null) continue;
      params.append(name, String(value));
    }
  }
  return url.href;
}

// ------------------------------------------------------------------ authorization response

const RESPONSE_PARAMS = ["code", "state", "error", "iss"];

function timingSafeEqual(a, b) {
  // A mismatch of length says nothing about the expected value's content.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Reads the authorization response from the redirect URL (query or fragment form). Checks, in
 * this order: `iss` when `issuer` is given (RFC 9207 §2.4: passing `issuer` says the server
 * sends `iss`, so its absence is refused too), `state` (present and equal), then `error`.
 * @throws {OAuthError} `issuer_mismatch`, `state_mismatch`, `invalid_response`, or the
 * server's own `error` (e.g. `access_denied`) with `errorDescription`
 */
export function parseAuthorizationResponse(url, { state, issuer } = {}) {
  const where = "parseAuthorizationResponse";
  requireString(where, "the expected state", state);
  if (issuer !== undefined) requireString(where, "issuer", issuer);
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError(`${where}: url must be a URL`);
  const parsed = new URL(String(url));
  const carries = (params) => RESPONSE_PARAMS.some((name) => params.has(name));
  const query = parsed.searchParams;
  const fragment = new URLSearchParams(parsed.hash.slice(1));
  if (carries(query) && carries(fragment)) {
    throw new OAuthError("invalid_response", "the URL has response parameters in both its query and its fragment");
  }
  const params = carries(fragment) ? fragment : query;
  if (!carries(params)) throw new OAuthError("invalid_response", "the URL carries no authorization response");
  // RFC 6749 §3.1: parameters must not appear more than once.
  const single = (name) => {
    const all = params.getAll(name);
    if (all.length > 1) throw new OAuthError("invalid_response", `the response has more than one ${name} parameter`);
    return all[0];
  };
  const iss = single("iss");
  const gotState = single("state");
  const error = single("error");
  const code = single("code");
  if (issuer !== undefined) {
    if (iss === undefined) throw new OAuthError("issuer_mismatch", "the response has no iss parameter, yet the issuer was expected to send one (RFC 9207 §2.4)");
    if (iss !== issuer) throw new OAuthError("issuer_mismatch", "the response comes from another issuer than the one the request went to (RFC 9207 §2.4: mix-up attack)");
  }
  if (gotState === undefined) throw new OAuthError("state_mismatch", "the response has no state parameter");
  if (!timingSafeEqual(gotState, state)) throw new OAuthError("state_mismatch", "the response's state is not the one sent with the request (RFC 6749 §10.12: CSRF)");
  if (error !== undefined) throw new OAuthError(error, single("error_description"), { errorUri: single("error_uri") });
  if (!code) throw new OAuthError("invalid_response", "the response has no code");
  return iss === undefined ? { code, state: gotState } : { code, state: gotState, iss };
}

// ------------------------------------------------------------------ token endpoint

const defaultFetch = (...args) => globalThis.fetch(...args);
const defaultNow = () => Date.now() / 1000;

function optionalString(json, name, status) {
  const value = json[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new OAuthError("invalid_response", `the token response's ${name} is not a string`, { status });
  return value;
}

/** The TokenSet of a successful token response (RFC 6749 §5.1). */
function toTokenSet(json, now, status) {
  if (typeof json.access_token !== "string" || json.access_token.length === 0) {
    if (typeof json.error === "string" && json.error) {
      throw new OAuthError(json.error, optionalString(json, "error_description"), { status, errorUri: optionalString(json, "error_uri") });
    }
    throw new OAuthError("invalid_response", "the token response has no access_token", { status });
  }
  if (typeof json.token_type !== "string" || json.token_type.length === 0) {
    throw new OAuthError("invalid_response", "the token response has no token_type", { status });
  }
  const expiresIn = json.expires_in ?? undefined;
  if (expiresIn !== undefined && !(typeof expiresIn === "number" && Number.isFinite(expiresIn) && expiresIn >= 0)) {
    throw new OAuthError("invalid_response", "the token response's expires_in is not a non-negative number", { status });
  }
  const tokens = { accessToken: json.access_token, tokenType: json.token_type };
  const refreshToken = optionalString(json, "refresh_token", status);
  const idToken = optionalString(json, "id_token", status);
  const scope = optionalString(json, "scope", status);
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (idToken !== undefined) tokens.idToken = idToken;
  if (scope !== undefined) tokens.scope = scope;
  if (expiresIn !== undefined) {
    tokens.expiresIn = expiresIn;
    // Whole seconds, rounded down: the token is taken to expire a little early, never late.
    tokens.expiresAt = Math.floor(now()) + expiresIn;
  }
  tokens.raw = json;
  return tokens;
}

async function tokenRequest(where, { tokenEndpoint, clientId, fetch: fetchImpl = defaultFetch, now = defaultNow }, grant) {
  await loadCore();
  requireString(where, "clientId", clientId);
  checkEndpoint(where, "tokenEndpoint", tokenEndpoint);
  // A public client identifies itself with client_id in the body (RFC 6749 §3.2.1). A form
  // body and an Accept header keep the request CORS-simple: no preflight.
  const body = new URLSearchParams({ ...grant, client_id: clientId });
  let response;
  let text;
  try {
    response = await fetchImpl(String(tokenEndpoint), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      // Redirects are not followed: the code and verifier go to the configured endpoint only.
      // ("manual", as Workers do not support "error".)
      redirect: "manual",
      signal: AbortSignal.timeout(fetchTimeoutMs()),
    });
    text = await response.text();
  } catch (cause) {
    const reason = cause?.name === "TimeoutError" ? "timed out" : "failed";
    throw new OAuthError("network_error", `the request to the token endpoint ${reason}`, { cause });
  }
  const status = response.status;
  // Browsers hide a manual redirect as an "opaqueredirect" with status 0; other hosts show the 3xx.
  if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
    throw new OAuthError("invalid_response", "the token endpoint answered with a redirect, which is not followed", status ? { status } : {});
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const isObject = json !== null && typeof json === "object" && !Array.isArray(json);
  if (!response.ok) {
    if (isObject && typeof json.error === "string" && json.error) {
      throw new OAuthError(json.error, optionalString(json, "error_description"), { status, errorUri: optionalString(json, "error_uri") });
    }
    throw new OAuthError("invalid_response", `the token endpoint answered HTTP ${status} without an OAuth error`, { status });
  }
  if (!isObject) throw new OAuthError("invalid_response", "the token endpoint's answer is not a JSON object", { status });
  return toTokenSet(json, now, status);
}

/**
 * Exchanges an authorization code for tokens (RFC 6749 §4.1.3 with RFC 7636 §4.5), as a
 * public client.
 * @throws {OAuthError} the server's error (`status` set), `invalid_response`, `network_error`
 */
export async function exchangeAuthorizationCode({ tokenEndpoint, clientId, code, codeVerifier, redirectUri, fetch, now } = {}) {
  const where = "exchangeAuthorizationCode";
  requireString(where, "code", code);
  requireString(where, "codeVerifier", codeVerifier);
  requireString(where, "redirectUri", redirectUri);
  return tokenRequest(where, { tokenEndpoint, clientId, fetch, now }, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: codeVerifier,
  });
}

/**
 * Uses a refresh token (RFC 6749 §6). The result carries the server's new refresh token when
 * it rotated one; without one, the old refresh token stays valid.
 * @throws {OAuthError} the server's error (`invalid_grant`: sign in again), `invalid_response`,
 * `network_error`
 */
export async function refreshTokens({ tokenEndpoint, clientId, refreshToken, scope, fetch, now } = {}) {
  const where = "refreshTokens";
  requireString(where, "refreshToken", refreshToken);
  const grant = { grant_type: "refresh_token", refresh_token: refreshToken };
  if (scope !== undefined) {
    requireString(where, "scope", scope);
    grant.scope = scope;
  }
  return tokenRequest(where, { tokenEndpoint, clientId, fetch, now }, grant);
}

// ------------------------------------------------------------------ TokenManager

/** The events of TokenManager: `detail` as in CustomEvent, without needing it in the host. */
class TokenManagerEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

function isTokenSet(value) {
  return value !== null && typeof value === "object" && typeof value.accessToken === "string" && value.accessToken.length > 0;
}

/**
 * Holds a TokenSet and hands out access tokens, refreshing once `refreshAt` (default 75%) of
 * the access token's lifetime has passed. Tokens stay in memory unless a Web Storage-like
 * `storage` is given. Events: `refresh` (detail: the new TokenSet) and `error` (detail:
 * `{ error, signInRequired }`).
 */
export class TokenManager extends EventTarget {
  #tokenEndpoint;
  #clientId;
  #scope;
  #refreshAt;
  #fetch;
  #now;
  #storage;
  #storageKey;
  #tokens = null;
  #inFlight = null;

  constructor({ tokenEndpoint, clientId, tokens, refreshAt = 0.75, fetch, now = defaultNow, storage, storageKey = "edge-token-validator.tokens", scope } = {}) {
    super();
    requireString("TokenManager", "clientId", clientId);
    if (typeof tokenEndpoint !== "string" && !(tokenEndpoint instanceof URL)) throw new TypeError("TokenManager: tokenEndpoint must be a URL");
    if (!(typeof refreshAt === "number" && refreshAt > 0 && refreshAt <= 1)) throw new RangeError("TokenManager: refreshAt must be in (0, 1]");
    if (typeof now !== "function") throw new TypeError("TokenManager: now must be a function returning seconds");
    if (storage !== undefined && !(typeof storage?.getItem === "function" && typeof storage.setItem === "function" && typeof storage.removeItem === "function")) {
      throw new TypeError("TokenManager: storage must have getItem, setItem and removeItem (like sessionStorage)");
    }
    this.#tokenEndpoint = tokenEndpoint;
    this.#clientId = clientId;
    this.#scope = scope;
    this.#refreshAt = refreshAt;
    this.#fetch = fetch;
    this.#now = now;
    this.#storage = storage;
    this.#storageKey = storageKey;
    if (tokens !== undefined && tokens !== null) {
      this.setTokens(tokens);
    } else if (storage) {
      this.#tokens = this.#readStorage();
    }
  }

  /** The current TokenSet, or null when the user must sign in. */
  get tokens() {
    return this.#tokens;
  }

  /** Replaces the tokens (after a sign-in). */
  setTokens(tokens) {
    if (!isTokenSet(tokens)) throw new TypeError("TokenManager: tokens must be a TokenSet with an accessToken");
    this.#tokens = tokens;
    this.#storage?.setItem(this.#storageKey, JSON.stringify(tokens));
  }

  /** Forgets the tokens (sign-out; it does not revoke them at the server). */
  clear() {
    this.#tokens = null;
    this.#storage?.removeItem(this.#storageKey);
  }

  /**
   * A valid access token: the current one, or a refreshed one once `refreshAt` of its lifetime
   * has passed. Concurrent calls share one refresh. A refresh that fails while the current
   * token is still unexpired (network down, server error) leaves that token in use and emits
   * `error`; a refused refresh token (`invalid_grant`) clears the tokens.
   * @throws {OAuthError} `sign_in_required` (no usable tokens; `cause` holds the server's
   * error when there is one), or the refresh's error once the access token has expired
   */
  async getAccessToken() {
    const tokens = this.#tokens;
    if (!tokens) throw new OAuthError("sign_in_required", "no tokens: the user must sign in");
    if (!this.#due(tokens)) return tokens.accessToken;
    // Without a refresh token there is nothing to refresh with: the token serves until expiry.
    if (!tokens.refreshToken && !this.#expired(tokens)) return tokens.accessToken;
    try {
      return (await this.refresh()).accessToken;
    } catch (error) {
      if (error?.error !== "sign_in_required" && this.#tokens === tokens && !this.#expired(tokens)) return tokens.accessToken;
      throw error;
    }
  }

  /**
   * Refreshes now (single-flight: a refresh under way is shared) and adopts a rotated refresh
   * token. Emits `refresh` on success, `error` on failure.
   * @returns {Promise<TokenSet>}
   */
  refresh() {
    this.#inFlight ??= this.#runRefresh().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #runRefresh() {
    const current = this.#tokens;
    if (!current?.refreshToken) {
      const error = new OAuthError("sign_in_required", current ? "there is no refresh token: the user must sign in again" : "no tokens: the user must sign in");
      // An unexpired access token without a refresh token is kept: it still works until then.
      if (!current || this.#expired(current)) this.#signInRequired(current, error);
      throw error;
    }
    let next;
    try {
      next = await refreshTokens({
        tokenEndpoint: this.#tokenEndpoint,
        clientId: this.#clientId,
        refreshToken: current.refreshToken,
        scope: this.#scope,
        fetch: this.#fetch,
        now: this.#now,
      });
    } catch (cause) {
      if (cause instanceof OAuthError && cause.error === "invalid_grant") {
        const error = new OAuthError("sign_in_required", `the refresh token was refused (invalid_grant${cause.errorDescription ? `: ${cause.errorDescription}` : ""}); the user must sign in again`, { status: cause.status, cause });
        this.#signInRequired(current, error);
        throw error;
      }
      this.dispatchEvent(new TokenManagerEvent("error", { error: cause, signInRequired: false }));
      throw cause;
    }
    // RFC 6749 §6: without a new refresh token the old one stays valid; without scope the
    // scope is unchanged (§5.1); the ID token of the sign-in stays the user's.
    next = { ...next, refreshToken: next.refreshToken ?? current.refreshToken };
    if (next.idToken === undefined && current.idToken !== undefined) next.idToken = current.idToken;
    if (next.scope === undefined && current.scope !== undefined) next.scope = current.scope;
    // A sign-out or a new sign-in during the refresh wins over its result.
    if (this.#tokens === current) {
      this.setTokens(next);
      this.dispatchEvent(new TokenManagerEvent("refresh", next));
    }
    return next;
  }

  #signInRequired(current, error) {
    if (this.#tokens === current) this.clear();
    this.dispatchEvent(new TokenManagerEvent("error", { error, signInRequired: true }));
  }

  #due(tokens) {
    if (typeof tokens.expiresAt !== "number") return false; // no expires_in: lifetime unknown
    const lifetime = typeof tokens.expiresIn === "number" ? tokens.expiresIn : 0;
    return this.#now() >= tokens.expiresAt - (1 - this.#refreshAt) * lifetime;
  }

  #expired(tokens) {
    return typeof tokens.expiresAt === "number" && this.#now() >= tokens.expiresAt;
  }

  #readStorage() {
    try {
      const stored = JSON.parse(this.#storage.getItem(this.#storageKey) ?? "null");
      return isTokenSet(stored) ? stored : null;
    } catch {
      return null;
    }
  }
}
