/**
 * The one writer for a user's file (fmt -w, compile -o, events and reports): the bytes go to a
 * temporary file beside the target, are fsynced, and replace the target by rename. A failed write
 * (file-size limit, full disk, read-only directory) leaves the original untouched, and the error
 * says so. The temporary file is removed on failure. replay's --events/--flows stream through
 * runtime/output/streamed-file.ts, the same scheme for output that does not fit one buffer.
 */
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IO_CODES } from "./codes/io.js";

export const WRITE_CODE = IO_CODES.write;

export class AtomicWriteError extends Error {
  override readonly name = "AtomicWriteError";
  readonly code = WRITE_CODE;
  constructor(
    readonly path: string,
    /** The system error code (EFBIG, ENOSPC, EACCES…). */
    readonly errno: string,
    /** Did a file exist at `path` before (it still holds its old bytes)? */
    readonly hadOriginal: boolean,
  ) {
    super(`cannot write \`${path}\`: ${describe(errno)}; ${hadOriginal ? "the original file is unchanged" : "nothing was written"}`);
  }
}

function describe(errno: string): string {
  switch (errno) {
    case "EFBIG":
      return "file size limit exceeded (EFBIG)";
    case "ENOSPC":
      return "no space left on the device (ENOSPC)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${errno})`;
    case "EROFS":
      return "read-only file system (EROFS)";
    case "EISDIR":
      return "it is a directory (EISDIR)";
    case "ENOENT":
      return "the directory does not exist (ENOENT)";
    case "ENOTDIR":
      return "a part of the path is a file, not a directory (ENOTDIR)";
    default:
      return errno;
  }
}

let counter = 0;

/** Replace `path` with `data` atomically; `shown` is how the path appears in the error. */
export function writeFileAtomic(path: string, data: string | Uint8Array, shown = path): void {
  let hadOriginal = false;
  let mode = 0o666;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new AtomicWriteError(shown, "EISDIR", false);
    // A device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`) has no bytes to keep and must not
    // be replaced by a regular file: it is written directly.
    if (!st.isFile()) return writeDirect(path, data, shown);
    hadOriginal = true;
    mode = st.mode & 0o7777; // the replacement keeps the original's permissions
  } catch (e) {
    if (e instanceof AtomicWriteError) throw e;
  }
  const tmp = join(dirname(path), `.${basename(path)}.nvp-tmp-${process.pid}-${counter++}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the write error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    throw new AtomicWriteError(shown, (e as NodeJS.ErrnoException).code ?? String(e), hadOriginal);
  }
}

function writeDirect(path: string, data: string | Uint8Array, shown: string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new AtomicWriteError(shown, (e as NodeJS.ErrnoException).code ?? String(e), false);
  }
}
