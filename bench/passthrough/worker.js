// The baseline of `make bench` part 2: a Worker that forwards every request to ORIGIN as the
// gateway does (method, path and query, headers, streamed body), and nothing else.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(`${env.ORIGIN}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  },
};
