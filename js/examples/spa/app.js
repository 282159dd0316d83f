// A single-page app that signs in with the authorization-code flow and PKCE against the OpenID
// provider named in config.json ({ issuer, clientId, redirectUri, scope, extraParams? }).
// Register the app at your provider as a public client (no secret) with redirectUri as its
// redirect URI, the authorization_code and refresh_token grants, and this page's origin
// allowed for CORS.
import {
  createPkcePair,
  randomState,
  randomNonce,
  buildAuthorizationUrl,
  parseAuthorizationResponse,
  exchangeAuthorizationCode,
  createValidator,
  TokenManager,
  OAuthError,
} from "edge-token-validator";

// The request's state, nonce and code verifier must survive the trip to the provider: they
// wait in this tab's sessionStorage and are removed when the response comes back.
const PENDING_KEY = "spa-example.pending";
const $ = (id) => document.getElementById(id);

let config;
let metadata;
// Tokens live in memory only (a reload means signing in again, which the provider's session
// makes quick). Pass `storage: sessionStorage` to TokenManager to keep them across reloads.
let manager = null;
let claims = null;

/** OpenID Connect Discovery 1.0: the provider's endpoints, for the issuer it must name. */
async function discover(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`discovery failed: HTTP ${response.status}`);
  const document = await response.json();
  if (document.issuer !== issuer) throw new Error(`discovery: the document is for ${document.issuer}, not ${issuer}`);
  return document;
}

async function signIn() {
  const { codeVerifier, codeChallenge } = await createPkcePair();
  const state = randomState();
  const nonce = randomNonce();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, nonce, codeVerifier }));
  location.assign(
    buildAuthorizationUrl({
      authorizationEndpoint: metadata.authorization_endpoint,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      state,
      nonce,
      codeChallenge,
      extraParams: config.extraParams,
    }),
  );
}

function isAuthorizationResponse() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  return ["code", "error", "state"].some((name) => query.has(name) || fragment.has(name));
}

async function completeSignIn() {
  const responseUrl = location.href;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  sessionStorage.removeItem(PENDING_KEY); // one use only
  history.replaceState(null, "", location.pathname); // the code leaves the address bar and history
  if (!pending) throw new OAuthError("state_mismatch", "no sign-in was started in this tab");

  const { code } = parseAuthorizationResponse(responseUrl, {
    state: pending.state,
    // RFC 9207: when the provider says it sends `iss`, a response without it is refused.
    issuer: metadata.authorization_response_iss_parameter_supported ? metadata.issuer : undefined,
  });
  const tokens = await exchangeAuthorizationCode({
    tokenEndpoint: metadata.token_endpoint,
    clientId: config.clientId,
    code,
    codeVerifier: pending.codeVerifier,
    redirectUri: config.redirectUri,
  });
  if (tokens.idToken) {
    // The ID token says who signed in: its signature, issuer, audience and lifetime are
    // checked with the provider's keys, and its nonce must be the one this tab sent.
    const validator = createValidator({ issuer: metadata.issuer, audience: config.clientId, jwksUri: metadata.jwks_uri });
    ({ claims } = await validator.validate(tokens.idToken));
    if (claims.nonce !== pending.nonce) throw new OAuthError("invalid_response", "the ID token's nonce is not the one this tab sent");
  }
  manager = new TokenManager({ tokenEndpoint: metadata.token_endpoint, clientId: config.clientId, tokens });
  manager.addEventListener("refresh", () => render("signed-in"));
  manager.addEventListener("error", (event) => {
    if (event.detail.signInRequired) render("signed-out", "Your session has ended: sign in again.");
  });
}

async function callUserinfo() {
  // getAccessToken() refreshes the token first once 75% of its lifetime has passed.
  const accessToken = await manager.getAccessToken();
  const response = await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
  $("output").textContent = `userinfo (HTTP ${response.status}):\n${JSON.stringify(await response.json(), null, 2)}`;
}

function render(state, message) {
  document.body.dataset.state = state;
  const signedIn = state === "signed-in" && Boolean(manager?.tokens);
  $("sign-in").hidden = signedIn;
  for (const id of ["userinfo", "refresh", "sign-out"]) $(id).hidden = !signedIn;
  if (signedIn) {
    const { expiresAt, scope } = manager.tokens;
    $("status").textContent = `Signed in as ${claims?.name ?? claims?.sub ?? "(no ID token)"} at ${metadata.issuer}`;
    $("output").textContent = JSON.stringify({ idTokenClaims: claims, scope, accessTokenExpiresAt: expiresAt && new Date(expiresAt * 1000).toISOString() }, null, 2);
  } else {
    $("status").textContent = message ?? "Signed out.";
    if (state !== "error") $("output").textContent = "";
  }
}

function showError(error) {
  render("error", error instanceof OAuthError ? `Sign-in failed: ${error.error}${error.errorDescription ? ` — ${error.errorDescription}` : ""}` : `Error: ${error.message}`);
  $("output").textContent = String(error?.stack ?? error);
}

const run = (action) => action().catch(showError);
$("sign-in").onclick = () => run(signIn);
$("userinfo").onclick = () => run(callUserinfo);
$("refresh").onclick = () => run(async () => (await manager.refresh(), render("signed-in")));
$("sign-out").onclick = () => (manager.clear(), render("signed-out"));

// For the browser console (and the repo's browser test): the example's state.
globalThis.spaExample = {
  get config() { return config; },
  get metadata() { return metadata; },
  get manager() { return manager; },
  get claims() { return claims; },
};

try {
  config = await (await fetch(new URL("./config.json", import.meta.url))).json();
  metadata = await discover(config.issuer);
  if (isAuthorizationResponse()) await completeSignIn();
  render(manager ? "signed-in" : "signed-out");
} catch (error) {
  showError(error);
}
