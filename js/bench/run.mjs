// `make bench`: every measurement of SPEC §6 / issue 7, in one run, printed as one table with
// the ratios and the targets. Absolute times are this machine's; compare ratios.
//   (1) Node: this package vs jose 6 vs bare crypto.subtle.verify, cold and warm (node.mjs)
//   (2) Workers runtime: gateway vs pass-through Worker req/s (workers.mjs)
//   (3) native criterion benches of the core (benches/core.rs)
//   (4) the package's wasm: size raw and gzip, compile and instantiation time
// Options (environment): BENCH_QUICK=1 for a short run; BENCH_SKIP=workers,criterion to leave
// parts out.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { runNodeBench, ALGORITHMS } from "./node.mjs";
import { runWorkersBench } from "./workers.mjs";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const quick = process.env.BENCH_QUICK === "1";
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const rows = [];
const row = (part, measure, value, baseline = "", ratio = "", target = "", met = "") => rows.push({ part, measure, value, baseline, ratio, target, met });
const us = (x) => `${x.toFixed(x < 10 ? 2 : 1)} µs`;
const check = (ratio, op, limit) => (op === "<=" ? ratio <= limit : ratio >= limit) ? "yes" : `no (${(op === "<=" ? ratio / limit : limit / ratio).toFixed(2)}× off)`;

// (4) first: it needs a quiet process, and it is quick.
function wasmPart() {
  const wasmPath = `${repoRoot}js/pkg/edge_token_validator_bg.wasm`;
  const bytes = readFileSync(wasmPath);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  // Compile and instantiate in fresh child processes (a warm process would have cached code).
  const script = `
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(${JSON.stringify(wasmPath)});
    const glue = await import(${JSON.stringify(`${repoRoot}js/pkg/edge_token_validator.js`)});
    let t = performance.now();
    const module = await WebAssembly.compile(bytes);
    const compile = performance.now() - t;
    t = performance.now();
    glue.initSync({ module });
    const instantiate = performance.now() - t;
    console.log(JSON.stringify({ compile, instantiate }));`;
  const runs = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    runs.push(JSON.parse(out.stdout));
  }
  const med = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[runs.length >> 1];
  row("4 wasm", "npm package .wasm, raw", `${(bytes.length / 1024).toFixed(1)} KB`);
  row("4 wasm", "npm package .wasm, gzip -9", `${(gzip / 1024).toFixed(1)} KB`, "", "", "≤ 120 KB", gzip <= 120 * 1024 ? "yes" : `no (${(gzip / (120 * 1024)).toFixed(2)}× off)`);
  row("4 wasm", "WebAssembly.compile (fresh process, median)", `${med("compile").toFixed(2)} ms`);
  row("4 wasm", "instantiation (initSync, median)", `${med("instantiate").toFixed(2)} ms`);
}

async function nodePart() {
  const results = await runNodeBench(quick ? { rounds: 4, coldBlock: 100, warmBlock: 1000, warmup: 200 } : {});
  for (const alg of ALGORITHMS) {
    const { cold, warm } = results[alg];
    const asym = alg !== "HS256";
    const coldJose = cold.package / cold.jose;
    row("1 Node", `${alg} cold: package / jose`, us(cold.package), us(cold.jose), coldJose.toFixed(3), asym ? "≤ 0.9" : "≤ 0.25", check(coldJose, "<=", asym ? 0.9 : 0.25));
    const coldSubtle = cold.package / cold.subtle;
    row("1 Node", `${alg} cold: package / bare subtle.verify`, us(cold.package), us(cold.subtle), coldSubtle.toFixed(3), asym ? "≤ 1.15" : "", asym ? check(coldSubtle, "<=", 1.15) : "");
    // The package checks signatures with node:crypto in Node: this row says how close it
    // comes to that native call alone (no target; informational).
    row("1 Node", `${alg} cold: package / bare node:crypto (sync)`, us(cold.package), us(cold.node), (cold.package / cold.node).toFixed(3));
    const warmJose = warm.package / warm.jose;
    row("1 Node", `${alg} warm: package / jose`, us(warm.package), us(warm.jose), warmJose.toFixed(3), "≤ 0.03", check(warmJose, "<=", 0.03));
    row("1 Node", `${alg} warm: package / bare subtle.verify`, us(warm.package), us(warm.subtle), (warm.package / warm.subtle).toFixed(3));
  }
}

async function workersPart() {
  const r = await runWorkersBench(quick ? { seconds: 4, rounds: 2 } : {});
  const ratio = r.rps.gateway / r.rps.passthrough;
  const rps = (x) => `${x.toFixed(0)} req/s`;
  row("2 Workers", `gateway (RS256 token, KV revocation) / pass-through`, rps(r.rps.gateway), rps(r.rps.passthrough), ratio.toFixed(3), "≥ 0.85", check(ratio, ">=", 0.85));
  row("2 Workers", `gateway on a public route (forwarding only) / pass-through`, rps(r.rps["gateway, public route"]), rps(r.rps.passthrough), (r.rps["gateway, public route"] / r.rps.passthrough).toFixed(3));
  const bad = Object.entries(r.bad).filter(([, n]) => n > 0);
  if (bad.length) row("2 Workers", "answers other than 200 (must be none)", bad.map(([n, c]) => `${n}: ${c}`).join(", "));
  row("2 Workers", `setup: workerd via Miniflare, autocannon ${r.connections} connections, ${r.seconds} s each (alternating rounds)`, "");
}

function criterionPart() {
  const args = ["bench", "--bench", "core", "--", "--warm-up-time", "1", "--measurement-time", quick ? "1" : "3", "--noplot"];
  const out = spawnSync("cargo", args, { cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`cargo bench failed:\n${out.stderr}`);
  // criterion prints "core/<name>\n    time:   [low mid high]" (or on one line when short).
  const text = out.stdout.replace(/\n\s+time:/g, " time:");
  const found = {};
  for (const match of text.matchAll(/^core\/(.+?)\s+time:\s+\[\S+ \S+ (\S+ \S+) \S+ \S+\]/gm)) {
    found[match[1].trim()] = match[2];
    row("3 core (native)", match[1].trim(), match[2]);
  }
  const hit = parseTime(found["cache hit (1000 entries: lookup, key, clock and scope rules)"]);
  const full = parseTime(found["validate HS256 (full, pure Rust)"]);
  if (hit && full) row("3 core (native)", "cache hit / full HS256 validation", "", "", (hit / full).toFixed(3));
}

function parseTime(text) {
  if (!text) return null;
  const [value, unit] = text.split(" ");
  return Number(value) * { ps: 1e-6, ns: 1e-3, "µs": 1, us: 1, ms: 1e3, s: 1e6 }[unit];
}

function print() {
  const header = { part: "part", measure: "measure", value: "this package", baseline: "baseline", ratio: "ratio", target: "target", met: "met" };
  const all = [header, ...rows];
  const width = Object.fromEntries(Object.keys(header).map((key) => [key, Math.max(...all.map((r) => String(r[key]).length))]));
  const line = (r) => `| ${Object.keys(header).map((key) => String(r[key]).padEnd(width[key])).join(" | ")} |`;
  console.log(`\nedge-token-validator benchmarks — one run, ${new Date().toISOString()}, ${cpus().length} CPUs, Node ${process.versions.node}`);
  console.log("baselines: (1) jose 6 jwtVerify with a pre-imported key / bare crypto.subtle.verify / bare node:crypto one-shot check on the calling thread (the package's own path in Node); (2) pass-through Worker");
  console.log("the npm package in Node checks RS/PS/ES/EdDSA with node:crypto on the calling thread; in browsers and workerd with WebCrypto (not timed here); HS* and ES256K in wasm everywhere");
  console.log(line(header));
  console.log(`|${Object.keys(header).map((key) => "-".repeat(width[key] + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

wasmPart();
if (!skip.has("node")) await nodePart();
if (!skip.has("workers")) await workersPart();
if (!skip.has("criterion")) criterionPart();
print();
