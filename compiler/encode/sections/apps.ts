/**
 * Section `apps`: the any-application set (header) and one (application id, set index) pair per
 * application some rule names.
 * Engine check: asm/table.ts `validate()`, the H_APP_ANY check in the "Ports" block and the
 * H_APPS / H_APPS_N block.
 */
import * as A from "../../../common/abi.js";
import type { TableWriter } from "../table-writer.js";

export function writeApps(t: TableWriter): void {
  const { ir, w, put, pool } = t;
  put(A.H_APP_ANY, pool.add(ir.apps.any));
  put(A.H_APPS_N, ir.apps.byApp.length);
  put(A.H_APPS, w.length);
  for (const a of ir.apps.byApp) {
    w.u32(a.app);
    w.u32(pool.add(a.rules));
  }
}
