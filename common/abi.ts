/**
 * The ONE description of the engine ABI: memory layout, record layouts, table/region headers and
 * codes shared by the TypeScript host (runtime/, compiler/) and the AssemblyScript engine (asm/).
 * scripts/gen-abi.mjs turns this file into asm/abi.ts; a test checks the two never drift.
 *
 * Format rules (the generator relies on them): one `export const NAME = <integer literal>;` per
 * line, names in UPPER_SNAKE_CASE, values decimal or hex. docs/module.md explains every field.
 * Bump ABI_VERSION when a record or layout changes (4: IE_FLAGS in inventory entries, Service externalIPs as entries; 5: host-port mappings in the inventory region), FORMAT_VERSION when the table encoding or the
 * `nvp.meta` layout does (3: rule ids no longer in `nvp.meta`, the table holds them; 4: group
 * rule lists as LEB128 gaps, address classes' groups in the table instead of `ranges` in the meta;
 * 5: rule sets store only the summary words of their non-zero super-summary groups; 6: H_SETTINGS
 * carries icmp-policy and link-local-policy, and the ICMP rule set holds only `icmp` rules when off;
 * 7: an address class's sets hold only its fine groups' rules, its coarse groups' rules are in a
 * shared bundle, H_BUNDLES, with the endpoint kinds' sets folded in).
 */

// ---- versions ---------------------------------------------------------------------------------
export const ABI_VERSION = 5;
export const FORMAT_VERSION = 7;

// ---- linear memory layout (bytes) -------------------------------------------------------------
/** The engine's static data must end below this (checked by the build and by loadModule). */
export const ENGINE_STATIC_MAX = 0x10000;
/** Flow records for decideMany, BATCH_MAX of them. */
export const FLOW_BASE = 0x10000;
export const BATCH_MAX = 1024;
export const FLOW_SIZE = 64;
/** Result records, one per flow. */
export const RESULT_BASE = 0x20000;
export const RESULT_SIZE = 32;
/** Virtual-host bytes of the batch's flows (F_HOST_OFF is relative to this). */
export const HOST_ARENA_BASE = 0x28000;
export const HOST_ARENA_SIZE = 0x8000;
/** The decision table (the module's data segment) starts here; scratch follows it. */
export const TABLE_BASE = 0x30000;
export const PAGE_SIZE = 0x10000;

// ---- flow record (host → engine) ----------------------------------------------------------------
/** 128-bit addresses as two little-endian u64: low half first. IPv4 is ::ffff:a.b.c.d. */
export const F_SRC = 0;
export const F_DST = 16;
export const F_XFF = 32;
/** IP protocol number: 6 tcp, 17 udp, 1 or 58 icmp, anything else "other". */
export const F_PROTO = 48;
export const F_FLAGS = 49;
export const F_PORT = 50;
/** u32 application id: APP_UNIDENTIFIED, APP_UNKNOWN_ID or a NeuVector id. */
export const F_APP = 52;
export const F_HOST_OFF = 56;
export const F_HOST_LEN = 60;

export const FLAG_XFF = 1;
export const FLAG_HOST_KNOWN = 2;

export const APP_UNIDENTIFIED = 0;
export const APP_UNKNOWN_ID = 0xffff;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

// ---- result record (engine → host) -------------------------------------------------------------
/** 0 = decided; otherwise an E_* code and the rest of the record is zero. */
export const R_STATUS = 0;
/** The final verdict (the more severe of primary and xff; ties: primary). */
export const R_ACTION = 1;
export const R_MODE = 2;
export const R_AWAIT = 3;
export const R_RULE = 4;
/** 1 when the X-Forwarded-For lookup ran; its own verdict follows. */
export const R_XFF = 8;
export const R_XACTION = 9;
export const R_XMODE = 10;
export const R_XAWAIT = 11;
export const R_XRULE = 12;
export const R_SRC_KIND = 16;
export const R_DST_KIND = 17;
export const R_XSRC_KIND = 18;
/** The primary lookup's verdict, also when the xff lookup decided. */
export const R_PACTION = 20;
export const R_PMODE = 21;
export const R_PAWAIT = 22;
export const R_PRULE = 24;

/** Action codes are ACTION_RANK order, so "more severe" is a numeric max. */
export const ACT_ALLOW = 0;
export const ACT_LEARN = 1;
export const ACT_PENDING = 2;
export const ACT_VIOLATE = 3;
export const ACT_DENY = 4;

/** Mode codes: 0 = unmanaged / not reported, then MODE_RANK + 1. */
export const MODE_NONE = 0;
export const MODE_DISCOVER = 1;
export const MODE_MONITOR = 2;
export const MODE_PROTECT = 3;

export const AWAIT_NONE = 0;
export const AWAIT_APP = 1;
export const AWAIT_HOST = 2;

export const KIND_WORKLOAD = 1;
export const KIND_NODE = 2;
export const KIND_INTERNAL = 3;
export const KIND_EXTERNAL = 4;

// ---- engine status codes ------------------------------------------------------------------------
export const E_OK = 0;
export const E_NO_TABLE = 1;
export const E_TABLE_BOUNDS = 2;
export const E_TABLE_MAGIC = 3;
export const E_TABLE_VERSION = 4;
export const E_TABLE_CORRUPT = 5;
export const E_REGION_BOUNDS = 6;
export const E_REGION_CORRUPT = 7;
export const E_BATCH = 8;
export const E_FLOW = 9;

// ---- compressed rule sets ---------------------------------------------------------------------
/**
 * Rules live at *slots*, not at their evaluation-order index: the compiler clusters rules by
 * destination group so that an endpoint's rule sets occupy few 64-bit words, and a lookup takes
 * the matching slot with the lowest order (H_RULE_ORDER). H_RULE_IDS and H_RULE_FLAGS are per slot.
 *
 * A set of slots, nRules bits in 64-bit words. Only non-zero words are stored; a summary
 * bit per word says which, and a super-summary bit per group of G summary words says which
 * groups have any (G = the power of two at or above ceil(S/64), S = H_NSUM; G = 1 up to 262,144
 * rules). Only the groups whose super bit is set are stored, each as G 16-byte entries (summary
 * word, byte offset from the set of that summary word's first stored word, 0), then the words:
 *   u32 nnz, u32 words (= 16 + 16 * E), u64 super, entry[E], u64 words[nnz]
 * where E = popcnt(super) * G. Summary word i (group g = i / G) is entry
 * popcnt(super & (2^g - 1)) * G + i mod G when super bit g is set, and 0 otherwise. Tables with
 * S <= SET_DENSE_SUM (up to 32,768 rules) store every group instead (E = ceil(S/G) * G, summary
 * word i is entry i): the headers are small anyway, and a lookup needs no popcount to find an
 * entry. Sets start 8-aligned; a pool is followed by one zero word (a branchless lookup reads one
 * word past a set).
 */
export const SET_NNZ = 0;
export const SET_WORDS = 4;
export const SET_SUPER = 8;
export const SET_ENTRIES = 16;
export const SET_ENTRY = 16;
export const SE_SUM = 0;
export const SE_AT = 8;
export const SET_DENSE_SUM = 8;

// ---- decision table header (offsets in the table; every *_OFF field is table-relative) --------
export const TABLE_MAGIC = 0x5450564e;
export const H_MAGIC = 0;
export const H_FORMAT = 4;
export const H_ABI = 8;
export const H_LEN = 12;
export const H_NRULES = 16;
export const H_NSUM = 20;
export const H_SETTINGS = 24;
export const H_SCRATCH = 28;
export const H_RULE_IDS = 32;
export const H_RULE_FLAGS = 36;
export const H_NSETS = 40;
export const H_SET_OFFS = 44;
export const H_SETS_LO = 48;
export const H_SETS_HI = 52;
export const H_KIND_SETS = 56;
export const H_ADDR4_N = 60;
export const H_ADDR4 = 64;
export const H_ADDR6_N = 68;
export const H_ADDR6 = 72;
export const H_ACLS_N = 76;
export const H_ACLS = 80;
export const H_TCP_BASE = 84;
export const H_TCP_N = 88;
export const H_TCP = 92;
export const H_UDP_BASE = 96;
export const H_UDP_N = 100;
export const H_UDP = 104;
export const H_ICMP_SET = 108;
export const H_OTHER_SET = 112;
export const H_APP_ANY = 116;
export const H_APPS_N = 120;
export const H_APPS = 124;
export const H_VH_N = 128;
export const H_VH = 132;
export const H_NAMES_CAP = 136;
export const H_NAMES = 140;
export const H_STR = 144;
export const H_STR_LEN = 148;
export const H_LISTS_N = 152;
export const H_LISTS = 156;
export const H_GROUPS_N = 160;
export const H_GROUPS = 164;
export const H_GRULES_N = 168;
export const H_GRULES = 172;
/** u32 per slot: the evaluation-order index of the rule at that slot (see "Slots" in docs/module.md). */
export const H_RULE_ORDER = 176;
/** u32 per 64-slot word: the lowest order among its slots, so a lookup skips words that cannot win. */
export const H_WORD_MIN = 180;
/** The threat configuration: H_THREATS_N records of THREAT_REC_SIZE bytes, one per threat code. */
export const H_THREATS_N = 184;
export const H_THREATS = 188;
/**
 * For the host, which names an address's groups in events: per address class (H_ACLS_N of them)
 * an entry (off, len) of 8 bytes at H_CGROUPS, then H_CGROUPS_N bytes of lists (offsets relative
 * to their start), each the class's address groups (meta `groups` indexes) as LEB128 gaps.
 */
export const H_CGROUPS = 192;
export const H_CGROUPS_N = 196;
/**
 * Address-class bundles (docs/module.md "Address classes"): H_BUNDLES_N entries of
 * BUNDLE_ENTRY_SIZE bytes, each three (from, to) set index pairs: the coarse groups' rules alone
 * (for the host), and those ∪ the internal, ∪ the external endpoint kind's built-in sets (pair
 * kind - KIND_INTERNAL + 1, for the engine). Every H_ACLS entry names one bundle.
 */
export const H_BUNDLES_N = 200;
export const H_BUNDLES = 204;
export const HEADER_SIZE = 208;

/**
 * Bytes per entry of each table section (the header gives its offset and count): the engine
 * checks every section as count × size inside the table (asm/table.ts), the encoder writes it so.
 * Sections are arrays of structs' fields side by side (e.g. H_ADDR6: n 16-byte addresses, then n
 * u32 classes), so a size is the sum of one entry's fields.
 */
/** H_RULE_IDS, H_RULE_ORDER: a u32 per rule slot. */
export const RULE_SLOT_SIZE = 4;
/** H_WORD_MIN: a u32 per 64-slot word. */
export const WORD_MIN_SIZE = 4;
/** H_SET_OFFS: a u32 offset per set. */
export const SET_OFF_SIZE = 4;
/** H_KIND_SETS: KIND_SETS_N u32 set indexes (per endpoint kind, source then destination side). */
export const KIND_SETS_N = 8;
export const SET_INDEX_SIZE = 4;
/** H_ACLS: per address class its fine groups' source and destination set indexes, then its bundle index. */
export const ACL_ENTRY_SIZE = 12;
/** H_BUNDLES: per bundle three (source, destination) set index pairs. */
export const BUNDLE_ENTRY_SIZE = 24;
/** H_ADDR4: per interval a u32 start, then the u32 classes. */
export const ADDR4_ENTRY_SIZE = 8;
/** H_ADDR6: per interval a 128-bit start, then the u32 classes. */
export const ADDR6_ENTRY_SIZE = 20;
/** H_CGROUPS: per address class an (off, len) u32 pair. */
export const CGROUP_ENTRY_SIZE = 8;
/** H_TCP, H_UDP: per port interval a u32 start, then the u32 set indexes. */
export const PORT_ENTRY_SIZE = 8;
/** H_APPS: per application a u32 id and a u32 set index. */
export const APP_ENTRY_SIZE = 8;
/** H_VH: per vh: slot two u32 set indexes. */
export const VH_ENTRY_SIZE = 8;
/** H_LISTS: a u32 vh: slot per list element. */
export const LIST_ENTRY_SIZE = 4;

/**
 * H_SETTINGS bits: xff on, strict contention, ICMP policed (icmp-policy), link-local peers policed
 * (link-local-policy); default and nodes mode are MODE_* codes.
 */
export const SET_XFF = 1;
export const SET_STRICT = 2;
export const SET_ICMP_POLICY = 4;
export const SET_LINK_LOCAL = 8;
/** `platform openshift`: policy at the source, so flows to Service IPs meet the rules (ApplyPolicyAtIngress false). */
export const SET_OPENSHIFT = 16;
export const SET_DEFAULT_MODE_SHIFT = 8;
export const SET_NODES_MODE_SHIFT = 16;

/** H_RULE_FLAGS byte per rule. */
export const RULE_DENY = 1;
export const RULE_LEARNED = 2;

/**
 * Threat configuration record, one per threat code (common/threats.ts `code`): flags, severity,
 * then PARAMS_PER_THREAT u32 parameters in the order of the catalog row's `params` (counts, or
 * durations in milliseconds; unused ones 0). Codes at or past H_THREATS_N are disabled.
 */
export const THREAT_CODES_MAX = 32;
export const PARAMS_PER_THREAT = 4;
export const THREAT_REC_SIZE = 20;
export const TR_FLAGS = 0;
export const TR_SEVERITY = 1;
export const TR_PARAMS = 4;
export const TRF_ENABLED = 1;
/** Protect blocks the flow (else the threat is only reported). */
export const TRF_BLOCK = 2;
/** Severity codes: higher is more severe; 0 is none. */
export const SEV_INFO = 1;
export const SEV_LOW = 2;
export const SEV_MEDIUM = 3;
export const SEV_HIGH = 4;
export const SEV_CRITICAL = 5;

/** Virtual-host name table entry (open addressing, FNV-1a over the name's bytes, last to first). */
export const NAME_ENTRY_SIZE = 24;
export const NE_HASH = 0;
export const NE_STR = 4;
export const NE_LEN = 8;
export const NE_FLAGS = 12;
export const NE_LIST = 16;
export const NE_LIST_N = 20;
export const NE_USED = 1;
export const NE_WILDCARD = 2;
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * Per-group rule lists for the host (fromOff, fromLen, toOff, toLen): byte ranges of H_GRULES,
 * H_GRULES_N bytes of lists, each its ascending slots as LEB128 gaps (slot - previous - 1, the
 * first from -1): mostly one byte a rule, as a group's rules sit together.
 */
export const GROUP_ENTRY_SIZE = 16;

// ---- host-written regions: inventory and DNS ---------------------------------------------------
/** An IP hash entry: u64 lo, u64 hi, u32 value + 1 (0 = empty slot), u8 kind, u8 mode. */
export const IP_ENTRY_SIZE = 32;
export const IE_LO = 0;
export const IE_HI = 8;
export const IE_VALUE = 16;
export const IE_KIND = 20;
export const IE_MODE = 21;
/** Inventory entries of workloads: IEF_* bits. */
export const IE_FLAGS = 22;
/** The enforcer cannot intercept the workload (NeuVector's CapIntcp false): its denies are violations. */
export const IEF_NO_INTERCEPT = 1;
/** An outside address that is a Service externalIP (entry kind KIND_EXTERNAL): CVE-2020-8554. */
export const IEF_SVC_EXTIP = 2;
/** A Service's cluster IP (entry kind KIND_INTERNAL, in its `nv.ip.<svc>.<ns>` groups). */
export const IEF_SVC_IP = 4;
/** A host-network workload (entry kind KIND_WORKLOAD, with IEF_NO_INTERCEPT): rules' applications are not checked. */
export const IEF_HOST_NET = 8;
/** Inventory entries only: the engine stores the class's from and to set addresses here on install. */
export const IE_FROM = 24;
export const IE_TO = 28;

export const INVENTORY_MAGIC = 0x4950564e;
export const I_MAGIC = 0;
export const I_LEN = 4;
export const I_HCAP = 8;
export const I_HASH = 12;
export const I_NCLS = 16;
export const I_CLS = 20;
export const I_INT4_N = 24;
export const I_INT4 = 28;
export const I_INT6_N = 32;
export const I_INT6 = 36;
export const I_NSETS = 40;
export const I_SET_OFFS = 44;
export const I_SETS_LO = 48;
export const I_SETS_HI = 52;
/** Host-port mappings (docs/semantics.md S1.1): I_HP_N entries of HP_ENTRY_SIZE at I_HP, sorted. */
export const I_HP_N = 56;
export const I_HP = 60;
export const I_HEADER_SIZE = 64;
/**
 * A host-port entry: the node address (u64 lo, u64 hi), HP_KEY = protocol << 16 | host port
 * (u32), the container port (u16), and an address of the mapped workload (u64 lo, u64 hi) that
 * the inventory hash resolves to it. Sorted by address (hi, then lo), then key; no repeats.
 */
export const HP_ENTRY_SIZE = 40;
export const HP_LO = 0;
export const HP_HI = 8;
export const HP_KEY = 16;
export const HP_CPORT = 20;
export const HP_WLO = 24;
export const HP_WHI = 32;

export const DNS_MAGIC = 0x4450564e;
export const D_MAGIC = 0;
export const D_LEN = 4;
export const D_HCAP = 8;
export const D_HASH = 12;
export const D_NREC = 16;
export const D_REC = 20;
export const D_LISTS_N = 24;
export const D_LISTS = 28;
export const D_NSETS = 32;
export const D_SET_OFFS = 36;
export const D_SETS_LO = 40;
export const D_SETS_HI = 44;
export const D_HEADER_SIZE = 48;
/** DNS record: plain-name from/to set, then the vh slots whose name resolved to the IP. */
export const DNS_REC_SIZE = 16;
