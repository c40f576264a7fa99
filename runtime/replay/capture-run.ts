/** What one capture's replay gives back (the driver's result, the frame reader's part of it). */
import type { CaptureError } from "../capture/types.js";

/** One capture's reading: what was delivered, what was not decoded, and where reading stopped. */
export interface CaptureRun {
  file: string;
  format?: "pcap" | "pcapng";
  gzip: boolean;
  packets: number;
  bytes: number;
  /** Frames without an IP packet, by what they carry (capture/not-ip.ts). */
  notIp: Record<string, number>;
  /** Records or blocks read but not delivered (pcapng), by reason. */
  skipped: Record<string, number>;
  /** Bytes after the last complete gzip member, ignored. */
  gzipTrailing?: number;
  error?: CaptureError;
}

