/**
 * Which capture of a replay a record belongs to, by its flow id: ids count up over the engine's
 * life, so a flow created while capture k was read has an id up to the engine's flow count after
 * it. A record of no flow (id 0, e.g. a fragment's teardrop) belongs to the capture being read.
 * Shared by the NDJSON writers (the `capture` field) and the store (one run, rows by capture).
 */
export class CaptureMarks {
  readonly names: string[] = [];
  /** The engine's flow count after each capture (Infinity while it is being read). */
  private readonly marks: number[] = [];

  begin(name: string): void {
    this.names.push(name);
    this.marks.push(Infinity);
  }

  end(flowsCreated: number): void {
    if (this.marks.length) this.marks[this.marks.length - 1] = flowsCreated;
  }

  /** The index of the capture a record of flow `flow` belongs to (-1 before any capture). */
  indexOf(flow: number): number {
    const last = this.marks.length - 1;
    if (flow > 0) for (let j = 0; j < last; j++) if (flow <= (this.marks[j] as number)) return j;
    return last;
  }
}
