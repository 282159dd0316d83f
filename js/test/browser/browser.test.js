// The shared suite in real headless Chromium (Debian's package), driven by playwright-core,
// with the package served from a local static server on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, normalize, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { ES256K_FIXTURES } from "../fixtures/es256k.js";
import { ATTACK_CORPUS, loadAttackCorpus } from "../fixtures/attacks.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const TYPES = { ".js": "text/javascript", ".html": "text/html", ".wasm": "application/wasm", ".json": "application/json" };
// Generated fixtures outside the package, served by name.
const FIXTURES = { "/es256k-fixtures.json": fileURLToPath(ES256K_FIXTURES), "/attack-corpus.json": fileURLToPath(ATTACK_CORPUS) };
let server;
let browser;
let origin;

before(async () => {
  await loadAttackCorpus(); // fails loudly, with the command to make it, when missing
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = FIXTURES[path] ?? join(root, path);
    if (!file.startsWith(root) && !FIXTURES[path]) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("the shared suite passes in headless Chromium", async (t) => {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(`${origin}/test/browser/page.html`);
  await page.waitForFunction(() => window.__results !== undefined || false, null, { timeout: 120_000 }).catch(() => {});
  const results = await page.evaluate(() => window.__results);
  assert.ok(results, `the page produced no results; page errors: ${consoleErrors.join("\n")}`);
  const userAgent = await page.evaluate(() => navigator.userAgent);
  t.diagnostic(userAgent);
  for (const result of results) {
    await t.test(result.name, () => assert.ok(result.ok, result.error));
  }
  assert.ok(results.length >= 20, `only ${results.length} cases ran`);
});
