// Assertions that run the same in Node, browsers and workerd (no node:assert there).
export class CheckError extends Error {}

const show = (v) => {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

export function ok(value, message = "expected a truthy value") {
  if (!value) throw new CheckError(message);
}

export function equal(actual, expected, message = "") {
  if (!Object.is(actual, expected)) throw new CheckError(`${message} expected ${show(expected)}, got ${show(actual)}`);
}

export function deepEqual(actual, expected, message = "") {
  if (show(actual) !== show(expected)) throw new CheckError(`${message} expected ${show(expected)}, got ${show(actual)}`);
}

/** Awaits `promise`, which must reject with a TokenError of `code`; returns the error. */
export async function rejectsWith(promise, code, TokenError, message = "") {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (!error) throw new CheckError(`${message} expected rejection with ${code}, but it resolved`);
  if (TokenError && !(error instanceof TokenError)) throw new CheckError(`${message} expected a TokenError, got ${error}`);
  if (error.code !== code) throw new CheckError(`${message} expected code ${code}, got ${error.code} (${error.message})`);
  return error;
}
