/**
 * The package as an embedder gets it: `npm pack` (scripts off, so it packs the dist/ that
 * `npm run build` made), unpacked into scratch projects under the temp dir whose node_modules link
 * this repo's installed dependencies (no network). The full project imports `nvp`, `nvp/runtime` and
 * `nvp/compiler` and compiles and enforces through them. The enforcer project has no Chevrotain and
 * the compiler's and grammar's files deleted from the package, and still loads a module, enforces it
 * and reads a capture through `nvp/runtime`. The static import graph of the packed `nvp/runtime`
 * stays inside dist/runtime and dist/common. Needs: a current `npm run build`, npm and tar.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compileModule, compileSources } from "../../compiler/index.js";
import { importGraph } from "../layering/import-graph.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { exports: Record<string, unknown>; dependencies: Record<string, string> };
const ENTRIES = ["nvp", "nvp/runtime", "nvp/compiler"];
const POLICY = "service web = nv.web.shop { mode protect }\nrule 10 allow web -> external port tcp/443\n";

let scratch = "";
let packed = ""; // the unpacked tarball: <scratch>/package

/** A project dir with `nvp` copied in and the given dependencies linked from this repo. */
function project(name: string, deps: readonly string[], drop: readonly string[] = []): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `scratch-${name}`, private: true, type: "module" }));
  cpSync(packed, join(dir, "node_modules", "nvp"), { recursive: true });
  for (const d of drop) rmSync(join(dir, "node_modules", "nvp", d), { recursive: true });
  for (const d of deps) {
    // Scoped packages (`@duckdb/node-api`) need their scope folder first.
    mkdirSync(dirname(join(dir, "node_modules", d)), { recursive: true });
    symlinkSync(join(repo, "node_modules", d), join(dir, "node_modules", d), "dir");
  }
  return dir;
}

/** Value names that docs/, README.md and examples/ import from each specifier, by file. */
function documentedImports(): { file: string; spec: string; names: string[] }[] {
  const files = [
    ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
    "README.md",
    ...readdirSync(join(repo, "examples")).filter((f) => f.endsWith(".ts")).map((f) => `examples/${f}`),
  ];
  const out: { file: string; spec: string; names: string[] }[] = [];
  for (const file of files) {
    const text = readFileSync(join(repo, file), "utf8");
    for (const m of text.matchAll(/^\s*import\s+(type\s+)?\{([^}]*)\}\s*from\s*"([^"]+)"/gm)) {
      const names = m[1] ? [] : (m[2] as string).split(",").map((n) => n.trim()).filter((n) => n && !n.startsWith("type "));
      out.push({ file, spec: m[3] as string, names: names.map((n) => n.split(/\s+as\s+/)[0] as string) });
    }
  }
  return out;
}

/** Run `script` as an ES module inside `dir` with plain node; its stdout is one JSON value. */
function runIn(dir: string, script: string): any {
  writeFileSync(join(dir, "probe.mjs"), script);
  const out = execFileSync(process.execPath, ["probe.mjs"], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
  return JSON.parse(out);
}

let fullResult: { m: Record<string, string[]>; d: unknown[] } | undefined;

/**
 * The project with every dependency: each entry's export names, and two decisions of a policy
 * compiled through `nvp/compiler` and enforced through `nvp/runtime`. Run once, read by two tests.
 */
function full(): { m: Record<string, string[]>; d: unknown[] } {
  fullResult ??= runIn(
    project("full", Object.keys(pkg.dependencies)),
    `
    const m = {};
    for (const e of ${JSON.stringify(ENTRIES)}) m[e] = Object.keys(await import(e)).sort();
    const { compileSources, compileModule } = await import("nvp/compiler");
    const { Enforcer, loadModule } = await import("nvp/runtime");
    const bytes = compileModule(compileSources({ "p.nvp": ${JSON.stringify(POLICY)} }, ["p.nvp"]).model).bytes;
    const e = new Enforcer(loadModule(bytes));
    e.setInventory({ workloads: [{ name: "w", namespace: "shop", service: "web", labels: {}, nsLabels: {}, images: [], containers: [], node: "n", ips: ["10.0.0.1"] }], nodes: [], internalSubnets: [], serviceExternalIps: [] });
    const d = [443, 80].map((port) => e.decide({ src: "10.0.0.1", dst: "1.1.1.1", proto: "tcp", port }));
    console.log(JSON.stringify({ m, d }));
    `,
  );
  return fullResult!;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "nvp-pack-"));
  const json = execFileSync("npm", ["pack", "--ignore-scripts", "--offline", "--json", "--pack-destination", scratch], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [{ filename }] = JSON.parse(json) as [{ filename: string }];
  execFileSync("tar", ["-xzf", join(scratch, filename), "-C", scratch]);
  packed = join(scratch, "package");
  // The enforcer project gets its module from here, as a node agent gets it from CI.
  writeFileSync(join(scratch, "policy.wasm"), compileModule(compileSources({ "p.nvp": POLICY }, ["p.nvp"]).model!).bytes);
}, 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed package", () => {
  test("declares the three entries, and the tarball holds their files (else: npm run build)", () => {
    expect(Object.keys(pkg.exports)).toEqual([".", "./runtime", "./compiler", "./package.json"]);
    const dist = readdirSync(join(packed, "dist"));
    expect(dist).toEqual(expect.arrayContaining(["index.js", "index.d.ts", "runtime", "compiler", "common", "grammar"]));
    for (const f of ["runtime/index.js", "runtime/index.d.ts", "compiler/index.js", "compiler/index.d.ts"]) {
      expect(readdirSync(join(packed, "dist", f, ".."))).toContain(f.split("/")[1]);
    }
  });

  test("nvp/runtime's static import graph stays in dist/runtime and dist/common and needs only yaml", () => {
    const g = importGraph(packed, ["dist/runtime/index.js"], { follow: true });
    expect(g.unresolved).toEqual([]);
    const outside = [...g.edges.keys()].filter((f) => !/^dist\/(runtime|common)\//.test(f));
    expect(outside).toEqual([]);
    const packages = new Set([...g.packages.values()].flatMap((s) => [...s]).filter((p) => !p.startsWith("node:")));
    expect([...packages]).toEqual(["yaml"]);
    // The root entry does reach the compiler and the grammar's bundled Chevrotain: the walk is not blind.
    const all = importGraph(packed, ["dist/index.js"], { follow: true });
    expect([...all.edges.keys()]).toEqual(expect.arrayContaining(["dist/compiler/index.js", "dist/grammar/chevrotain.js"]));
  });

  test("every entry imports in a scratch project; compile through nvp/compiler, enforce through nvp/runtime", () => {
    const got = full();
    expect(got.d).toMatchObject([
      { action: "allow", rule: 10 },
      { action: "deny", rule: 0 },
    ]);
    const [root, runtime, compiler] = ENTRIES.map((e) => got.m[e] as string[]);
    expect(runtime).toEqual(expect.arrayContaining(["loadModule", "Enforcer", "PacketEngine", "readCapture", "parseCaptureBuffer", "loadInventory"]));
    expect(compiler).toEqual(expect.arrayContaining(["checkFiles", "checkSources", "compileFiles", "compileSources", "compileModule", "loadAndCheck", "formatText", "evaluate"]));
    // The root entry keeps working: it is the runtime plus the compiler's API.
    expect(root).toEqual(expect.arrayContaining([...runtime!, "checkFiles", "checkSources", "compileFiles", "compileSources", "compileModule", "loadAndCheck", "renderDiagnostic"]));
  });

  test("docs and examples import through the package entries, and every name they import exists", () => {
    const imports = documentedImports();
    // Repo paths into the layers are what an embedder cannot write (docs/threats.md shows engine
    // sources importing their asm/ neighbours: `./found`, which is no layer path).
    const repoPaths = imports.filter((i) => /^\.{1,2}\/.*\b(runtime|compiler|common|grammar|cli)\b|^\.{1,2}\/(.*\/)?index\.js$/.test(i.spec));
    expect(repoPaths).toEqual([]);
    const nvp = imports.filter((i) => i.spec === "nvp" || i.spec.startsWith("nvp/"));
    expect(new Set(nvp.map((i) => i.file))).toEqual(new Set(["docs/module.md", "docs/formats.md", "examples/enforcer.ts"]));
    const keys = full().m;
    const missing = nvp.flatMap((i) => {
      const exported = keys[i.spec];
      if (exported === undefined) return [`${i.file}: no entry ${i.spec}`];
      return i.names.filter((n) => !exported.includes(n)).map((n) => `${i.file}: ${n} from ${i.spec}`);
    });
    expect(missing).toEqual([]);
  });

  test("an enforcer without Chevrotain and without the compiler's files runs through nvp/runtime", () => {
    const deps = Object.keys(pkg.dependencies).filter((d) => d !== "chevrotain");
    const dir = project("enforcer", deps, ["dist/compiler", "dist/grammar", "dist/cli", "stdlib"]);
    cpSync(join(scratch, "policy.wasm"), join(dir, "policy.wasm"));
    cpSync(join(repo, "test/fixtures/captures/dns-tcp.pcap"), join(dir, "trace.pcap"));
    const got = runIn(
      dir,
      `
      import { readFileSync } from "node:fs";
      const fails = async (spec) => import(spec).then(() => false, () => true);
      const absent = { chevrotain: await fails("chevrotain"), root: await fails("nvp"), compiler: await fails("nvp/compiler") };
      const rt = await import("nvp/runtime");
      const { inventory } = rt.loadInventory([{ path: "inv.yaml", text: "workloads:\\n  - { name: w, namespace: shop, service: web, ips: [10.0.0.1] }\\n" }]);
      const e = new rt.Enforcer(rt.loadModule(readFileSync("policy.wasm")));
      e.setInventory(inventory);
      const d = e.decide({ src: "10.0.0.1", dst: "1.1.1.1", proto: "tcp", port: 443 });
      let streamed = 0;
      for await (const p of rt.readCapture("trace.pcap")) streamed++;
      const parsed = rt.parseCaptureBuffer(readFileSync("trace.pcap"));
      const packets = new rt.PacketEngine(rt.loadModule(readFileSync("policy.wasm")), { inventory });
      const verdicts = packets.process(parsed.packets);
      console.log(JSON.stringify({ absent, d, streamed, parsed: parsed.packets.length, verdicts: verdicts.length }));
      `,
    );
    expect(got.absent).toEqual({ chevrotain: true, root: true, compiler: true });
    expect(got.d).toMatchObject({ action: "allow", rule: 10 });
    expect(got.streamed).toBeGreaterThan(0);
    expect(got.parsed).toBe(got.streamed);
    expect(got.verdicts).toBe(got.streamed);
  });
});
