/**
 * What a loaded policy module is to the rest of the runtime (runtime/module/load.ts loadModule makes
 * one): its metadata, its engine compiled without the table, and the table bytes.
 */
import type { ModuleMeta } from "../../common/abi-meta.js";

export interface PolicyModule {
  readonly meta: ModuleMeta;
  /**
   * The module's engine, compiled without its table (once per process for every module with the
   * same engine). Instantiate it with `engineInstance(module)`, which copies the table in.
   */
  readonly wasm: WebAssembly.Module;
  /** The decision table bytes (a view into the module bytes: leave those unchanged). */
  readonly table: Uint8Array;
  /** The module's linear memory minimum, in 64 KiB pages (table and scratch included). */
  readonly pages: number;
  /** Size of the module file in bytes. */
  readonly size: number;
  /** Rule ids in evaluation order, read from the table on first use. */
  readonly rules: readonly number[];
  /** The module's `nvp.sig`, when it has one: the signer's key id, and whether a key verified it. */
  readonly signature?: ModuleSignature;
}

export interface ModuleSignature {
  /** sha256 (hex) of the signer's public key, SPKI DER. */
  keyId: string;
  /** Verified against the public key given to loadModule (false: present, not checked). */
  verified: boolean;
}

