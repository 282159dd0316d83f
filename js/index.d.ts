/** Options of {@link createValidator} (SPEC §4). */
export interface ValidatorOptions {
  issuer: string | string[];
  audience?: string | string[];
  jwks?: { keys: object[] } | string;
  jwksUri?: string;
  algorithms?: string[];
  clockToleranceSeconds?: number;
  maxTokenAgeSeconds?: number;
  requiredClaims?: string[];
  requiredScopes?: string[];
  tokenType?: string;
  maxTokenBytes?: number;
  /** Seconds since the epoch; for tests. */
  now?: () => number;
  fetch?: typeof fetch;
  /** The realm of `WWW-Authenticate` challenges. Default "api". */
  realm?: string;
  /** Opaque tokens (not a compact JWS) are introspected here (RFC 7662, HTTP Basic). */
  introspection?: { endpoint: string; clientId: string; clientSecret: string };
  /** Several issuers: `issuer` as a list, and per-issuer options; the token's `iss` picks. */
  providers?: Record<string, Partial<Omit<ValidatorOptions, "issuer" | "providers">>>;
  /** Checked after every successful validation; `true` refuses the token with `revoked`. */
  revocations?: { isRevoked(claims: Record<string, unknown>): boolean | Promise<boolean> };
  /**
   * The verified-token cache (on by default): a token seen again costs one lookup, no
   * signature check. Every hit still gets the clock rules, `requiredScopes`, the current key
   * set and `revocations`. `maxEntries` (default 1000) bounds it; `ttlSeconds` ends entries
   * before the token's `exp`. `false` turns it off.
   */
  cache?: { maxEntries?: number; ttlSeconds?: number } | false;
}

/** `header`, `claims` and `scopes` are frozen: a cached token's are shared between calls. */
export interface VerifiedToken {
  header: Readonly<Record<string, unknown>>;
  claims: Readonly<Record<string, unknown>>;
  alg: string;
  kid?: string;
  scopes: string[];
}

export interface ValidateOptions {
  requiredScopes?: string[];
  /** RFC 9449: the DPoP proof presented with the token, and the request it must match. */
  dpop?: { proof: string; method: string; url: string; /** the server nonce the proof must carry */ nonce?: string };
  /** RFC 8705: base64url SHA-256 of the client certificate (DER), for `cnf["x5t#S256"]`. */
  clientCertificateThumbprint?: string;
  /** authenticate(): the server nonce DPoP proofs must carry. */
  dpopNonce?: string;
}

export interface Validator {
  /** @throws {TokenError} */
  validate(token: string, opts?: ValidateOptions): Promise<VerifiedToken>;
  /** Reads `Authorization: Bearer`. @throws {TokenError} */
  authenticate(request: Request, opts?: ValidateOptions): Promise<VerifiedToken>;
  /** RFC 7662: `{active: true, ...}` for a valid token, exactly `{active: false}` otherwise. */
  introspect(token: string): Promise<IntrospectionResponse>;
  /** The remote key cache as JSON (null with static keys), to store between edge isolates. */
  exportCache(): Promise<string | null>;
  /** Takes in an exported cache when it is newer; returns whether it was. */
  importCache(json: string | object): Promise<boolean>;
}

export interface IntrospectionResponse {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  token_type?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  jti?: string;
  cnf?: Record<string, unknown>;
}

export type TokenErrorCode =
  | "missing_token" | "invalid_request" | "malformed" | "token_too_large"
  | "unsupported_algorithm" | "algorithm_not_allowed" | "unknown_key" | "invalid_key"
  | "signature_invalid" | "expired" | "not_yet_valid" | "issued_in_future" | "too_old"
  | "issuer_mismatch" | "audience_mismatch" | "missing_claim" | "invalid_claim"
  | "type_mismatch" | "crit_unsupported" | "insufficient_scope" | "revoked"
  | "dpop_invalid" | "jwks_unavailable" | "introspection_unavailable";

export declare class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly status: number;
  readonly wwwAuthenticate: string;
  /** For DPoP proof failures: `invalid_dpop_proof` or `use_dpop_nonce` (RFC 9449 §12.2). */
  readonly error?: string;
  /** Seconds, on 503 errors (`jwks_unavailable`, `introspection_unavailable`). */
  readonly retryAfter?: number;
  toResponse(): Response;
}

export declare function createValidator(options: ValidatorOptions): Validator;

/** Signature and header rules only (SPEC §4): the payload need not be JWT claims. */
export declare function verifyJws(
  compact: string,
  options: { jwks: { keys: object[] } | string; algorithms?: string[] },
): Promise<{ header: Record<string, unknown>; payload: Uint8Array }>;

// ---------------------------------------------------------------- PKCE and browser helpers (SPEC §4)

export interface PkcePair {
  /** 43 characters of the unreserved alphabet, from 256 random bits. */
  codeVerifier: string;
  /** base64url(SHA-256(codeVerifier)). */
  codeChallenge: string;
  codeChallengeMethod: "S256";
}

/** A fresh PKCE pair (RFC 7636 §4.1–4.2), made by the core in wasm. */
export declare function createPkcePair(): Promise<PkcePair>;
/** The S256 challenge of a verifier. @throws {TypeError} unless 43–128 unreserved characters */
export declare function deriveCodeChallenge(codeVerifier: string): Promise<string>;
/** Constant-time check; only `S256` is accepted (`plain` is refused, RFC 9700 §2.1.1). */
export declare function verifyCodeChallenge(codeVerifier: string, codeChallenge: string, method?: string): Promise<boolean>;
/** 256 random bits, base64url (43 characters). Synchronous. */
export declare function randomState(): string;
/** 256 random bits, base64url (43 characters). Synchronous. */
export declare function randomNonce(): string;

export interface AuthorizationUrlOptions {
  /** https, or http to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`); no fragment. */
  authorizationEndpoint: string | URL;
  clientId: string;
  redirectUri: string;
  scope?: string;
  state: string;
  codeChallenge: string;
  nonce?: string;
  /**
   * More parameters (`prompt`, `login_hint`, `response_mode`, `resource`…). Those the helper
   * sets (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`,
   * `code_challenge`, `code_challenge_method`) and `request`/`request_uri` are refused.
   */
  extraParams?: Record<string, string | number | boolean | undefined | null> | URLSearchParams;
}

/**
 * The authorization request URL: `response_type=code`, `code_challenge_method=S256`.
 * Synchronous: the core must be loaded, which `createPkcePair()` / `deriveCodeChallenge()` do.
 * @throws {TypeError} on a bad endpoint or parameter
 */
export declare function buildAuthorizationUrl(options: AuthorizationUrlOptions): string;

export interface AuthorizationResponse {
  code: string;
  state: string;
  /** RFC 9207 issuer identifier, when the server sent one. */
  iss?: string;
}

/**
 * Reads the authorization response from the redirect URL (query or fragment). `state` must
 * match. With `issuer`, the response's `iss` must be present and equal (RFC 9207 §2.4: pass it
 * when discovery says `authorization_response_iss_parameter_supported`).
 * @throws {OAuthError} `issuer_mismatch`, `state_mismatch`, `invalid_response`, or the
 * server's error (`access_denied`, …)
 */
export declare function parseAuthorizationResponse(url: string | URL, options: { state: string; issuer?: string }): AuthorizationResponse;

export interface TokenSet {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
  /** Seconds, as the server sent `expires_in`. */
  expiresIn?: number;
  /** Seconds since the epoch, from the injected clock: floor(now()) + expiresIn. */
  expiresAt?: number;
  /** The token endpoint's JSON answer. */
  raw: Record<string, unknown>;
}

export interface TokenEndpointOptions {
  /** https, or http to a loopback host. */
  tokenEndpoint: string | URL;
  clientId: string;
  fetch?: typeof fetch;
  /** Seconds since the epoch; for tests. */
  now?: () => number;
}

/** The authorization code grant with PKCE, as a public client. @throws {OAuthError} */
export declare function exchangeAuthorizationCode(
  options: TokenEndpointOptions & { code: string; codeVerifier: string; redirectUri: string },
): Promise<TokenSet>;

/** The refresh token grant. `refreshToken` is absent from the result when the server did not rotate it. @throws {OAuthError} */
export declare function refreshTokens(
  options: TokenEndpointOptions & { refreshToken: string; scope?: string },
): Promise<TokenSet>;

/** The subset of the Web Storage API TokenManager uses (sessionStorage, localStorage, or your own). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TokenManagerOptions extends TokenEndpointOptions {
  /** The tokens of the sign-in; without them, `storage` is read. */
  tokens?: TokenSet;
  /** The fraction of the access token's lifetime after which it is refreshed. Default 0.75. */
  refreshAt?: number;
  /** Where tokens are kept besides memory. Default: memory only. */
  storage?: TokenStorage;
  /** Default "edge-token-validator.tokens". */
  storageKey?: string;
  /** Sent with refresh requests. */
  scope?: string;
}

export interface TokenManagerEventMap {
  refresh: Event & { readonly detail: TokenSet };
  error: Event & { readonly detail: { error: Error; signInRequired: boolean } };
}

export declare class TokenManager extends EventTarget {
  constructor(options: TokenManagerOptions);
  /** The current tokens, or null when the user must sign in. */
  readonly tokens: TokenSet | null;
  /**
   * An access token, refreshed once `refreshAt` of its lifetime has passed; concurrent calls
   * share one refresh; a rotated refresh token is adopted.
   * @throws {OAuthError} `sign_in_required` when the refresh token is refused (`invalid_grant`,
   * kept as `cause`) or there are no tokens; a refresh error once the token has expired
   */
  getAccessToken(): Promise<string>;
  /** Refreshes now (single-flight). */
  refresh(): Promise<TokenSet>;
  setTokens(tokens: TokenSet): void;
  /** Forgets the tokens (no server-side revocation). */
  clear(): void;
  addEventListener<K extends keyof TokenManagerEventMap>(type: K, listener: (event: TokenManagerEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof TokenManagerEventMap>(type: K, listener: (event: TokenManagerEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * `error` is the server's OAuth error code (`invalid_grant`, `access_denied`, …) or one of
 * this library's: `state_mismatch`, `issuer_mismatch`, `invalid_response`, `network_error`,
 * `sign_in_required`.
 */
export declare class OAuthError extends Error {
  readonly error: string;
  readonly errorDescription?: string;
  /** HTTP status of a token endpoint answer. */
  readonly status?: number;
  readonly errorUri?: string;
}
