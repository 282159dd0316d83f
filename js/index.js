// Entry point for Node, Deno, Bun, browsers and bundlers: the wasm file sits beside this
// module and is read (Node) or fetched (everything else) relative to it.
import { setWasmSource } from "./lib/api.js";

setWasmSource(async () => {
  const url = new URL("./pkg/edge_token_validator_bg.wasm", import.meta.url);
  if (url.protocol === "file:" && typeof process !== "undefined" && process.versions?.node) {
    const { readFile } = await import("node:fs/promises");
    return readFile(url);
  }
  return fetch(url);
});

export * from "./lib/public.js";
