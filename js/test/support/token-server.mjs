// A small OAuth token endpoint on 127.0.0.1 for the shared suite's token cases in Node and
// workerd: a real HTTP server, so the package's fetch, form body, redirect mode and error
// handling run in each runtime. (The full flow against oidc-provider is in test/browser.)
import { createServer } from "node:http";

export async function startTokenServer() {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const path = new URL(req.url, "http://x").pathname;
    const json = (status, body) => res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
    if (req.method !== "POST") return json(405, { error: "invalid_request" });
    if (path === "/redirect") return res.writeHead(307, { location: "/token" }).end();
    if (path !== "/token" || form.client_id !== "suite") return json(401, { error: "invalid_client" });
    if (form.grant_type === "authorization_code" && form.code === "good" && form.code_verifier && form.redirect_uri) {
      return json(200, { access_token: "at-1", token_type: "Bearer", expires_in: 300, refresh_token: "rt-1" });
    }
    if (form.grant_type === "refresh_token" && form.refresh_token === "rt-1") {
      return json(200, { access_token: "at-2", token_type: "Bearer", expires_in: 300, refresh_token: "rt-2" });
    }
    return json(400, { error: "invalid_grant", error_description: "unknown code or refresh token" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    stop: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
