/** The error `f` throws, which must be a `cls`; fails the test when `f` returns or throws another. */
export function thrown<E extends Error>(f: () => unknown, cls: new (...args: never[]) => E): E {
  try {
    f();
  } catch (e) {
    if (e instanceof cls) return e;
    throw e;
  }
  throw new Error(`expected a ${cls.name}, but nothing was thrown`);
}
