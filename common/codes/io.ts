/**
 * NV50xx: reading an input before its format is known (common/input-file.ts), writing an output
 * (common/atomic-write.ts) and reading a signing key (common/module-signature.ts). Usage/I-O
 * errors: exit 2.
 */
import type { CodeTable } from "./code-info.js";

export const IO_CODES = {
  tooLarge: "NV5001",
  isDirectory: "NV5002",
  unreadable: "NV5003",
  write: "NV5005",
  key: "NV5006",
} as const;

/** Code → severity and title (the catalog, common/codes/catalog.ts). */
export const IO_CODE_INFO: CodeTable = {
  [IO_CODES.tooLarge]: { severity: "error", title: "input is larger than its limit (devices and pipes are read up to the limit)" },
  [IO_CODES.isDirectory]: { severity: "error", title: "a directory where a file is expected" },
  [IO_CODES.unreadable]: { severity: "error", title: "input cannot be opened or read (missing, no permission, I/O error)" },
  [IO_CODES.write]: { severity: "error", title: "an output file could not be written; the original is unchanged" },
  [IO_CODES.key]: { severity: "error", title: "a --sign or --public-key file is not a usable Ed25519 key" },
};
