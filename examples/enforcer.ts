/**
 * An enforcer loading a compiled policy module (docs/module.md). Two halves:
 *  1. CI: `nvp compile examples/shop/shop.nvp --set ns=shop --set db=prod-db --set mode=protect
 *     -o policy.wasm`, done here through the library (checkSources + compileModule).
 *  2. The node agent: read policy.wasm, `loadModule` (validates magic, versions, hash, table),
 *     `new Enforcer`, feed the inventory and DNS answers, decide flows.
 * It imports through the package entries (`nvp/compiler` in CI, `nvp/runtime` on the node), which
 * resolve to the built dist/ here: `npm run build` first.
 * Run: npx tsx examples/enforcer.ts  (test/engine/example.test.ts runs it too)
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileModule, checkSources } from "nvp/compiler";
import { Enforcer, loadInventory, loadModule, type Flow } from "nvp/runtime";

const here = dirname(fileURLToPath(import.meta.url));

/** CI side: the PROD variant of examples/shop compiled to policy.wasm; returns its path. */
export function compileShop(outDir: string): string {
  const path = join(here, "shop/shop.nvp");
  const checked = checkSources({ [path]: readFileSync(path, "utf8") }, [path], { ns: "shop", db: "prod-db", mode: "protect" });
  if (!checked.model) throw new Error(checked.diagnostics.map((d) => d.message).join("\n"));
  const out = join(outDir, "policy.wasm");
  writeFileSync(out, compileModule(checked.model).bytes);
  return out;
}

/** Enforcer side: everything a node agent does with the module. Returns one line per flow. */
export function enforce(modulePath: string): string[] {
  const enforcer = new Enforcer(loadModule(readFileSync(modulePath)));
  const invPath = join(here, "shop/inventory-prod.yaml");
  enforcer.setInventory(loadInventory([{ path: invPath, text: readFileSync(invPath, "utf8") }]).inventory);
  // A DNS answer the agent saw (or resolved): the managed database's name.
  enforcer.addDnsResolution("orders-db.prod.example.com", ["172.16.5.20"]);
  const flows: Flow[] = [
    { src: "10.3.0.31", dst: "172.16.5.20", proto: "tcp", port: 5432 },
    { src: "10.3.0.31", dst: "172.16.5.20", proto: "tcp", port: 5432, app: "postgresql" },
    { src: "10.3.0.2", dst: "10.3.0.31", proto: "tcp", port: 8080, app: "http" },
    // The ingress forwards an outside client: the X-Forwarded-For lookup sees it as `external`.
    { src: "10.3.0.2", dst: "10.3.0.31", proto: "tcp", port: 8080, app: "http", xff: "203.0.113.50" },
    { src: "10.3.0.31", dst: "169.254.169.254", proto: "tcp", port: 80 },
    { src: "10.3.0.31", dst: "93.184.216.34", proto: "tcp", port: 443 },
  ];
  // decideMany batches inside WebAssembly; decide(flow) is the one-flow form.
  return enforcer.decideMany(flows).map((d, i) => {
    const f = flows[i] as Flow;
    const extra = [d.mode && `mode ${d.mode}`, d.awaiting && `awaiting ${d.awaiting}`, d.xff && `xff ${d.xff.action} rule ${d.xff.rule}`];
    return `${f.src} -> ${f.dst} ${f.proto}/${f.port}${f.app ? ` ${f.app}` : ""}: ${d.action} rule ${d.rule}${extra.filter(Boolean).map((x) => `, ${x}`).join("")}`;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wasm = compileShop(mkdtempSync(join(tmpdir(), "nvp-")));
  console.log(`compiled ${wasm}`);
  for (const line of enforce(wasm)) console.log(line);
}
