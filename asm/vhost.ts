// Virtual-host matching for vh: groups. The flow's host (already lower case, no trailing dot) is
// hashed once from its last byte to its first; at every dot the hash of the suffix after it is
// complete, so the exact name and every wildcard suffix are looked up in one pass.
import { FNV_OFFSET, NAME_ENTRY_SIZE, NE_FLAGS, NE_HASH, NE_LEN, NE_LIST, NE_LIST_N, NE_STR, NE_USED, NE_WILDCARD } from "./abi";
import { lists, marks, names, namesCap, str, vhN } from "./table";
import { fnvStep } from "./mem";

/** Generation of the current marks: a vh slot matches the current host when marks[slot] == gen. */
export let gen: u32 = 0;

function sameBytes(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

function markName(hash: u32, p: usize, len: u32, wildcard: u32): void {
  const mask = namesCap - 1;
  let slot = hash & mask;
  for (let probes: u32 = 0; probes < namesCap; probes++) {
    const e = names + slot * NAME_ENTRY_SIZE;
    const flags = load<u32>(e + NE_FLAGS);
    if ((flags & NE_USED) == 0) return;
    if (
      load<u32>(e + NE_HASH) == hash &&
      (flags & NE_WILDCARD) == wildcard &&
      load<u32>(e + NE_LEN) == len &&
      sameBytes(str + load<u32>(e + NE_STR), p, len)
    ) {
      const list = lists + (<usize>load<u32>(e + NE_LIST) << 2);
      const n = load<u32>(e + NE_LIST_N);
      for (let i: u32 = 0; i < n; i++) store<u32>(marks + (<usize>load<u32>(list + (<usize>i << 2)) << 2), gen);
      return;
    }
    slot = (slot + 1) & mask;
  }
}

/**
 * Mark every vh slot whose name the host matches: equal to it, or a wildcard `*.suffix` where the
 * host ends in `.suffix` after at least one more label and does not start with a dot (the
 * reference's nameMatches).
 */
export function markHost(p: usize, len: u32): void {
  gen++;
  if (gen == 0) {
    memory.fill(marks, 0, <usize>vhN << 2);
    gen = 1;
  }
  if (namesCap == 0 || len == 0) return;
  const wildOk = load<u8>(p) != 0x2e;
  let hash: u32 = FNV_OFFSET;
  for (let i = len; i > 0; i--) {
    const c = <u32>load<u8>(p + i - 1);
    // hash now covers host[i..len): a complete suffix when host[i-1] is a dot with a label before it.
    if (c == 0x2e && wildOk && i < len && i >= 2) markName(hash, p + i, len - i, NE_WILDCARD);
    hash = fnvStep(hash, c);
  }
  markName(hash, p, len, 0);
}

@inline export function hostMarked(slot: u32): bool {
  return load<u32>(marks + (<usize>slot << 2)) == gen;
}
