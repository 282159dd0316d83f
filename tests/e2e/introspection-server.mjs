// A local RFC 7662 introspection endpoint for opaque-token tests: answers from a table,
// checks HTTP Basic client credentials, can fail or hang, and counts requests.
import { createServer } from "node:http";
import { modeControls } from "../../js/test/support/modes.mjs";

export async function startIntrospection({ clientId, clientSecret }) {
  const state = { tokens: new Map(), mode: "ok", requests: 0 };
  const hanging = new Set();
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      state.requests++;
      if (state.mode === "hang") return hanging.add(res);
      if (state.mode === "fail") return res.writeHead(500).end("down");
      if (req.headers.authorization !== expected) return res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
      const token = new URLSearchParams(body).get("token");
      const answer = state.tokens.get(token) ?? { active: false };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/introspect`,
    state,
    ...modeControls(server, state, hanging),
  };
}
