/**
 * The wild-corpus gate (issue 14): third-party captures (test/fixtures/wild/SOURCES.md) replayed
 * through the packet path must name at least 95 % of each application's flows right, and never
 * name a flow of a protocol nvp does not know. The table is in docs/protocols.md;
 * `UPDATE_DOCS=1 NO_COLOR=1 npx vitest run test/dpi/wild.test.ts` rewrites it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { APPS } from "../../common/apps.js";
import { rows, score, table, wildLabels, type Row, type Scored } from "./wild-corpus.js";

const DOC = join(import.meta.dirname, "../../docs/protocols.md");
const BEGIN = "<!-- wild:begin (test/dpi/wild.test.ts) -->";
const END = "<!-- wild:end -->";
const MIN_RIGHT = 0.95;

describe("wild corpus", () => {
  let scored: Scored[] = [];
  let rs: Row[] = [];
  beforeAll(() => {
    scored = score(wildLabels());
    rs = rows(scored);
  }, 60_000);

  test("labels name nvp applications or other protocols", () => {
    const names = new Set(APPS.map((a) => a.name));
    const bad = scored.filter((s) => !(s.app === "none" || s.app.startsWith("other:") || names.has(s.app)));
    expect(bad.map((s) => `${s.file} ${s.app}`)).toEqual([]);
    expect(scored.length).toBeGreaterThan(300);
  });

  test("no flow of a protocol nvp does not name is identified", () => {
    const wrong = scored.filter((s) => (s.app.startsWith("other:") || s.app === "none") && s.outcome === "wrong");
    expect(wrong.map((s) => `${s.file} ${s.proto} ${s.client} ${s.server} (${s.app}) got ${s.got.join(",")}`)).toEqual([]);
  });

  test(`each application: at least ${MIN_RIGHT * 100} % of its flows named right, none wrong`, () => {
    const failing = rs.filter((r) => r.app !== "other" && (r.right < MIN_RIGHT * r.flows || r.wrong > 0));
    const detail = scored
      .filter((s) => failing.some((r) => r.app === s.app) && s.outcome !== "right")
      .map((s) => `${s.file} ${s.proto} ${s.client} ${s.server} vlan ${s.vlan}: ${s.app} got ${s.got.join(",") || "no record"}`);
    expect(detail).toEqual([]);
  });

  test("the per-application table matches docs/protocols.md", () => {
    const t = table(rs);
    const doc = readFileSync(DOC, "utf8");
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    expect(a >= 0 && b > a, "docs/protocols.md lacks the wild-corpus markers").toBe(true);
    if (process.env.UPDATE_DOCS) {
      writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${t}\n${doc.slice(b)}`);
      return;
    }
    expect(doc.slice(a + BEGIN.length, b).trim(), "figures changed: rerun with UPDATE_DOCS=1").toBe(t);
  });
});
