/**
 * SlotTable (sim/slots.ts): on random sequences of puts and takes, each slot
 * gives back what was put in it (a Map kept beside it is the oracle), no two
 * values held at once share a slot, and slots are reused: none is ever past
 * the most values held at once.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SlotTable } from "../../../src/sim/slots.js";

describe("SlotTable", () => {
  it("gives back each value from its slot and reuses slots, on random histories", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ put: fc.boolean(), pick: fc.nat() }), { maxLength: 200 }), (ops) => {
        const table = new SlotTable<number>();
        const held = new Map<number, number>();
        let most = 0;
        let next = 0;
        for (const o of ops) {
          if (o.put || held.size === 0) {
            const slot = table.put(next);
            expect(held.has(slot)).toBe(false);
            held.set(slot, next++);
            most = Math.max(most, held.size);
            expect(slot).toBeLessThan(most);
          } else {
            const slot = [...held.keys()][o.pick % held.size];
            expect(table.get(slot)).toBe(held.get(slot));
            expect(table.take(slot)).toBe(held.get(slot));
            expect(table.get(slot)).toBeUndefined();
            held.delete(slot);
          }
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("set replaces the value of a slot still held", () => {
    const table = new SlotTable<string>();
    const a = table.put("a");
    const b = table.put("b");
    table.set(a, "suspended");
    expect(table.take(a)).toBe("suspended");
    expect(table.put("c")).toBe(a);
    expect(table.get(b)).toBe("b");
  });
});
