/**
 * The one reader for every input file (policies, modules, inventories, flows, DNS tables, test
 * files): it refuses a file beyond a stated size *before* reading it all. A regular file is refused
 * from its size alone; a device, FIFO or stdin has no size, so it is read in chunks and refused as
 * soon as the cap is passed (`/dev/zero` ends with an error after `limit` bytes, never grows memory).
 * A directory where a file is meant is refused by name. Errors carry stable codes (docs/diagnostics.md).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { IO_CODES } from "./codes/io.js";

/** The default cap for an input file: the policy source limit, and the same for every other input. */
export const INPUT_LIMIT_BYTES = 64 * 1024 * 1024;

/** NV50xx: reading an input, before its format is known (titles in common/codes/io.ts). */
export const INPUT_FILE_CODES = {
  tooLarge: IO_CODES.tooLarge,
  isDirectory: IO_CODES.isDirectory,
  unreadable: IO_CODES.unreadable,
} as const;

export type InputFileCode = (typeof INPUT_FILE_CODES)[keyof typeof INPUT_FILE_CODES];

export class InputFileError extends Error {
  override readonly name = "InputFileError";
  constructor(
    readonly code: InputFileCode,
    readonly path: string,
    message: string,
    readonly help: string,
    /** The system error code (ENOENT, EACCES…) for unreadable inputs. */
    readonly errno?: string,
  ) {
    super(message);
  }
}

export interface ReadInputOptions {
  /** Refuse beyond this many bytes (default INPUT_LIMIT_BYTES). */
  limit?: number;
  /** How the path is shown in messages (default: the path itself). */
  shown?: string;
  /** What the input is, for messages: "policy file", "module"… (default "input"). */
  what?: string;
}

const CHUNK = 1 << 16;

/** The bytes of `path` (or of file descriptor `fd`, e.g. 0 for stdin), at most `limit` of them. */
export function readInputFile(path: string | number, opts: ReadInputOptions = {}): Buffer {
  const limit = opts.limit ?? INPUT_LIMIT_BYTES;
  const shown = opts.shown ?? (typeof path === "number" ? (path === 0 ? "<stdin>" : `fd ${path}`) : path);
  const what = opts.what ?? "input";
  let fd: number;
  try {
    fd = typeof path === "number" ? path : openSync(path, "r");
  } catch (e) {
    throw unreadable(e, shown, what);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw directoryInput(shown, what);
    if (st.isFile() && st.size > limit) throw tooLarge(shown, what, `${st.size} bytes; the limit is ${limit}`);
    // A regular file is read into one buffer of its size (plus one byte, to notice growth); anything
    // else in chunks, stopping one chunk past the cap.
    const first = st.isFile() ? Math.min(st.size + 1, limit + 1) : CHUNK;
    const chunks: Buffer[] = [];
    let total = 0;
    let buf = Buffer.allocUnsafe(first);
    let used = 0;
    for (;;) {
      if (used === buf.length) {
        chunks.push(buf);
        buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
        used = 0;
      }
      const n = readChunk(fd, buf, used, shown, what);
      if (n === 0) break;
      used += n;
      total += n;
      if (total > limit) throw tooLarge(shown, what, `more than the limit of ${limit} bytes`);
    }
    chunks.push(buf.subarray(0, used));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    if (typeof path !== "number") closeSync(fd);
  }
}

/** Read what is there; a non-blocking stdin (EAGAIN) is waited for rather than failed. */
function readChunk(fd: number, buf: Buffer, at: number, shown: string, what: string): number {
  for (;;) {
    try {
      return readSync(fd, buf, at, buf.length - at, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === "EOF") return 0;
      throw unreadable(e, shown, what);
    }
  }
}

/** `a module`, `an inventory file`. */
function a(what: string): string {
  return `${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}`;
}

/** The errors of this reader, for readers that stream (runtime/store/ingest-source.ts). */
export function directoryInput(shown: string, what: string): InputFileError {
  return new InputFileError(INPUT_FILE_CODES.isDirectory, shown, `\`${shown}\` is a directory, not ${a(what)}`, `give the path of ${a(what)} inside it`);
}

export function tooLarge(shown: string, what: string, found: string): InputFileError {
  return new InputFileError(
    INPUT_FILE_CODES.tooLarge,
    shown,
    `${what} \`${shown}\` is too large (${found})`,
    "devices and pipes are read only up to the limit; split the input or give a regular file",
  );
}

export function unreadable(e: unknown, shown: string, what: string): InputFileError {
  const errno = (e as NodeJS.ErrnoException).code ?? "EIO";
  const why = errno === "ENOENT" ? "no such file" : errno === "EACCES" ? "permission denied" : errno === "ENOTDIR" ? "a part of the path is not a directory" : errno;
  return new InputFileError(INPUT_FILE_CODES.unreadable, shown, `cannot read ${what} \`${shown}\`: ${why}`, "check the path and its permissions", errno);
}

/** The text of an input (UTF-8, BOM kept), with the same cap. */
export function readInputText(path: string | number, opts: ReadInputOptions = {}): string {
  return readInputFile(path, opts).toString("utf8");
}
