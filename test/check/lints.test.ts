import { describe, expect, test } from "vitest";
import { check, codes, expectClean, expectOne } from "./helpers.js";

describe("label criteria are OR'd (NV2301)", () => {
  test("two positive labels with different names", () => {
    const r = check('group fe { label app = "web"; label tier = "front" }\nrule 1 allow fe -> nodes');
    expectOne(r, {
      code: "NV2301",
      severity: "warning",
      message: "label criteria on `app` and `tier` are OR'd, not AND'd",
      underlined: 'label tier = "front"',
      label: "selects workloads with either label",
      help: /selects app=web or tier=front; to require both/,
      related: ['label app = "web"'],
    });
    expect(r.model).toBeDefined();
  });
  test("ns-label criteria too", () => {
    expectOne(check('group g { ns-label team = "a"; ns-label env = "b" }\nrule 1 allow g -> nodes'), {
      code: "NV2301",
      message: "ns-label criteria on `team` and `env` are OR'd, not AND'd",
    });
  });
  test("same label name, negative criteria, or other keys: no warning", () => {
    expectClean(check('group g { label app = "a"; label app = "b" }\nrule 1 allow g -> nodes'));
    expectClean(check('group g { label app = "a"; label tier != "b" }\nrule 1 allow g -> nodes'));
    expectClean(check('group g { label app = "a"; domain = "shop" }\nrule 1 allow g -> nodes'));
  });
});

describe("groups that match nothing (NV2303)", () => {
  test("empty body", () => {
    expectOne(check("group g { }\nrule 1 allow g -> nodes"), {
      code: "NV2303",
      message: "group `g` can match nothing",
      underlined: "g",
      help: "it has no criteria; rules naming it never match",
    });
  });
  test("an all-negative key that rejects everything", () => {
    expectOne(check('group g { image != "*"; image != "x" }\nrule 1 allow g -> nodes'), {
      code: "NV2303",
      help: /`image != "\*"` rejects every image/,
    });
    expectOne(check('group g { node !~ ".*" }\nrule 1 allow g -> nodes'), { code: "NV2303" });
  });
  test("a mixed key is OR'd, and a missing label meets a negative criterion", () => {
    expectClean(check('group g { image != "*"; image = "x" }\nrule 1 allow g -> nodes'));
    expectClean(check('group g { label app != "*" }\nrule 1 allow g -> nodes'));
  });
});

describe("any -> any allows (NV2304)", () => {
  test("warned", () => {
    expectOne(check("rule 1 allow any -> any"), {
      code: "NV2304",
      message: "rule 1 allows `any` to `any`",
      underlined: "rule 1 allow any -> any",
      label: "allows all traffic",
      help: /every workload, node and outside address is in `any`/,
    });
    expectOne(check("rule 1 allow any -> nodes, any port tcp/80"), { code: "NV2304", label: /on these ports/ });
  });
  test("deny any -> any and narrower allows are fine", () => {
    expectClean(check("rule 1 deny any -> any"));
    expectClean(check("rule 1 allow any -> nodes"));
  });
});

describe("Discover mode left on (NV2305)", () => {
  test("an explicit mode discover", () => {
    expectOne(check("service s = nv.s.ns { mode discover }"), {
      code: "NV2305",
      message: "service `s` is in Discover mode",
      underlined: "mode discover",
      help: /switch to `mode monitor`/,
    });
    expectOne(check("service s = nv.s.ns { mode network discover }"), { code: "NV2305" });
    expectClean(check("service s = nv.s.ns { mode process discover; mode network protect }"));
  });
  test("default-mode and nodes-mode", () => {
    const r = check("settings { default-mode discover; nodes-mode discover }");
    expect(codes(r)).toEqual(["NV2305", "NV2305"]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "service groups without a mode are in Discover mode",
      "`nodes` is in Discover mode",
    ]);
  });
  test("the implicit default is not warned about", () => {
    expectClean(check("service s = nv.s.ns"));
  });
});

describe("unused groups (NV2306)", () => {
  test("a custom group no rule names", () => {
    expectOne(check('group lonely { label app = "x" }'), {
      code: "NV2306",
      message: "group `lonely` is never used",
      underlined: "lonely",
      help: "use it in a rule or remove it",
    });
  });
  test("groups of an imported file are a library's and exempt", () => {
    expectClean(check('import "./lib"\nrule 1 allow nodes -> nodes', { files: { "lib.nvp": "group spare { address 10.0.0.1 }" } }));
  });
  test("services set a mode, so they are never unused; stdlib groups are exempt", () => {
    expectClean(check('import "std/net"\nservice s = nv.s.ns { mode protect }'));
  });
});

describe("rules naming link-local addresses NeuVector opens (NV2307)", () => {
  test("a deny to a link-local address group warns, with a witness address", () => {
    const r = check("group meta { address 169.254.169.254, fd00:ec2::254 }\nrule 30 deny containers -> meta");
    expectOne(r, {
      code: "NV2307",
      severity: "warning",
      message: "rule 30 cannot take effect for `meta`'s link-local addresses",
      underlined: "rule 30 deny containers -> meta",
      label: "a flow with 169.254.169.254 is open before any rule",
      help: /dpi_policy_lookup_by_key.*link-local-policy on/,
    });
  });
  test("a range overlapping 169.254.0.0/16 names its first link-local address; a source side counts too", () => {
    expectOne(check("group wide { address 169.253.0.0-169.254.0.9 }\nrule 5 allow wide -> containers"), {
      code: "NV2307",
      label: "a flow with 169.254.0.0 is open before any rule",
    });
  });
  test("no warning with link-local-policy on, for IPv6 link-local, or for other addresses", () => {
    expectClean(check("group meta { address 169.254.169.254 }\nrule 30 deny containers -> meta\nsettings { link-local-policy on }"));
    expectClean(check("group ll6 { address fe80::/10 }\nrule 30 deny containers -> ll6"));
    expectClean(check("group n { address 169.255.0.0/16, 169.253.255.255 }\nrule 30 deny containers -> n"));
  });
});

describe("NeuVector endpoint groups (S2.9)", () => {
  test("`Host:<ip>` and `Workload:<ip>` need no declaration and check clean", () => {
    expectClean(check("rule 10 deny Host:10.0.1.1 -> containers\nrule 20 allow Workload:fd00::9 -> nodes"));
  });
  test("a host name is NV2221, with the IP form and `nodes` as help", () => {
    expectOne(check("rule 10 deny Host:node-1 -> containers"), {
      code: "NV2221",
      severity: "error",
      message: "`Host:node-1` does not name an IP address",
      underlined: "Host:node-1",
      label: "not Host:<ip>",
      help: /Host:10\.0\.1\.1.*`nodes`/,
    });
  });
});

describe("NeuVector service-IP groups (S2.10)", () => {
  test("`nv.ip.<svc>.<ns>` needs no declaration, checks clean and is a service-ip group", () => {
    const r = check("rule 10 allow containers -> nv.ip.api.shop\nsettings { platform openshift }");
    expectClean(r);
    const g = r.model!.groups.find((x) => x.name === "nv.ip.api.shop");
    expect(g).toMatchObject({ kind: "service-ip", service: { service: "api", namespace: "shop" } });
  });
  test("a three-part `nv.ip.<ns>` stays a service group (a service named `ip`)", () => {
    expect(check("rule 10 allow containers -> nv.ip.shop").model!.groups.find((x) => x.name === "nv.ip.shop")?.kind).toBe("service");
  });
  test("a bad service or namespace label is NV2212, naming the nv.ip group", () => {
    expectOne(check("rule 10 allow containers -> nv.ip.API.shop"), {
      code: "NV2212",
      message: "service `API` in `nv.ip.API.shop` is not a DNS-1123 label",
      underlined: "nv.ip.API.shop",
      label: "not nv.ip.<service>.<namespace>",
    });
  });
  test("NV2308: a rule to cluster IPs only never takes effect on kubernetes with basic contention", () => {
    expectOne(check("rule 10 deny containers -> nv.ip.api.shop"), {
      code: "NV2308",
      severity: "warning",
      message: "rule 10 can never take effect: its destinations are Service cluster IPs",
      label: "flows to cluster IPs are open at the client on kubernetes",
      help: /ApplyPolicyAtIngress.*platform openshift/,
    });
  });
  test("no NV2308 on openshift, with strict contention, from a cluster IP, or beside another destination", () => {
    expectClean(check("rule 10 deny containers -> nv.ip.api.shop\nsettings { platform openshift }"));
    expectClean(check("rule 10 deny containers -> nv.ip.api.shop\nsettings { contention strict }"));
    expectClean(check("rule 10 allow nv.ip.api.shop -> containers"));
    expectClean(check("rule 10 allow containers -> nv.ip.api.shop, nv.api.shop"));
  });
  test("no NV2308 when a DNS group may resolve a cluster IP, which the client then checks (ipv4_ent)", () => {
    const r = check('group svc-names { address "*.svc.cluster.local" }\nrule 10 deny containers -> nv.ip.api.shop\nrule 20 allow containers -> svc-names');
    expect(r.diagnostics.filter((d) => d.code === "NV2308")).toEqual([]);
  });
  test("NV2308 still when the DNS group is one no rule names: the enforcer never learns its names", () => {
    const r = check('group svc-names { address "*.svc.cluster.local" }\nrule 10 deny containers -> nv.ip.api.shop');
    expect(r.diagnostics.filter((d) => d.code === "NV2308").map((d) => d.message)).toEqual(["rule 10 can never take effect: its destinations are Service cluster IPs"]);
  });
  test("`platform` takes kubernetes or openshift", () => {
    expectOne(check("rule 1 allow nodes -> nodes\nsettings { platform swarm }"), { code: "NV2211", message: "setting `platform` cannot be `swarm`" });
  });
});
