// A local identity provider for tests: a real HTTP server on 127.0.0.1 serving OIDC discovery
// and a JWKS, minting RS256/ES256 tokens with jose, and able to rotate keys, fail, hang and
// count the requests it gets.
import { createServer } from "node:http";
import { modeControls } from "./modes.mjs";
import * as jose from "jose";

export async function startIdp({ algorithms = ["RS256", "ES256"], cacheControl = "max-age=600" } = {}) {
  const state = {
    keys: [],
    mode: "ok", // "ok" | "fail" | "hang"
    cacheControl,
    requests: { discovery: 0, jwks: 0 },
    extraJwks: [],
  };
  const hanging = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/.well-known/openid-configuration") state.requests.discovery++;
    else if (path === "/jwks") state.requests.jwks++;
    if (state.mode === "hang") {
      hanging.add(res);
      return;
    }
    if (state.mode === "fail") return res.writeHead(500).end("down");
    if (path === "/.well-known/openid-configuration") {
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` }));
    }
    if (path === "/jwks") {
      const headers = { "content-type": "application/json" };
      if (state.cacheControl) headers["cache-control"] = state.cacheControl;
      const keys = [...state.keys.map((k) => k.publicJwk), ...state.extraJwks];
      return res.writeHead(200, headers).end(JSON.stringify({ keys }));
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

  const idp = {
    issuer: `http://127.0.0.1:${server.address().port}`,
    get jwksUri() {
      return `${this.issuer}/jwks`;
    },
    state,
    /** Adds a fresh key pair; returns its kid. */
    async addKey(alg = algorithms[0], kid = `${alg}-${state.keys.length + 1}-${Math.random().toString(36).slice(2, 8)}`) {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
      const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" };
      state.keys.push({ kid, alg, privateKey, publicJwk });
      return kid;
    },
    removeKey(kid) {
      state.keys = state.keys.filter((k) => k.kid !== kid);
    },
    /** Signs claims (iss and a one-hour exp by default) with the key `kid` (default: newest). */
    async mint(claims = {}, { kid, header = {} } = {}) {
      const key = kid ? state.keys.find((k) => k.kid === kid) : state.keys.at(-1);
      if (!key) throw new Error(`no key ${kid}`);
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({ iss: idp.issuer, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...header })
        .sign(key.privateKey);
    },
    ...modeControls(server, state, hanging),
  };
  for (const alg of algorithms) await idp.addKey(alg);
  return idp;
}
