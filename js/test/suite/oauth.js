// The PKCE and browser helpers' cases of the shared suite (Node, Chromium, workerd): what runs
// without a server. The token endpoint is tested against real servers in test/node and, with
// oidc-provider, in test/browser/oauth-flow.test.js.
import { ok, equal } from "./check.js";

const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;

function throwsOAuth(lib, fn, error) {
  try {
    fn();
  } catch (caught) {
    ok(caught instanceof lib.OAuthError, `expected an OAuthError, got ${caught}`);
    equal(caught.error, error);
    return caught;
  }
  throw new Error(`expected an OAuthError ${error}, nothing was thrown`);
}

/** base64url(SHA-256(text)) by the host's WebCrypto: an independent S256. */
async function s256(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * @param {object} lib the package under test
 * @param {{ tokenServer?: string }} extras the origin of test/support/token-server.mjs, where
 * the runner can start one
 */
export function oauthCases(lib, extras = {}) {
  const list = [];
  const add = (name, run) => list.push({ name, run });

  add("PKCE: RFC 7636 Appendix B vector", async () => {
    equal(await lib.deriveCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    equal(await lib.verifyCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), true);
    equal(await lib.verifyCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "plain"), false);
  });

  add("PKCE: 100 pairs are distinct, S256 as the host's WebCrypto computes it", async () => {
    const seen = new Set();
    for (let i = 0; i < 100; i++) {
      const { codeVerifier, codeChallenge, codeChallengeMethod } = await lib.createPkcePair();
      equal(codeChallengeMethod, "S256");
      ok(BASE64URL_256_BITS.test(codeVerifier), codeVerifier);
      equal(codeChallenge, await s256(codeVerifier));
      seen.add(codeVerifier);
    }
    equal(seen.size, 100);
  });

  add("randomState and randomNonce: 256 bits, base64url, distinct", async () => {
    const values = new Set([lib.randomState(), lib.randomState(), lib.randomNonce(), lib.randomNonce()]);
    equal(values.size, 4);
    for (const value of values) ok(BASE64URL_256_BITS.test(value), value);
  });

  add("buildAuthorizationUrl: code + S256; protected parameters and plain http refused", async () => {
    const { codeChallenge } = await lib.createPkcePair();
    const options = { authorizationEndpoint: "https://as.test/authorize", clientId: "spa", redirectUri: "https://app.test/cb", state: lib.randomState(), codeChallenge };
    const url = new URL(lib.buildAuthorizationUrl(options));
    equal(url.searchParams.get("response_type"), "code");
    equal(url.searchParams.get("code_challenge_method"), "S256");
    equal(url.searchParams.get("code_challenge"), codeChallenge);
    let refused = 0;
    for (const bad of [{ extraParams: { code_challenge_method: "plain" } }, { authorizationEndpoint: "http://as.test/authorize" }]) {
      try {
        lib.buildAuthorizationUrl({ ...options, ...bad });
      } catch (error) {
        ok(error instanceof TypeError, String(error));
        refused++;
      }
    }
    equal(refused, 2);
  });

  add("parseAuthorizationResponse: query and fragment forms; state mismatch and access_denied are OAuthErrors", async () => {
    equal(lib.parseAuthorizationResponse("https://app.test/cb?code=c&state=s", { state: "s" }).code, "c");
    equal(lib.parseAuthorizationResponse("https://app.test/cb#code=f&state=s", { state: "s" }).code, "f");
    throwsOAuth(lib, () => lib.parseAuthorizationResponse("https://app.test/cb?code=c&state=x", { state: "s" }), "state_mismatch");
    throwsOAuth(lib, () => lib.parseAuthorizationResponse("https://app.test/cb?code=c&state=s&iss=https%3A%2F%2Fevil.test", { state: "s", issuer: "https://as.test" }), "issuer_mismatch");
    const denied = throwsOAuth(lib, () => lib.parseAuthorizationResponse("https://app.test/cb?error=access_denied&error_description=no&state=s", { state: "s" }), "access_denied");
    equal(denied.errorDescription, "no");
    ok(denied instanceof Error);
  });

  add("TokenManager is an EventTarget: serves an unexpired token, then reports sign-in required", async () => {
    let now = 1000;
    const manager = new lib.TokenManager({ tokenEndpoint: "https://as.test/token", clientId: "spa", now: () => now, tokens: { accessToken: "at", tokenType: "Bearer", expiresIn: 100, expiresAt: 1100, raw: {} } });
    const events = [];
    manager.addEventListener("error", (event) => events.push(event.detail));
    equal(await manager.getAccessToken(), "at");
    now = 1100;
    let error;
    try {
      await manager.getAccessToken();
    } catch (e) {
      error = e;
    }
    ok(error instanceof lib.OAuthError, String(error));
    equal(error.error, "sign_in_required");
    equal(manager.tokens, null);
    equal(events.length, 1);
    equal(events[0].signInRequired, true);
  });

  if (extras.tokenServer) {
    const tokenEndpoint = `${extras.tokenServer}/token`;
    const exchange = (options) => lib.exchangeAuthorizationCode({ tokenEndpoint, clientId: "suite", code: "good", codeVerifier: "v".repeat(43), redirectUri: "https://app.test/cb", now: () => 1000, ...options });

    add("token endpoint: code exchange, then TokenManager refreshes at 75% and adopts the rotated refresh token", async () => {
      const tokens = await exchange();
      equal(tokens.accessToken, "at-1");
      equal(tokens.expiresAt, 1300);
      let now = 1224;
      const manager = new lib.TokenManager({ tokenEndpoint, clientId: "suite", tokens, now: () => now });
      equal(await manager.getAccessToken(), "at-1");
      now = 1225;
      equal(await manager.getAccessToken(), "at-2");
      equal(manager.tokens.refreshToken, "rt-2");
    });

    add("token endpoint: 400 invalid_grant is an OAuthError with status; a redirect is not followed", async () => {
      for (const [options, error, status] of [[{ code: "bad" }, "invalid_grant", 400], [{ tokenEndpoint: `${extras.tokenServer}/redirect` }, "invalid_response", 307]]) {
        let caught;
        try {
          await exchange(options);
        } catch (e) {
          caught = e;
        }
        ok(caught instanceof lib.OAuthError, `expected an OAuthError, got ${caught?.stack ?? caught}`);
        equal(caught.error, error);
        equal(caught.status, status);
      }
    });
  }

  return list;
}
