/**
 * A one-line progress bar for long captures, drawn on stderr only when stderr is a terminal (so
 * logs and pipes stay clean), at most every `intervalMs`, and erased when done. The writer, the
 * clock and the terminal width are injectable for tests.
 *
 *   const bar = createProgress({ total: capture.summary.inputSize });
 *   for await (const p of capture) { …; bar.update(capture.summary.inputBytes, capture.summary.packets); }
 *   bar.finish();
 */

export interface ProgressOptions {
  /** Bytes expected in all (a file's size); undefined when unknown (stdin), then no bar or ETA. */
  total?: number;
  /** Where to draw (default: process.stderr). */
  write?: (text: string) => void;
  /** Draw at all (default: process.stderr.isTTY). */
  isTTY?: boolean;
  /** Milliseconds, monotonic (default: performance.now). */
  now?: () => number;
  /** Terminal width (default: process.stderr.columns, else 80). */
  columns?: number;
  /** Least time between two draws (default 100 ms: about 10 updates a second). */
  intervalMs?: number;
}

export interface Progress {
  /** Report how far reading has got; cheap when nothing is drawn. */
  update(bytes: number, packets: number): void;
  /** Erase the line, if one was drawn. Later updates are ignored. */
  finish(): void;
}

const CLEAR_LINE = "\r\x1b[K";
const NOOP: Progress = { update() {}, finish() {} };

export function createProgress(opts: ProgressOptions = {}): Progress {
  const isTTY = opts.isTTY ?? process.stderr.isTTY === true;
  if (!isTTY) return NOOP;
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  const now = opts.now ?? (() => performance.now());
  const columns = opts.columns ?? process.stderr.columns ?? 80;
  const interval = opts.intervalMs ?? 100;
  const total = opts.total !== undefined && opts.total > 0 ? opts.total : undefined;
  const start = now();
  // The first draw waits one interval, so a capture read in a blink never flashes a bar.
  let last = start;
  let drawn = false;
  let done = false;
  return {
    update(bytes, packets) {
      if (done) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      drawn = true;
      write(CLEAR_LINE + progressLine({ bytes, packets, total, elapsedMs: t - start, columns }));
    },
    finish() {
      if (done) return;
      done = true;
      if (drawn) write(CLEAR_LINE);
    },
  };
}

export interface ProgressState {
  bytes: number;
  packets: number;
  total?: number | undefined;
  elapsedMs: number;
  columns: number;
}

/** The text of one frame, at most `columns - 1` characters (the last column would wrap on some terminals). */
export function progressLine(s: ProgressState): string {
  const rate = s.elapsedMs > 0 ? (s.bytes / s.elapsedMs) * 1000 : 0;
  const stats = [`${s.packets.toLocaleString("en-US")} pkts`];
  if (s.total === undefined) {
    stats.push(`${mb(s.bytes)} MB`, `${mb(rate)} MB/s`);
    return fit(stats.join("  "), s.columns);
  }
  const fraction = Math.min(1, s.bytes / s.total);
  const eta = rate > 0 ? duration(Math.max(0, s.total - s.bytes) / rate) : "--";
  stats.push(`${mb(s.bytes)}/${mb(s.total)} MB`, `${mb(rate)} MB/s`, `ETA ${eta}`);
  const text = `${String(Math.floor(fraction * 100)).padStart(3)}%  ${stats.join("  ")}`;
  const width = Math.min(30, s.columns - 1 - text.length - 3);
  if (width < 5) return fit(text, s.columns);
  const full = Math.round(fraction * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}] ${text}`;
}

function fit(text: string, columns: number): string {
  return text.length < columns ? text : text.slice(0, Math.max(0, columns - 1));
}

/** Decimal megabytes with one digit, as disk and network tools show them. */
function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Seconds as `42s`, `3:07` or `1:02:03`. */
export function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
