// The event ring: PS_EVENT_CAP fixed records in engine memory (violation, deny, learn, reset,
// flow end, threat: asm/threat/raise.ts adds the threat fields to the record emit() returns). The engine writes at PH_EV_HEAD, the host drains up to it after each batch and
// stores PH_EV_TAIL. A full ring drops the new event and counts it: the engine never waits.
import {
  C_EVENTS, C_EVENTS_DROPPED, EV_ACTION, EV_APP, EV_BYTES_C, EV_BYTES_S, EV_CLIENT,
  EV_CLIENT_KIND, EV_CPORT, EV_END, EV_FIRST, EV_FLOW, EV_LAST, EV_MODE, EV_PKTS_C, EV_PKTS_S, EV_PROTO,
  EV_RULE, EV_SERVER, EV_SERVER_KIND, EV_SIZE, EV_SPORT, EV_STATE, EV_TIME, EV_TYPE, EV_XACTION, EV_XADDR,
  EV_XFF, EV_XRULE, EV_AWAIT, EV_THREAT, EVT_FLOW_END, PH_EV_HEAD, PH_EV_TAIL, EV_VLAN, EV_TUNNEL_ID, EV_TUNNEL,
  EV_OUTER_FAMILY, EV_CONFIDENCE, EV_UNIDENTIFIED, EV_DPI_BYTES, EV_OUTER_SRC, EV_OUTER_DST, UNID_NO_PAYLOAD,
  CONF_PORT_GUESS, UNID_GAVE_UP, UNID_ONE_SIDED, UNID_REJECTED,
} from "./abi-packet";
import { APP_UNKNOWN_ID } from "./abi";
import { portGuess } from "./dpi/port-guess";
import { base, bump, eventCap, events, now, portGuessOn } from "./packet/region";
import {
  FL_ACTION, FL_APP, FL_AWAIT, FL_BYTES, FL_CKIND, FL_CLI, FL_CPORT, FL_FIRST, FL_ID, FL_LAST, FL_MODE,
  FL_PKTS, FL_PROTO, FL_RULE, FL_SKIND, FL_SPORT, FL_SRV, FL_STATE, FL_XACTION, FL_XFF, FL_XRAN, FL_XRULE,
  FL_VLAN, FL_TUNNEL_ID, FL_TUNNEL, FL_OUTER_FAMILY, FL_CONF, FL_UNID, FL_DPI_BYTES, FL_OUTER_C, FL_OUTER_S,
} from "./flow/table";

/** Records written so far minus records the host has consumed (mod 2^32). */
@inline function pending(): u32 {
  return load<u32>(base + PH_EV_HEAD) - load<u32>(base + PH_EV_TAIL);
}

@inline function copy16(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}

/**
 * Append an event of `type` about flow `f`; `end` is the flow-end reason (END_NONE otherwise).
 * Returns the record (its threat fields zero), or 0 when the ring was full.
 */
export function emit(type: u32, f: usize, end: u32): usize {
  const head = load<u32>(base + PH_EV_HEAD);
  // The host owns the tail: anything but 0..cap records outstanding counts as full.
  if (pending() >= eventCap) {
    bump(C_EVENTS_DROPPED);
    return 0;
  }
  const e = events + <usize>(head & (eventCap - 1)) * EV_SIZE;
  store<u8>(e + EV_TYPE, <u8>type);
  store<u8>(e + EV_ACTION, load<u8>(f + FL_ACTION));
  store<u8>(e + EV_MODE, load<u8>(f + FL_MODE));
  store<u8>(e + EV_PROTO, load<u8>(f + FL_PROTO));
  store<u32>(e + EV_RULE, load<u32>(f + FL_RULE));
  store<u32>(e + EV_FLOW, load<u32>(f + FL_ID));
  store<u32>(e + EV_APP, load<u32>(f + FL_APP));
  store<u64>(e + EV_TIME, now);
  store<u64>(e + EV_FIRST, load<u64>(f + FL_FIRST));
  store<u64>(e + EV_LAST, load<u64>(f + FL_LAST));
  copy16(e + EV_CLIENT, f + FL_CLI);
  copy16(e + EV_SERVER, f + FL_SRV);
  store<u16>(e + EV_CPORT, load<u16>(f + FL_CPORT));
  store<u16>(e + EV_SPORT, load<u16>(f + FL_SPORT));
  store<u32>(e + EV_PKTS_C, load<u32>(f + FL_PKTS));
  store<u32>(e + EV_PKTS_S, load<u32>(f + FL_PKTS + 4));
  store<u8>(e + EV_END, <u8>end);
  store<u8>(e + EV_CLIENT_KIND, load<u8>(f + FL_CKIND));
  store<u8>(e + EV_SERVER_KIND, load<u8>(f + FL_SKIND));
  store<u8>(e + EV_XFF, load<u8>(f + FL_XRAN));
  store<u64>(e + EV_BYTES_C, load<u64>(f + FL_BYTES));
  store<u64>(e + EV_BYTES_S, load<u64>(f + FL_BYTES + 8));
  store<u32>(e + EV_XRULE, load<u32>(f + FL_XRULE));
  store<u8>(e + EV_XACTION, load<u8>(f + FL_XACTION));
  store<u8>(e + EV_STATE, load<u8>(f + FL_STATE));
  store<u8>(e + EV_AWAIT, load<u8>(f + FL_AWAIT));
  copy16(e + EV_XADDR, f + FL_XFF);
  store<u32>(e + EV_VLAN, load<u32>(f + FL_VLAN));
  store<u32>(e + EV_TUNNEL_ID, load<u32>(f + FL_TUNNEL_ID));
  store<u8>(e + EV_TUNNEL, load<u8>(f + FL_TUNNEL));
  store<u8>(e + EV_OUTER_FAMILY, load<u8>(f + FL_OUTER_FAMILY));
  store<u8>(e + EV_CONFIDENCE, load<u8>(f + FL_CONF));
  // A flow that ended without ever carrying payload was never inspected: say so.
  const noPayload = type == EVT_FLOW_END && load<u32>(f + FL_APP) == 0 && load<u8>(f + FL_UNID) == 0;
  store<u8>(e + EV_UNIDENTIFIED, noPayload ? <u8>UNID_NO_PAYLOAD : load<u8>(f + FL_UNID));
  store<u32>(e + EV_DPI_BYTES, load<u32>(f + FL_DPI_BYTES));
  copy16(e + EV_OUTER_SRC, f + FL_OUTER_C);
  copy16(e + EV_OUTER_DST, f + FL_OUTER_S);
  // Code, severity, action, evidence length: a threat event's, set by the caller.
  store<u32>(e + EV_THREAT, 0);
  store<u32>(base + PH_EV_HEAD, head + 1);
  bump(C_EVENTS);
  return e;
}

/** The flow is over (closed, reset, timed out, evicted or flushed): its flow-end record. */
export function flowEnded(f: usize, why: u32): void {
  const e = emit(EVT_FLOW_END, f, why);
  if (e != 0 && portGuessOn) guessByPort(e, f);
}

/**
 * PSF_PORT_GUESS: a flow that carried payload and that content left unknown (one side only,
 * rejected, given up) is named in its record by its port, confidence port-guess. Only the
 * record: the flow was decided, and stays, with the application unknown.
 */
function guessByPort(e: usize, f: usize): void {
  const why = <u32>load<u8>(f + FL_UNID);
  if (load<u32>(f + FL_APP) != APP_UNKNOWN_ID || (why != UNID_ONE_SIDED && why != UNID_REJECTED && why != UNID_GAVE_UP)) return;
  const g = portGuess(<i32>load<u8>(f + FL_PROTO), <i32>load<u16>(f + FL_CPORT), <i32>load<u16>(f + FL_SPORT));
  if (g == 0) return;
  store<u32>(e + EV_APP, <u32>g);
  store<u8>(e + EV_CONFIDENCE, <u8>CONF_PORT_GUESS);
}
