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
  toResponse(): Response;
}

export declare function createValidator(options: ValidatorOptions): Validator;
