/** Reading --sign and --public-key files: the bounded reader, then Node's key parser (NV5006 when it is not an Ed25519 key). */
import type { KeyObject } from "node:crypto";
import { resolve } from "node:path";
import { readInputText } from "../common/input-file.js";
import { ed25519PrivateKey, ed25519PublicKey, KEY_CODE } from "../common/module-signature.js";
import { UsageError } from "./shared.js";

/** Keys are small; a larger file is not a key. */
const KEY_LIMIT = 64 * 1024;

export function readKey(cwd: string, file: string, kind: "private" | "public"): KeyObject {
  const flag = kind === "private" ? "--sign" : "--public-key";
  const text = readInputText(resolve(cwd, file), { shown: file, what: `${kind} key file`, limit: KEY_LIMIT });
  try {
    return kind === "private" ? ed25519PrivateKey(text) : ed25519PublicKey(text);
  } catch (e) {
    throw new UsageError(
      `${flag} \`${file}\` is not an Ed25519 ${kind} key: ${(e as Error).message}`,
      KEY_CODE,
      kind === "private"
        ? "make one with `openssl genpkey -algorithm ed25519 -out signing.pem` (PEM, PKCS#8)"
        : "export it with `openssl pkey -in signing.pem -pubout -out signing.pub.pem` (PEM, SPKI)",
    );
  }
}
