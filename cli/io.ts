/** Where a command writes, so tests can run commands in-process and read what they printed. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Is stderr a terminal (progress bars, colours)? */
  isTty: boolean;
  cwd: string;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
  cwd: process.cwd(),
};

/** Exit codes every command uses (design §7). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** A captured Io for tests. */
export function memoryIo(cwd = process.cwd()): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    isTty: false,
    cwd,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}
