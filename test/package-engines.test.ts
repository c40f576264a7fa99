/**
 * The Node versions we support are ones every installed package declares it supports: `npm ci` on
 * any supported Node prints no EBADENGINE, and no polyfill stands in for a dependency's stated
 * requirement (chevrotain 12+ declares node>=22, so we pin 11.2.0, the newest that does not).
 */
import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, test } from "vitest";

interface LockEntry {
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(new URL("../package-lock.json", import.meta.url), "utf8")) as {
  packages: Record<string, LockEntry>;
};

describe("engines", () => {
  const ours = pkg.engines.node;

  test("package.json's range is valid and admits the Node running the tests", () => {
    expect(semver.validRange(ours)).not.toBeNull();
    expect(semver.satisfies(process.version, ours), `${process.version} in ${ours}`).toBe(true);
  });

  test("every locked package's engines.node admits every Node version we support", () => {
    const narrower: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !node) continue;
      if (!semver.subset(ours, node)) narrower.push(`${path.replace(/^node_modules\//, "")} wants node ${node}`);
    }
    expect(narrower, `supported: node ${ours}`).toEqual([]);
  });

  test("the parser needs no Object.groupBy polyfill: nothing in the sources installs one", async () => {
    const { parseSource } = await import("../compiler/ast/parse.js");
    const r = parseSource("t.nvp", "policy p\nservice web = nv.web.shop\nrule 10 allow web -> external port tcp/443\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.file.items.map((i) => i.kind)).toEqual(["policy", "service", "rule"]);
    // On Node 20 the method is missing; on 22+ it is native. Either way nobody defined it.
    expect(Object.getOwnPropertyDescriptor(Object, "groupBy")?.enumerable ?? false).toBe(false);
    if (process.versions.node.startsWith("20.")) expect("groupBy" in Object).toBe(false);
  });
});
