// The parts of a decision that decideOne's general path (decide.ts) and the fast path (fast.ts)
// share, so the two cannot drift: the earliest rule among a candidate word's slots (S3), and the
// effective mode and the action of a lookup's outcome (S4). All inline, so the decision path stays
// allocation-free and its loops keep their locals (a shared loop that returned order and slot
// packed in one u64 cost the 10k-rule bench 13%).
import {
  ACT_ALLOW, ACT_DENY, ACT_LEARN, ACT_VIOLATE, MODE_DISCOVER, MODE_MONITOR, MODE_NONE, MODE_PROTECT,
  RULE_DENY, RULE_LEARNED,
} from "./abi";
import { defaultMode, ruleFlags, ruleIds, ruleOrder, strict } from "./table";

/**
 * The slot of the earliest rule (lowest evaluation order) among the slots of candidate word k whose
 * bits are set in w, if one beats the best match so far (bestSlot, of order bestOrder); else
 * bestSlot. The caller, which keeps bestOrder, reloads it when the slot changes (ruleOrderOf).
 */
@inline export function earliestSlot(w: u64, k: u32, bestSlot: i32, bestOrder: u32): i32 {
  while (w != 0) {
    const slot = (k << 6) + <u32>ctz<u64>(w);
    w &= w - 1;
    const order = ruleOrderOf(slot);
    if (order < bestOrder) {
      bestOrder = order;
      bestSlot = <i32>slot;
    }
  }
  return bestSlot;
}

/** The evaluation order of the rule in `slot`. */
@inline export function ruleOrderOf(slot: u32): u32 {
  return load<u32>(ruleOrder + (<usize>slot << 2));
}

/**
 * The mode of a flow (R_MODE): unmanaged sides do not count; basic takes the less restrictive,
 * strict the more. MODE_NONE when neither side is managed.
 */
@inline export function flowMode(srcMode: u32, dstMode: u32): u32 {
  if (srcMode == MODE_NONE) return dstMode;
  if (dstMode == MODE_NONE) return srcMode;
  return strict ? max(srcMode, dstMode) : min(srcMode, dstMode);
}

/** The mode actions are taken in: the flow's, or the default mode when it has none. */
@inline export function effectiveMode(mode: u32): u32 {
  return mode != MODE_NONE ? mode : defaultMode;
}

/** The rule id (R_RULE) of a matched slot, 0 for no match. */
@inline export function ruleIdOf(r: i32): u32 {
  return r < 0 ? 0 : load<u32>(ruleIds + (<usize>r << 2));
}

/**
 * The action of a lookup whose outcome is not pending: no match (r < 0) takes the implicit action
 * of the effective mode, a match its rule's. Nodes get no softening: they are unmanaged peers
 * (NeuVector's adjustAction / policyModeToDefaultAction, docs/semantics.md S4).
 */
@inline export function lookupAction(r: i32, eff: u32, srcMode: u32, dstMode: u32): u32 {
  let action: u32;
  if (r < 0) {
    action = eff == MODE_DISCOVER ? ACT_LEARN : eff == MODE_MONITOR ? ACT_VIOLATE : ACT_DENY;
  } else {
    const flags = <u32>load<u8>(ruleFlags + <u32>r);
    if ((flags & RULE_DENY) != 0) action = eff == MODE_PROTECT ? ACT_DENY : ACT_VIOLATE;
    else if ((flags & RULE_LEARNED) != 0) action = srcMode == MODE_DISCOVER || dstMode == MODE_DISCOVER ? ACT_LEARN : ACT_ALLOW;
    else action = ACT_ALLOW;
  }
  return action;
}
