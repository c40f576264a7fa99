/**
 * The NeuVector CRD shapes nvp reads and writes (neuvector-helm charts/crd/templates/crd.yaml,
 * kinds NvSecurityRule, NvClusterSecurityRule, NvGroupDefinition; see docs/crd.md), and the
 * application names NeuVector's controller accepts in them (controller/common/common.go AppNameMap).
 */
export const CRD_API_VERSION = "neuvector.com/v1";
export const RULE_KINDS = ["NvSecurityRule", "NvClusterSecurityRule"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const GROUP_KIND = "NvGroupDefinition";
/** NeuVector CRD kinds that carry no network rules: read, reported, and left alone. */
export const OTHER_NV_KINDS = [
  "NvAdmissionControlSecurityRule", "NvDlpSecurityRule", "NvWafSecurityRule", "NvComplianceProfile",
  "NvVulnerabilityProfile", "NvResponseRuleSecurityRule",
];
export const POLICY_MODES = ["Discover", "Monitor", "Protect", "N/A"] as const;
/** Spec sections nvp does not model; import keeps them verbatim so export gives them back. */
export const KEPT_SECTIONS = ["process", "process_profile", "file", "response", "dlp", "waf"] as const;
export type KeptSection = (typeof KEPT_SECTIONS)[number];

export interface CrdCriterion {
  key: string;
  op: string;
  value: string;
}

export interface CrdSelector {
  name: string;
  comment?: string;
  criteria?: CrdCriterion[];
  name_referral?: boolean;
  original_name?: string;
  mon_metric?: boolean;
  grp_sess_cur?: number;
  grp_sess_rate?: number;
  grp_band_width?: number;
}

export interface CrdRule {
  name: string;
  action: string;
  selector: CrdSelector;
  applications?: string[];
  ports?: string;
  priority?: number;
}

export interface CrdSpec {
  target: { policymode?: string; selector: CrdSelector };
  ingress?: CrdRule[];
  egress?: CrdRule[];
  process?: unknown[];
  process_profile?: unknown;
  file?: unknown[];
  response?: unknown[];
  dlp?: unknown;
  waf?: unknown;
}

export interface CrdMetadata {
  name?: string;
  namespace?: string;
  [key: string]: unknown;
}

export interface CrdRuleDoc {
  apiVersion: string;
  kind: RuleKind;
  metadata: CrdMetadata;
  spec: CrdSpec;
}

export interface CrdGroupDoc {
  apiVersion: string;
  kind: typeof GROUP_KIND;
  metadata: CrdMetadata;
  spec: { selector: CrdSelector };
}

export type CrdDoc = CrdRuleDoc | CrdGroupDoc;

/** Application ids (common/apps.ts) by the name NeuVector's CRD uses for them. */
export const CRD_APP_NAMES: ReadonlyMap<number, string> = new Map([
  [1001, "HTTP"], [1002, "SSL"], [1003, "SSH"], [1004, "DNS"], [1005, "DHCP"], [1006, "NTP"], [1007, "TFTP"],
  [1008, "Echo"], [1009, "RTSP"], [1010, "SIP"], [2001, "MySQL"], [2002, "Redis"], [2003, "ZooKeeper"],
  [2004, "Cassandra"], [2005, "MongoDB"], [2006, "PostgreSQL"], [2007, "Kafka"], [2008, "Couchbase"],
  [2009, "Wordpress"], [2010, "ActiveMQ"], [2011, "CouchDB"], [2012, "ElasticSearch"], [2013, "Memcached"],
  [2014, "RabbitMQ"], [2015, "Radius"], [2016, "VoltDB"], [2017, "Consul"], [2018, "Syslog"], [2019, "etcd"],
  [2020, "Spark"], [2021, "Apache"], [2022, "nginx"], [2023, "Jetty"], [2026, "Oracle"], [2027, "MSSQL"],
  [2028, "GRPC"],
]);

const APP_BY_CRD_NAME = new Map([...CRD_APP_NAMES].map(([id, name]) => [name.toUpperCase(), id] as const));

/** NeuVector's lookup: case-insensitive, its own names only (controller/common GetAppIDByName). */
export function crdAppId(name: string): number | undefined {
  return APP_BY_CRD_NAME.get(name.toUpperCase());
}
