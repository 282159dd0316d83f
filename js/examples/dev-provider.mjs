// A local OpenID provider to try the SPA example without an account anywhere, and the real
// authorization server of the browser test: panva's oidc-provider (a devDependency of this
// repo, never of the package) with its development login pages, where any login and password
// sign in. For development only: throwaway keys, in-memory storage, plain http on loopback.
//
//   node js/examples/dev-provider.mjs        # http://127.0.0.1:9000, client from spa/config.json
import { createServer } from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import Provider from "oidc-provider";

/**
 * Starts oidc-provider with one public SPA client: PKCE required, refresh tokens issued and
 * rotated on every use, CORS open to the origins of the client's redirect URIs.
 * @param {{ host?: string, port?: number, clientId: string, redirectUris: string[],
 *   accessTokenTtl?: number, onRequest?: (req: import("node:http").IncomingMessage) => void }} options
 */
export async function startDevProvider({ host = "127.0.0.1", port = 9000, clientId, redirectUris, accessTokenTtl = 600, onRequest } = {}) {
  let handler = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => {
    onRequest?.(req);
    handler(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const issuer = `http://${host}:${server.address().port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "dev-rs256", alg: "RS256", use: "sig" };
  const corsOrigins = new Set(redirectUris.map((uri) => new URL(uri).origin));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        application_type: "web",
        token_endpoint_auth_method: "none", // a public client: no secret in a browser
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: redirectUris,
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Refresh tokens without the offline_access scope (which OIDC ties to prompt=consent),
    // rotated on every use: a reused one revokes the whole grant.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: () => true,
    // The SPA calls the token and userinfo endpoints from its own origin.
    clientBasedCORS: (_ctx, origin) => corsOrigins.has(origin),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: sub }) }),
    claims: { openid: ["sub"], profile: ["name"] },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
    },
  });
  handler = provider.callback();
  return {
    issuer,
    provider,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const config = JSON.parse(await readFile(fileURLToPath(new URL("./spa/config.json", import.meta.url)), "utf8"));
  const { port, hostname } = new URL(config.issuer);
  const { issuer } = await startDevProvider({ host: hostname, port: Number(port), clientId: config.clientId, redirectUris: [config.redirectUri] });
  console.log(`dev OpenID provider on ${issuer} (client ${config.clientId}; any login and password)`);
}
