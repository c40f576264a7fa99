/**
 * What a frame without an IP packet carries, for the replay summary's "not decoded" line: the
 * ethertype's name (ARP, LLDP, PPPoE, MPLS…) on Ethernet and Linux cooked captures, `llc` for
 * 802.3 length frames, else the link type's number. Named so that nothing is skipped silently.
 */
import { LINKTYPE } from "./types.js";

const ETHERTYPES: Record<number, string> = {
  0x0800: "ipv4 (cut or bad version)",
  0x86dd: "ipv6 (cut or bad version)",
  0x0806: "arp",
  0x8035: "rarp",
  0x88cc: "lldp",
  0x8863: "pppoe-discovery",
  0x8864: "pppoe-session",
  0x8847: "mpls",
  0x8848: "mpls",
  0x888e: "eapol",
  0x8809: "lacp",
  0x88e5: "macsec",
  0x88f7: "ptp",
  0x9000: "ethernet-loopback",
  0x8100: "vlan (cut)",
  0x88a8: "vlan (cut)",
};

function ethertypeKind(data: Uint8Array, typeAt: number): string {
  if (typeAt + 2 > data.length) return "cut before the link header's end";
  let at = typeAt;
  let type = (data[at]! << 8) | data[at + 1]!;
  // Follow VLAN tags to the type they carry.
  while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && at + 6 <= data.length) {
    at += 4;
    type = (data[at]! << 8) | data[at + 1]!;
  }
  if (type < 0x0600) return "llc";
  return ETHERTYPES[type] ?? `ethertype 0x${type.toString(16).padStart(4, "0")}`;
}

/** The kind of a frame that has no IP packet to give (locateL3 found none). */
export function notIpKind(linkType: number, data: Uint8Array): string {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethertypeKind(data, 12);
    case LINKTYPE.LINUX_SLL:
      return ethertypeKind(data, 14);
    case LINKTYPE.LINUX_SLL2:
      return ethertypeKind(data, 0);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return "loopback family not ip";
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return "not an ip header";
    default:
      return `link type ${linkType}`;
  }
}
