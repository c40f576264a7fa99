/**
 * An output file written as a stream and put in place atomically: bytes go to a temporary file
 * beside the target, which is synced and renamed over it only when the writer commits. A failed
 * write (disk full, a file-size limit) or an abort leaves whatever was at the target untouched
 * and removes the temporary file. A target that exists and is not a regular file (/dev/null, a
 * FIFO, a terminal) is written directly: there is nothing to replace and no directory to rename in.
 */
import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export class StreamedFile {
  private done = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    /** The temporary file, or undefined when writing the target directly. */
    private readonly temp: string | undefined,
  ) {}

  /** Open for writing; throws the file system's error (ENOENT for a missing directory, EACCES…). */
  static async open(path: string): Promise<StreamedFile> {
    const info = await stat(path).catch(() => undefined);
    if (info && !info.isFile()) {
      if (info.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
      return new StreamedFile(path, await open(path, "w"), undefined);
    }
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    return new StreamedFile(path, await open(temp, "wx", info ? info.mode & 0o777 : 0o666), temp);
  }

  /** Write all of `bytes` (resolves once the file system took them). */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, at, bytes.length - at);
      at += bytesWritten;
    }
  }

  /** Sync, close and move into place. */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      if (this.temp) await this.fh.sync();
      await this.fh.close();
      if (this.temp) await rename(this.temp, this.path);
    } catch (e) {
      if (this.temp) await unlink(this.temp).catch(() => {});
      throw e;
    }
  }

  /** Drop what was written; the target keeps its old contents. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => {});
    if (this.temp) await unlink(this.temp).catch(() => {});
  }
}
