import { describe, expect, test } from "vitest";
import { SETTINGS, duration, integer, oneOf } from "../../compiler/check/settings-table.js";
import type { SettingValue } from "../../compiler/ast/types.js";
import { check, expectClean, expectOne } from "./helpers.js";
import { span } from "./ast-helpers.js";

describe("settings", () => {
  test("defaults when nothing is set", () => {
    expect(check("rule 1 allow nodes -> nodes").model!.settings).toEqual({
      xff: true,
      contention: "basic",
      defaultMode: "discover",
      nodesMode: "discover",
      extra: {},
    });
  });

  test("every known setting, across two blocks", () => {
    const r = check("settings { xff off; contention strict }\nsettings { default-mode protect\n nodes-mode monitor }");
    expectClean(r);
    expect(r.model!.settings).toEqual({ xff: false, contention: "strict", defaultMode: "protect", nodesMode: "monitor", extra: {} });
  });

  test("unknown key with did you mean (NV2210)", () => {
    expectOne(check("settings { contension strict }"), {
      code: "NV2210",
      message: "unknown setting `contension`",
      underlined: "contension",
      label: "not a setting",
      help: "did you mean `contention`?",
    });
    expectOne(check("settings { frobnicate 1 }"), { code: "NV2210", help: "known settings: xff, contention, default-mode, nodes-mode" });
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

  test("a setting given twice, even in another file (NV2216)", () => {
    const r = check('import "./base"\nsettings { xff on }', { files: { "base.nvp": "settings { xff off }" } });
    expectOne(r, { code: "NV2216", message: "setting `xff` is given twice", underlined: "xff", related: ["xff"] });
  });
});

describe("the settings table is data: validators for later rows", () => {
  const v = (...texts: string[]): SettingValue[] => texts.map((text) => ({ kind: "word", text, span: span() }));
  test("every row's default passes its own validator", () => {
    for (const s of SETTINGS) expect(s.validate(v(s.default)), s.key).toEqual({ ok: true, value: s.default });
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
