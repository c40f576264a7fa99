/**
 * The capture fixtures' manifests (test/fixtures/captures/README.md) joined with the flows the
 * captures hold, and the per-application figures table docs/protocols.md carries.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { parseIp } from "../../common/ip.js";
import { captureFlows, type Flow } from "./flows.js";
import { TCP, UDP } from "./harness.js";

export const CAPTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/captures");
export const MANIFESTS = ["manifest-debian.yaml", "manifest-npm.yaml"] as const;

interface ManifestFlow {
  client: string;
  server: string;
  proto: "tcp" | "udp";
  sport: number;
  dport: number;
  app: string;
}

interface ManifestEntry {
  file: string;
  source?: string;
  flows: ManifestFlow[];
  notes?: string;
}

export interface FixtureFlow {
  manifest: (typeof MANIFESTS)[number];
  file: string;
  /** 1-based position in the file's flow list (the notes' #n). */
  index: number;
  app: string;
  flow: Flow;
}

function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  return x !== null && x === parseIp(b);
}

/** Every manifest flow with its capture flow; throws when a capture and its manifest disagree. */
export function fixtureFlows(): FixtureFlow[] {
  const out: FixtureFlow[] = [];
  for (const manifest of MANIFESTS) {
    const entries = parse(readFileSync(join(CAPTURES, manifest), "utf8")) as ManifestEntry[];
    for (const e of entries) {
      const flows = captureFlows(join(CAPTURES, e.file));
      if (flows.length !== e.flows.length) {
        throw new Error(`${e.file}: the capture holds ${flows.length} flows, the manifest lists ${e.flows.length}`);
      }
      e.flows.forEach((m, i) => {
        const proto = m.proto === "tcp" ? TCP : UDP;
        const f = flows.find(
          (x) => x.proto === proto && x.sport === m.sport && x.dport === m.dport && sameIp(x.client, m.client) && sameIp(x.server, m.server),
        );
        if (!f) throw new Error(`${e.file} #${i + 1}: no ${m.proto} flow ${m.client}:${m.sport} -> ${m.server}:${m.dport} in the capture`);
        out.push({ manifest, file: e.file, index: i + 1, app: m.app, flow: f });
      });
    }
  }
  return out;
}

export interface Figure {
  app: string;
  flows: number;
  correct: number;
  /** Which manifests the flows come from. */
  sources: Set<string>;
}

/** The markdown table of figures, one row per expected application, `unknown` (look-alikes) last. */
export function figuresTable(figs: Figure[]): string {
  const rows = [...figs].sort((a, b) => (a.app === "unknown" ? 1 : b.app === "unknown" ? -1 : a.app.localeCompare(b.app)));
  const lines = ["| application | fixtures | flows | correct | % |", "|---|---|---|---|---|"];
  let flows = 0;
  let correct = 0;
  for (const f of rows) {
    const src = [...f.sources].map((s) => (s === "manifest-debian.yaml" ? "Debian" : "npm")).sort().join(", ");
    const name = f.app === "unknown" ? "unknown (look-alikes)" : f.app;
    lines.push(`| ${name} | ${src} | ${f.flows} | ${f.correct} | ${((100 * f.correct) / f.flows).toFixed(0)} |`);
    flows += f.flows;
    correct += f.correct;
  }
  lines.push(`| **all** | | ${flows} | ${correct} | ${((100 * correct) / flows).toFixed(1)} |`);
  return lines.join("\n");
}
