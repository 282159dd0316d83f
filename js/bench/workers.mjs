// The Workers-runtime part of `make bench` (SPEC §6): requests per second through the gateway
// Worker against a pass-through Worker (bench/passthrough/) that forwards the same requests to
// the same local origin, with autocannon on 127.0.0.1, in alternating rounds.
//
// Both run in workerd through Miniflare (the library `wrangler dev` is built on), without
// wrangler's dev proxy Worker and DevTools inspector in front: those add their own cost to
// every request (measured here: the pass-through answered 260 req/s under `wrangler dev` and
// ~1,500 under Miniflare), which would hide what the gateway itself costs.
//
// The gateway validates the demo RS256 token (dev key pair; `sub` and `jti`, so revocation
// is checked against KV) on every request: the same token each time, as a client sends
// between refreshes, so this is the warm path plus forwarding. A third row forwards through
// the gateway on a public route (no token work), which separates the door's forwarding cost
// from validation.
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { repoRoot } from "../test/support/wrangler.mjs";

const COMPATIBILITY_DATE = "2026-04-20";
// workerd's own output (each load run ends with "broken pipe" lines as connections close);
// every target is checked for 200 answers instead.
const quiet = (stdout, stderr) => {
  stdout.resume();
  stderr.resume();
};
const MODULE_RULES = [
  { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
  { type: "CompiledWasm", include: ["**/*.wasm"] },
];

/** A minimal origin: 200 with a short body, as cheap as Node can answer. */
async function startOrigin() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

function gatewayWorker(bindings) {
  return new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    // worker-build's output (`make worker`); build/worker/shim.mjs only re-exports it.
    scriptPath: `${repoRoot}build/index.js`,
    modulesRoot: `${repoRoot}build`,
    modulesRules: MODULE_RULES,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    kvNamespaces: ["REVOCATIONS"],
    handleRuntimeStdio: quiet,
  });
}

async function load(url, headers, seconds, connections) {
  const result = await autocannon({ url, headers, duration: seconds, connections });
  return { rps: result.requests.average, bad: result.non2xx + result.errors + result.timeouts };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * @returns {Promise<{ rps: Record<string, number>, bad: Record<string, number>, seconds: number, connections: number }>}
 *   median req/s per target over the rounds, and the answers that were not 200 (must be 0)
 */
export async function runWorkersBench({ seconds = 10, rounds = 5, connections = 8 } = {}) {
  const origin = await startOrigin();
  const jwks = readFileSync(`${repoRoot}dev/dev.public.jwks.json`, "utf8").trim();
  const issuer = "https://dev-issuer.edge-token-validator.example";
  const token = execFileSync("node", [`${repoRoot}dev/mint-token.mjs`], { env: { ...process.env, TTL: "3600" } }).toString().trim();
  const settings = { ISSUER: issuer, AUDIENCE: "demo-api", JWKS: jwks, ORIGIN: origin.url };
  const workers = {
    gateway: gatewayWorker(settings),
    "gateway, public route": gatewayWorker({ ...settings, ROUTES: '[{"prefix":"/","public":true}]' }),
    passthrough: new Miniflare({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      scriptPath: `${repoRoot}bench/passthrough/worker.js`,
      modulesRoot: `${repoRoot}bench/passthrough`,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ORIGIN: origin.url },
      handleRuntimeStdio: quiet,
    }),
  };
  const headers = { authorization: `Bearer ${token}` };
  try {
    const urls = {};
    for (const [name, worker] of Object.entries(workers)) urls[name] = new URL("/bench", await worker.ready).href;
    // Every target must answer 200 before anything is timed (a misconfigured gateway answers
    // 401 or 500, which would be fast and wrong).
    for (const [name, url] of Object.entries(urls)) {
      const response = await fetch(url, { headers });
      if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
    }
    for (const url of Object.values(urls)) await load(url, headers, 2, connections); // warm-up
    const names = Object.keys(urls);
    const runs = Object.fromEntries(names.map((name) => [name, []]));
    const perRound = seconds / rounds;
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length];
        runs[name].push(await load(urls[name], headers, perRound, connections));
      }
    }
    return {
      rps: Object.fromEntries(names.map((name) => [name, median(runs[name].map((r) => r.rps))])),
      bad: Object.fromEntries(names.map((name) => [name, runs[name].reduce((sum, r) => sum + r.bad, 0)])),
      seconds,
      connections,
    };
  } finally {
    for (const worker of Object.values(workers)) await worker.dispose();
    await origin.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runWorkersBench());
}
