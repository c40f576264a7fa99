import { readInputFile } from "../../common/input-file.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadModule, NvpRuntimeError, type PolicyModule, readThreatConfig, type ThreatConfig } from "../../runtime/index.js";
import { THREATS } from "../../common/threats.js";
import { EXIT } from "../io.js";
import { formatOption, type CommandContext } from "../shared.js";
import { readKey } from "../keys.js";

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("inspect")
    .summary("show a compiled module's metadata and table sizes, and verify it")
    .description(
      "Load policy.wasm exactly as an enforcer does (magic, ABI and format version, content hash) and print its\n" +
        "metadata: policy name, hash, compiler version, rules, groups, applications, table sizes, and the\n" +
        "threat detections it runs (docs/threats.md).\n" +
        "Exit: 0 a valid module, 1 the module is refused (the error says why), 2 the file cannot be read.",
    )
    .argument("<module>", "compiled module (.wasm)")
    .option("--public-key <file>", "require a signature by this Ed25519 public key (PEM); refuse the module otherwise")
    .addOption(formatOption())
    .action((file: string, opts: { format: string; publicKey?: string }) => {
      const publicKey = opts.publicKey ? readKey(ctx.io.cwd, opts.publicKey, "public") : undefined;
      let bytes: Uint8Array;
      bytes = readInputFile(resolve(ctx.io.cwd, file), { shown: file, what: "module" });
      let mod;
      try {
        mod = loadModule(bytes, publicKey ? { publicKey } : {});
      } catch (e) {
        if (!(e instanceof NvpRuntimeError)) throw e;
        if (opts.format === "json") ctx.io.out(JSON.stringify({ valid: false, code: e.code, message: e.message, help: e.help }, null, 2) + "\n");
        else ctx.io.err(`error[${e.code}]: ${e.message}\n  --> ${file}\n   = help: ${e.help}\n`);
        ctx.exit(EXIT.findings);
        return;
      }
      const m = shownMeta(mod);
      const threats = readThreatConfig(mod.table);
      if (opts.format === "json") {
        ctx.io.out(JSON.stringify({ valid: true, size: mod.size, tableBytes: mod.table.length, signature: mod.signature ?? null, meta: m, threats }, null, 2) + "\n");
        return;
      }
      const lines = [
        `module    ${file} (${mod.size} bytes, table ${mod.table.length} bytes)`,
        `signature ${signatureLine(mod)}`,
        ...Object.entries(summaryOf(m)).map(([k, v]) => `${k.padEnd(9)} ${v}`),
        ...threatLines(threats),
      ];
      ctx.io.out(lines.join("\n") + "\n");
    });
}

function signatureLine(mod: PolicyModule): string {
  const s = mod.signature;
  if (!s) return "none (the content hash detects corruption, not an attacker; see `nvp compile --sign`)";
  return `Ed25519, key ${s.keyId.slice(0, 16)}… ${s.verified ? "verified" : "not verified (give --public-key)"}`;
}

/** The enabled threats, one per line with action, severity and parameters; the others by slug. */
function threatLines(threats: readonly ThreatConfig[]): string[] {
  const on = threats.filter((t) => t.enabled);
  const off = threats.filter((t) => !t.enabled).map((t) => t.slug);
  const params = (t: ThreatConfig) =>
    (THREATS[t.code]?.params ?? []).map((p) => ` ${p.name}=${t.params[p.name]}${p.kind === "duration" ? "ms" : ""}`).join("");
  return [
    `threats   ${on.length} of ${threats.length} on${off.length ? ` (off: ${off.join(", ")})` : ""}`,
    ...on.map((t) => `  ${t.slug.padEnd(20)} ${t.action.padEnd(6)} ${t.severity.padEnd(8)} ${t.name}${params(t)}`),
  ];
}

/** The metadata with the rule ids in evaluation order (the table holds them), where `nvp.meta` had them before format 3. */
function shownMeta(mod: PolicyModule): Record<string, unknown> {
  const { groups, apps, sizes, ...head } = mod.meta;
  return { ...head, rules: mod.rules, groups, apps, sizes };
}

function summaryOf(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (Array.isArray(v)) out[k] = `${v.length}` + (v.length && typeof v[0] !== "object" && v.length <= 12 ? ` (${v.join(", ")})` : "");
    else if (v && typeof v === "object") out[k] = Object.entries(v).map(([a, b]) => `${a}=${typeof b === "object" ? JSON.stringify(b) : String(b)}`).join(", ");
    else out[k] = String(v);
  }
  return out;
}
