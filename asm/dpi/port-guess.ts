// Port guesses: the application a flow's port conventionally carries (IANA's registrations and
// each product's documented default), for the flows content left unknown. Only flow-end records
// use it, and only when the host asks (PSF_PORT_GUESS; `nvp replay --port-guess`): an inventory
// aid for captures whose flows nvp cannot read (one direction only, given up, or a variant no
// parser knows), never evidence a rule matches on (docs/protocols.md, "Port guesses").
import {
  APP_ACTIVEMQ, APP_CASSANDRA, APP_CONSUL, APP_COUCHBASE, APP_COUCHDB, APP_DHCP, APP_DNS, APP_ECHO, APP_ELASTICSEARCH, APP_ETCD,
  APP_HTTP, APP_KAFKA, APP_MEMCACHED, APP_MONGODB, APP_MYSQL, APP_NTP, APP_POSTGRESQL, APP_RABBITMQ, APP_RADIUS, APP_REDIS,
  APP_RTSP, APP_SIP, APP_SPARK, APP_SSH, APP_SSL, APP_SYSLOG, APP_TDS, APP_TFTP, APP_TNS, APP_VOLTDB, APP_ZOOKEEPER,
} from "./apps";

/** TCP: the application a server port is registered for, or 0. */
function tcpPort(port: i32): i32 {
  switch (port) {
    case 7: return APP_ECHO;
    case 22: return APP_SSH;
    case 53: return APP_DNS;
    case 80: case 8080: return APP_HTTP;
    case 443: case 8443: return APP_SSL;
    case 554: return APP_RTSP;
    case 1433: return APP_TDS;
    case 1521: return APP_TNS;
    case 2181: return APP_ZOOKEEPER;
    case 2379: case 2380: return APP_ETCD;
    case 3306: return APP_MYSQL;
    case 5060: return APP_SIP;
    case 5432: return APP_POSTGRESQL;
    case 5672: return APP_RABBITMQ;
    case 5984: return APP_COUCHDB;
    case 6379: return APP_REDIS;
    case 6514: return APP_SYSLOG;
    case 7000: case 9042: return APP_CASSANDRA;
    case 7077: return APP_SPARK;
    case 8500: return APP_CONSUL;
    case 9092: return APP_KAFKA;
    case 9200: case 9300: return APP_ELASTICSEARCH;
    case 11210: return APP_COUCHBASE;
    case 11211: return APP_MEMCACHED;
    case 21212: return APP_VOLTDB;
    case 27017: return APP_MONGODB;
    case 61616: return APP_ACTIVEMQ;
  }
  return 0;
}

/** UDP: the application a server port is registered for, or 0. */
function udpPort(port: i32): i32 {
  switch (port) {
    case 7: return APP_ECHO;
    case 53: return APP_DNS;
    case 67: case 68: return APP_DHCP;
    case 69: return APP_TFTP;
    case 123: return APP_NTP;
    case 514: return APP_SYSLOG;
    case 1812: case 1813: return APP_RADIUS;
    case 5060: return APP_SIP;
    case 11211: return APP_MEMCACHED;
  }
  return 0;
}

/**
 * The guess for a flow of `proto` between the server port `sp` and the client port `cp`: the
 * server port's application, else the client port's (a flow joined mid-stream may have its
 * sides the other way round); 0 when neither port is registered.
 */
export function portGuess(proto: i32, cp: i32, sp: i32): i32 {
  if (proto == 6) {
    const g = tcpPort(sp);
    return g != 0 ? g : tcpPort(cp);
  }
  if (proto == 17) {
    const g = udpPort(sp);
    return g != 0 ? g : udpPort(cp);
  }
  return 0;
}
