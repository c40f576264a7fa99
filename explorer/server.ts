/**
 * `nvp serve`: the capture explorer (seed 003) as a Fastify app. Static assets come from web/ and
 * node_modules (nothing from the network); the API answers every view with parameterised DuckDB
 * queries over the flow store; uploads stream to the captures folder and replay into the store.
 */
import multipart from "@fastify/multipart";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { emptyInventory, type Inventory } from "../common/schema.js";
import { buildReport } from "../report/build-report.js";
import { echartsJs, topojsonJs, webAsset, worldAtlasJson } from "../report/assets.js";
import type { PolicyModule } from "../runtime/module/load.js";
import {
  captureList, countries, FilterError, flowsPage, GEO_ATTRIBUTION, overview, parseFilter, statistics, type FlowStore,
} from "../runtime/store/index.js";
import { checkToken, TOKEN_COOKIE } from "./auth.js";
import { JobQueue } from "./jobs.js";
import { CaptureFolder, UploadError } from "./uploads.js";

export interface ServerOptions {
  store: FlowStore;
  captures: string;
  /** Needed to replay uploads; without it the explorer only shows what the store holds. */
  module?: PolicyModule;
  inventory?: Inventory;
  token?: string;
  maxUploadBytes?: number;
}

export const DEFAULT_MAX_UPLOAD = 256 * 1024 * 1024;

const ASSETS: Record<string, { type: string; body: () => string }> = {
  "common.js": { type: "text/javascript", body: () => webAsset("common.js") },
  "explorer.js": { type: "text/javascript", body: () => webAsset("explorer.js") },
  "style.css": { type: "text/css", body: () => webAsset("style.css") },
  "echarts.min.js": { type: "text/javascript", body: echartsJs },
  "topojson-client.min.js": { type: "text/javascript", body: topojsonJs },
  "countries-110m.json": { type: "application/json", body: worldAtlasJson },
};

const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; connect-src 'self'";
const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; jobs?: JobQueue }> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const maxUpload = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const folder = new CaptureFolder(opts.captures);
  const jobs = opts.module ? new JobQueue(opts.store, opts.module, opts.inventory ?? emptyInventory()) : undefined;
  await app.register(multipart, { limits: { fileSize: maxUpload, files: 1, fields: 4, parts: 5 } });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").header("X-Frame-Options", "SAMEORIGIN");
    if (!opts.token) return;
    const q = (req.query as Record<string, string | undefined>)?.["token"];
    const ok = checkToken(opts.token, { authorization: req.headers.authorization, cookie: req.headers.cookie, queryToken: q });
    if (!ok.ok) return reply.code(401).send({ error: "this explorer needs its token: open the URL `nvp serve` printed, or send `Authorization: Bearer TOKEN`" });
    if (ok.fromQuery) reply.header("Set-Cookie", `${TOKEN_COOKIE}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof FilterError) return reply.code(400).send({ error: err.message, field: err.field });
    if (err instanceof UploadError) return reply.code(err.status).send({ error: err.message });
    if (err.code === "FST_REQ_FILE_TOO_LARGE") return reply.code(413).send({ error: `the capture is larger than the ${maxUpload.toLocaleString("en-US")}-byte upload limit (--max-upload)` });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? `internal error: ${err.message}` : err.message });
  });

  app.get("/", async (_req, reply) => reply.type("text/html").header("Content-Security-Policy", PAGE_CSP).send(webAsset("explorer.html")));
  app.get("/assets/:name", async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const a = Object.hasOwn(ASSETS, req.params.name) ? ASSETS[req.params.name] : undefined;
    if (!a) return reply.code(404).send({ error: "no such asset" });
    return reply.type(a.type).header("Cache-Control", "max-age=3600").send(a.body());
  });

  const filterOf = (req: FastifyRequest) => parseFilter(req.query as Record<string, unknown>);
  app.get("/api/info", async () => ({ canReplay: Boolean(jobs), maxUploadBytes: maxUpload, geoLicence: GEO_ATTRIBUTION, captures: folder.list() }));
  app.get("/api/captures", async () => ({ stored: await captureList(opts.store), files: folder.list() }));
  app.get("/api/flows", async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const num = (k: string, max: number) => {
      const v = q[k];
      if (v === undefined || v === "") return undefined;
      if (!/^\d+$/.test(v) || Number(v) > max) throw new FilterError(k, `\`${k}\` must be a whole number 0…${max}`);
      return Number(v);
    };
    const dir = q["dir"] === "desc" ? "desc" : "asc";
    return flowsPage(opts.store, filterOf(req), { sort: q["sort"] ?? "first", dir, page: num("page", 1e7) ?? 0, size: num("size", 500) ?? 50 });
  });
  app.get("/api/overview", async (req) => overview(opts.store, filterOf(req)));
  app.get("/api/stats", async (req) => statistics(opts.store, filterOf(req)));
  app.get("/api/geo", async (req) => ({ countries: await countries(opts.store, filterOf(req)), licence: GEO_ATTRIBUTION }));
  app.get("/report", async (_req, reply) => reply.type("text/html").header("Content-Security-Policy", REPORT_CSP).send(await buildReport(opts.store)));

  const needJobs = (reply: FastifyReply) => {
    if (!jobs) void reply.code(409).send({ error: "this explorer was started without --module: it cannot replay captures" });
    return jobs;
  };
  app.post("/api/upload", async (req, reply) => {
    const q = needJobs(reply);
    if (!q) return reply;
    const file = await req.file();
    if (!file) throw new UploadError(400, "no file in the upload");
    const name = await folder.save(file.file, file.filename, () => file.file.truncated, maxUpload);
    return reply.code(202).send({ job: q.add(folder.resolve(name), name) });
  });
  app.post("/api/replay", async (req: FastifyRequest<{ Body: { name?: unknown } }>, reply) => {
    const q = needJobs(reply);
    if (!q) return reply;
    const name = req.body?.name;
    if (typeof name !== "string") throw new UploadError(400, "give the capture's `name`");
    return reply.code(202).send({ job: q.add(folder.resolve(name), name) });
  });
  app.get("/api/jobs/:id", async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const job = /^\d{1,9}$/.test(req.params.id) ? jobs?.get(Number(req.params.id)) : undefined;
    return job ? job : reply.code(404).send({ error: "no such job" });
  });
  return jobs ? { app, jobs } : { app };
}
