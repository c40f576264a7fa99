/**
 * Reading a file of NeuVector security events (neuvector-map.ts has the shapes): a REST response
 * body (one JSON document, pretty-printed or not), or syslog notifications or webhook bodies in
 * JSON, one a line. The records are mapped to nvp event lines and streamed to an NDJSON file that
 * the store then loads with DuckDB's reader, as it does nvp's own: one path into the tables for both.
 */
import { createReadStream, createWriteStream, closeSync, openSync, readSync } from "node:fs";
import { once } from "node:events";
import { INPUT_LIMIT_BYTES, InputFileError, readInputFile } from "../../common/input-file.js";
import { STORE_CODES, StoreError } from "./codes.js";
import { addPods, mapNotification, mapThreat, mapViolation, mapWebhook, NvShapeError, restLists, type Mapped, type NvPods } from "./neuvector-map.js";

export interface NvConversion {
  violations: number;
  threats: number;
  /** Records read but not stored: incidents (process and file events), other notifications, lines of no notification. */
  skipped: { incidents: number; other: number; lines: number };
  /** The workloads the records named, added to (a syslog file may name each pod a million times). */
  pods: NvPods;
}

const HELP = "give NeuVector's `GET /v1/log/violation`, `/v1/log/threat` or `/v1/log/security` response, or its syslog or webhook JSON, one a line (docs/formats.md)";
/** A syslog line may carry the syslog header before the JSON; the object starts here. */
const NOTIFICATION = '{"notification"';
/** A JSON webhook body starts with the cluster name (output.go `Webhook.Notify`); a receiver keeps one a line. */
const WEBHOOK = '{"cluster":';
const REST_KEYS = /^\{\s*"(threats|violations|incidents|threat)"\s*:/;

/** The first `bytes` of `file` as text (empty when it cannot be read: the real read reports that). */
function head(file: string, bytes = 4096): string {
  try {
    const fd = openSync(file, "r");
    try {
      const buf = Buffer.alloc(bytes);
      return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

/**
 * Syslog JSON, when a notification starts in the first 4 KiB (a controller's log may begin with
 * other lines), or webhook bodies. nvp's own records hold neither: the first key of an nvp record
 * is `type`, and inside a JSON string the quotes are escaped.
 */
const isSyslog = (text: string) => !REST_KEYS.test(text) && (text.includes(NOTIFICATION) || text.startsWith(WEBHOOK));

/** Whether `file` looks like NeuVector's export (a REST body, syslog or webhook JSON), not nvp's event NDJSON. */
export function isNeuVectorFile(file: string): boolean {
  const text = head(file).trimStart();
  return REST_KEYS.test(text) || isSyslog(text);
}

/** Convert `file` into nvp event lines in `out`; a record that cannot be read stops it with NV5604. */
export async function convertNeuVector(file: string, out: string, pods: NvPods): Promise<NvConversion> {
  const res: NvConversion = { violations: 0, threats: 0, skipped: { incidents: 0, other: 0, lines: 0 }, pods };
  const sink = createWriteStream(out);
  const write = async (m: Mapped) => {
    if ("skip" in m) return void (m.skip === "incident" ? res.skipped.incidents++ : res.skipped.other++);
    if (m.line["type"] === "threat") res.threats++;
    else res.violations++;
    addPods(pods, m.workloads);
    if (!sink.write(JSON.stringify(m.line) + "\n")) await once(sink, "drain");
  };
  try {
    if (isSyslog(head(file).trimStart())) await readSyslog(file, write, res);
    else await readRest(file, write, res);
  } finally {
    sink.end();
    await once(sink, "close");
  }
  return res;
}

function shapeError(file: string, what: string, e: unknown): never {
  if (e instanceof NvShapeError) throw new StoreError(STORE_CODES.shape, `\`${file}\`: ${what} ${e.message}`, "NeuVector's records carry client_ip, server_ip and reported_at; a violation policy_action, a threat name, severity and action (docs/formats.md)");
  throw e;
}

/**
 * Syslog JSON (a line's object starts at `{"notification"`) or JSON webhook bodies kept one a line
 * (`{"cluster":` first); lines of other logs are counted and passed.
 */
async function readSyslog(file: string, write: (m: Mapped) => Promise<void>, res: NvConversion): Promise<void> {
  let n = 0;
  for await (const line of boundedLines(file)) {
    n++;
    const syslog = line.indexOf(NOTIFICATION);
    const at = syslog >= 0 ? syslog : line.startsWith(WEBHOOK) ? 0 : -1;
    if (at < 0) {
      if (line.trim() !== "") res.skipped.lines++;
      continue;
    }
    let rec: unknown;
    try {
      rec = JSON.parse(line.slice(at));
    } catch (e) {
      throw new StoreError(STORE_CODES.input, `\`${file}\`: line ${n} is not JSON after \`${syslog >= 0 ? NOTIFICATION : WEBHOOK}\`: ${(e as Error).message}`, HELP);
    }
    try {
      const r = rec as Record<string, unknown>;
      await write(syslog >= 0 ? mapNotification(r) : mapWebhook(r));
    } catch (e) {
      shapeError(file, `line ${n}`, e);
    }
  }
}

/** A syslog record is a few KiB; a longer line is not one, and is refused before it fills memory. */
export const MAX_LINE_BYTES = 1 << 20;

/** The lines of `file` (LF or CRLF), streamed; a line past MAX_LINE_BYTES is NV5603. */
async function* boundedLines(file: string): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let size = 0;
  let n = 0;
  const text = () => Buffer.concat(pending).toString("utf8").replace(/\r$/, "");
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      pending.push(chunk.subarray(from, nl));
      yield text();
      n++;
      pending = [];
      size = 0;
      from = nl + 1;
    }
    pending.push(chunk.subarray(from));
    size += chunk.length - from;
    if (size > MAX_LINE_BYTES) throw new StoreError(STORE_CODES.input, `\`${file}\`: line ${n + 1} is longer than ${MAX_LINE_BYTES} bytes, which no NeuVector notification is`, HELP);
  }
  if (size > 0) yield text();
}

/** A REST response: `{"violations": […]}`, `{"threats": […]}`, `{"threat": {…}}` or all three lists. */
async function readRest(file: string, write: (m: Mapped) => Promise<void>, res: NvConversion): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(readInputFile(file, { limit: INPUT_LIMIT_BYTES, what: "NeuVector export" }).toString("utf8"));
  } catch (e) {
    if (e instanceof InputFileError) throw new StoreError(STORE_CODES.input, e.message, e.help);
    throw new StoreError(STORE_CODES.input, `\`${file}\`: not JSON: ${(e as Error).message}`, HELP);
  }
  let lists: ReturnType<typeof restLists> = null;
  try {
    if (doc && typeof doc === "object" && !Array.isArray(doc)) lists = restLists(doc as Record<string, unknown>);
  } catch (e) {
    shapeError(file, "the document", e);
  }
  if (!lists) throw new StoreError(STORE_CODES.shape, `\`${file}\`: not a NeuVector security event export (no \`violations\`, \`threats\` or \`incidents\` list)`, HELP);
  res.skipped.incidents += lists.incidents.length;
  const each = async (items: unknown[], what: string, map: (r: Record<string, unknown>) => Mapped) => {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      try {
        if (!item || typeof item !== "object" || Array.isArray(item)) throw new NvShapeError("is not an object");
        await write(map(item as Record<string, unknown>));
      } catch (e) {
        shapeError(file, `${what} ${i + 1}`, e);
      }
    }
  };
  await each(lists.violations, "violation", mapViolation);
  await each(lists.threats, "threat", mapThreat);
}
