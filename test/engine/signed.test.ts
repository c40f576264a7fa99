/**
 * Signed modules (issue 10, item 4): the hash detects corruption, a signature detects an attacker.
 * A module altered with its hash recomputed loads without a key, and is refused with one (NV5413);
 * an unsigned module is refused when a key is required (NV5412); signing keeps builds reproducible.
 * The CLI side: `nvp compile --sign KEY` and `nvp inspect --public-key FILE`.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { splitSignature } from "../../common/module-signature.js";
import { signModule } from "../../compiler/index.js";
import { loadModule, MODULE_CODES, NvpRuntimeError } from "../../runtime/index.js";
import { editMeta, hashFor, moduleBytes, withoutMeta } from "./helpers.js";
import { thrown } from "../thrown.js";

const POLICY = "policy shop\nservice web = nv.web.shop { mode protect }\nrule 10 allow web -> external port tcp/443\n";
const signer = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
const UNSIGNED = moduleBytes(POLICY);
const SIGNED = signModule(UNSIGNED, signer.privateKey);

const refusal = (f: () => unknown) => thrown(f, NvpRuntimeError);

/** Rename the policy and recompute the hash, as an attacker would; the old signature section is kept. */
function attacked(signed: Uint8Array): Uint8Array {
  const { signed: body } = splitSignature(signed);
  const rehashed = editMeta(body, (m) => (m.policy = "evil"), (meta) => hashFor(withoutMeta(body), meta));
  const out = new Uint8Array(rehashed.length + (signed.length - body.length));
  out.set(rehashed);
  out.set(signed.subarray(body.length), rehashed.length);
  return out;
}

describe("loadModule with a public key", () => {
  test("a module signed by the key loads, verified; without a key the signature is only reported", () => {
    expect(loadModule(SIGNED, { publicKey: signer.publicKey }).signature).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{64}$/), verified: true });
    expect(loadModule(SIGNED).signature?.verified).toBe(false);
    expect(loadModule(UNSIGNED).signature).toBeUndefined();
    // PEM text works as well as a KeyObject.
    const pem = signer.publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(loadModule(SIGNED, { publicKey: pem }).signature?.verified).toBe(true);
  });

  test("signing is deterministic and leaves the signed part byte-identical to the unsigned build", () => {
    expect(signModule(UNSIGNED, signer.privateKey)).toEqual(SIGNED);
    expect(splitSignature(SIGNED).signed).toEqual(UNSIGNED);
  });

  test("an unsigned module is refused when a key is required (NV5412)", () => {
    expect(refusal(() => loadModule(UNSIGNED, { publicKey: signer.publicKey })).code).toBe(MODULE_CODES.unsigned);
  });

  test("a module signed by another key is refused, naming that key (NV5413)", () => {
    const e = refusal(() => loadModule(signModule(UNSIGNED, other.privateKey), { publicKey: signer.publicKey }));
    expect(e.code).toBe(MODULE_CODES.signature);
    expect(e.message).toMatch(/^the module is signed by another key \(key id [0-9a-f]{16}…\)$/);
  });

  test("an attacker's edit with a recomputed hash passes the hash, and fails the signature", () => {
    const bad = attacked(SIGNED);
    expect(loadModule(bad).meta.policy).toBe("evil");
    const e = refusal(() => loadModule(bad, { publicKey: signer.publicKey }));
    expect(e.code).toBe(MODULE_CODES.signature);
    expect(e.message).toBe("the module's signature does not verify: it was altered after signing");
  });
});

describe("nvp compile --sign and nvp inspect --public-key", () => {
  const dir = mkdtempSync(join(tmpdir(), "nvp-sign-"));
  writeFileSync(join(dir, "p.nvp"), POLICY);
  writeFileSync(join(dir, "signing.pem"), signer.privateKey.export({ format: "pem", type: "pkcs8" }));
  writeFileSync(join(dir, "signing.pub.pem"), signer.publicKey.export({ format: "pem", type: "spki" }));
  writeFileSync(join(dir, "other.pub.pem"), other.publicKey.export({ format: "pem", type: "spki" }));
  const run = async (args: string[]) => {
    const io = memoryIo(dir);
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr };
  };

  test("sign, verify, refuse another key, refuse an unsigned module, refuse a bad key file", async () => {
    const c = await run(["compile", "p.nvp", "-o", "signed.wasm", "--sign", "signing.pem"]);
    expect(c.code).toBe(0);
    expect(c.err).toMatch(/^wrote signed\.wasm: \d+ bytes, 1 rules, \d+ groups, signed\n$/);
    const ok = await run(["inspect", "signed.wasm", "--public-key", "signing.pub.pem"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^signature Ed25519, key [0-9a-f]{16}… verified$/m);
    const wrong = await run(["inspect", "signed.wasm", "--public-key", "other.pub.pem"]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("error[NV5413]: the module is signed by another key");
    await run(["compile", "p.nvp", "-o", "plain.wasm"]);
    const plain = await run(["inspect", "plain.wasm", "--public-key", "signing.pub.pem"]);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain("error[NV5412]");
    const badKey = await run(["compile", "p.nvp", "-o", "x.wasm", "--sign", "signing.pub.pem"]);
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/^error\[NV5006\]: --sign `signing\.pub\.pem` is not an Ed25519 private key/);
    const json = JSON.parse((await run(["inspect", "signed.wasm", "--format", "json"])).out) as { signature: { verified: boolean } };
    expect(json.signature.verified).toBe(false);
  });
});
