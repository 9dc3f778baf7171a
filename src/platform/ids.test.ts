import { describe, expect, it } from "vitest";
import { uuidv7 } from "./ids.js";

describe("uuidv7", () => {
  it("is a version-7 RFC 9562 UUID carrying its millisecond", () => {
    const id = uuidv7(Date.UTC(2026, 10, 25));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("sorts in creation order, also within one millisecond and when the clock steps back", () => {
    const ids = [...Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000)), uuidv7(1_700_000_000_000), uuidv7()];
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });
});
