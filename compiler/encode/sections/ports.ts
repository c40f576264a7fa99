/**
 * Section `ports`: per protocol with ports (tcp, udp) a base set in the header and an interval
 * table (starts, then set indexes); the icmp and other-protocol sets are header fields.
 * Engine check: asm/table.ts `validate()`, the "Ports" block (H_TCP*, H_UDP*, H_ICMP_SET,
 * H_OTHER_SET; starts strictly increase from 0), which also builds the port bucket index.
 */
import * as A from "../../../common/abi.js";
import type { IrPortInterval } from "../../lower/ir.js";
import type { TableWriter } from "../table-writer.js";

export function writePorts(t: TableWriter): void {
  const { ir, w, put, pool } = t;
  const ports = (base: number, nField: number, offField: number, ivs: readonly IrPortInterval[], baseList: number[]) => {
    put(base, pool.add(baseList));
    put(nField, ivs.length);
    put(offField, w.length);
    for (const iv of ivs) w.u32(iv.lo);
    for (const iv of ivs) w.u32(pool.add(iv.rules));
    w.align(8);
  };
  ports(A.H_TCP_BASE, A.H_TCP_N, A.H_TCP, ir.ports.tcp, ir.ports.tcpBase);
  ports(A.H_UDP_BASE, A.H_UDP_N, A.H_UDP, ir.ports.udp, ir.ports.udpBase);
  put(A.H_ICMP_SET, pool.add(ir.ports.icmp));
  put(A.H_OTHER_SET, pool.add(ir.ports.other));
}
