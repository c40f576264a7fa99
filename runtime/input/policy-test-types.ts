/**
 * A parsed policy-test file (docs/formats.md "Policy tests"). Parsing is pure: paths are resolved
 * against the test file's directory but not opened, so the CLI reports a missing file at the span
 * that names it. Every case keeps spans, so a failing case is reported at its line.
 */
import type { Span } from "../../common/span.js";
import type { Action, DnsTable, Flow, Inventory, Mode } from "../../common/schema.js";

/** A file named in the test file: `path` is resolved against the test file's directory. */
export interface FileRef {
  path: string;
  /** As written in the test file. */
  written: string;
  span?: Span;
}

export interface PolicyTestExpect {
  action: Action;
  /** Deciding rule id (0 = implicit); unchecked when absent. */
  rule?: number;
  /** Effective mode; unchecked when absent. */
  mode?: Mode;
  /** For `pending`: what the verdict waits for; unchecked when absent. */
  awaiting?: "app" | "host";
  span?: Span;
}

export interface PolicyTestCase {
  name: string;
  /** The case's entry in the file (its first line). */
  span?: Span;
  flow: Flow;
  flowSpan?: Span;
  expect: PolicyTestExpect;
}

/** One set of inputs the policy is compiled and run with. */
export interface PolicyTestRun {
  /** The variant's name; absent when the file has no `variants:`. */
  variant?: string;
  span?: Span;
  /** `--set` values: the file's `params`, overlaid by the variant's. */
  params: Record<string, string>;
  /** Inventory files to load and merge, plus an inline inventory (already validated). */
  inventory: { files: FileRef[]; inline?: Inventory };
  /** DNS table files to load, plus the inline table; merged by the runner. */
  dns: { files: FileRef[]; inline: DnsTable };
  cases: PolicyTestCase[];
}

export interface PolicyTestSuite {
  /** The test file's path, as given. */
  path: string;
  /** The policy's source files. */
  policy: FileRef[];
  /** `policy:` was absent: the default `<name>.nvp` beside `<name>.test.yaml` applies. */
  policyImplicit: boolean;
  /** One run per variant (or a single run without a variant name). */
  runs: PolicyTestRun[];
}
