import * as lib from "edge-token-validator";
import * as jose from "jose";
import { cases } from "../suite/index.js";

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("ready");
    const { es256kFixtures, attackCorpus, tokenServer } = await request.json();
    const results = [];
    for (const { name, run } of cases(lib, jose, { es256kFixtures, attackCorpus, tokenServer })) {
      try {
        await run();
        results.push({ name, ok: true });
      } catch (error) {
        results.push({ name, ok: false, error: String(error?.stack ?? error) });
      }
    }
    return Response.json(results);
  },
};
