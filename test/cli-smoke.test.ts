import { describe, expect, test } from "vitest";
import { main } from "../cli/main.js";
import { memoryIo } from "../cli/io.js";

describe("nvp", () => {
  test("--version prints the version and exits 0", async () => {
    const io = memoryIo();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  test("an unknown command is a usage error (exit 2)", async () => {
    const io = memoryIo();
    expect(await main(["frobnicate"], io)).toBe(2);
  });
});
