// Test entry for the DPI stage on its own (test/dpi/harness.ts compiles it): `identify` over
// buffers the host places above heapBase(), plus the linear memory asc exports by default. The
// packet path links asm/dpi/index.ts into the engine instead; this entry adds nothing to it.
export { identify } from "./index";

/** End of static data: the host's buffers go above it. */
export function heapBase(): usize {
  return __heap_base;
}
