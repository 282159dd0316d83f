// Entry point for Node, Deno, Bun, browsers and bundlers: the wasm file sits beside this
// module and is read (Node) or fetched (everything else) relative to it.
import { setWasmSource, setSyncHost } from "./lib/api.js";

const inNode = typeof process !== "undefined" && Boolean(process.versions?.node);

setWasmSource(async () => {
  const url = new URL("./pkg/edge_token_validator_bg.wasm", import.meta.url);
  if (url.protocol === "file:" && inNode) {
    const { readFile } = await import("node:fs/promises");
    return readFile(url);
  }
  return fetch(url);
});

// Node: signatures by node:crypto on the calling thread (lib/node-crypto.js says why);
// elsewhere WebCrypto.
if (inNode) setSyncHost(async () => (await import("./lib/node-crypto.js")).nodeHost);

export * from "./lib/public.js";
