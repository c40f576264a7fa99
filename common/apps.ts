/**
 * NeuVector's application identifiers (nv:defs.h): base protocols from 1001, applications from
 * 2001. The engine reports these ids; `.nvp` names are case-insensitive and may use an alias.
 * `parent`: an HTTP server identified from the Server header is also HTTP, so `app http` matches it.
 */
export interface AppInfo {
  id: number;
  name: string;
  aliases: readonly string[];
  parent?: number;
  description: string;
}

export const APP_UNKNOWN = 0xffff;

export const APPS: readonly AppInfo[] = [
  { id: 1001, name: "HTTP", aliases: [], description: "HTTP/1.x" },
  { id: 1002, name: "SSL", aliases: ["tls", "https"], description: "SSL/TLS" },
  { id: 1003, name: "SSH", aliases: [], description: "Secure Shell" },
  { id: 1004, name: "DNS", aliases: [], description: "Domain Name System" },
  { id: 1005, name: "DHCP", aliases: [], description: "Dynamic Host Configuration Protocol" },
  { id: 1006, name: "NTP", aliases: [], description: "Network Time Protocol" },
  { id: 1007, name: "TFTP", aliases: [], description: "Trivial File Transfer Protocol" },
  { id: 1008, name: "ECHO", aliases: [], description: "Echo protocol (RFC 862)" },
  { id: 1009, name: "RTSP", aliases: [], description: "Real Time Streaming Protocol" },
  { id: 1010, name: "SIP", aliases: [], description: "Session Initiation Protocol" },
  { id: 2001, name: "MySQL", aliases: ["mariadb"], description: "MySQL / MariaDB" },
  { id: 2002, name: "Redis", aliases: [], description: "Redis (RESP)" },
  { id: 2003, name: "ZooKeeper", aliases: [], description: "Apache ZooKeeper" },
  { id: 2004, name: "Cassandra", aliases: [], description: "Apache Cassandra (CQL)" },
  { id: 2005, name: "MongoDB", aliases: ["mongo"], description: "MongoDB wire protocol" },
  { id: 2006, name: "PostgreSQL", aliases: ["postgres", "postgressql"], description: "PostgreSQL" },
  { id: 2007, name: "Kafka", aliases: [], description: "Apache Kafka" },
  { id: 2008, name: "Couchbase", aliases: [], description: "Couchbase (memcached binary)" },
  { id: 2009, name: "Wordpress", aliases: [], parent: 1001, description: "WordPress over HTTP" },
  { id: 2010, name: "ActiveMQ", aliases: [], description: "Apache ActiveMQ (OpenWire)" },
  { id: 2011, name: "CouchDB", aliases: [], description: "Apache CouchDB" },
  { id: 2012, name: "ElasticSearch", aliases: [], description: "Elasticsearch" },
  { id: 2013, name: "Memcached", aliases: [], description: "Memcached" },
  { id: 2014, name: "RabbitMQ", aliases: ["amqp"], description: "RabbitMQ (AMQP)" },
  { id: 2015, name: "Radius", aliases: [], description: "RADIUS" },
  { id: 2016, name: "VoltDB", aliases: [], description: "VoltDB" },
  { id: 2017, name: "Consul", aliases: [], description: "HashiCorp Consul" },
  { id: 2018, name: "Syslog", aliases: [], description: "Syslog" },
  { id: 2019, name: "etcd", aliases: [], description: "etcd" },
  { id: 2020, name: "Spark", aliases: [], description: "Apache Spark" },
  { id: 2021, name: "Apache", aliases: [], parent: 1001, description: "Apache httpd (HTTP Server header)" },
  { id: 2022, name: "nginx", aliases: [], parent: 1001, description: "nginx (HTTP Server header)" },
  { id: 2023, name: "Jetty", aliases: [], parent: 1001, description: "Jetty (HTTP Server header)" },
  { id: 2024, name: "NodeJS", aliases: [], parent: 1001, description: "Node.js (HTTP Server header)" },
  { id: 2026, name: "TNS", aliases: ["oracle"], description: "Oracle TNS" },
  { id: 2027, name: "TDS", aliases: ["mssql"], description: "Microsoft SQL Server TDS" },
  { id: 2028, name: "gRPC", aliases: [], description: "gRPC over HTTP/2" },
];

const byKey = new Map<string, AppInfo>();
for (const a of APPS) {
  byKey.set(a.name.toLowerCase(), a);
  for (const al of a.aliases) byKey.set(al, a);
}
const byId = new Map(APPS.map((a) => [a.id, a] as const));

/** Look an application up by name or alias, case-insensitively. */
export function findApp(name: string): AppInfo | undefined {
  return byKey.get(name.toLowerCase());
}

export function appById(id: number): AppInfo | undefined {
  return byId.get(id);
}

/** All names a rule's app list can mention, for did-you-mean. */
export function appNames(): string[] {
  return [...byKey.keys()];
}

/** Does an identified application satisfy a rule's app set (ids)? A server satisfies its parent. */
export function appSatisfies(appId: number, ruleApps: readonly number[]): boolean {
  if (ruleApps.includes(appId)) return true;
  const parent = byId.get(appId)?.parent;
  return parent !== undefined && ruleApps.includes(parent);
}
