import type { PacketEngine, VerdictCounts } from "../packets.js";
import type { CaptureRun } from "./driver.js";

export async function readPcapFrames(_path: string, _engine: PacketEngine, _counts: VerdictCounts, _each: (inputBytes: number, packets: number) => Promise<void>): Promise<Omit<CaptureRun, "file"> | undefined> {
  return undefined;
}
