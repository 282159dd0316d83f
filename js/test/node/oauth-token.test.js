// The token endpoint helpers and TokenManager in Node, against small real HTTP servers on
// 127.0.0.1 (no mocked fetch): form bodies, error answers, network failures, refresh at 75%,
// single flight, rotation, invalid_grant. The full flow against oidc-provider in Chromium is
// test/browser/oauth-flow.test.js.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as lib from "../../index.js";

const { OAuthError, TokenManager } = lib;
const servers = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => {
  server.close(resolve);
  server.closeAllConnections();
}))));

/**
 * A real HTTP server on 127.0.0.1 whose token endpoint answers with `handler(form, req)`:
 * `{ status?, json?, body?, headers?, delayMs?, hang? }`. Records every request.
 */
async function startServer(handler) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString();
    const form = Object.fromEntries(new URLSearchParams(text));
    const record = { method: req.method, path: req.url, contentType: req.headers["content-type"], accept: req.headers.accept, form };
    requests.push(record);
    const answer = (await handler(form, req)) ?? {};
    if (answer.hang) return; // never answers
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.body ?? "");
    const headers = { "content-type": answer.json !== undefined ? "application/json" : "text/plain", "cache-control": "no-store", ...answer.headers };
    res.writeHead(answer.status ?? 200, headers).end(body);
  });
  server.keepAliveTimeout = 1;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, requests, origin, tokenEndpoint: `${origin}/token` };
}

/** An address nothing listens on: a server is opened, its port noted, and closed. */
async function closedEndpoint() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/token`;
}

async function rejectsOAuth(promise, error, message = "") {
  let caught;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `${message}: expected an OAuthError ${error}, but it resolved`);
  assert.ok(caught instanceof OAuthError, `${message}: expected an OAuthError, got ${caught?.stack ?? caught}`);
  assert.equal(caught.error, error, `${message}: ${caught.message}`);
  return caught;
}

const T0 = 1_700_000_000;
const clientId = "spa";

/**
 * A token server with rotating refresh tokens: each refresh token works once (a reused one is
 * invalid_grant, as oidc-provider's reuse detection answers); `mode` switches failures on.
 */
async function startRotatingServer({ expiresIn = 1000, delayMs = 0, rotate = true } = {}) {
  const state = { mode: "ok", issued: 0, valid: new Set(), refreshes: 0 };
  const mint = () => {
    state.issued += 1;
    const refreshToken = `rt-${state.issued}`;
    if (rotate || state.issued === 1) state.valid.add(refreshToken);
    return { access_token: `at-${state.issued}`, token_type: "Bearer", expires_in: expiresIn, ...(rotate || state.issued === 1 ? { refresh_token: refreshToken } : {}), scope: "openid api" };
  };
  const srv = await startServer((form) => {
    if (state.mode === "hang") return { hang: true };
    if (state.mode === "500") return { status: 500, body: "upstream down" };
    if (form.grant_type === "authorization_code") return { json: { ...mint(), id_token: "id-1" } };
    if (form.grant_type !== "refresh_token") return { status: 400, json: { error: "unsupported_grant_type" } };
    state.refreshes += 1;
    if (!state.valid.has(form.refresh_token)) return { status: 400, json: { error: "invalid_grant", error_description: "grant request is invalid" }, delayMs };
    if (rotate) state.valid.delete(form.refresh_token);
    const answer = mint();
    return { json: answer, delayMs };
  });
  return { ...srv, state };
}

async function signIn(srv, now = () => T0) {
  return lib.exchangeAuthorizationCode({ tokenEndpoint: srv.tokenEndpoint, clientId, code: "code-1", codeVerifier: "v".repeat(43), redirectUri: "https://app.example/cb", now });
}

// ------------------------------------------------------------------ exchange and refresh

test("exchangeAuthorizationCode: a form POST with the public client's client_id; TokenSet with expiresAt from the injected clock", async () => {
  const answer = { access_token: "at", token_type: "Bearer", expires_in: 300, refresh_token: "rt", id_token: "idt", scope: "openid" };
  const srv = await startServer(() => ({ json: answer }));
  const tokens = await lib.exchangeAuthorizationCode({
    tokenEndpoint: srv.tokenEndpoint, clientId, code: "the-code", codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", redirectUri: "https://app.example/cb", now: () => T0 + 0.9,
  });
  assert.deepEqual(tokens, { accessToken: "at", tokenType: "Bearer", refreshToken: "rt", idToken: "idt", scope: "openid", expiresIn: 300, expiresAt: T0 + 300, raw: answer });
  assert.equal(srv.requests.length, 1);
  const [request] = srv.requests;
  assert.equal(request.method, "POST");
  assert.equal(request.path, "/token");
  assert.match(request.contentType, /^application\/x-www-form-urlencoded/);
  assert.equal(request.accept, "application/json");
  assert.deepEqual(request.form, {
    grant_type: "authorization_code", code: "the-code", redirect_uri: "https://app.example/cb", code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", client_id: clientId,
  });
});

test("refreshTokens: grant_type=refresh_token with scope when given; no expires_in means no expiresAt", async () => {
  const srv = await startServer(() => ({ json: { access_token: "at2", token_type: "DPoP" } }));
  const tokens = await lib.refreshTokens({ tokenEndpoint: srv.tokenEndpoint, clientId, refreshToken: "rt1", scope: "api:read" });
  assert.deepEqual(tokens, { accessToken: "at2", tokenType: "DPoP", raw: { access_token: "at2", token_type: "DPoP" } });
  assert.deepEqual(srv.requests[0].form, { grant_type: "refresh_token", refresh_token: "rt1", scope: "api:read", client_id: clientId });
});

test("token endpoint 400 invalid_grant → OAuthError invalid_grant with status and description, nothing returned", async () => {
  const srv = await startServer(() => ({ status: 400, json: { error: "invalid_grant", error_description: "authorization code is invalid", error_uri: "https://as.example/e" } }));
  const error = await rejectsOAuth(signIn(srv), "invalid_grant");
  assert.equal(error.status, 400);
  assert.equal(error.errorDescription, "authorization code is invalid");
  assert.equal(error.errorUri, "https://as.example/e");
  await rejectsOAuth(lib.refreshTokens({ tokenEndpoint: srv.tokenEndpoint, clientId, refreshToken: "rt" }), "invalid_grant");
});

test("token endpoint errors without a usable body: HTTP 500 HTML, 200 non-JSON, 200 array, 401 invalid_client", async () => {
  const cases = [
    [{ status: 500, body: "<html>oops</html>" }, "invalid_response", 500],
    [{ status: 200, body: "access_token=at&token_type=bearer" }, "invalid_response", 200],
    [{ status: 200, json: [{ access_token: "at" }] }, "invalid_response", 200],
    [{ status: 200, json: null }, "invalid_response", 200],
    [{ status: 401, json: { error: "invalid_client" }, headers: { "www-authenticate": 'Basic realm="as"' } }, "invalid_client", 401],
    [{ status: 200, json: { error: "slow_down" } }, "slow_down", 200],
  ];
  for (const [answer, error, status] of cases) {
    const srv = await startServer(() => answer);
    const caught = await rejectsOAuth(signIn(srv), error, JSON.stringify(answer));
    assert.equal(caught.status, status);
  }
});

test("token responses missing access_token or token_type, or with mistyped members, are invalid_response", async () => {
  const bad = [
    { token_type: "Bearer", expires_in: 60 },
    { access_token: "", token_type: "Bearer" },
    { access_token: "at" },
    { access_token: "at", token_type: "Bearer", expires_in: "3600" },
    { access_token: "at", token_type: "Bearer", expires_in: -1 },
    { access_token: "at", token_type: "Bearer", refresh_token: 42 },
    { access_token: "at", token_type: "Bearer", id_token: {} },
    { access_token: "at", token_type: "Bearer", scope: ["a"] },
  ];
  for (const json of bad) {
    const srv = await startServer(() => ({ json }));
    await rejectsOAuth(signIn(srv), "invalid_response", JSON.stringify(json));
  }
});

test("network failure: nothing listening → network_error with the cause; nothing returned", async () => {
  const error = await rejectsOAuth(signIn({ tokenEndpoint: await closedEndpoint() }), "network_error");
  assert.ok(error.cause, "the fetch error is kept as cause");
  assert.equal(error.status, undefined);
});

test("a redirect from the token endpoint is not followed: invalid_response, the code never reaches the other server", async () => {
  const elsewhere = await startServer(() => ({ json: { access_token: "stolen", token_type: "Bearer" } }));
  for (const status of [301, 302, 303, 307, 308]) {
    const srv = await startServer(() => ({ status, headers: { location: elsewhere.tokenEndpoint } }));
    const error = await rejectsOAuth(signIn(srv), "invalid_response", String(status));
    assert.equal(error.status, status);
    assert.match(error.message, /redirect/);
  }
  assert.equal(elsewhere.requests.length, 0);
});

test("a token endpoint that never answers: network_error after the core's 5 s fetch timeout", async () => {
  const srv = await startServer(() => ({ hang: true }));
  const started = Date.now();
  const error = await rejectsOAuth(signIn(srv), "network_error");
  assert.match(error.message, /timed out/);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 4500 && elapsed < 15_000, `${elapsed} ms`);
});

test("a non-https token endpoint (not loopback) is refused before any request", async () => {
  await assert.rejects(lib.exchangeAuthorizationCode({ tokenEndpoint: "http://as.example/token", clientId, code: "c", codeVerifier: "v".repeat(43), redirectUri: "https://app.example/cb" }), TypeError);
  await assert.rejects(lib.refreshTokens({ tokenEndpoint: "http://localhost@as.example/token", clientId, refreshToken: "rt" }), TypeError);
});

// ------------------------------------------------------------------ TokenManager

function events(manager) {
  const seen = { refresh: [], error: [] };
  manager.addEventListener("refresh", (event) => seen.refresh.push(event.detail));
  manager.addEventListener("error", (event) => seen.error.push(event.detail));
  return seen;
}

test("TokenManager: no request before 75% of the lifetime; one refresh at 75%, with the rotated refresh token adopted", async () => {
  const srv = await startRotatingServer({ expiresIn: 1000 });
  let now = T0;
  const clock = () => now;
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, clock), now: clock });
  const seen = events(manager);
  now = T0 + 749;
  assert.equal(await manager.getAccessToken(), "at-1");
  assert.equal(srv.state.refreshes, 0, "74.9%: no refresh");
  now = T0 + 750;
  assert.equal(await manager.getAccessToken(), "at-2");
  assert.equal(srv.state.refreshes, 1);
  assert.equal(manager.tokens.refreshToken, "rt-2", "the rotated refresh token is adopted");
  assert.equal(manager.tokens.expiresAt, T0 + 750 + 1000);
  assert.equal(manager.tokens.idToken, "id-1", "the sign-in's ID token is kept");
  assert.equal(seen.refresh.length, 1);
  assert.equal(seen.refresh[0].accessToken, "at-2");
  // The next refresh presents rt-2 (rt-1 would be invalid_grant at this server).
  now = T0 + 750 + 749;
  assert.equal(await manager.getAccessToken(), "at-2");
  now = T0 + 750 + 750;
  assert.equal(await manager.getAccessToken(), "at-3");
  assert.equal(manager.tokens.refreshToken, "rt-3");
  assert.equal(srv.state.refreshes, 2);
  assert.equal(seen.error.length, 0);
});

test("TokenManager: five concurrent callers past 75% share one refresh request (single flight)", async () => {
  const srv = await startRotatingServer({ expiresIn: 600, delayMs: 100 });
  let now = T0;
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now });
  const seen = events(manager);
  now = T0 + 451;
  const tokens = await Promise.all(Array.from({ length: 5 }, () => manager.getAccessToken()));
  assert.deepEqual(tokens, Array(5).fill("at-2"));
  assert.equal(srv.state.refreshes, 1, "exactly one refresh request reached the server");
  assert.equal(seen.refresh.length, 1);
  // The flight is over: a forced refresh makes a new request.
  await manager.refresh();
  assert.equal(srv.state.refreshes, 2);
});

test("TokenManager: a refresh response without refresh_token keeps the old one (RFC 6749 §6)", async () => {
  const srv = await startRotatingServer({ expiresIn: 100, rotate: false });
  let now = T0;
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now });
  now = T0 + 80;
  assert.equal(await manager.getAccessToken(), "at-2");
  assert.equal(manager.tokens.refreshToken, "rt-1");
  assert.equal(manager.tokens.scope, "openid api");
});

test("TokenManager: invalid_grant clears the tokens and the storage, emits error with signInRequired, then refuses without requests", async () => {
  const srv = await startRotatingServer({ expiresIn: 100 });
  let now = T0;
  const storage = mapStorage();
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now, storage });
  assert.ok(storage.getItem("edge-token-validator.tokens"), "tokens are stored when a storage is given");
  const seen = events(manager);
  srv.state.valid.clear(); // the server revokes the grant
  now = T0 + 80;
  const error = await rejectsOAuth(manager.getAccessToken(), "sign_in_required");
  assert.equal(error.status, 400);
  assert.ok(error.cause instanceof OAuthError && error.cause.error === "invalid_grant", "the server's error is the cause");
  assert.equal(manager.tokens, null, "no token kept");
  assert.equal(storage.getItem("edge-token-validator.tokens"), null, "nothing left in storage");
  assert.equal(seen.error.length, 1);
  assert.equal(seen.error[0].signInRequired, true);
  assert.equal(seen.refresh.length, 0);
  const before = srv.requests.length;
  await rejectsOAuth(manager.getAccessToken(), "sign_in_required");
  assert.equal(srv.requests.length, before, "no request without tokens");
});

test("TokenManager: a network failure before expiry keeps serving the current token; after expiry it is thrown; tokens are kept for a retry", async () => {
  const srv = await startRotatingServer({ expiresIn: 100 });
  let now = T0;
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now });
  const seen = events(manager);
  srv.state.mode = "500";
  now = T0 + 80;
  assert.equal(await manager.getAccessToken(), "at-1", "still valid for 20 s: served");
  assert.equal(seen.error.length, 1);
  assert.equal(seen.error[0].signInRequired, false);
  assert.equal(seen.error[0].error.error, "invalid_response");
  now = T0 + 100;
  await rejectsOAuth(manager.getAccessToken(), "invalid_response", "expired: the refresh error is thrown");
  assert.equal(manager.tokens.refreshToken, "rt-1", "the refresh token is kept");
  srv.state.mode = "ok";
  assert.equal(await manager.getAccessToken(), "at-2", "the server is back: the retry works");
});

test("TokenManager: an unreachable token endpoint after expiry is network_error, tokens kept", async () => {
  const srv = await startRotatingServer({ expiresIn: 100 });
  let now = T0;
  const tokens = await signIn(srv, () => now);
  const manager = new TokenManager({ tokenEndpoint: await closedEndpoint(), clientId, tokens, now: () => now });
  now = T0 + 200;
  await rejectsOAuth(manager.getAccessToken(), "network_error");
  assert.equal(manager.tokens, tokens);
});

test("TokenManager: without expires_in no refresh happens; without a refresh token the token serves until expiry, then sign_in_required", async () => {
  const srv = await startServer(() => ({ json: { access_token: "at", token_type: "Bearer" } }));
  let now = T0;
  const noExpiry = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now });
  now = T0 + 10 ** 7;
  assert.equal(await noExpiry.getAccessToken(), "at");
  assert.equal(srv.requests.length, 1, "only the sign-in");

  now = T0;
  const manager = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: { accessToken: "short", tokenType: "Bearer", expiresIn: 100, expiresAt: T0 + 100, raw: {} }, now: () => now });
  const seen = events(manager);
  now = T0 + 90;
  assert.equal(await manager.getAccessToken(), "short");
  now = T0 + 100;
  await rejectsOAuth(manager.getAccessToken(), "sign_in_required");
  assert.equal(manager.tokens, null);
  assert.equal(seen.error[0].signInRequired, true);
  assert.equal(srv.requests.length, 1, "no request without a refresh token");
});

test("TokenManager: tokens come back from the given storage; a sign-out during a refresh is not undone by it", async () => {
  const srv = await startRotatingServer({ expiresIn: 100, delayMs: 100 });
  let now = T0;
  const storage = mapStorage();
  new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, tokens: await signIn(srv, () => now), now: () => now, storage });
  const restored = new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, now: () => now, storage });
  assert.equal(restored.tokens.refreshToken, "rt-1");
  const seen = events(restored);
  now = T0 + 80;
  const pending = restored.getAccessToken();
  restored.clear();
  assert.equal(await pending, "at-2", "the caller that asked still gets its token");
  assert.equal(restored.tokens, null, "the sign-out stands");
  assert.equal(seen.refresh.length, 0, "no refresh event for tokens that were not adopted");
  assert.equal(storage.getItem("edge-token-validator.tokens"), null);
  assert.equal(new TokenManager({ tokenEndpoint: srv.tokenEndpoint, clientId, storage: mapStorage({ "edge-token-validator.tokens": "{not json" }) }).tokens, null, "unreadable storage is ignored");
});

test("TokenManager: option checks", () => {
  const tokenEndpoint = "https://as.example/token";
  assert.throws(() => new TokenManager({ tokenEndpoint, clientId, refreshAt: 0 }), RangeError);
  assert.throws(() => new TokenManager({ tokenEndpoint, clientId, refreshAt: 1.5 }), RangeError);
  assert.throws(() => new TokenManager({ tokenEndpoint }), TypeError);
  assert.throws(() => new TokenManager({ tokenEndpoint, clientId, tokens: { tokenType: "Bearer" } }), TypeError);
  assert.throws(() => new TokenManager({ tokenEndpoint, clientId, storage: {} }), TypeError);
  assert.equal(new TokenManager({ tokenEndpoint, clientId }).tokens, null, "memory only by default, starting empty");
});

/**
 * Node 20 has no Web Storage: a Map stands in for sessionStorage here (a stand-in, not a mock
 * of anything remote). The browser test uses Chromium's real sessionStorage.
 */
function mapStorage(initial = {}) {
  const map = new Map(Object.entries(initial));
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => map.set(key, String(value)),
    removeItem: (key) => map.delete(key),
  };
}
