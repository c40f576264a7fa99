/**
 * The compiler pipeline: one table of named stages, each timed and each dumpable
 * (`nvp compile --timings`, `nvp compile --dump-after <stage>`), as OPA's ast/compile.go runs its
 * stages from one list.
 *
 *   load    read the entry files and everything they import      check/load.ts     printLoaded
 *   parse   text → AST, per file (runs inside load, timed apart)  ast/parse.ts      printAsts
 *   check   ASTs → PolicyModel: names, params, settings, lints    check/check.ts    printModel
 *   lower   PolicyModel → decision-table IR                       lower/lower.ts    printIr
 *   encode  IR → table bytes                                      encode/encode.ts  printTable
 *   emit    table → policy.wasm (engine + data + metadata)        emit/emit-module.ts printModule
 *
 * Entry points, named for what they do: `checkFiles` (load, parse, check from disk), `checkSources`
 * (the same from in-memory texts), `compileModule` (lower, encode, emit from a checked model) and
 * `compileFiles` (all six). The checker runs only when loading and parsing succeeded: names
 * declared in an unparsable item would otherwise come back as a cascade of "not defined" errors.
 */
import { resolve } from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../common/diagnostics.js";
import { parseSource } from "./ast/parse.js";
import { checkPolicy } from "./check/check.js";
import { defaultStdlibDir } from "./check/import-path.js";
import { loadPolicy, nodeFs, type LoadFs, type LoadResult } from "./check/load.js";
import { printAsts, printLoaded, printModel, printModule } from "./dumps.js";
import { emitModule, type EmitOptions } from "./emit/emit-module.js";
import { encodeTable, type EncodeOptions } from "./encode/encode.js";
import { printTable } from "./encode/print-table.js";
import { lowerModel } from "./lower/lower.js";
import { printIr } from "./lower/print.js";
import type { PolicyModel } from "./model.js";

export const STAGES = ["load", "parse", "check", "lower", "encode", "emit"] as const;
export type Stage = (typeof STAGES)[number];
/** Every stage can be dumped; the old names stay for the package's API. */
export const DUMP_STAGES = STAGES;
export type DumpStage = Stage;

export interface StageTiming {
  name: Stage;
  ms: number;
}

export interface StageOptions {
  /** Print the stage's output through `onDump` after that stage. */
  dumpAfter?: Stage;
  onDump?: (stage: Stage, text: string) => void;
}

/** The stages of one run: their times in order, and the dump asked for. */
class StageRun {
  readonly timings: StageTiming[] = [];
  constructor(private readonly opts: StageOptions) {}

  record(name: Stage, ms: number, dump: () => string): void {
    this.timings.push({ name, ms });
    // The printer runs only for the stage asked for: printing a 100k-rule IR is not free.
    if (this.opts.dumpAfter === name) this.opts.onDump?.(name, dump());
  }

  run<T>(name: Stage, f: () => T, dump: (v: T) => string): T {
    const t0 = performance.now();
    const v = f();
    this.record(name, performance.now() - t0, () => dump(v));
    return v;
  }
}

export interface CheckedPolicy {
  model?: PolicyModel;
  diagnostics: Diagnostic[];
  /** Source text by display path, for rendering diagnostics. */
  sources: Map<string, string>;
  /** An entry file could not be read: a usage/I-O problem (exit 2), not a finding. */
  ioError: boolean;
  /** load, parse and (when loading succeeded) check. */
  stages: StageTiming[];
}

export interface CheckOptions extends StageOptions {
  params?: Readonly<Record<string, string>>;
}

/** load → parse → check over any file source. */
function checkWith(entry: readonly string[], load: { fs: LoadFs; stdlibDir?: string }, opts: CheckOptions, run: StageRun): CheckedPolicy {
  let parseMs = 0;
  const parse = (path: string, text: string) => {
    const t0 = performance.now();
    const r = parseSource(path, text);
    parseMs += performance.now() - t0;
    return r;
  };
  const t0 = performance.now();
  const loaded: LoadResult = loadPolicy(entry, { ...load, parse });
  run.record("load", performance.now() - t0 - parseMs, () => printLoaded(loaded.files, loaded.sources));
  run.record("parse", parseMs, () => printAsts(loaded.files));
  // An entry file that cannot be read (missing, a directory, too large or endless): exit 2, not 1.
  const ioError = loaded.diagnostics.some((d) => !d.span && (d.code === "NV2001" || d.code === "NV0004" || d.code.startsWith("NV500")));
  if (hasErrors(loaded.diagnostics)) return { diagnostics: sortDiagnostics(loaded.diagnostics), sources: loaded.sources, ioError, stages: run.timings };
  const checked = run.run("check", () => checkPolicy(loaded.files, { params: { ...(opts.params ?? {}) } }), (c) => (c.model ? printModel(c.model) : ""));
  const out: CheckedPolicy = {
    // The checker's are sorted already; a second sort of 100k warnings is not free.
    diagnostics: loaded.diagnostics.length === 0 ? checked.diagnostics : sortDiagnostics([...loaded.diagnostics, ...checked.diagnostics]),
    sources: loaded.sources,
    ioError,
    stages: run.timings,
  };
  if (checked.model) out.model = checked.model;
  return out;
}

/** Load `files` (and their imports) from disk relative to `cwd`, parse them and check them as one policy. */
export function checkFiles(files: readonly string[], opts: CheckOptions & { cwd?: string } = {}): CheckedPolicy {
  return checkWith(files, { fs: diskFs(opts.cwd) }, opts, new StageRun(opts));
}

/** Files read relative to `cwd` (default the process's). */
function diskFs(cwd = process.cwd()): LoadFs {
  return { readFile: (p) => nodeFs.readFile(resolve(cwd, p)) };
}

/**
 * The same from in-memory texts (paths as keys), for tests and tools: `entry` and the files it
 * imports come from `texts`; standard library imports still come from the package's stdlib/.
 */
export function checkSources(
  texts: Readonly<Record<string, string>>,
  entry: readonly string[],
  params: Readonly<Record<string, string>> = {},
  opts: StageOptions = {},
): CheckedPolicy {
  const stdlibDir = defaultStdlibDir();
  const encoder = new TextEncoder();
  const fs: LoadFs = {
    readFile(path) {
      if (Object.hasOwn(texts, path)) return encoder.encode(texts[path]);
      return path.startsWith(stdlibDir) ? nodeFs.readFile(path) : undefined;
    },
  };
  return checkWith(entry, { fs, stdlibDir }, { ...opts, params }, new StageRun(opts));
}

export interface CompileOptions extends EmitOptions, StageOptions, EncodeOptions {}

export interface CompiledModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** lower, encode, emit. */
  stages: StageTiming[];
  /** Table size and section sizes, for `nvp inspect`-like summaries. */
  tableBytes: number;
  sizes: Record<string, number>;
}

function compileWith(model: PolicyModel, opts: CompileOptions, run: StageRun): CompiledModule {
  const first = run.timings.length;
  const ir = run.run("lower", () => lowerModel(model), printIr);
  const table = run.run("encode", () => encodeTable(ir, opts), (t) => printTable(t.bytes));
  const bytes = run.run("emit", () => emitModule(model, ir, table, opts), printModule);
  return { bytes, stages: run.timings.slice(first), tableBytes: table.bytes.length, sizes: table.sizes };
}

/** A checked model → the bytes of a self-contained policy.wasm (lower, encode, emit). */
export function compileModule(model: PolicyModel, opts: CompileOptions = {}): CompiledModule {
  return compileWith(model, opts, new StageRun(opts));
}

export interface CompiledFiles extends CheckedPolicy {
  /** Present when the policy checked without errors; `stages` then lists all six. */
  module?: CompiledModule;
}

/** Every stage: policy files on disk → checked model → module bytes. */
export function compileFiles(files: readonly string[], opts: CheckOptions & CompileOptions & { cwd?: string } = {}): CompiledFiles {
  const run = new StageRun(opts);
  const checked: CompiledFiles = checkWith(files, { fs: diskFs(opts.cwd) }, opts, run);
  if (checked.model) checked.module = compileWith(checked.model, opts, run);
  return checked;
}
