// Findings become threat reports: after a detector ran, raise() drains asm/threat/found.ts and,
// for each finding of an enabled threat, emits a threat event (code, severity, the action taken,
// up to EVIDENCE_MAX bytes of evidence), counts it, marks the packet's verdict (PV_THREAT,
// PVF_THREAT) and, in Protect with the threat's action `block`, blocks the flow: every later packet
// is denied, and where NeuVector resets (small window, slowloris: DPI_ACTION_RESET) a TCP flow
// that already passed packets is reset both ways. Discover and Monitor only report. The flow's
// policy verdict (FL_ACTION, FL_RULE, FL_MODE) never changes: blocking is a flag of its own.
// A threat is reported once per (flow, code); rate detections report each rise (their detectors
// call found() on the rising edge only). While a rate meter stays raised the packet path calls hold():
// in Protect each packet that hits the meter blocks its flow without a new event, as NeuVector
// drops every packet while its meter fires.
import { MODE_PROTECT } from "../abi";
import {
  C_RESETS, C_THREAT_BLOCKS, C_THREATS, C_THREATS_BY, END_NONE, EV_EVIDENCE, EV_EVIDENCE_LEN, EV_SEVERITY,
  EV_TACTION, EV_THREAT, EVT_RESET, EVT_THREAT, PV_THREAT, PVF_RESET, PVF_THREAT, TA_DENY, TA_REPORT, TA_RESET,
} from "../abi-packet";
import { emit } from "../events";
import { FF_BLOCKED, FF_PASSED, FF_RESET, FL_MODE, FL_PROTO, FL_THREAT, FL_THREATS, flags, setFlag } from "../flow/table";
import { TCP } from "../packet/decode";
import { bump, threatsOn } from "../packet/region";
import { T_DNS_FLOOD, T_DNS_TUNNELING, T_HTTP_SLOWLORIS, T_ICMP_FLOOD, T_SYN_FLOOD, T_TCP_SMALL_WINDOW } from "./codes";
import { clearFindings, findingCode, findingCount, findingEvidence, findingEvidenceLen } from "./found";
import { threatBlocks, threatEnabled, threatSeverity } from "./params";

/** Code + 1 of a rate threat whose meter stayed raised on the current packet, 0 for none. */
let held: u32 = 0;

/** A rate meter stayed raised on the current packet (METER_ON): the next raise() applies it. */
export function hold(code: u32): void {
  held = code + 1;
}

/** Rate detections: reported on every rise, not once per flow. */
@inline function repeats(code: u32): bool {
  return code == T_SYN_FLOOD || code == T_ICMP_FLOOD || code == T_DNS_FLOOD || code == T_DNS_TUNNELING;
}

/** Detections NeuVector answers with RSTs both ways (DPI_ACTION_RESET); the others drop. */
@inline function resets(code: u32): bool {
  return code == T_TCP_SMALL_WINDOW || code == T_HTTP_SLOWLORIS;
}

/** The threat fields of event record `e` (0: the ring was full). */
function threatFields(e: usize, code: u32, action: u32, i: u32): void {
  if (e == 0) return;
  store<u8>(e + EV_THREAT, <u8>(code + 1));
  store<u8>(e + EV_SEVERITY, <u8>threatSeverity(code));
  store<u8>(e + EV_TACTION, <u8>action);
  const n = findingEvidenceLen(i);
  store<u8>(e + EV_EVIDENCE_LEN, <u8>n);
  memory.copy(e + EV_EVIDENCE, findingEvidence(i), n);
}

/** One finding on flow `f`; PV_FLAGS bits. */
function raiseOne(f: usize, v: usize, i: u32): u32 {
  const code = findingCode(i);
  if (!threatEnabled(code)) return 0;
  const bit = <u32>1 << code;
  const seen = load<u32>(f + FL_THREATS);
  if (!repeats(code) && (seen & bit) != 0) return 0;
  store<u32>(f + FL_THREATS, seen | bit);
  let action = TA_REPORT;
  let out = PVF_THREAT;
  let reset = false;
  if (threatBlocks(code) && <u32>load<u8>(f + FL_MODE) == MODE_PROTECT) {
    action = TA_DENY;
    const fl = flags(f);
    if ((fl & FF_BLOCKED) == 0) {
      setFlag(f, FF_BLOCKED);
      store<u8>(f + FL_THREAT, <u8>(code + 1));
      bump(C_THREAT_BLOCKS);
    }
    if (resets(code) && <u32>load<u8>(f + FL_PROTO) == TCP && (fl & FF_PASSED) != 0 && (fl & FF_RESET) == 0) {
      setFlag(f, FF_RESET);
      bump(C_RESETS);
      action = TA_RESET;
      out |= PVF_RESET;
      reset = true;
    }
  }
  threatFields(emit(EVT_THREAT, f, END_NONE), code, action, i);
  if (reset) threatFields(emit(EVT_RESET, f, END_NONE), code, action, i);
  bump(C_THREATS);
  bump(C_THREATS_BY + code);
  if (v != 0 && load<u8>(v + PV_THREAT) == 0) store<u8>(v + PV_THREAT, <u8>(code + 1));
  return out;
}

/** A held rate threat on flow `f`: blocked in Protect when the threat's action is block, no event. */
function holdOne(f: usize, v: usize, code: u32): void {
  if (!threatEnabled(code) || !threatBlocks(code) || <u32>load<u8>(f + FL_MODE) != MODE_PROTECT) return;
  if ((flags(f) & FF_BLOCKED) == 0) {
    setFlag(f, FF_BLOCKED);
    store<u8>(f + FL_THREAT, <u8>(code + 1));
    bump(C_THREAT_BLOCKS);
  }
  if (v != 0 && load<u8>(v + PV_THREAT) == 0) store<u8>(v + PV_THREAT, <u8>(code + 1));
}

/**
 * Report the findings of the detector that just ran on flow `f` (`v`: the packet's verdict
 * record, 0 outside a packet, e.g. a timer), and a held rate threat (hold()). Findings of disabled
 * threats, repeats on the flow, and everything while threat detection is off (PSF_THREATS) are
 * dropped. Returns PV_FLAGS bits:
 * PVF_THREAT, and PVF_RESET when a threat reset the flow.
 */
export function raise(f: usize, v: usize): u32 {
  const n = findingCount();
  const h = held;
  if (n == 0 && h == 0) return 0;
  held = 0;
  let out: u32 = 0;
  if (threatsOn && f != 0) {
    for (let i: u32 = 0; i < n; i++) out |= raiseOne(f, v, i);
    if (h != 0) holdOne(f, v, h - 1);
  }
  clearFindings();
  return out;
}
