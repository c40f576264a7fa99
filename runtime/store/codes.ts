/** The store's error type; its codes live in common/codes/store.ts (the catalog lists them). */
import { STORE_CODES } from "../../common/codes/store.js";

export { STORE_CODES, STORE_CODE_CATALOG } from "../../common/codes/store.js";

export type StoreCode = (typeof STORE_CODES)[keyof typeof STORE_CODES];

/** A store, ingest or report input problem: a stable code, a one-line message and a help line. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreCode,
    message: string,
    readonly help: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

