#!/usr/bin/env node
/**
 * Generates the standing bad-input corpus (issue 10, item 7): the manifest
 * test/fixtures/bad-inputs/cases.json (committed, so changes to the corpus are reviewed) and, with
 * `--out DIR`, the manifest and the input files it names (DIR/files/, 1.8 MB, not committed: the test
 * generates them into a scratch directory and checks the committed manifest is current). Cases are the cross product of hostile
 * sources and the commands' input slots, of bad values and the flags that take them (on both
 * engines), of damaged bytes and the file kinds, plus the small inputs that used to blow up (issue 10).
 * Every case states its expected exit code and the error codes its output must contain;
 * test/cli/bad-inputs.test.ts runs them all and fails on any `internal error:`.
 * Run: node scripts/gen-bad-inputs.mjs [--out DIR]   (deterministic: the same files and cases every time)
 */
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outAt = process.argv.indexOf("--out");
const out = outAt > 0 ? process.argv[outAt + 1] : join(root, "test/fixtures/bad-inputs");
const withFiles = outAt > 0;
const files = join(out, "files");

/** Deterministic "random" bytes: a sha256 chain from a fixed seed, the same on every run. */
function randomBytes(n) {
  const out = [];
  for (let block = createHash("sha256").update("nvp bad inputs 20261207").digest(); out.length < n; block = createHash("sha256").update(block).digest()) out.push(...block);
  return Buffer.from(out.slice(0, n));
}

const written = {};
const file = (name, content) => {
  written[name] = content;
  return `files/${name}`;
};

// ---- good inputs every slot needs besides the bad one -------------------------------------------
const POLICY = "policy corpus\nservice web = nv.web.shop { mode protect }\ngroup db { address 10.20.0.0/16, \"db.example.com\" }\nrule 10 allow web -> db port tcp/5432\nrule 20 deny web -> external\n";
const INVENTORY = "workloads:\n  - {name: web-1, namespace: shop, service: web, node: n1, ips: [10.0.0.1]}\nnodes:\n  - {name: n1, ips: [10.0.1.1]}\n";
const FLOW = { src: "10.0.0.1", dst: "10.20.0.5", port: "tcp/5432" };
const good = {
  policy: file("good.nvp", POLICY),
  inventory: file("good-inventory.yaml", INVENTORY),
  flows: file("good-flows.ndjson", JSON.stringify(FLOW) + "\n"),
  dns: file("good-dns.yaml", "db.example.com: [10.20.0.9]\n"),
};
file("good.test.yaml", `policy: good.nvp\ninventory: good-inventory.yaml\ntests:\n  - name: web reaches the db\n    flow: {src: 10.0.0.1, dst: 10.20.0.5, port: tcp/5432}\n    expect: {action: allow, rule: 10}\n`);

const explainFlow = ["--from", FLOW.src, "--to", FLOW.dst, "--port", FLOW.port];

/**
 * The input slots: how a command takes one input kind, and the code each hostile source gives there.
 * `streamed` is the code for an endless device or FIFO (the size cap), `dir` for a directory (none where a
 * folder is a valid input: check, compile and fmt take folders, test/cli/many-files.test.ts).
 */
const SLOTS = [
  { name: "policy/check", args: (p) => ["check", p], streamed: "NV0004", dir: null, missing: "NV2001" },
  { name: "policy/compile", args: (p) => ["compile", p, "-o", "out/never.wasm"], streamed: "NV0004", dir: null, missing: "NV2001" },
  { name: "policy/fmt", args: (p) => ["fmt", p], streamed: "NV5001", dir: null, missing: "NV5003" },
  { name: "module/inspect", args: (p) => ["inspect", p], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "module/replay", args: (p) => ["replay", "--module", p, "never.pcap"], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "inventory/explain", args: (p) => ["explain", good.policy, "--inventory", p, ...explainFlow], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "inventory/eval", args: (p) => ["eval", good.policy, "--flows", good.flows, "--inventory", p], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "flows/eval", args: (p) => ["eval", good.policy, "--flows", p], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "dns/explain", args: (p) => ["explain", good.policy, "--dns-file", p, ...explainFlow], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "test-file/test", args: (p) => ["test", p], streamed: "NV5001", dir: null, missing: null },
  { name: "crd/import", args: (p) => ["import", p], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  { name: "keep-file/export", args: (p) => ["export", "--crd", good.policy, "--keep", p], streamed: "NV5001", dir: "NV5002", missing: "NV5003" },
  // ingest streams its files (10^6 flows are hundreds of MB): an endless device is stopped by its first NUL byte.
  { name: "events/ingest", args: (p) => ["ingest", "--store", "out/corpus.duckdb", p], streamed: "NV5603", dir: "NV5002", missing: "NV5003" },
];

const cases = [];
const add = (category, id, args, exit, codes, extra = {}) => cases.push({ category, id, args, expect: { exit, codes }, ...extra });

// ---- 1. hostile sources in every slot: devices, an endless FIFO, a directory, a missing path -------
for (const s of SLOTS) {
  add("sources", `${s.name} /dev/zero`, s.args("/dev/zero"), 2, [s.streamed]);
  add("sources", `${s.name} /dev/urandom`, s.args("/dev/urandom"), 2, [s.streamed]);
  add("sources", `${s.name} endless FIFO`, s.args("files/endless.fifo"), 2, [s.streamed], { fifo: "files/endless.fifo" });
  if (s.dir) add("sources", `${s.name} a directory`, s.args("files"), 2, [s.dir]);
  if (s.missing) add("sources", `${s.name} a missing file`, s.args("files/no-such-file"), 2, [s.missing]);
}
// `nvp test` takes folders too: a missing path and a folder without tests are usage errors.
add("sources", "test-file/test a missing path", ["test", "files/no-such-dir"], 2, []);
add("sources", "test-file/test a folder without tests", ["test", "files/empty-dir"], 2, []);
add("sources", "policy/compile a folder without policies", ["compile", "files/empty-dir", "-o", "out/never.wasm"], 2, []);

// ---- 2. damaged bytes in every file kind -------------------------------------------------------------
const DAMAGE = {
  "random bytes": randomBytes(4096),
  "NUL bytes": Buffer.from("policy p\n\0\0\0rule 1 allow any -> any\n"),
  "invalid UTF-8": Buffer.from([0x70, 0x6f, 0x6c, 0xff, 0xfe, 0x0a]),
  "one 60 KB line": Buffer.from("x".repeat(60_000)),
  "deep nesting": Buffer.from("[".repeat(20_000) + "]".repeat(20_000)),
  "truncated document": Buffer.from('{"workloads": [{"name": "w", "ips": ["10.0.0.1"'),
};
// Per kind: the slot that reads it, the exit code, and the code expected for each damage.
const KINDS = [
  { kind: "policy", ext: "nvp", args: (p) => ["check", p], exit: 1, codes: { "random bytes": "NV0002", "NUL bytes": "NV0002", "invalid UTF-8": "NV0003", "one 60 KB line": "NV1003", "deep nesting": "NV0010", "truncated document": "NV0010" } },
  { kind: "inventory", ext: "yaml", args: (p) => ["explain", good.policy, "--inventory", p, ...explainFlow], exit: 1, codes: { "random bytes": "NV5102", "NUL bytes": "NV5102", "invalid UTF-8": "NV5102", "one 60 KB line": "NV5102", "deep nesting": "NV5102", "truncated document": "NV5101" } },
  { kind: "dns", ext: "yaml", args: (p) => ["explain", good.policy, "--dns-file", p, ...explainFlow], exit: 1, codes: { "random bytes": "NV5204", "NUL bytes": "NV5204", "invalid UTF-8": "NV5204", "one 60 KB line": "NV5204", "deep nesting": "NV5204", "truncated document": "NV5201" } },
  { kind: "flows", ext: "ndjson", args: (p) => ["eval", good.policy, "--flows", p], exit: 2, codes: { "random bytes": "NV5201", "NUL bytes": "NV5201", "invalid UTF-8": "NV5201", "one 60 KB line": "NV5201", "deep nesting": "NV5202", "truncated document": "NV5201" } },
  { kind: "test", ext: "test.yaml", args: (p) => ["test", p], exit: 1, codes: { "random bytes": "NV5302", "NUL bytes": "NV5302", "invalid UTF-8": "NV5302", "one 60 KB line": "NV5302", "deep nesting": "NV5302", "truncated document": "NV5301" } },
  { kind: "events", ext: "ndjson", args: (p) => ["ingest", "--store", "out/corpus.duckdb", p], exit: 2, codes: { "random bytes": "NV5603", "NUL bytes": "NV5603", "invalid UTF-8": "NV5603", "one 60 KB line": "NV5603", "deep nesting": "NV5603", "truncated document": "NV5603" } },
  { kind: "module", ext: "wasm", args: (p) => ["inspect", p], exit: 1, codes: { "random bytes": "NV5401", "NUL bytes": "NV5401", "invalid UTF-8": "NV5401", "one 60 KB line": "NV5401", "deep nesting": "NV5401", "truncated document": "NV5401" } },
];
for (const k of KINDS) {
  for (const [damage, bytes] of Object.entries(DAMAGE)) {
    const p = file(`${k.kind}-${damage.replace(/\W+/g, "-")}.${k.ext}`, bytes);
    add("damaged", `${k.kind}: ${damage}`, k.args(p), k.exit, [k.codes[damage]]);
  }
}

// ---- 3. bad flag values, on both engines (identical output required) --------------------------------
const BAD_IPS = ["10.0.0.300", "10.0.0", "::g", "", "1.2.3.4/24", "localhost", "0x0a000001"];
const BAD_PORTS = ["99999", "-1", "tcp/", "tcp/x", "sctp/80", "tcp/80-", "icmp/8", "1e3"];
const BAD_DNS = ["a.com=x", "=1.2.3.4", "a..b=1.2.3.4", "a.com=", "a.com", "*.a.com=1.2.3.4", "a.com=1.2.3.4,,5.6.7.8"];
for (const engine of ["wasm", "reference"]) {
  const base = ["explain", good.policy, "--engine", engine];
  for (const ip of BAD_IPS) {
    add("flags", `--from \`${ip}\` [${engine}]`, [...base, "--from", ip, "--to", FLOW.dst, "--port", FLOW.port], 2, ["NV5206"], { pair: `--from ${ip}` });
    add("flags", `--to \`${ip}\` [${engine}]`, [...base, "--from", FLOW.src, "--to", ip, "--port", FLOW.port], 2, ["NV5206"], { pair: `--to ${ip}` });
    add("flags", `--xff \`${ip}\` [${engine}]`, [...base, ...explainFlow, "--xff", ip], 2, ["NV5210"], { pair: `--xff ${ip}` });
  }
  for (const port of BAD_PORTS) add("flags", `--port \`${port}\` [${engine}]`, [...base, "--from", FLOW.src, "--to", FLOW.dst, "--port", port], 2, ["NV5207"], { pair: `--port ${port}` });
  for (const dns of BAD_DNS) {
    const code = /=x$|=$|,,/.test(dns) ? "NV5212" : "NV5211";
    add("flags", `--dns \`${dns}\` [${engine}]`, [...base, ...explainFlow, "--dns", dns], 2, [code], { pair: `--dns ${dns}` });
    add("flags", `eval --dns \`${dns}\` [${engine}]`, ["eval", good.policy, "--engine", engine, "--flows", good.flows, "--dns", dns], 2, [code], { pair: `eval --dns ${dns}` });
  }
  add("flags", `--app \`nope\` [${engine}]`, [...base, ...explainFlow, "--app", "nope"], 2, ["NV5208"], { pair: "--app nope" });
  add("flags", `eval --fail-on \`nope\` [${engine}]`, ["eval", good.policy, "--engine", engine, "--flows", good.flows, "--fail-on", "nope"], 2, [], { pair: "--fail-on nope" });
}
for (const bad of ["x", "=v", ""]) add("flags", `--set \`${bad}\``, ["check", good.policy, "--set", bad], 2, []);
add("flags", "--set of an undeclared parameter", ["check", good.policy, "--set", "nope=1"], 1, ["NV2107"]);
add("flags", "--format of an unknown kind", ["check", good.policy, "--format", "xml"], 2, []);
add("flags", "fmt -w with --check", ["fmt", "-w", "--check", good.policy], 2, []);

// ---- 4. outputs that cannot be written: the error says so, nothing is lost ---------------------------
add("writes", "compile -o into a directory", ["compile", good.policy, "-o", "files"], 2, ["NV5005"]);
add("writes", "compile -o below a file", ["compile", good.policy, "-o", `${good.policy}/x.wasm`], 2, ["NV5005"]);
add("writes", "compile -o into a missing directory", ["compile", good.policy, "-o", "files/no-such-dir/x.wasm"], 2, ["NV5005"]);
add("writes", "export -o into a directory", ["export", "--crd", good.policy, "-o", "files"], 2, ["NV5005"]);

// ---- 5. small inputs that used to blow up (issue 10) -----------------------------------------------
const chain = (n) => ["policy p", 'param p0 = "ab"', ...Array.from({ length: n }, (_, i) => `param p${i + 1} = "\${p${i}}\${p${i}}"`), `service web = nv.web.\${p${n}}`].join("\n") + "\n";
for (const n of [20, 24, 40]) add("blow-ups", `${n} chained param doublings`, ["check", file(`params-${n}.nvp`, chain(n))], 1, ["NV2111"]);
add("blow-ups", "10,000 `mode protect` entries", ["check", file("modes-10k.nvp", "policy p\nservice web = nv.web.shop {" + Array(10_000).fill("mode protect").join("; ") + " }\n")], 1, ["NV2217", "NV2901"]);
add("blow-ups", "30,000 duplicate rule ids on one line", ["check", file("dup-ids-30k.nvp", "policy p " + Array(30_000).fill("rule 10 allow any -> any").join(" ") + "\n")], 1, ["NV2102", "NV2901"]);
add("blow-ups", "2,000 errors on one 20 KB line", ["check", file("line-errors.nvp", "policy p\ngroup g { address " + Array.from({ length: 2_000 }, (_, i) => `10.0.${i}.300`).join(", ") + " }\nrule 1 allow g -> any\n")], 1, ["NV2201", "NV2901"]);
add("blow-ups", "2,000 parse errors on one line", ["check", file("parse-errors.nvp", "rule 1 allow a -> b ; ".repeat(2_000) + "\n")], 1, ["NV1099"]);
// A cut right after the 8-byte header is an empty but valid WebAssembly module: not a policy.
for (const cut of [8, 100, 5000]) {
  add("blow-ups", `a module cut at byte ${cut}`, ["inspect", `out/cut-${cut}.wasm`], 1, [cut === 8 ? "NV5403" : "NV5402"], { moduleCut: cut });
}

mkdirSync(out, { recursive: true });
if (withFiles) {
  rmSync(files, { recursive: true, force: true });
  mkdirSync(join(files, "empty-dir"), { recursive: true });
  writeFileSync(join(files, "empty-dir", ".keep"), "");
  for (const [name, content] of Object.entries(written)) writeFileSync(join(files, name), content);
}
writeFileSync(join(out, "cases.json"), JSON.stringify({ generatedBy: "scripts/gen-bad-inputs.mjs", cases }, null, 1) + "\n");
const byCategory = {};
for (const c of cases) byCategory[c.category] = (byCategory[c.category] ?? 0) + 1;
console.log(`wrote ${cases.length} cases to ${join(out, "cases.json")}${withFiles ? ` and ${Object.keys(written).length} files` : ""}: ${JSON.stringify(byCategory)}`);
