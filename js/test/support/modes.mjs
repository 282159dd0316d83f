// The "ok" / "fail" / "hang" switch and the clean stop shared by the local test servers
// (identity provider, introspection endpoint).

/** `state.mode` is read by the server; `hanging` holds the responses it left unanswered. */
export function modeControls(server, state, hanging) {
  return {
    setMode(mode) {
      state.mode = mode;
      if (mode !== "hang") {
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
