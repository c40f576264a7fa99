/**
 * Seed 001 end to end on examples/migration (docs/workflow.md): the committed learned policy is
 * exactly what `nvp learn` writes from the DEV capture; its tests pass in DEV, QA and PROD on both
 * engines; the PROD capture replays clean once `postgres` points at the managed database's address
 * group, and is blocked without; a Monitor-mode look at PROD groups that database by its DNS name.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";

const dir = join(import.meta.dirname, "../../examples/migration");

async function run(args: string[]) {
  const io = memoryIo(dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

const PROD = ["--policy", "orders.nvp", "--policy", "prod-db.nvp", "--set", "ns=shop", "--set", "mode=protect", "--inventory", "inventory-prod.yaml", "prod.pcap", "--format", "json"];

describe("examples/migration (seed 001)", () => {
  test("orders.nvp is what `nvp learn --param namespace --lock-ports` writes from the DEV capture", async () => {
    const r = await run(["learn", "--inventory", "inventory-dev.yaml", "--param", "namespace", "--lock-ports", "--name", "orders", "dev.pcap"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(dir, "orders.nvp"), "utf8"));
    expect(r.out).toContain('rule 10001 allow ${orders} -> ${postgres} app PostgreSQL port tcp/5432 learned');
  }, 30_000);

  test("docs/workflow.md shows the learned policy and the learn output as they are", async () => {
    const doc = readFileSync(join(dir, "../../docs/workflow.md"), "utf8");
    const committed = readFileSync(join(dir, "orders.nvp"), "utf8");
    expect(doc).toContain(committed.slice(committed.indexOf("policy orders")));
    const plain = await run(["learn", "--inventory", "inventory-dev.yaml", "dev.pcap"]);
    expect(doc).toContain(`$ npx nvp learn --inventory inventory-dev.yaml dev.pcap\n${plain.err}${plain.out}`);
    const monitor = await run(["learn", "--inventory", "inventory-prod.yaml", "--monitor", "prod.pcap"]);
    expect(doc).toContain(monitor.out.slice(monitor.out.indexOf("service orders")));
  }, 30_000);

  test("the policy tests pass in DEV, QA and PROD on both engines", async () => {
    for (const engine of ["wasm", "reference"]) {
      const r = await run(["test", ".", "--engine", engine, "--format", "json"]);
      const j = JSON.parse(r.out);
      expect(j).toMatchObject({ failed: 0 });
      expect(j.passed).toBe(12);
    }
  }, 30_000);

  test("the PROD capture replays clean with postgres=prod-db, and is blocked without it", async () => {
    const clean = await run(["replay", ...PROD, "--set", "postgres=prod-db"]);
    expect(clean.code).toBe(0);
    const s = JSON.parse(clean.out);
    expect(s).toMatchObject({ violations: 0, denied: 0, flowsByRule: { "rule 10000": 2, "rule 10001": 2 }, applications: { DNS: 2, PostgreSQL: 2 } });
    const blocked = await run(["replay", ...PROD]);
    expect(blocked.code).toBe(3);
  }, 30_000);

  test("the PROD export carries the seed's hand edits: egress to the address group by DNS name, port locked", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "nvp-migration-")), "prod.yaml");
    const r = await run(["export", "--crd", "orders.nvp", "prod-db.nvp", "--set", "ns=shop", "--set", "postgres=prod-db", "--set", "mode=protect", "-o", out]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(readFileSync(out, "utf8")).map((d) => d.toJS());
    const orders = docs.find((d) => d.metadata.name === "nv.orders.shop");
    expect(orders.spec.target.policymode).toBe("Protect");
    expect(orders.spec.egress).toEqual([
      expect.objectContaining({ name: "prod-db-egress-0", action: "allow", applications: ["PostgreSQL"], ports: "tcp/5432", selector: { name: "prod-db", criteria: [{ key: "address", op: "=", value: "orders-db.prod.example.com" }] } }),
    ]);
  }, 30_000);

  test("learning from PROD in Monitor mode groups the managed database by the name orders resolved", async () => {
    const r = await run(["learn", "--inventory", "inventory-prod.yaml", "--monitor", "prod.pcap"]);
    expect(r.out).toContain('group orders-db-prod-example-com { address "orders-db.prod.example.com" }');
    expect(r.out).toContain("rule 10001 allow orders -> orders-db-prod-example-com app PostgreSQL learned");
  }, 30_000);
});
