import { describe, expect, test } from "vitest";
import { THREATS } from "../../common/threats.js";
import { SETTINGS, duration, integer, oneOf } from "../../compiler/check/settings-table.js";
import type { SettingValue } from "../../compiler/ast/types.js";
import { check, expectClean, expectOne } from "./helpers.js";
import { span } from "./ast-helpers.js";

describe("settings", () => {
  test("defaults when nothing is set", () => {
    const { extra, ...core } = check("rule 1 allow nodes -> nodes").model!.settings;
    expect(core).toEqual({ xff: true, contention: "basic", defaultMode: "discover", nodesMode: "discover" });
    // Every threat setting is in `extra` with the catalog's default.
    const want = Object.fromEntries([
      ["icmp-policy", "off"],
      ["link-local-policy", "off"],
      ["platform", "kubernetes"],
      ...THREATS.flatMap((t) => [
        [t.slug, t.enabled ? "on" : "off"],
        [`${t.slug}.action`, t.action],
        [`${t.slug}.severity`, t.severity],
        ...t.params.map((p) => [`${t.slug}.${p.name}`, String(p.default)]),
      ]),
    ]);
    expect(extra).toEqual(want);
  });

  test("every core setting, across two blocks", () => {
    const r = check("settings { xff off; contention strict }\nsettings { default-mode protect\n nodes-mode monitor }");
    expectClean(r);
    const { extra: _, ...core } = r.model!.settings;
    expect(core).toEqual({ xff: false, contention: "strict", defaultMode: "protect", nodesMode: "monitor" });
  });

  test("unknown key with did you mean (NV2210)", () => {
    expectOne(check("settings { contension strict }"), {
      code: "NV2210",
      message: "unknown setting `contension`",
      underlined: "contension",
      label: "not a setting",
      help: "did you mean `contention`?",
    });
    expectOne(check("settings { frobnicate 1 }"), { code: "NV2210", help: "known settings: xff, contention, default-mode, nodes-mode, and the threat settings of docs/threats.md" });
    expectOne(check("settings { syn-flood.treshold 900 }"), { code: "NV2210", underlined: "syn-flood.treshold", help: "did you mean `syn-flood.threshold`?" });
    expectOne(check("settings { tls-10 on }"), { code: "NV2210", help: "did you mean `tls-1.0`?" });
  });

  test("bad value (NV2211)", () => {
    expectOne(check("settings { xff maybe }"), {
      code: "NV2211",
      message: "setting `xff` cannot be `maybe`",
      underlined: "maybe",
      label: "expected on|off",
      help: "use one of on|off",
    });
    expectOne(check("settings { default-mode learn }"), { code: "NV2211", label: "expected discover|monitor|protect" });
  });

  test("bad threat values (NV2211): switch, action, severity, integer and duration bounds", () => {
    expectOne(check("settings { ssh-v1 maybe }"), { code: "NV2211", message: "setting `ssh-v1` cannot be `maybe`", underlined: "maybe", label: "expected on|off" });
    expectOne(check("settings { ssh-v1.action drop }"), { code: "NV2211", label: "expected block|report", help: "use one of block|report" });
    expectOne(check("settings { ssh-v1.severity urgent }"), { code: "NV2211", label: "expected critical|high|medium|low|info" });
    expectOne(check("settings { ping-death.size 100 }"), {
      code: "NV2211",
      message: "setting `ping-death.size` must be an integer in 576..65535, not `100`",
      underlined: "100",
      help: "use a number in 576..65535",
    });
    expectOne(check("settings { syn-flood.window 50ms }"), { code: "NV2211", underlined: "50ms", help: "write e.g. `5s` or `500ms`" });
    expectOne(check("settings { syn-flood.window 5 }"), { code: "NV2211", underlined: "5" });
  });

  test("threat settings are normalized into extra", () => {
    const r = check("settings { syn-flood.threshold 1200; syn-flood.window 2s; tls-1.0 on; ssh-v1.action block; dns-overflow.severity high; icmp-flood off }");
    expectClean(r);
    const x = r.model!.settings.extra;
    expect([x["syn-flood.threshold"], x["syn-flood.window"], x["tls-1.0"], x["ssh-v1.action"], x["dns-overflow.severity"], x["icmp-flood"]]).toEqual(["1200", "2000", "on", "block", "high", "off"]);
    expect(x["syn-flood.release"]).toBe("900");
  });

  test("release above threshold (NV2220), whichever of the two the policy set", () => {
    expectOne(check("settings { syn-flood.release 900 }"), {
      code: "NV2220",
      message: "`syn-flood.release` 900 is above `syn-flood.threshold` 800",
      underlined: "syn-flood.release 900",
      label: "release above the threshold",
      help: "the detection stays on until the count falls below `release`: give it a value at or below `threshold`",
    });
    expectOne(check("settings { icmp-flood.threshold 500; icmp-flood.release 600 }"), { code: "NV2220", underlined: "icmp-flood.release 600", label: "release above the threshold" });
    expectOne(check("settings { dns-flood.threshold 10; dns-flood.release 20 }"), { code: "NV2220", related: ["dns-flood.threshold 10"] });
    expectClean(check("settings { syn-flood.release 800; icmp-flood.threshold 100; dns-flood.threshold 10; dns-flood.release 5 }"));
  });

  test("a threshold set alone keeps the default hysteresis in proportion", () => {
    const r = check("settings { syn-flood.threshold 5; icmp-flood.threshold 50; dns-flood.threshold 100; dns-flood.release 10 }");
    expectClean(r);
    const x = r.model!.settings.extra;
    expect([x["syn-flood.release"], x["icmp-flood.release"], x["dns-flood.release"]]).toEqual(["3", "50", "10"]);
  });

  test("a setting given twice, even in another file (NV2216)", () => {
    const r = check('import "./base"\nsettings { xff on }', { files: { "base.nvp": "settings { xff off }" } });
    expectOne(r, { code: "NV2216", message: "setting `xff` is given twice", underlined: "xff", related: ["xff"] });
  });
});

describe("the settings table is data: validators for later rows", () => {
  const v = (...texts: string[]): SettingValue[] => texts.map((text) => ({ kind: "word", text, span: span() }));
  test("every row's default passes its own validator", () => {
    // Durations are normalized to milliseconds; written, they carry their unit.
    for (const s of SETTINGS) {
      const written = s.accepts.startsWith("a duration") ? `${s.default}ms` : s.default;
      expect(s.validate(v(written)), s.key).toEqual({ ok: true, value: s.default });
    }
  });
  test("oneOf with aliases", () => {
    const onOff = oneOf(["on", "off"], { true: "on" });
    expect(onOff.validate(v("TRUE"))).toEqual({ ok: true, value: "on" });
    expect(onOff.validate(v("x")).ok).toBe(false);
    expect(onOff.validate(v()).ok).toBe(false);
    expect(onOff.validate(v("on", "off"))).toMatchObject({ ok: false, error: "takes one value" });
  });
  test("integer bounds", () => {
    const n = integer(1, 10);
    expect(n.validate(v("010"))).toEqual({ ok: true, value: "10" });
    expect(n.validate(v("11")).ok).toBe(false);
    expect(n.validate(v("0")).ok).toBe(false);
    expect(n.validate(v("1.5")).ok).toBe(false);
  });
  test("durations are normalized to milliseconds", () => {
    const t = duration(100, 60_000);
    expect(t.validate(v("5s"))).toEqual({ ok: true, value: "5000" });
    expect(t.validate(v("1m"))).toEqual({ ok: true, value: "60000" });
    expect(t.validate(v("50ms")).ok).toBe(false);
    expect(t.validate(v("2h")).ok).toBe(false);
    expect(t.validate(v("5")).ok).toBe(false);
  });
});
