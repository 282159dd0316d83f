// Entry point for Cloudflare Workers (the `workerd` export condition): the Workers bundler
// turns a .wasm import into a compiled WebAssembly.Module, since Workers cannot fetch files.
import wasmModule from "./pkg/edge_token_validator_bg.wasm";
import { setWasmSource } from "./lib/api.js";

setWasmSource(async () => wasmModule);

export * from "./lib/public.js";
