// Chevrotain 13 calls Object.groupBy (Node 21+); Node 20 lacks it. Import this before chevrotain.
declare global {
  interface ObjectConstructor {
    groupBy<K extends PropertyKey, T>(items: Iterable<T>, key: (item: T, index: number) => K): Partial<Record<K, T[]>>;
  }
}

if (typeof (Object as { groupBy?: unknown }).groupBy !== "function") {
  Object.defineProperty(Object, "groupBy", {
    configurable: true,
    writable: true,
    value(items: Iterable<unknown>, key: (x: unknown, i: number) => PropertyKey) {
      const out: Record<PropertyKey, unknown[]> = Object.create(null);
      let i = 0;
      for (const x of items) (out[key(x, i++)] ??= []).push(x);
      return out;
    },
  });
}

export {};
