/**
 * The job table's id map (sim/idTable.ts) against a JavaScript Map, the
 * oracle: random sets, gets, deletes and clears over ids drawn from a few
 * narrow ranges (long probe runs, deletions inside them), steps of 1,024
 * (ids that share low bits), negative ids, 32-bit extremes, fractions, -0 and
 * ids past 32 bits; every answer and the size after every step equal the
 * Map's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdTable } from "../../../src/sim/idTable.js";

const ids = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: -20, max: 20 }).map((k) => k * 1024),
  fc.integer({ min: 1_000_000, max: 1_000_300 }),
  fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40 + 3, 0.5, -0, 1e21),
);
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), id: ids }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), id: ids }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("get" as const), id: ids }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("clear" as const), id: fc.constant(0) }) },
);

describe("IdTable", () => {
  it("property: answers every get, delete and size as a Map does, through growth, deletions within probe runs and clears", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const table = new IdTable<{ v: number }>();
        const oracle = new Map<number, { v: number }>();
        ops.forEach(({ kind, id }, step) => {
          if (kind === "set") {
            const v = { v: step };
            table.set(id, v);
            oracle.set(id, v);
          } else if (kind === "delete") expect(table.delete(id)).toBe(oracle.delete(id));
          else if (kind === "get") expect(table.get(id)).toBe(oracle.get(id));
          else {
            table.clear();
            oracle.clear();
          }
          expect(table.size).toBe(oracle.size);
        });
        for (const [id, v] of oracle) expect(table.get(id)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps 100,000 ids coming and going in a window of 3,000 (a long run's arrivals and ends), each found until deleted", () => {
    const table = new IdTable<number>();
    for (let i = 0; i < 100_000; i++) {
      table.set(7 * i + 3, i);
      if (i >= 3000) {
        expect(table.delete(7 * (i - 3000) + 3)).toBe(true);
        expect(table.get(7 * (i - 3000) + 3)).toBeUndefined();
      }
      if (i % 997 === 0) for (let k = Math.max(0, i - 2999); k <= i; k += 101) expect(table.get(7 * k + 3)).toBe(k);
    }
    expect(table.size).toBe(3000);
  });
});
