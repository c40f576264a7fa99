// AMQP, reported as RabbitMQ (NeuVector's name for AMQP; it has no parser and names RabbitMQ from
// the process). The client opens with an 8-byte protocol header, `AMQP` then:
// - 0 0 9 1 (0-9-1), 1 1 0 9 (0-9), 1 1 8 0 (0-8) or 1 1 0 10 (0-10): the AMQP 0-x family;
// - protocol id, 1 0 0 (AMQP 1.0, OASIS AMQP 1.0 §2.2): id 0 the AMQP protocol itself, 2 TLS, 3
//   SASL (the server answers with the header it accepts, then SASL or AMQP frames).
// Nothing else starts that way, so the header alone decides. AMQP 1.0 is what RabbitMQ's plugin
// (native in RabbitMQ 4), ActiveMQ, Qpid and Azure Service Bus speak: all of it is the AMQP
// application, RabbitMQ by NeuVector's name, as AMQP 0-9-1 to ActiveMQ or Qpid already is.
import { APP_RABBITMQ } from "./apps";
import { lit, LIT_NO, LIT_PART, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN } from "./result";

/** Is (a, b, c, d) an AMQP version after `AMQP`, as far as the bytes go (-1: not there yet)? */
function version(a: i32, b: i32, c: i32, d: i32): bool {
  if (a < 0) return true;
  if (a == 0) {
    // 0 0 9 1 (0-9-1) or 0 1 0 0 (1.0)
    if (b < 0) return true;
    if (b == 0) return (c < 0 || c == 9) && (d < 0 || d == 1);
    return b == 1 && (c < 0 || c == 0) && (d < 0 || d == 0);
  }
  if (a == 2 || a == 3) return (b < 0 || b == 1) && (c < 0 || c == 0) && (d < 0 || d == 0);
  if (a != 1) return false;
  if (b >= 0 && b != 1) return false;
  if (c < 0) return true;
  if (c == 0) return d < 0 || d == 9 || d == 10;
  return c == 8 && (d < 0 || d == 0);
}

export function amqp(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const m = lit(cli, cl, 0, "AMQP");
  if (m == LIT_NO) return DPI_UNKNOWN;
  if (m == LIT_PART) return clientMore(cl, sl);
  const a = u8at(cli, cl, 4);
  const b = u8at(cli, cl, 5);
  const c = u8at(cli, cl, 6);
  const d = u8at(cli, cl, 7);
  if (!version(a, b, c, d)) return DPI_UNKNOWN;
  return d < 0 ? clientMore(cl, sl) : APP_RABBITMQ;
}
