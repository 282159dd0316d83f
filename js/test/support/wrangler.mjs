// Starts the gateway in the real Workers runtime (`wrangler dev`, workerd) on a free loopback
// port, and stops exactly the processes it started.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const wrangler = `${repoRoot}js/node_modules/.bin/wrangler`;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Local state (KV, Cache API) lives in `persistTo`; by default a fresh directory per start, so
 * runs never see each other's revocations or caches.
 * @param {{ env?: string, config?: string, vars?: Record<string, string>, timeoutMs?: number, readyPath?: string, persistTo?: string }} options
 * @returns {Promise<{ url: string, logs: () => string, stop: () => Promise<void> }>}
 */
export async function startGateway({ env, config, vars = {}, timeoutMs = 120_000, readyPath = "/_auth/healthz", persistTo } = {}) {
  const port = await freePort();
  const ownState = persistTo === undefined;
  const stateDir = persistTo ?? mkdtempSync(join(tmpdir(), "etv-wrangler-"));
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort())];
  if (env) args.push("--env", env);
  if (config) args.push("--config", config);
  args.push("--persist-to", stateDir);
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  // detached: the child leads its own process group, so stop() reaches workerd too.
  const child = spawn(wrangler, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
    if (ownState) rmSync(stateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) });
      return { url, logs: () => output, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await stop();
  throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${output}`);
}
