/**
 * The explorer's safety rules (issue 15, item 4), through Fastify's inject (no socket): the token,
 * upload limits, corrupt captures leaving the store unchanged, capture names that try to leave the
 * folder, filters that try SQL, and the asset allow-list.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bindProblem, checkToken, isLoopback } from "../../explorer/auth.js";
import { buildServer } from "../../explorer/server.js";
import { loadModule } from "../../runtime/index.js";
import { FlowStore } from "../../runtime/store/index.js";
import { clusterFixture, nvp, type Fixture } from "../store/fixture.js";

let fx: Fixture;
let store: FlowStore;
const TOKEN = "s3cret-token-of-20ch";

beforeAll(async () => {
  fx = await clusterFixture(200);
  store = await FlowStore.open(join(fx.dir, "explorer.duckdb"));
});
afterAll(() => store?.close());

function multipart(name: string, body: Uint8Array): { payload: Buffer; headers: Record<string, string> } {
  const b = "----nvpboundary";
  const head = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="capture"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return { payload: Buffer.concat([head, Buffer.from(body), Buffer.from(`\r\n--${b}--\r\n`)]), headers: { "content-type": `multipart/form-data; boundary=${b}` } };
}

const flowCount = async () => Number((await store.query("SELECT count(*) AS n FROM flows"))[0]!["n"]);

async function server(extra: Partial<Parameters<typeof buildServer>[0]> = {}) {
  return buildServer({ store, captures: join(fx.dir, "captures"), module: loadModule(readFileSync(fx.module)), ...extra });
}

describe("binding and the token", () => {
  test("loopback is open; any other address needs a token of 16+ characters", () => {
    expect(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("localhost")).toBe(true);
    expect(isLoopback("0.0.0.0") || isLoopback("192.168.1.5") || isLoopback("::")).toBe(false);
    expect(bindProblem("127.0.0.1", undefined)).toBeUndefined();
    expect(bindProblem("0.0.0.0", undefined)).toMatch(/needs --token or NVP_SERVE_TOKEN/);
    expect(bindProblem("0.0.0.0", "short")).toMatch(/at least 16 characters/);
    expect(bindProblem("0.0.0.0", TOKEN)).toBeUndefined();
    expect(checkToken(TOKEN, { authorization: `Bearer ${TOKEN}x` }).ok).toBe(false);
  });

  test("nvp serve refuses a non-loopback address without a token (exit 2)", async () => {
    delete process.env["NVP_SERVE_TOKEN"];
    const r = await nvp(["serve", "--store", join(fx.dir, "never.duckdb"), "--host", "0.0.0.0", "--port", "0"], fx.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: binding to `0\.0\.0\.0` \(not loopback\) needs --token/);
  });

  test("with a token every request needs it: bearer header, cookie, or ?token= once (which sets the cookie)", async () => {
    const { app } = await server({ token: TOKEN });
    for (const url of ["/", "/api/flows", "/api/captures", "/assets/common.js", "/report", "/api/jobs/1"]) {
      expect((await app.inject({ url })).statusCode).toBe(401);
    }
    expect((await app.inject({ url: "/api/flows", headers: { authorization: "Bearer wrong-token-of-20ch" } })).statusCode).toBe(401);
    expect((await app.inject({ url: "/api/flows", headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    const first = await app.inject({ url: `/?token=${TOKEN}` });
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers["set-cookie"]);
    expect(cookie).toMatch(/^nvp_token=.*; HttpOnly; SameSite=Strict/);
    expect((await app.inject({ url: "/api/flows", headers: { cookie: cookie.split(";")[0]! } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: "/api/upload", ...multipart("a.pcap", new Uint8Array(10)) })).statusCode).toBe(401);
    await app.close();
  });
});

describe("uploads", () => {
  test("a capture over the size limit is refused (413) and nothing is left on disk", async () => {
    const { app } = await server({ maxUploadBytes: 1000 });
    const before = readdirSync(join(fx.dir, "captures")).length;
    const r = await app.inject({ method: "POST", url: "/api/upload", ...multipart("big.pcap", new Uint8Array(5000)) });
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toMatch(/larger than the 1,000-byte upload limit/);
    expect(readdirSync(join(fx.dir, "captures")).length).toBe(before);
    await app.close();
  });

  test("a corrupt capture: the job fails with NV5607 and the store is unchanged", async () => {
    const { app, jobs } = await server();
    const before = await flowCount();
    const corrupt = readFileSync(fx.capture).subarray(0, 4000);
    corrupt[24 + 8] = 0xff; // the first record's captured length: far past the limit
    corrupt[24 + 9] = 0xff;
    corrupt[24 + 10] = 0xff;
    for (const body of [corrupt, Buffer.from("GET / HTTP/1.1\r\n\r\n")]) {
      const r = await app.inject({ method: "POST", url: "/api/upload", ...multipart("../../etc/evil name.pcap", body) });
      expect(r.statusCode).toBe(202);
      const job = r.json().job;
      expect(job.capture).toMatch(/^\d{14}-(\d+-)?evil_name\.pcap$/);
      await jobs!.idle();
      const j = (await app.inject({ url: `/api/jobs/${job.id}` })).json();
      expect(j).toMatchObject({ state: "error", error: { code: "NV5607" } });
      expect(j.error.message).toMatch(/cannot be replayed: (packet record claims|not a pcap or pcapng capture)/);
      expect(j.error.help).toMatch(/the store was not changed/);
    }
    expect(await flowCount()).toBe(before);
    await app.close();
  });

  test("a good capture replays into the store, with progress, and is listed", async () => {
    const { app, jobs } = await server();
    const before = await flowCount();
    const r = await app.inject({ method: "POST", url: "/api/upload", ...multipart("cluster.pcap", readFileSync(fx.capture)) });
    expect(r.statusCode).toBe(202);
    await jobs!.idle();
    const j = (await app.inject({ url: `/api/jobs/${r.json().job.id}` })).json();
    expect(j.state).toBe("done");
    expect(j.bytesRead).toBeGreaterThan(0);
    const flows = readFileSync(fx.flows, "utf8").trim().split("\n").length;
    expect(j.result.flows).toBe(flows);
    expect(await flowCount()).toBe(before + flows);
    const list = (await app.inject({ url: "/api/captures" })).json();
    expect(list.stored[0]).toMatchObject({ capture: r.json().job.capture, flows });
    await app.close();
  });
});

describe("picking a capture", () => {
  test("names that leave the captures folder, or are not plain names, are refused", async () => {
    const dir = join(fx.dir, "captures");
    mkdirSync(join(fx.dir, "outside"), { recursive: true });
    writeFileSync(join(fx.dir, "outside", "secret.pcap"), "x");
    symlinkSync(join(fx.dir, "outside", "secret.pcap"), join(dir, "link.pcap"));
    const { app } = await server();
    for (const name of ["../outside/secret.pcap", "/etc/passwd", "..", "a/../../x", "%2e%2e/x", "link.pcap", ".hidden", 42]) {
      const r = await app.inject({ method: "POST", url: "/api/replay", payload: { name } });
      expect([400, 404]).toContain(r.statusCode);
    }
    expect((await app.inject({ url: "/api/captures" })).json().files.map((f: { name: string }) => f.name)).not.toContain("link.pcap");
    await app.close();
  });

  test("without --module the explorer shows the store but does not replay (409)", async () => {
    const { app } = await buildServer({ store, captures: join(fx.dir, "captures") });
    expect((await app.inject({ method: "POST", url: "/api/replay", payload: { name: "x.pcap" } })).statusCode).toBe(409);
    expect((await app.inject({ url: "/api/info" })).json()).toMatchObject({ canReplay: false });
    await app.close();
  });
});

describe("queries and assets", () => {
  test("bad filters are 400 with the field; SQL in values matches nothing", async () => {
    const { app } = await server();
    const bad = await app.inject({ url: "/api/flows?ip=1.2.3.4%27%20OR%201%3D1" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: "ip" });
    expect((await app.inject({ url: "/api/flows?size=9999" })).statusCode).toBe(400);
    const inj = await app.inject({ url: "/api/flows?q=%27%20OR%20%271%27%3D%271" });
    expect(inj.json().total).toBe(0);
    expect((await app.inject({ url: "/api/flows" })).json().total).toBe(await flowCount());
    await app.close();
  });

  test("only listed assets are served; pages carry a CSP", async () => {
    const { app } = await server();
    for (const name of ["..%2Fpackage.json", "explorer.html", "..%2F..%2Fetc%2Fpasswd", "constructor", "__proto__"]) {
      expect((await app.inject({ url: `/assets/${name}` })).statusCode).toBe(404);
    }
    const page = await app.inject({ url: "/" });
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'self'; script-src 'self'/);
    expect((await app.inject({ url: "/assets/countries-110m.json" })).json()).toMatchObject({ type: "Topology" });
    await app.close();
  });
});
