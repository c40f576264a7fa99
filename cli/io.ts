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

/**
 * A captured Io for tests. It throws when nvp prints an `internal error:` line, so every CLI test
 * treats one as a bug (issue 10): bad input must end in a clear error, never in nvp's catch-all.
 */
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
      if (/^internal error:/m.test(t)) throw new Error(`nvp printed an internal error (a bug, not a clean error): ${t}`);
      io.stderr += t;
    },
  };
  return io;
}
