/**
 * In-memory front end for tests and tools: `.nvp` texts by path → loaded, checked PolicyModel.
 * Standard library imports still come from the package's stdlib/ on disk.
 */
import { type Diagnostic, hasErrors, sortDiagnostics } from "../../common/diagnostics.js";
import type { PolicyModel } from "../model.js";
import { checkPolicy } from "./check.js";
import { type LoadFs, loadPolicy, nodeFs } from "./load.js";
import { defaultStdlibDir } from "./import-path.js";

export interface CompiledSources {
  model?: PolicyModel;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

/**
 * Load `entry` from `texts` (paths as keys), follow imports, and check. The checker runs only when
 * loading and parsing succeeded: names declared in an unparsable item would otherwise come back
 * as a cascade of "not defined" errors.
 */
export function compileSources(
  texts: Readonly<Record<string, string>>,
  entry: readonly string[],
  params: Readonly<Record<string, string>> = {},
): CompiledSources {
  const stdlibDir = defaultStdlibDir();
  const encoder = new TextEncoder();
  const fs: LoadFs = {
    readFile(path) {
      if (Object.hasOwn(texts, path)) return encoder.encode(texts[path]);
      return path.startsWith(stdlibDir) ? nodeFs.readFile(path) : undefined;
    },
  };
  const loaded = loadPolicy(entry, { fs, stdlibDir });
  if (hasErrors(loaded.diagnostics)) return { diagnostics: sortDiagnostics(loaded.diagnostics), sources: loaded.sources };
  const checked = checkPolicy(loaded.files, { params: { ...params } });
  // The checker's are sorted already; a second sort of 100k warnings is not free.
  const diagnostics = loaded.diagnostics.length === 0 ? checked.diagnostics : sortDiagnostics([...loaded.diagnostics, ...checked.diagnostics]);
  const out: CompiledSources = { diagnostics, sources: loaded.sources };
  if (checked.model) out.model = checked.model;
  return out;
}
