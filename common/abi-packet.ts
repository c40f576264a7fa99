/**
 * The packet path's ABI (docs/formats.md "Events and flow records", docs/module.md): the packet
 * region's settings and header, packet descriptors in, verdicts and events out, counters, and the
 * snooped-DNS and DNS-pattern tables the host reads and writes. Same rules as common/abi.ts (one
 * integer `export const` per line); scripts/gen-abi.mjs generates asm/abi-packet.ts from it.
 *
 * The packet region lies at a host-chosen 64-aligned address P at or after dynamicBase(): the host
 * writes the settings at P, asks `pktNeed(P)` for the region's size, grows memory, calls
 * `pktInit(P, len)`. Every other offset below is relative to P and is published in the header.
 */

/** Bump when anything in this file changes meaning. The engine exports packetAbiVersion(). */
export const PACKET_ABI_VERSION = 3;
export const PACKET_MAGIC = 0x4b50564e;

// ---- settings (host writes, u32 each) -----------------------------------------------------------
export const PS_MAGIC = 0;
export const PS_FLOW_CAP = 4;
export const PS_PREFIX_SLOTS = 8;
export const PS_FRAG_SLOTS = 12;
export const PS_FRAG_BYTES = 16;
export const PS_EVENT_CAP = 20;
export const PS_DNS_NAMES = 24;
export const PS_BATCH_PKTS = 28;
export const PS_BATCH_BYTES = 32;
export const PS_PATTERN_BYTES = 36;
/** Idle timeouts in seconds, by flow state. */
export const PS_TO_SYN = 40;
export const PS_TO_EST = 44;
export const PS_TO_FIN = 48;
export const PS_TO_CLOSED = 52;
export const PS_TO_UDP = 56;
export const PS_TO_ICMP = 60;
export const PS_TO_OTHER = 64;
export const PS_TO_FRAG = 68;
/** Floor on a snooped DNS answer's TTL, in seconds. */
export const PS_DNS_MIN_TTL = 72;
export const PS_FLAGS = 76;
export const PSF_DPI = 1;
export const PSF_DNS_SNOOP = 2;
/** Threat detection (docs/threats.md); off: no detector runs and nothing is reported. */
export const PSF_THREATS = 4;
/** Name a flow that content left unknown by its port (confidence port-guess in its flow-end record only; decisions never use it). */
export const PSF_PORT_GUESS = 8;
/** Rate-meter entries for rate detectors (a power of two), METER_SIZE bytes each. */
export const PS_METER_SLOTS = 80;
/** Capacity of the Service externalIP set (CVE-2020-8554 detection), EXT_IP_SIZE bytes each. */
export const PS_EXT_IPS = 84;

// ---- header (engine writes; host reads) ---------------------------------------------------------
/** Offsets (relative to P) of the areas, written by pktInit. */
export const PH_DESC = 96;
export const PH_DATA = 100;
export const PH_VERDICTS = 104;
export const PH_EVENTS = 108;
export const PH_COUNTERS = 112;
export const PH_DNS_NAMES = 116;
export const PH_PATTERNS = 120;
export const PH_LEN = 124;
/** Event ring: head (engine, records written), tail (host, records consumed); both count mod 2^32. */
export const PH_EV_HEAD = 128;
export const PH_EV_TAIL = 132;
/** Incremented whenever the snooped-DNS table changes in a way the decision can see. */
export const PH_DNS_GEN = 136;
/** The engine clock: the largest packet time seen, ns (u64). */
export const PH_NOW = 144;
/** Offsets (relative to P) of the Service externalIP set (host writes), the meters, the per-flow threat states. */
export const PH_EXT_IPS = 152;
export const PH_METERS = 156;
export const PH_THREAT_STATES = 160;
export const PH_SIZE = 256;

// ---- limits the engine enforces on settings -------------------------------------------------------
export const PKT_FLOW_CAP_MIN = 16;
export const PKT_FLOW_CAP_MAX = 4194304;
export const PKT_PREFIX_SLOTS_MAX = 1048576;
export const PKT_FRAG_SLOTS_MAX = 4096;
export const PKT_FRAG_BYTES_MIN = 1500;
export const PKT_FRAG_BYTES_MAX = 65536;
export const PKT_EVENT_CAP_MIN = 16;
export const PKT_EVENT_CAP_MAX = 1048576;
export const PKT_DNS_NAMES_MAX = 65536;
export const PKT_BATCH_PKTS_MAX = 65536;
export const PKT_BATCH_BYTES_MIN = 262144;
export const PKT_BATCH_BYTES_MAX = 67108864;
export const PKT_PATTERN_BYTES_MAX = 16777216;
export const PKT_METER_SLOTS_MIN = 16;
export const PKT_METER_SLOTS_MAX = 4194304;
export const PKT_EXT_IPS_MAX = 65536;

// ---- threat areas ------------------------------------------------------------------------------------
/**
 * Per-flow threat state, zeroed when the flow is created: [0, 48) stream parsers, [48, 64) packet-level
 * trackers, [64, 80) the stream feed (asm/threat/stream-feed.ts: next sequence numbers, DNS framing).
 */
export const THREAT_FLOW_STATE = 80;
/** A rate-meter entry (asm/threat/state.ts meterBase()); the rate detectors own its layout. */
export const METER_SIZE = 32;
/** A Service externalIP: 128-bit address as two little-endian u64, low half first (common/abi.ts). Sorted ascending. */
export const EXT_IP_SIZE = 16;

// ---- packet descriptor (host writes PS_BATCH_PKTS of them at PH_DESC) ----------------------------
export const PD_SIZE = 24;
/** u64 capture time, ns since the epoch. */
export const PD_TS = 0;
/** u32 offset of the IP header in the data area, and the bytes present from there. */
export const PD_OFF = 8;
export const PD_LEN = 12;
/** u32 bytes on the wire from the IP header on (0: same as PD_LEN). */
export const PD_WIRE = 16;
export const PD_FLAGS = 20;
/** The frame has no IP header (capture l3Offset -1): counted and skipped. */
export const PDF_NOT_IP = 1;
/**
 * PD_FLAGS bits 8-31: the frame's VLAN key from the link layer (outer tag id << 12 | inner tag id;
 * 0: untagged). Flows on different VLANs never merge.
 */
export const PDF_VLAN_SHIFT = 8;

// ---- verdict (engine writes one per packet at PH_VERDICTS) --------------------------------------
export const PV_SIZE = 20;
/** Action code (common/abi.ts ACT_*), meaningful when PV_STATUS is PVS_OK. */
export const PV_ACTION = 0;
export const PV_STATUS = 1;
/** Malformed reason (MR_*) when PV_STATUS is PVS_MALFORMED. */
export const PV_REASON = 2;
export const PV_FLAGS = 3;
export const PV_RULE = 4;
export const PV_FLOW = 8;
export const PV_APP = 12;
/** Threat code + 1 (0: none): the threat raised on this packet, else the one that blocked its flow. */
export const PV_THREAT = 16;

export const PVS_OK = 0;
export const PVS_MALFORMED = 1;
/** An IP fragment held for reassembly: the datagram's verdict comes with its last fragment. */
export const PVS_HELD = 2;
export const PVS_NOT_IP = 3;

/** This packet opened the flow. */
export const PVF_NEW = 1;
/** The flow was denied late on this packet: reset both ways (NeuVector's RST injection). */
export const PVF_RESET = 2;
/** The packet completed a datagram whose fragments overlapped (teardrop hook). */
export const PVF_OVERLAP = 4;
/** The packet went from the server to the client. */
export const PVF_REPLY = 8;
/** The flow was (re)decided on this packet. */
export const PVF_DECIDED = 16;
/** The packet completed a fragmented datagram. */
export const PVF_REASSEMBLED = 32;
/** A threat was raised on this packet (PV_THREAT says which, the event says more). */
export const PVF_THREAT = 64;

// ---- malformed reasons ----------------------------------------------------------------------------
export const MR_NONE = 0;
export const MR_TOO_SHORT = 1;
export const MR_BAD_VERSION = 2;
export const MR_BAD_IHL = 3;
export const MR_BAD_TOTAL_LENGTH = 4;
export const MR_BAD_IP_OPTIONS = 5;
export const MR_BAD_FRAGMENT = 6;
export const MR_BAD_EXT_HEADER = 7;
export const MR_EXT_CHAIN_TOO_LONG = 8;
export const MR_TRUNCATED_L4 = 9;
export const MR_BAD_TCP_OFFSET = 10;
export const MR_BAD_TCP_OPTIONS = 11;
export const MR_BAD_TCP_FLAGS = 12;
export const MR_BAD_UDP_LENGTH = 13;
export const MR_BAD_ICMP = 14;
export const MR_NOT_IP = 15;
/** A tunnel header (GRE, ERSPAN, VXLAN, Geneve) that breaks its specification, or an inner frame cut short. */
export const MR_TUNNEL = 16;
/** A tunnel whose inner frame is not IP (ARP, LLDP… inside VXLAN, Geneve, GRE/ERSPAN): counted, not decoded. */
export const MR_TUNNEL_NOT_IP = 17;
/** Tunnels nested deeper than the engine follows (asm/packet/tunnel.ts TUNNEL_DEPTH_MAX). */
export const MR_TUNNEL_DEPTH = 18;
export const MR_COUNT = 19;

// ---- counters: u64 each at PH_COUNTERS ------------------------------------------------------------
export const C_PACKETS = 0;
export const C_BYTES = 1;
export const C_MALFORMED = 2;
export const C_TRUNCATED = 3;
export const C_FLOWS_ACTIVE = 4;
export const C_FLOWS_CREATED = 5;
export const C_FLOWS_ENDED = 6;
export const C_FLOWS_TIMED_OUT = 7;
export const C_FLOWS_EVICTED_EMBRYONIC = 8;
export const C_FLOWS_EVICTED_IDLE = 9;
export const C_FRAGMENTS = 10;
export const C_FRAG_REASSEMBLED = 11;
export const C_FRAG_TIMEOUTS = 12;
export const C_FRAG_EVICTED = 13;
export const C_FRAG_OVERLAPS = 14;
export const C_FRAG_TOO_BIG = 15;
export const C_FRAGS_ACTIVE = 16;
export const C_PREFIX_ACTIVE = 17;
export const C_PREFIX_EXHAUSTED = 18;
export const C_OOO_HELD = 19;
export const C_OOO_DROPPED = 20;
export const C_DPI_IDENTIFIED = 21;
export const C_DPI_UNKNOWN = 22;
export const C_DPI_GAVE_UP = 23;
export const C_DECISIONS = 24;
export const C_REDECISIONS = 25;
export const C_RESETS = 26;
export const C_DENIED_PACKETS = 27;
export const C_DNS_RESPONSES = 28;
export const C_DNS_MALFORMED = 29;
export const C_DNS_NAMES = 30;
export const C_DNS_ADDED = 31;
export const C_DNS_EVICTED = 32;
export const C_DNS_EXPIRED = 33;
export const C_EVENTS = 34;
export const C_EVENTS_DROPPED = 35;
export const C_PENDING_PACKETS = 36;
export const C_NOT_IP = 37;
export const C_FLOWS_PEAK = 38;
/** Threats reported, and flows a threat blocked (Protect, action block). */
export const C_THREATS = 39;
export const C_THREAT_BLOCKS = 40;
/** Stream directions whose inspection stopped at a gap (a segment past the next expected byte). */
export const C_STREAM_GAPS = 41;
/** Packets carried in a tunnel (IP-in-IP, GRE, ERSPAN, VXLAN, Geneve) and decoded inside it. */
export const C_TUNNELED = 42;
/** Malformed packets by reason: C_MALFORMED_BY + MR_*. */
export const C_MALFORMED_BY = 96;
/** Threats reported by code: C_THREATS_BY + threat code (common/threats.ts). */
export const C_THREATS_BY = 64;
export const C_COUNT = 128;

// ---- events: PS_EVENT_CAP records in a ring at PH_EVENTS -------------------------------------------
export const EV_SIZE = 248;
export const EV_TYPE = 0;
export const EV_ACTION = 1;
export const EV_MODE = 2;
export const EV_PROTO = 3;
export const EV_RULE = 4;
export const EV_FLOW = 8;
export const EV_APP = 12;
/** u64 times, ns: the event, the flow's first and last packet. */
export const EV_TIME = 16;
export const EV_FIRST = 24;
export const EV_LAST = 32;
/** Client (initiator) and server addresses, common/abi.ts encoding. */
export const EV_CLIENT = 40;
export const EV_SERVER = 56;
export const EV_CPORT = 72;
export const EV_SPORT = 74;
export const EV_PKTS_C = 76;
export const EV_PKTS_S = 80;
/** Flow-end reason (END_*). */
export const EV_END = 84;
/** Endpoint kinds (common/abi.ts KIND_*) of client and server. */
export const EV_CLIENT_KIND = 85;
export const EV_SERVER_KIND = 86;
/** 1 when the X-Forwarded-For lookup ran: EV_XRULE, EV_XACTION, EV_XADDR are set. */
export const EV_XFF = 87;
export const EV_BYTES_C = 88;
export const EV_BYTES_S = 96;
export const EV_XRULE = 104;
export const EV_XACTION = 108;
/** TCP state at the event (TS_*). */
export const EV_STATE = 109;
export const EV_AWAIT = 110;
export const EV_XADDR = 112;
/** Threat code + 1 (0: none) of a threat event, or of the threat that reset the flow (reset events). */
export const EV_THREAT = 128;
/** Threat events: severity (common/abi.ts SEV_*), the action taken (TA_*), the evidence's length and bytes. */
export const EV_SEVERITY = 129;
export const EV_TACTION = 130;
export const EV_EVIDENCE_LEN = 131;
export const EV_EVIDENCE = 132;
export const EVIDENCE_MAX = 64;
/** VLAN key (PDF_VLAN_SHIFT) and tunnel id (VXLAN/Geneve VNI, GRE key, ERSPAN session) of the flow. */
export const EV_VLAN = 200;
export const EV_TUNNEL_ID = 204;
/** Tunnel kind (TUN_*) the flow was carried in, 0: none; the outer addresses' family (4, 6, 0: none). */
export const EV_TUNNEL = 208;
export const EV_OUTER_FAMILY = 209;
/** Identification confidence (CONF_*) and, for an unidentified flow, why (UNID_*). */
export const EV_CONFIDENCE = 210;
export const EV_UNIDENTIFIED = 211;
/** Payload bytes DPI had looked at when it settled (both directions, capped at the prefixes). */
export const EV_DPI_BYTES = 212;
/** Outermost tunnel endpoints (common/abi.ts address encoding). */
export const EV_OUTER_SRC = 216;
export const EV_OUTER_DST = 232;

export const EVT_VIOLATION = 1;
export const EVT_DENY = 2;
export const EVT_LEARN = 3;
export const EVT_RESET = 4;
export const EVT_FLOW_END = 5;
export const EVT_THREAT = 6;

/** What a threat did: reported only, its flow denied from now on, or denied and reset both ways. */
export const TA_NONE = 0;
export const TA_REPORT = 1;
export const TA_DENY = 2;
export const TA_RESET = 3;

export const TUN_NONE = 0;
export const TUN_IPIP = 1;
export const TUN_GRE = 2;
export const TUN_ERSPAN = 3;
export const TUN_VXLAN = 4;
export const TUN_GENEVE = 5;

/** How the application was named: content of both sides, content of one side or mid-stream, or the port alone (opt-in). */
export const CONF_NONE = 0;
export const CONF_CERTAIN = 1;
export const CONF_LIKELY = 2;
export const CONF_PORT_GUESS = 3;

/** Why a flow stayed unidentified. */
export const UNID_NONE = 0;
export const UNID_NO_PAYLOAD = 1;
export const UNID_ONE_SIDED = 2;
export const UNID_REJECTED = 3;
export const UNID_GAVE_UP = 4;
export const UNID_NOT_INSPECTED = 5;

export const END_NONE = 0;
export const END_CLOSED = 1;
export const END_RESET = 2;
export const END_TIMEOUT = 3;
export const END_EVICTED = 4;
export const END_FLUSH = 5;

// ---- TCP states -------------------------------------------------------------------------------------
export const TS_NONE = 0;
export const TS_SYN_SENT = 1;
export const TS_SYN_RECV = 2;
export const TS_ESTABLISHED = 3;
export const TS_FIN_WAIT = 4;
export const TS_CLOSING = 5;
export const TS_CLOSED = 6;

// ---- snooped DNS names: PS_DNS_NAMES entries at PH_DNS_NAMES --------------------------------------
export const DN_SIZE = 480;
/** u16 name length (0: free entry), name bytes at DN_NAME (lower case, no trailing dot). */
export const DN_LEN = 0;
export const DN_NIPS = 2;
export const DN_HASH = 4;
/** u64 time of the last answer that named it. */
export const DN_TOUCH = 8;
/** DNS_IPS_PER_NAME addresses (16 bytes each), then their expiry times (u64 ns each). */
export const DN_IPS = 16;
export const DN_EXPIRY = 144;
export const DN_NAME = 208;
export const DNS_IPS_PER_NAME = 8;
export const DNS_NAME_MAX = 255;

// ---- DNS patterns the policy names (host writes PS_PATTERN_BYTES at PH_PATTERNS) -------------------
/** u32 capacity (power of two or 0), then cap entries, then the strings. */
export const PT_CAP = 0;
export const PT_ENTRIES = 8;
export const PE_SIZE = 16;
/** FNV-1a of the name's bytes, last to first (common/abi.ts FNV_*), as the vh: name table. */
export const PE_HASH = 0;
/** Offset of the string from the pattern area's start. */
export const PE_STR = 4;
export const PE_LEN = 8;
/** common/abi.ts NE_USED | NE_WILDCARD. */
export const PE_FLAGS = 12;
