/**
 * What the replay's thread and the NDJSON writer thread say to each other (ndjson-worker-sink.ts
 * is one end, ndjson-worker.ts the other). Records cross as raw bytes, never as objects, in
 * message slots of one SharedArrayBuffer made once (fresh buffers cost page faults, ~0.5 ms for
 * 256 KiB, more than encoding them saves): a slot holds up to WIRE_RECORDS EV_SIZE records, then
 * from WIRE_SIDE_AT, WIRE_SIDE u32 per record (client and server description ids,
 * endpoint-json.ts, and the capture index, NO_CAPTURE for none). When every slot is taken a
 * message carries its own buffer of the same layout, transferred there and back and reused (a
 * transferred buffer left to the worker's garbage collector would be freed only when V8 notices
 * the external memory, tens of MB later).
 */
import * as P from "../../common/abi-packet.js";
import type { NewDescription } from "./endpoint-json.js";

/** u32 words after the records, per record. */
export const WIRE_SIDE = 3;
export const NO_CAPTURE = 0xffffffff;
/** Records per message. */
export const WIRE_RECORDS = 1024;
/** Where a message's u32 words begin. */
export const WIRE_SIDE_AT = WIRE_RECORDS * P.EV_SIZE;
/** Bytes of one message. */
export const WIRE_BYTES = WIRE_SIDE_AT + WIRE_RECORDS * WIRE_SIDE * 4;

/** The worker's workerData: the output files and the message slots. */
export interface WorkerFiles {
  files: { path: string; types: number[] }[];
  /** WIRE_BYTES per slot. */
  slots: SharedArrayBuffer;
}

export type ToWorker =
  | {
      t: "batch";
      /** The slot the records are in, or -1: they are in `buf`. */
      slot: number;
      buf?: ArrayBuffer;
      count: number;
      fresh: NewDescription[];
      restarted: boolean;
      /** Capture names new since the last batch, appended to the worker's list. */
      captures: string[];
    }
  | { t: "end" }
  | { t: "commit" }
  | { t: "abort" };

/** A file system error as it crosses threads: its code (ENOSPC, EISDIR…) and message. */
export interface WireError {
  code?: string;
  message: string;
  /** The index of the file it is about (WorkerFiles.files), when opening failed. */
  file?: number;
}

export type FromWorker =
  | { t: "opened" }
  /** The batch was taken: its slot is free again, or its own buffer comes back for reuse. */
  | { t: "ack"; slot: number; buf?: ArrayBuffer }
  | { t: "ended" }
  | { t: "committed" }
  | { t: "aborted" }
  | { t: "failed"; error: WireError };

export function toWire(e: unknown, file?: number): WireError {
  const err = e as NodeJS.ErrnoException;
  const out: WireError = { message: err?.message ?? String(e) };
  if (typeof err?.code === "string") out.code = err.code;
  if (file !== undefined) out.file = file;
  return out;
}

export function fromWire(w: WireError): Error {
  const e = new Error(w.message) as NodeJS.ErrnoException;
  if (w.code !== undefined) e.code = w.code;
  return e;
}
