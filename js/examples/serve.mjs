// A static file server for the examples, with no dependencies:
//
//   node js/examples/serve.mjs [port]        # then open http://127.0.0.1:8080/
//
// It serves the package's files (index.js, lib/, pkg/) and examples/ from js/, as any web
// server would serve the package beside an app: the pages import it with an import map, no
// bundler. Loopback only; for development.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, posix, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVED = ["/index.js", "/lib/", "/pkg/", "/examples/"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
};

/**
 * Starts the server. `overrides` maps a URL path to a body served instead of the file (the
 * browser test points the SPA's config.json at its own provider this way).
 * @returns {Promise<{ origin: string, server: import("node:http").Server, overrides: Map<string, string>, close(): Promise<void> }>}
 */
export async function serve({ host = "127.0.0.1", port = 8080, root = PACKAGE_ROOT, overrides = new Map() } = {}) {
  const server = createServer(async (req, res) => {
    const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
    if (req.method !== "GET" && req.method !== "HEAD") return res.writeHead(405, headers).end();
    let path;
    try {
      // Decoded, then normalised, so an encoded "..%2F" cannot leave the served folders.
      path = posix.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    } catch {
      return res.writeHead(400, headers).end();
    }
    if (!path.startsWith("/") || path.includes("\0") || path.split("/").includes("..")) return res.writeHead(404, headers).end();
    if (path === "/") return res.writeHead(302, { ...headers, location: "/examples/spa/" }).end();
    if (path.endsWith("/")) path += "index.html";
    if (overrides.has(path)) {
      return res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "text/plain" }).end(overrides.get(path));
    }
    const file = normalize(join(root, path));
    if (!SERVED.some((prefix) => path === prefix || (prefix.endsWith("/") && path.startsWith(prefix))) || !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      return res.writeHead(404, headers).end();
    }
    try {
      if (!(await stat(file)).isFile()) return res.writeHead(404, headers).end();
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    origin: `http://${host}:${server.address().port}`,
    server,
    overrides,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { origin } = await serve({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving the examples on ${origin}/ (the SPA: ${origin}/examples/spa/)`);
}
