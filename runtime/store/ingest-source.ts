/**
 * What `nvp ingest` hands DuckDB for one input file. DuckDB's read_json takes a glob pattern, not a
 * path (a missing file reads as "no files match", `a[1].ndjson` as a character class), and may read
 * its input more than once, which a FIFO or a process substitution cannot give. So:
 *  - a missing path or a directory is refused with the input codes (NV5003, NV5002), as every other
 *    command's inputs are;
 *  - a regular file whose name has no glob character goes to DuckDB as it is (no copy);
 *  - anything else (a name with `*?[]{}`, a FIFO, a device, `<(zcat …)`) is streamed once into a
 *    temporary regular file and staged from there: refused past INGEST_STREAM_LIMIT bytes (NV5001), and
 *    as soon as its first 64 KiB hold a NUL byte (binary data is no NDJSON: NV5603), so `/dev/zero`
 *    and `/dev/urandom` end at once.
 * The NeuVector reader's detection (its first 4 KiB) then reads the same regular file.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { directoryInput, tooLarge, unreadable } from "../../common/input-file.js";
import { STORE_CODES, StoreError } from "./codes.js";

/** Streamed inputs are copied up to this many bytes (a 10^6-flow NDJSON file is about 500 MB). */
export const INGEST_STREAM_LIMIT = 8 * 1024 ** 3;

const GLOB = /[*?[\]{}]/;
const WHAT = "event or flow file";

export interface IngestSource {
  /** A path DuckDB reads literally. */
  path: string;
  /** Remove the temporary copy, if one was made. */
  done(): void;
}

export async function ingestSource(file: string, limit = INGEST_STREAM_LIMIT): Promise<IngestSource> {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw unreadable(e, file, WHAT);
  }
  if (st.isDirectory()) throw directoryInput(file, WHAT);
  if (st.isFile() && !GLOB.test(file)) return { path: file, done: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "nvp-ingest-"));
  const done = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, "input.ndjson");
  try {
    await copyBounded(file, path, limit);
  } catch (e) {
    done();
    throw e;
  }
  return { path, done };
}

async function copyBounded(from: string, to: string, limit: number): Promise<void> {
  const out = createWriteStream(to);
  let total = 0;
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
      if (total < 1 << 16 && chunk.subarray(0, (1 << 16) - total).includes(0)) {
        throw new StoreError(STORE_CODES.input, `\`${from}\`: binary data (a NUL byte in the first 64 KiB), not NDJSON`, "give NDJSON event or flow files as `nvp replay --events/--flows` writes them (docs/formats.md)");
      }
      total += chunk.length;
      if (total > limit) throw tooLarge(from, WHAT, `more than the limit of ${limit} bytes`);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
    }
  } catch (e) {
    if (e instanceof StoreError || (e as { name?: string }).name === "InputFileError") throw e;
    throw unreadable(e, from, WHAT);
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
}
