/**
 * Write common/abi-vectors.json: inputs → outputs of the functions host and engine must compute
 * bit for bit (the address hash, the name hash, the compressed set codec), computed by the host's
 * copies. test/engine/abi-vectors.test.ts checks the host against the file and runs the engine's
 * copies (asm/abi-harness.ts) on it, so a change on either side fails. Regenerate only on a
 * deliberate ABI change:  npx tsx scripts/gen-abi-vectors.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ByteWriter, hashIp, hashNameBytes } from "../common/abi-bytes.js";
import { setGeometry, writeSet } from "../common/abi-sets.js";

const ips = [0n, 1n, 0xffff0a000001n, 0xffffc0a80101n, 0xffffffffn << 32n, 1n << 64n, 0x20010db8n << 96n | 1n, (1n << 128n) - 1n, 0xfe800000000000000000000000000001n];
const names = ["", "a", ".", "example.com", "db.example.com", "*.example.com", "xn--bcher-kva.example", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", "UPPER.Case."];
/** Rule counts around every geometry edge: one word, one summary word, dense/sparse, many groups. */
const sets: [number, number[]][] = [
  [1, []],
  [1, [0]],
  [63, [0, 62]],
  [64, [0, 1, 2, 63]],
  [65, [64]],
  [4096, [0, 4095]],
  [4097, [4096]],
  [40000, []],
  [40000, [5, 6000, 39999]],
  [40000, Array.from({ length: 100 }, (_, i) => i * 7)],
  [300000, [0, 131072, 299999]],
  [300000, Array.from({ length: 64 }, (_, i) => 200000 + i * 65)],
];

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const vectors = {
  about: "scripts/gen-abi-vectors.ts writes this file; test/engine/abi-vectors.test.ts runs host and engine on it",
  hashIp: ips.map((ip) => ({ ip: ip.toString(16), hash: hashIp(ip) })),
  nameHash: names.map((name) => ({ name, hash: hashNameBytes(new TextEncoder().encode(name)) })),
  sets: sets.map(([rules, list]) => {
    const w = new ByteWriter();
    writeSet(w, setGeometry(rules), list);
    return { rules, list, bytes: hex(w.finish()) };
  }),
};
writeFileSync(join(import.meta.dirname, "../common/abi-vectors.json"), JSON.stringify(vectors, null, 1) + "\n");
