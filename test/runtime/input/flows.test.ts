import { describe, expect, test } from "vitest";
import { parseFlow, parseFlowDocument, parseFlowsNdjson } from "../../../runtime/input/flows.js";
import { only, view } from "../diag-view.js";

const one = (line: string) => {
  const r = parseFlowsNdjson(line, "f.ndjson");
  return { ...r, d: (code: string) => only(r.diagnostics, { "f.ndjson": line }, code), all: () => view(r.diagnostics, { "f.ndjson": line }) };
};
const flowOf = (o: unknown) => parseFlow(o, "test").flow;

describe("flow schema", () => {
  test("port + proto, and the shorthands", () => {
    const base = { src: "10.0.1.5", dst: "10.0.2.7" };
    expect(flowOf({ ...base, port: 8080, proto: "tcp" })).toEqual({ ...base, proto: "tcp", port: 8080 });
    expect(flowOf({ ...base, port: "tcp/8080" })).toEqual({ ...base, proto: "tcp", port: 8080 });
    expect(flowOf({ ...base, port: "UDP/53" })).toEqual({ ...base, proto: "udp", port: 53 });
    expect(flowOf({ ...base, port: "icmp" })).toEqual({ ...base, proto: "icmp" });
    expect(flowOf({ ...base, port: 443 })).toEqual({ ...base, proto: "tcp", port: 443 });
    expect(flowOf({ ...base, port: "443" })).toEqual({ ...base, proto: "tcp", port: 443 });
    expect(flowOf({ ...base, port: "udp/53", proto: "udp" })).toEqual({ ...base, proto: "udp", port: 53 });
  });

  test("protocol names and numbers", () => {
    const base = { src: "10.0.1.5", dst: "10.0.2.7" };
    expect(flowOf({ ...base, proto: 17, port: 53 })).toEqual({ ...base, proto: "udp", port: 53 });
    expect(flowOf({ ...base, proto: "ICMP" })).toEqual({ ...base, proto: "icmp" });
    expect(flowOf({ ...base, proto: 58 })).toEqual({ ...base, proto: "icmp" });
    expect(flowOf({ ...base, proto: "gre" })).toEqual({ ...base, proto: 47 });
    expect(flowOf({ ...base, proto: 132 })).toEqual({ ...base, proto: 132 });
  });

  test("from/to aliases, optional fields, canonical addresses", () => {
    const f = flowOf({ from: "FD00:0::5", to: "10.0.2.7", port: "tcp/443", sport: 43512, app: "TLS", host: "Shop.Example.com.:8443", xff: "198.51.100.7, 10.0.0.1" });
    expect(f).toEqual({ src: "fd00::5", dst: "10.0.2.7", proto: "tcp", port: 443, sport: 43512, app: "SSL", host: "shop.example.com", xff: "198.51.100.7" });
    expect(flowOf({ src: "10.0.0.1", dst: "10.0.0.2", port: 80, app: "Unknown", host: "" })).toMatchObject({ app: "unknown", host: "" });
  });

  test("a value built by a program has no span, only its name", () => {
    const r = parseFlow({ src: "nope", dst: "10.0.0.1", port: 80 }, "command line");
    expect(r.flow).toBeUndefined();
    expect(r.diagnostics).toEqual([
      { code: "NV5206", severity: "error", message: "`nope` is not an IP address", label: "not an IP address", help: expect.any(String), file: "command line" },
    ]);
  });
});

describe("flow diagnostics", () => {
  test("NV5201 a line that is not JSON", () => {
    const d = one('{"src": "10.0.0.1" "dst": "10.0.0.2"}').d("NV5201");
    expect(d).toMatchObject({ message: "line 1 is not valid JSON", line: 1 });
    expect(d.help).toContain("one JSON object per line");
  });

  test("NV5202 a line that is not an object", () => {
    expect(one("[1, 2]").d("NV5202")).toMatchObject({ message: "a flow must be a mapping, found a list", at: "[1, 2]", label: "not a flow" });
  });

  test("NV5203 unknown key, with a did-you-mean for a swapped pair", () => {
    const d = one('{"src": "10.0.0.1", "dst": "10.0.0.2", "potr": 80}').d("NV5203");
    expect(d).toMatchObject({ message: "unknown key `potr` in a flow", at: '"potr"', label: "unknown key", help: "did you mean `port`?", severity: "error" });
  });

  test("NV5204 wrong type", () => {
    expect(one('{"src": 10, "dst": "10.0.0.2", "port": 80}').d("NV5204")).toMatchObject({ message: "`src` must be a string, found a number", at: "10", help: 'quote it: `"10"` (it was read as a number)' });
  });

  test("NV5205 missing src, dst and port", () => {
    const ds = one("{}").all();
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      ["NV5205", "flow is missing `src`"],
      ["NV5205", "flow is missing `dst`"],
      ["NV5205", "flow is missing `port`"],
    ]);
    expect(ds[2]?.help).toBe("write `port: tcp/8080`, `port: udp/53`, `port: icmp`, or `port: 8080` with `proto: tcp`");
  });

  test("NV5205 tcp without a port", () => {
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "proto": "tcp"}').d("NV5205")).toMatchObject({ message: "tcp flow is missing `port`", help: "add `port: tcp/…`" });
  });

  test("NV5206 bad address; a subnet gets its own help", () => {
    const d = one('{"src": "10.0.0.0/24", "dst": "10.0.0.2", "port": 80}').d("NV5206");
    expect(d).toMatchObject({ message: "`10.0.0.0/24` is not an IP address", at: '"10.0.0.0/24"', help: "a flow is between two addresses: pick one address of the subnet" });
  });

  test("NV5207 bad ports and protocols", () => {
    const ds = one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": 70000, "sport": -1}').all();
    expect(ds.map((d) => [d.code, d.message, d.at])).toEqual([
      ["NV5207", "`port` `70000` is not a port number 0..65535", "70000"],
      ["NV5207", "`sport` `-1` is not a port number 0..65535", "-1"],
    ]);
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": "tcp/80-90"}').d("NV5207")).toMatchObject({ label: "a flow has one port", help: "a flow is one connection: give one port, e.g. `tcp/8080`" });
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "proto": "tpc", "port": 1}').d("NV5207")).toMatchObject({ message: "unknown protocol `tpc`", help: "did you mean `tcp`?" });
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "proto": 300}').d("NV5207")).toMatchObject({ message: "protocol `300` is not a name or a number 0..255", label: "out of range" });
  });

  test("NV5208 unknown application", () => {
    const d = one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": 5432, "app": "postgress"}').d("NV5208");
    expect(d).toMatchObject({ message: "unknown application `postgress`", at: '"postgress"', label: "not a NeuVector application" });
    expect(d.help).toMatch(/^did you mean `postgres`\?/);
  });

  test("NV5209 contradictions", () => {
    expect(one('{"src": "10.0.0.1", "from": "10.0.0.3", "dst": "10.0.0.2", "port": 80}').d("NV5209")).toMatchObject({ message: "flow has both `src` and `from`", at: '"from"' });
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": "udp/53", "proto": "tcp"}').d("NV5209")).toMatchObject({ message: "`port: udp/53` contradicts `proto: tcp`", label: "this says udp" });
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "proto": "icmp", "port": 8}').d("NV5209")).toMatchObject({ message: "protocol `icmp` has no port" });
    expect(one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": "icmp", "sport": 8}').d("NV5209")).toMatchObject({ message: "protocol `icmp` has no source port", at: '"sport"' });
  });

  test("NV5210 a bad X-Forwarded-For is a warning and kept for the trace", () => {
    const r = one('{"src": "10.0.0.1", "dst": "10.0.0.2", "port": 80, "xff": "unknown"}');
    expect(r.d("NV5210")).toMatchObject({ severity: "warning", message: "X-Forwarded-For `unknown` is not an IP address", label: "ignored by the second lookup" });
    expect(r.flows[0]?.flow.xff).toBe("unknown");
  });
});

describe("NDJSON", () => {
  test("blank and # lines are skipped, bad lines reported with their number, the rest kept", () => {
    const text = [
      "# flows captured on staging",
      '{"src": "10.0.1.5", "dst": "10.0.2.7", "port": "tcp/8080", "app": "http"}',
      "",
      '{"src": "10.0.1.5", "dst": "10.0.2.7", "port": "tcp/8080", "app": "htp"}',
      "   ",
      "not json at all",
      '{"from": "10.0.1.5", "to": "10.0.3.3", "port": "udp/53"}\r',
    ].join("\n");
    const r = parseFlowsNdjson(text, "f.ndjson");
    expect(r.flows.map((f) => [f.line, f.flow.dst])).toEqual([
      [2, "10.0.2.7"],
      [7, "10.0.3.3"],
    ]);
    expect(view(r.diagnostics, { "f.ndjson": text }).map((d) => [d.code, d.line, d.at])).toEqual([
      ["NV5208", 4, '"htp"'],
      ["NV5201", 6, "not json at all"],
    ]);
  });

  test("an empty file gives no flows and no diagnostics", () => {
    expect(parseFlowsNdjson("", "f")).toEqual({ flows: [], diagnostics: [] });
  });
});

describe("flow documents", () => {
  test("one flow or a list, YAML or JSON", () => {
    expect(parseFlowDocument("f.yaml", "src: 10.0.0.1\ndst: 10.0.0.2\nport: tcp/80\n").flows).toHaveLength(1);
    const r = parseFlowDocument("f.yaml", "- {src: 10.0.0.1, dst: 10.0.0.2, port: 80}\n- {src: 10.0.0.1, dst: bad, port: 80}\n");
    expect(r.flows).toHaveLength(1);
    expect(view(r.diagnostics, {}).map((d) => [d.code, d.line])).toEqual([["NV5206", 2]]);
  });
});
