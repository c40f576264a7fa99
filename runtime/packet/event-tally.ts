/**
 * A replay's event figures counted straight from the raw event records (RawEventBatch), without
 * turning any of them into objects: events by type, threats by name and by what they did, and
 * from the flow-end records the flows by deciding rule and by application (flows, packets,
 * bytes). The CLI's summary reads `summary()`; nothing here grows with the number of events.
 */
import * as A from "../../common/abi.js";
import * as P from "../../common/abi-packet.js";
import { APP_UNKNOWN } from "../../common/apps.js";
import { THREATS } from "../../common/threats.js";
import { appName } from "./events.js";
import type { RawEventBatch } from "./raw-events.js";

/** Event type names by EVT_* code, in the summary's order. */
const TYPE_NAMES: readonly [number, string][] = [
  [P.EVT_VIOLATION, "violation"],
  [P.EVT_DENY, "deny"],
  [P.EVT_LEARN, "learn"],
  [P.EVT_RESET, "reset"],
  [P.EVT_THREAT, "threat"],
  [P.EVT_FLOW_END, "flow-end"],
];
const THREAT_ACTIONS: readonly [number, string][] = [
  [P.TA_REPORT, "report"],
  [P.TA_DENY, "deny"],
  [P.TA_RESET, "reset"],
];

/** Flows, packets (both ways) and bytes (both ways) of one application, from flow-end records. */
export interface AppTraffic {
  flows: number;
  packets: number;
  bytes: number;
}

export interface EventFigures {
  /** Events by type (every type present, zeros included). */
  events: Record<string, number>;
  /** Flow-end records. */
  flows: number;
  /** Flows by deciding rule: `rule N`, or `implicit` (rule 0). */
  flowsByRule: Record<string, number>;
  /** Flows by application name (`unknown`: not recognised, or never inspected). */
  applications: Record<string, AppTraffic>;
  /** TCP and UDP flows whose application was not identified. */
  unidentified: number;
  /** Threat events by NeuVector name: how many, and what they did. */
  threats: Record<string, { count: number; actions: Record<string, number> }>;
}

export class EventTally {
  private readonly byType = new Float64Array(256);
  private flows = 0;
  private unidentified = 0;
  private readonly byRule = new Map<number, number>();
  /** App id → [flows, packets, bytes]. */
  private readonly byApp = new Map<number, Float64Array>();
  /** (threat code + 1) * 4 + TA_* → count. */
  private readonly threats = new Float64Array((THREATS.length + 1) * 4);

  /** Count every record of the batch. */
  add(batch: RawEventBatch): void {
    const v = batch.view;
    for (let k = 0, at = 0; k < batch.count; k++, at += P.EV_SIZE) {
      const type = v.getUint8(at + P.EV_TYPE);
      this.byType[type] = (this.byType[type] as number) + 1;
      if (type === P.EVT_THREAT) {
        // As decodeEvent reads it: anything but deny or reset was a report.
        const ta = v.getUint8(at + P.EV_TACTION);
        const slot = v.getUint8(at + P.EV_THREAT) * 4 + (ta === P.TA_DENY || ta === P.TA_RESET ? ta : P.TA_REPORT);
        if (slot < this.threats.length) this.threats[slot] = (this.threats[slot] as number) + 1;
      } else if (type === P.EVT_FLOW_END) {
        this.flowEnd(v, at);
      }
    }
  }

  private flowEnd(v: DataView, at: number): void {
    this.flows++;
    const rule = v.getUint32(at + P.EV_RULE, true);
    this.byRule.set(rule, (this.byRule.get(rule) ?? 0) + 1);
    const app = v.getUint32(at + P.EV_APP, true);
    let t = this.byApp.get(app);
    if (!t) this.byApp.set(app, (t = new Float64Array(3)));
    t[0] = (t[0] as number) + 1;
    t[1] = (t[1] as number) + v.getUint32(at + P.EV_PKTS_C, true) + v.getUint32(at + P.EV_PKTS_S, true);
    t[2] = (t[2] as number) + Number(v.getBigUint64(at + P.EV_BYTES_C, true) + v.getBigUint64(at + P.EV_BYTES_S, true));
    const proto = v.getUint8(at + P.EV_PROTO);
    if ((proto === 6 || proto === 17) && (app === A.APP_UNIDENTIFIED || app === APP_UNKNOWN || appName(app) === "unknown")) this.unidentified++;
  }

  summary(): EventFigures {
    const events: Record<string, number> = {};
    for (const [code, name] of TYPE_NAMES) events[name] = this.byType[code] as number;
    const flowsByRule: Record<string, number> = {};
    for (const [rule, n] of [...this.byRule].sort((a, b) => a[0] - b[0])) flowsByRule[rule === 0 ? "implicit" : `rule ${rule}`] = n;
    const applications: Record<string, AppTraffic> = {};
    for (const [id, t] of this.byApp) {
      const name = appName(id) ?? "unknown";
      const a = (applications[name] ??= { flows: 0, packets: 0, bytes: 0 });
      a.flows += t[0] as number;
      a.packets += t[1] as number;
      a.bytes += t[2] as number;
    }
    const threats: EventFigures["threats"] = {};
    THREATS.forEach((th, i) => {
      for (const [code, action] of THREAT_ACTIONS) {
        const n = this.threats[(i + 1) * 4 + code] as number;
        if (!n) continue;
        const t = (threats[th.name] ??= { count: 0, actions: {} });
        t.count += n;
        t.actions[action] = n;
      }
    });
    return { events, flows: this.flows, flowsByRule, applications, unidentified: this.unidentified, threats };
  }
}
