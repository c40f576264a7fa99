/**
 * Signed modules. The content hash in `nvp.meta` detects corruption, not an attacker: whoever edits a
 * module can recompute it. For enforcers that need authenticity, `nvp compile --sign KEY` appends a
 * custom section `nvp.sig` after `nvp.meta` holding an Ed25519 signature (Node's crypto) over every
 * module byte before that section, and `loadModule(bytes, { publicKey })` refuses a module whose
 * signature is missing or does not verify with that key. Payload: version 1 (one byte), the sha256
 * of the signer's public key (SPKI DER, 32 bytes, so a wrong key is named as such), the signature
 * (64 bytes). Ed25519 is deterministic, so a signed module is still byte-for-byte reproducible.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { customSection, SEC_CUSTOM, wasmSections } from "./abi-wasm.js";
import { IO_CODES } from "./codes/io.js";

export const SIG_SECTION = "nvp.sig";
/** A --sign or --public-key file that is not a usable Ed25519 key (a usage error, exit 2). */
export const KEY_CODE = IO_CODES.key;
const SIG_VERSION = 1;
const KEY_ID_LEN = 32;
const SIG_LEN = 64;
export const SIG_PAYLOAD_LEN = 1 + KEY_ID_LEN + SIG_LEN;

/** A PEM (or DER) Ed25519 key, as given to --sign or --public-key; throws a message for a user. */
export function ed25519PrivateKey(key: string | Uint8Array): KeyObject {
  const k = createPrivateKey(typeof key === "string" ? key : { key: Buffer.from(key), format: "der", type: "pkcs8" });
  if (k.asymmetricKeyType !== "ed25519") throw new TypeError(`the key is ${k.asymmetricKeyType ?? "not an asymmetric key"}, not ed25519`);
  return k;
}

export function ed25519PublicKey(key: string | Uint8Array | KeyObject): KeyObject {
  let k: KeyObject;
  if (typeof key === "string") k = createPublicKey(key);
  else if (key instanceof Uint8Array) k = createPublicKey({ key: Buffer.from(key), format: "der", type: "spki" });
  else k = key.type === "private" ? createPublicKey(key) : key;
  if (k.asymmetricKeyType !== "ed25519") throw new TypeError(`the key is ${k.asymmetricKeyType ?? "not an asymmetric key"}, not ed25519`);
  return k;
}

/** sha256 of the public key's SPKI DER: names the key in the signature and in `nvp inspect`. */
export function keyId(publicKey: KeyObject): Uint8Array {
  return createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest();
}

/** The `nvp.sig` payload signing `signed` with `privateKey`. */
export function signaturePayload(signed: Uint8Array, privateKey: KeyObject): Uint8Array {
  const out = new Uint8Array(SIG_PAYLOAD_LEN);
  out[0] = SIG_VERSION;
  out.set(keyId(createPublicKey(privateKey)), 1);
  out.set(sign(null, signed, privateKey), 1 + KEY_ID_LEN);
  return out;
}

export interface SplitSignature {
  /** The bytes the signature covers (the whole module when it has none). */
  signed: Uint8Array;
  /** The `nvp.sig` payload, when the module's last section is one. */
  payload?: Uint8Array;
}

/** Split a trailing `nvp.sig` section off; a module without one comes back whole. */
export function splitSignature(bytes: Uint8Array): SplitSignature {
  const sections = wasmSections(bytes);
  const last = sections[sections.length - 1];
  if (!last || last.id !== SEC_CUSTOM) return { signed: bytes };
  const c = customSection(bytes, last);
  if (c.name !== SIG_SECTION) return { signed: bytes };
  return { signed: bytes.subarray(0, last.start), payload: c.payload };
}

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; reason: "malformed" | "other-key" | "invalid"; keyId?: string };

/** Verify a payload from splitSignature against `publicKey`. */
export function checkSignature(signed: Uint8Array, payload: Uint8Array, publicKey: KeyObject): SignatureCheck {
  if (payload.length !== SIG_PAYLOAD_LEN || payload[0] !== SIG_VERSION) return { ok: false, reason: "malformed" };
  const id = Buffer.from(payload.subarray(1, 1 + KEY_ID_LEN)).toString("hex");
  const want = Buffer.from(keyId(publicKey)).toString("hex");
  if (id !== want) return { ok: false, reason: "other-key", keyId: id };
  const good = verify(null, signed, publicKey, payload.subarray(1 + KEY_ID_LEN));
  return good ? { ok: true, keyId: id } : { ok: false, reason: "invalid", keyId: id };
}

/** The key id a payload names, for display (undefined when malformed). */
export function signatureKeyId(payload: Uint8Array): string | undefined {
  if (payload.length !== SIG_PAYLOAD_LEN || payload[0] !== SIG_VERSION) return undefined;
  return Buffer.from(payload.subarray(1, 1 + KEY_ID_LEN)).toString("hex");
}
