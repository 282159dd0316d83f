// The public API, shared by every entry point (index.js, workerd.js), which differ only in
// how they load the wasm.
export { createValidator, verifyJws, TokenError } from "./api.js";
export {
  createPkcePair,
  deriveCodeChallenge,
  verifyCodeChallenge,
  randomState,
  randomNonce,
  buildAuthorizationUrl,
  parseAuthorizationResponse,
  exchangeAuthorizationCode,
  refreshTokens,
  TokenManager,
  OAuthError,
} from "./oauth.js";
