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
  /** Checked after every successful validation; `true` refuses the token with `revoked`. */
  revocations?: { isRevoked(claims: Record<string, unknown>): boolean | Promise<boolean> };
  cache?: { maxEntries?: number } | false;
}

export interface VerifiedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  alg: string;
  kid?: string;
  scopes: string[];
}

export interface ValidateOptions {
  requiredScopes?: string[];
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
