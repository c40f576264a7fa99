import { describe, expect, test } from "vitest";
import { check, expectClean, expectOne } from "./helpers.js";

describe("duplicate names (NV2101)", () => {
  test("a group defined twice points back at the first", () => {
    const r = check(`group db { address 10.0.0.1 }\ngroup db { address 10.0.0.2 }\nrule 1 allow db -> db`);
    expectOne(r, {
      code: "NV2101",
      severity: "error",
      message: "group `db` is defined twice",
      underlined: "db",
      label: "second definition",
      help: /group and service names share one namespace/,
      related: ["db"],
    });
    expect(r.diagnostics[0]!.span!.start.line).toBe(2);
  });
  test("a service and a group share one namespace, across files", () => {
    const r = check(`import "./lib"\ngroup web { address 10.0.0.1 }\nrule 1 allow web -> any`, {
      files: { "lib.nvp": "service web = nv.web.shop" },
    });
    const d = expectOne(r, { code: "NV2101", message: "group `web` is defined twice", underlined: "web" });
    expect(d.span!.file).toBe("test.nvp");
    expect(d.related![0]!.span.file).toBe("lib.nvp");
  });
  test("a parameter defined twice", () => {
    expectOne(check(`param ns = "a"\nparam ns = "b"`), {
      code: "NV2101",
      message: "parameter `ns` is defined twice",
      underlined: "ns",
      help: /parameter names are unique/,
    });
  });
});

describe("rule ids (NV2102, NV2110)", () => {
  test("a duplicate id across files is reported at the later file", () => {
    const r = check(`import "./base"\nrule 10 deny any -> nodes`, { files: { "base.nvp": "rule 10 allow any -> nodes port tcp/22" } });
    const d = expectOne(r, {
      code: "NV2102",
      message: "rule id `10` is used twice",
      underlined: "10",
      label: "duplicate id",
      help: /must be unique across all files/,
      related: ["10"],
    });
    expect(d.span!.file).toBe("test.nvp");
    expect(d.related![0]!.span.file).toBe("base.nvp");
  });
  test("id 0 is the implicit rule", () => {
    expectOne(check("rule 0 allow any -> nodes"), { code: "NV2110", message: "rule id `0` is out of range", underlined: "0", help: /0 is the implicit rule/ });
  });
  test("ids above u32 are out of range", () => {
    expectOne(check("rule 4294967296 allow any -> nodes"), { code: "NV2110", underlined: "4294967296" });
    expectClean(check("rule 4294967295 allow nodes -> nodes"));
  });
});

describe("undefined groups (NV2103)", () => {
  test("did you mean the closest declared name", () => {
    expectOne(check(`group web-frontend { label app = "web" }\nrule 10 allow web-fronted -> web-frontend`), {
      code: "NV2103",
      message: "group `web-fronted` is not defined",
      underlined: "web-fronted",
      label: "unknown group",
      help: "did you mean `web-frontend`?",
    });
  });
  test("built-ins are suggested too", () => {
    expectOne(check("rule 10 allow externl -> nodes"), { code: "NV2103", help: "did you mean `external`?" });
  });
  test("without a close name, the help says how to declare one", () => {
    expectOne(check("rule 10 allow zzzz -> nodes"), { code: "NV2103", help: /declare it with `group zzzz/ });
  });
  test("a templated reference is reported with its substituted name", () => {
    expectOne(check('param env = "prod"\nrule 10 allow db-${env} -> nodes'), {
      code: "NV2103",
      message: "group `db-prod` is not defined",
      underlined: "db-${env}",
    });
  });
});

describe("reserved names (NV2105)", () => {
  test.each(["any", "external", "nodes", "containers"])("a group named %s", (name) => {
    expectOne(check(`group ${name} { address 10.0.0.1 }`), {
      code: "NV2105",
      message: `\`${name}\` is a reserved group name`,
      underlined: name,
      label: "built-in group",
      help: /is built in and can be used in rules as is/,
    });
  });
  test("a group starting with nv.", () => {
    expectOne(check("group nv.web.shop { address 10.0.0.1 }"), {
      code: "NV2105",
      underlined: "nv.web.shop",
      label: "reserved prefix `nv.`",
      help: "names starting with `nv.` are NeuVector's service groups; declare `service <name> = nv.web.shop { ... }` instead",
    });
  });
});

describe("policy names (NV2106)", () => {
  test("two files with different policy names", () => {
    const r = check(`policy shop\nimport "./base"`, { files: { "base.nvp": "policy base" } });
    expectOne(r, {
      code: "NV2106",
      message: "policy is named both `base` and `shop`",
      underlined: "shop",
      help: /all files of a policy share one name/,
      related: ["base"],
    });
  });
  test("the same name twice is fine", () => {
    const r = check(`policy shop\nimport "./base"`, { files: { "base.nvp": "policy shop" } });
    expectClean(r);
    expect(r.model!.name).toBe("shop");
  });
  test("without a policy line the entry file names it", () => {
    expect(check("rule 1 allow nodes -> nodes").model!.name).toBe("test");
  });
});
