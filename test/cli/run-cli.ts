/** Run `nvp` in-process, as the CLI tests do, and make scratch folders of policy files. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { REPO_ROOT } from "../repo-files.js";

export async function runCli(args: string[], cwd = REPO_ROOT): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A fresh temporary folder holding `files` (paths may have folders). */
export function scratchDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
