// The whole SPA flow in real headless Chromium against a real authorization server on
// 127.0.0.1: panva's oidc-provider (examples/dev-provider.mjs: public client, PKCE required,
// refresh tokens rotated) and the example SPA (examples/spa/, served by examples/serve.mjs from
// another port, so every call to the provider is a real CORS request). Nothing is mocked: the
// test only points the SPA's config.json at this provider, and reads the example's state
// through its `spaExample` console handle.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startDevProvider } from "../../examples/dev-provider.mjs";
import { serve } from "../../examples/serve.mjs";

const CLIENT_ID = "spa-test";
const ACCESS_TOKEN_TTL = 600;
const T0 = 2_000_000_000; // the fake clock's start, in seconds

let site;
let provider;
let browser;
let redirectUri;
/** Every POST to the provider's token endpoint, as the server saw it. */
const tokenRequests = [];

before(async () => {
  site = await serve({ port: 0 });
  redirectUri = `${site.origin}/examples/spa/`;
  provider = await startDevProvider({
    port: 0,
    clientId: CLIENT_ID,
    redirectUris: [redirectUri],
    accessTokenTtl: ACCESS_TOKEN_TTL,
    onRequest: (req) => {
      if (req.method === "POST" && new URL(req.url, "http://x").pathname === "/token") tokenRequests.push({ origin: req.headers.origin });
    },
  });
  site.overrides.set("/examples/spa/config.json", JSON.stringify({ issuer: provider.issuer, clientId: CLIENT_ID, redirectUri, scope: "openid profile" }));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await provider?.close();
  await site?.close();
});

async function openSpa(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(redirectUri);
  await page.waitForSelector('body[data-state="signed-out"]', { timeout: 30_000 }).catch(() => {
    throw new Error(`the SPA did not start: ${errors.join("\n")}`);
  });
  return page;
}

/** Clicks "Sign in" and waits for the provider's login page; returns the authorization URL sent. */
async function startSignIn(page) {
  const authRequest = page.waitForRequest((request) => request.url().startsWith(`${provider.issuer}/auth?`));
  await page.click("#sign-in");
  const url = new URL((await authRequest).url());
  await page.waitForSelector('input[name="login"]');
  return url;
}

let page;
let context;

test("sign-in through the example SPA: URL built, dev login and consent, callback parsed, code exchanged, ID token checked", async () => {
  context = await browser.newContext();
  page = await openSpa(context);
  const authorizationUrl = await startSignIn(page);
  const params = authorizationUrl.searchParams;
  assert.equal(params.get("response_type"), "code");
  assert.equal(params.get("code_challenge_method"), "S256");
  assert.match(params.get("code_challenge"), /^[A-Za-z0-9_-]{43}$/);
  assert.match(params.get("state"), /^[A-Za-z0-9_-]{43}$/);
  assert.match(params.get("nonce"), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(params.get("client_id"), CLIENT_ID);
  assert.equal(params.get("redirect_uri"), redirectUri);

  await page.fill('input[name="login"]', "alice");
  await page.fill('input[name="password"]', "any password works in dev mode");
  await page.click('button[type="submit"]');
  await page.waitForSelector('button:has-text("Continue")');
  await page.click('button[type="submit"]');
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="error"]', { timeout: 30_000 });
  assert.equal(await page.getAttribute("body", "data-state"), "signed-in", await page.textContent("#output"));

  assert.match(await page.textContent("#status"), /Signed in as alice/);
  assert.equal(page.url(), redirectUri, "code, state and iss are gone from the address bar");
  const state = await page.evaluate(() => ({
    tokens: spaExample.manager.tokens,
    claims: spaExample.claims,
    pending: sessionStorage.getItem("spa-example.pending"),
  }));
  assert.equal(state.pending, null, "the request's verifier and state were used once and removed");
  assert.equal(state.claims.sub, "alice");
  assert.equal(state.claims.aud, CLIENT_ID);
  assert.equal(state.claims.nonce, params.get("nonce"), "the ID token carries this sign-in's nonce");
  assert.equal(state.tokens.tokenType, "Bearer");
  assert.equal(state.tokens.expiresIn, ACCESS_TOKEN_TTL);
  assert.ok(state.tokens.accessToken && state.tokens.refreshToken && state.tokens.idToken);
  assert.equal(tokenRequests.length, 1, "one token request: the code exchange");
  assert.equal(tokenRequests[0].origin, site.origin, "a cross-origin request from the SPA");

  // The access token works at a real resource: the provider's userinfo endpoint (CORS).
  await page.click("#userinfo");
  await page.waitForFunction(() => document.getElementById("output").textContent.startsWith("userinfo"));
  const userinfo = await page.textContent("#output");
  assert.match(userinfo, /HTTP 200/);
  assert.match(userinfo, /"sub": "alice"/);
});

test("refresh with rotation, then TokenManager at 75% with a fake clock: two concurrent callers, one request at the server", async () => {
  assert.ok(page, "needs the signed-in page of the previous test");
  const before = tokenRequests.length;
  const rotation = await page.evaluate(async (T0) => {
    const lib = await import("/index.js"); // the same module the import map names
    const { metadata, config, manager } = spaExample;
    const t1 = manager.tokens;
    manager.clear(); // this test takes over the tokens
    const t2 = await lib.refreshTokens({ tokenEndpoint: metadata.token_endpoint, clientId: config.clientId, refreshToken: t1.refreshToken, now: () => T0 });
    window.__t = { t1, t2 };
    return { t1, t2 };
  }, T0);
  assert.equal(tokenRequests.length, before + 1);
  assert.notEqual(rotation.t2.refreshToken, rotation.t1.refreshToken, "the provider rotated the refresh token");
  assert.notEqual(rotation.t2.accessToken, rotation.t1.accessToken);
  assert.equal(rotation.t2.expiresAt, T0 + ACCESS_TOKEN_TTL, "expiresAt from the injected clock");

  const early = await page.evaluate(async ({ T0, ttl }) => {
    const lib = await import("/index.js");
    const { metadata, config } = spaExample;
    window.__clock = T0;
    window.__events = [];
    // Chromium's real sessionStorage as the caller's storage.
    const manager = new lib.TokenManager({
      tokenEndpoint: metadata.token_endpoint, clientId: config.clientId, tokens: window.__t.t2, now: () => window.__clock, storage: sessionStorage, storageKey: "test.tokens",
    });
    manager.addEventListener("refresh", (event) => window.__events.push({ type: "refresh", refreshToken: event.detail.refreshToken }));
    manager.addEventListener("error", (event) => window.__events.push({ type: "error", error: event.detail.error.error, cause: event.detail.error.cause?.error, signInRequired: event.detail.signInRequired }));
    window.__manager = manager;
    window.__clock = T0 + 0.74 * ttl;
    return manager.getAccessToken();
  }, { T0, ttl: ACCESS_TOKEN_TTL });
  assert.equal(early, rotation.t2.accessToken, "at 74% the current token is served");
  assert.equal(tokenRequests.length, before + 1, "and no request is made");

  const concurrent = await page.evaluate(async ({ T0, ttl }) => {
    window.__clock = T0 + 0.76 * ttl;
    const manager = window.__manager;
    const [a, b] = await Promise.all([manager.getAccessToken(), manager.getAccessToken()]);
    const userinfo = await fetch(spaExample.metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${a}` } });
    return { a, b, tokens: manager.tokens, stored: JSON.parse(sessionStorage.getItem("test.tokens")), events: [...window.__events], userinfo: { status: userinfo.status, body: await userinfo.json() } };
  }, { T0, ttl: ACCESS_TOKEN_TTL });
  assert.equal(tokenRequests.length, before + 2, "exactly one refresh request reached the server for two callers");
  assert.equal(concurrent.a, concurrent.b, "both callers got the same token");
  assert.notEqual(concurrent.a, rotation.t2.accessToken, "a new access token");
  assert.notEqual(concurrent.tokens.refreshToken, rotation.t2.refreshToken, "the rotated refresh token is adopted");
  assert.equal(concurrent.stored.refreshToken, concurrent.tokens.refreshToken, "and written to the given storage");
  assert.deepEqual(concurrent.events, [{ type: "refresh", refreshToken: concurrent.tokens.refreshToken }]);
  assert.equal(concurrent.userinfo.status, 200);
  assert.equal(concurrent.userinfo.body.sub, "alice");
});

test("a rotated-away refresh token is invalid_grant at the provider; the grant is revoked and TokenManager asks for a new sign-in", async () => {
  assert.ok(page, "needs the page of the previous tests");
  const before = tokenRequests.length;
  const result = await page.evaluate(async ({ T0, ttl }) => {
    const lib = await import("/index.js");
    const { metadata, config } = spaExample;
    let reuse;
    try {
      await lib.refreshTokens({ tokenEndpoint: metadata.token_endpoint, clientId: config.clientId, refreshToken: window.__t.t1.refreshToken });
    } catch (error) {
      reuse = { isOAuthError: error instanceof lib.OAuthError, error: error.error, status: error.status, description: error.errorDescription };
    }
    // oidc-provider revokes the whole grant on reuse (refresh token replay detection).
    window.__clock = T0 + 2 * ttl;
    let managed;
    try {
      await window.__manager.getAccessToken();
    } catch (error) {
      managed = { error: error.error, cause: error.cause?.error, status: error.status };
    }
    return { reuse, managed, tokens: window.__manager.tokens, stored: sessionStorage.getItem("test.tokens"), events: window.__events.slice(1) };
  }, { T0, ttl: ACCESS_TOKEN_TTL });
  assert.deepEqual(result.reuse, { isOAuthError: true, error: "invalid_grant", status: 400, description: "grant request is invalid" });
  assert.deepEqual(result.managed, { error: "sign_in_required", cause: "invalid_grant", status: 400 });
  assert.equal(result.tokens, null, "no token kept");
  assert.equal(result.stored, null, "none in storage either");
  assert.deepEqual(result.events, [{ type: "error", error: "sign_in_required", cause: "invalid_grant", signInRequired: true }]);
  assert.equal(tokenRequests.length, before + 2);
  await context.close();
});

test("the user cancels at the provider: error=access_denied comes back, the SPA shows it and keeps no token", async () => {
  const ctx = await browser.newContext();
  const spa = await openSpa(ctx);
  const before = tokenRequests.length;
  await startSignIn(spa);
  await spa.click("text=[ Cancel ]");
  await spa.waitForSelector('body[data-state="error"]', { timeout: 30_000 });
  assert.match(await spa.textContent("#status"), /Sign-in failed: access_denied — End-User aborted interaction/);
  assert.equal(await spa.evaluate(() => spaExample.manager), null);
  assert.equal(await spa.evaluate(() => sessionStorage.getItem("spa-example.pending")), null);
  assert.equal(tokenRequests.length, before, "no token request");
  await ctx.close();
});

test("forged callbacks in the browser: a wrong state is state_mismatch, a wrong iss is issuer_mismatch; no code is exchanged", async () => {
  const ctx = await browser.newContext();
  const spa = await openSpa(ctx);
  const before = tokenRequests.length;
  const cases = [
    { name: "state", forge: (sent) => ({ code: "forged", state: "attacker-state", iss: provider.issuer }), expect: /state_mismatch/ },
    { name: "iss", forge: (sent) => ({ code: "forged", state: sent.get("state"), iss: "http://127.0.0.1:1" }), expect: /issuer_mismatch/ },
    { name: "no iss", forge: (sent) => ({ code: "forged", state: sent.get("state") }), expect: /issuer_mismatch/ },
  ];
  for (const { name, forge, expect } of cases) {
    const sent = (await startSignIn(spa)).searchParams;
    // Instead of signing in, an attacker's link brings the browser back to the callback.
    await spa.goto(`${redirectUri}?${new URLSearchParams(forge(sent))}`);
    await spa.waitForSelector('body[data-state="error"]', { timeout: 30_000 });
    assert.match(await spa.textContent("#status"), expect, name);
    assert.equal(await spa.evaluate(() => spaExample.manager), null, name);
  }
  assert.equal(tokenRequests.length, before, "no forged code reached the token endpoint");
  await ctx.close();
});
