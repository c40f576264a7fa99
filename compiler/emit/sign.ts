/**
 * `nvp compile --sign KEY`: append the `nvp.sig` section (common/module-signature.ts) to a compiled
 * module. It goes after `nvp.meta` and covers every byte before it, so the content hash and the
 * metadata stay as an unsigned build has them.
 */
import type { KeyObject } from "node:crypto";
import { SIG_SECTION, signaturePayload } from "../../common/module-signature.js";
import { appendCustomSection } from "./wasm-patch.js";

export function signModule(bytes: Uint8Array, privateKey: KeyObject): Uint8Array<ArrayBuffer> {
  return appendCustomSection(bytes, SIG_SECTION, signaturePayload(bytes, privateKey));
}
