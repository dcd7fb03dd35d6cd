/**
 * While a recording runs, an error thrown from a source's timer must not end the session: the
 * recorder notes it and recording goes on. Outside a recording such an error is fatal (one line).
 */
let absorbing: ((e: unknown) => void) | undefined;

/** routes uncaught errors to `handler` until the returned function is called */
export function absorbUncaught(handler: (e: unknown) => void): () => void {
  absorbing = handler;
  return () => {
    if (absorbing === handler) absorbing = undefined;
  };
}

/** true when a recording took the error */
export function absorbed(e: unknown): boolean {
  if (!absorbing) return false;
  absorbing(e);
  return true;
}
