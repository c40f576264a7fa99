/**
 * The captures folder: uploads are streamed into it under names nvp makes, and a capture to replay
 * is picked by a name that must be a plain file name inside it — no path, no `..`, no link out.
 */
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class CaptureFolder {
  readonly dir: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.dir = realpathSync(dir);
  }

  /** The capture files there (regular files only), newest name last. */
  list(): { name: string; bytes: number }[] {
    return readdirSync(this.dir)
      .filter((n) => NAME.test(n))
      .map((n) => ({ n, st: lstatSync(join(this.dir, n)) }))
      .filter((x) => x.st.isFile())
      .map((x) => ({ name: x.n, bytes: x.st.size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The path of capture `name`, or an UploadError when it is not a plain file name of this folder. */
  resolve(name: string): string {
    if (!NAME.test(name) || name.includes("..")) throw new UploadError(400, `\`${name}\` is not a capture name (letters, digits, . _ -)`);
    const path = resolve(this.dir, name);
    const rel = relative(this.dir, path);
    if (rel !== name || rel.includes(sep)) throw new UploadError(400, `\`${name}\` is outside the captures folder`);
    if (!existsSync(path) || !lstatSync(path).isFile()) throw new UploadError(404, `no capture \`${name}\``);
    return path;
  }

  /** A fresh safe name from what the client called the file. */
  nameFor(clientName: string): string {
    const base = basename(String(clientName)).replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._-]+/, "").slice(0, 80) || "capture";
    const stamp = new Date().toISOString().replace(/[-:.TZ]/g, "").slice(0, 14);
    let name = `${stamp}-${base}`;
    for (let i = 1; existsSync(join(this.dir, name)); i++) name = `${stamp}-${i}-${base}`;
    return name;
  }

  /** Stream `file` to disk; `truncated()` says the size limit cut it (then the file is removed). */
  async save(file: Readable, clientName: string, truncated: () => boolean, limit: number): Promise<string> {
    const name = this.nameFor(clientName);
    const path = join(this.dir, name);
    try {
      await pipeline(file, createWriteStream(path, { flags: "wx" }));
    } catch (e) {
      rmSync(path, { force: true });
      throw new UploadError(400, `upload failed: ${(e as Error).message}`);
    }
    if (truncated()) {
      rmSync(path, { force: true });
      throw new UploadError(413, `the capture is larger than the ${limit.toLocaleString("en-US")}-byte upload limit (--max-upload)`);
    }
    return name;
  }
}
