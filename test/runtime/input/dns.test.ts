import { describe, expect, test } from "vitest";
import { normaliseDnsName, parseDnsTable } from "../../../runtime/input/dns.js";
import { only, view } from "../diag-view.js";

const parse = (text: string, path = "dns.json") => {
  const r = parseDnsTable(path, text);
  return { ...r, d: (code: string) => only(r.diagnostics, { [path]: text }, code), all: () => view(r.diagnostics, { [path]: text }) };
};

describe("DNS table", () => {
  test("names lower-cased without the trailing dot, addresses canonical, one address or a list", () => {
    const r = parse('{"DB.Example.com.": ["10.0.0.5", "FD00::0:5"], "api.example.com": "10.0.0.6", "gone.example.com": []}');
    expect(r.diagnostics).toEqual([]);
    expect(r.table).toEqual({ "db.example.com": ["10.0.0.5", "fd00::5"], "api.example.com": ["10.0.0.6"], "gone.example.com": [] });
  });

  test("YAML works too", () => {
    expect(parse("db.internal.example.com: [10.30.1.5]\n", "dns.yaml").table).toEqual({ "db.internal.example.com": ["10.30.1.5"] });
  });

  test("normaliseDnsName", () => {
    expect(normaliseDnsName(" Shop.EXAMPLE.com. ")).toBe("shop.example.com");
  });

  test("NV5211 a wildcard is not a resolution", () => {
    const d = parse('{"*.example.com": ["10.0.0.5"]}').d("NV5211");
    expect(d).toMatchObject({ message: "`*.example.com` is not a DNS name", at: '"*.example.com"', label: "a wildcard is not a resolution" });
    expect(d.help).toContain("list each name that resolved");
  });

  test("NV5211 a malformed name", () => {
    expect(parse('{"bad name..com": ["10.0.0.5"]}').d("NV5211")).toMatchObject({ label: "not a DNS name", help: "write a host name such as `db.example.com`" });
  });

  test("NV5212 a bad address; the rest of the table still loads", () => {
    const r = parse('{"a.example.com": ["10.0.0.5", "10.0.0"], "b.example.com": ["10.0.0.7"]}');
    expect(r.d("NV5212")).toMatchObject({ message: "`10.0.0` is not an IP address", at: '"10.0.0"', label: "not an IP address" });
    expect(r.table).toEqual({ "b.example.com": ["10.0.0.7"] });
  });

  test("NV5213 the same name twice is merged, with a warning", () => {
    const r = parse('{"a.example.com": ["10.0.0.5"], "A.example.com.": ["10.0.0.6", "10.0.0.5"]}');
    expect(r.d("NV5213")).toMatchObject({ severity: "warning", message: "DNS name `a.example.com` is listed twice", at: '"A.example.com."' });
    expect(r.table).toEqual({ "a.example.com": ["10.0.0.5", "10.0.0.6"] });
  });

  test("NV5204 wrong shapes", () => {
    expect(parse('["a.example.com"]').d("NV5204")).toMatchObject({ message: "a DNS table must be a mapping, found a list" });
    expect(parse('{"a.example.com": {"ip": "10.0.0.1"}}').d("NV5204")).toMatchObject({ message: "the addresses of `a.example.com` must be a list of addresses, found a mapping" });
  });

  test("NV5201 syntax", () => {
    expect(parse('{"a.example.com": [}').all().map((d) => d.code)).toContain("NV5201");
  });
});
