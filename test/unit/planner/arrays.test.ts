import { describe, expect, it } from "vitest";
import { insertAt, removeAt, replaceRange } from "../../../src/planner/arrays.js";

/** A deterministic generator (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("in-place array edits (planner/arrays.ts)", () => {
  it("leave arrays as Array.prototype.splice does, over random edits", () => {
    const rnd = lcg(7);
    const a: number[] = [];
    const ref: number[] = [];
    for (let step = 0; step < 5000; step++) {
      const r = rnd();
      const x = Math.floor(rnd() * 1000);
      if (r < 0.4 || ref.length === 0) {
        const i = Math.floor(rnd() * (ref.length + 1));
        insertAt(a, i, x);
        ref.splice(i, 0, x);
      } else if (r < 0.7) {
        const i = Math.floor(rnd() * ref.length);
        removeAt(a, i);
        ref.splice(i, 1);
      } else {
        const from = Math.floor(rnd() * (ref.length + 1));
        const to = from + Math.floor(rnd() * (ref.length - from + 1));
        replaceRange(a, from, to, x);
        ref.splice(from, to - from, x);
      }
      expect(a).toEqual(ref);
    }
  });

  it("handle the ends: insert at 0 and at the length, remove the last, replace everything", () => {
    const a = [1, 2, 3];
    insertAt(a, 0, 0);
    insertAt(a, 4, 4);
    expect(a).toEqual([0, 1, 2, 3, 4]);
    removeAt(a, 4);
    expect(a).toEqual([0, 1, 2, 3]);
    replaceRange(a, 0, 4, 9);
    expect(a).toEqual([9]);
    replaceRange(a, 1, 1, 8);
    expect(a).toEqual([9, 8]);
  });
});
