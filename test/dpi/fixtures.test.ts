/**
 * Every flow of the capture fixtures (manifest-debian.yaml and manifest-npm.yaml), replayed packet
 * by packet as the packet path will call identify: each must come out as its manifest `app`, and
 * the look-alikes (`app: unknown`) as DPI_UNKNOWN. The per-application figures are the table in
 * docs/protocols.md; `UPDATE_DOCS=1 NO_COLOR=1 npx vitest run test/dpi/fixtures.test.ts` rewrites it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { appId, codeName, DPI_UNKNOWN, loadDpi, type Dpi } from "./harness.js";
import { replay, type Replay } from "./flows.js";
import { figuresTable, fixtureFlows, type Figure, type FixtureFlow } from "./manifest.js";

const DOC = join(dirname(fileURLToPath(import.meta.url)), "../../docs/protocols.md");
const BEGIN = "<!-- figures:begin (test/dpi/fixtures.test.ts) -->";
const END = "<!-- figures:end -->";

let dpi: Dpi;
const flows = fixtureFlows();
const outcomes = new Map<FixtureFlow, Replay>();

beforeAll(async () => {
  dpi = await loadDpi();
  for (const f of flows) outcomes.set(f, replay(dpi, f.flow));
});

function label(f: FixtureFlow): string {
  const x = f.flow;
  return `${f.file} #${f.index} ${x.proto === 6 ? "tcp" : "udp"} ${x.sport}->${x.dport} (${f.app})`;
}

describe("capture fixtures", () => {
  test.each(flows.map((f) => [label(f), f] as const))("%s", (_name, f) => {
    const r = outcomes.get(f)!;
    const want = f.app === "unknown" ? DPI_UNKNOWN : appId(f.app);
    expect(codeName(r.app), `${r.how} after ${r.packets} payload packets`).toBe(codeName(want));
  });

  test("virtual hosts: TLS SNI and HTTP Host without the port", () => {
    const host = (file: string, index: number) => {
      const f = flows.find((x) => x.file === file && x.index === index)!;
      return outcomes.get(f)!.result.host;
    };
    expect(host("nginx-tls.pcap", 1)).toBe("www.example.test");
    expect(host("nginx-tls.pcap", 2)).toBe("api.example.test");
    expect(host("nginx-tls10.pcap", 1)).toBe("old.example.test");
    expect(host("nginx-tls10.pcap", 2)).toBe("old.example.test");
    expect(host("nginx-http.pcap", 2)).toBe("www.example.test");
    expect(host("nginx-http.pcap", 1)).toBe("127.0.0.1");
    expect(host("apache.pcap", 2)).toBe("[::1]");
  });

  test("HTTP server software is reported beside the application", () => {
    for (const f of flows.filter((x) => ["nginx", "Apache", "Jetty"].includes(x.app))) {
      expect(outcomes.get(f)!.result.server, label(f)).toBe(appId(f.app));
    }
  });

  test("per-application figures match docs/protocols.md", () => {
    const figs = new Map<string, Figure>();
    for (const f of flows) {
      const r = outcomes.get(f)!;
      const want = f.app === "unknown" ? DPI_UNKNOWN : appId(f.app);
      const fig = figs.get(f.app) ?? { app: f.app, flows: 0, correct: 0, sources: new Set<string>() };
      fig.flows++;
      if (r.app === want) fig.correct++;
      fig.sources.add(f.manifest);
      figs.set(f.app, fig);
    }
    const table = figuresTable([...figs.values()]);
    console.log(table);
    const doc = readFileSync(DOC, "utf8");
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    expect(a >= 0 && b > a, "docs/protocols.md lacks the figures markers").toBe(true);
    const current = doc.slice(a + BEGIN.length, b).trim();
    if (process.env.UPDATE_DOCS) {
      writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${table}\n${doc.slice(b)}`);
      return;
    }
    expect(current, "figures changed: rerun with UPDATE_DOCS=1").toBe(table);
  });
});
