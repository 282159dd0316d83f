// Prints a demo access token for `make run`'s gateway, signed with the DEVELOPMENT-ONLY key
// in this folder (public: never trust it anywhere). Uses only Node's WebCrypto.
import { readFile } from "node:fs/promises";

const here = new URL(".", import.meta.url);
const { _comment, ...jwk } = JSON.parse(
  await readFile(new URL("DEVELOPMENT-ONLY-NEVER-DEPLOY.private.jwk.json", here), "utf8"),
);
const key = await crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
const now = Math.floor(Date.now() / 1000);
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const header = { alg: "RS256", typ: "at+jwt", kid: jwk.kid };
const claims = {
  iss: "https://dev-issuer.edge-token-validator.example",
  aud: "demo-api",
  sub: process.env.SUB ?? "demo-user",
  client_id: "demo-client",
  scope: process.env.SCOPE ?? "read write",
  iat: now,
  exp: now + Number(process.env.TTL ?? 3600),
  jti: crypto.randomUUID(),
};
const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
process.stdout.write(`${input}.${b64url(new Uint8Array(signature))}\n`);
