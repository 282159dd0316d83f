// A local origin for gateway tests: answers every request with what it received (method,
// path and query, headers, body length and SHA-256), and keeps the list.
import { createServer } from "node:http";
import { createHash } from "node:crypto";

export async function startOrigin() {
  const received = [];
  const server = createServer((req, res) => {
    const hash = createHash("sha256");
    let length = 0;
    req.on("data", (chunk) => {
      hash.update(chunk);
      length += chunk.length;
    });
    req.on("end", () => {
      const entry = { method: req.method, url: req.url, headers: req.headers, bodyLength: length, bodySha256: hash.digest("hex") };
      received.push(entry);
      res.writeHead(200, { "content-type": "application/json", "x-origin": "yes" }).end(JSON.stringify(entry));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
