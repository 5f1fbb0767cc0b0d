import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dominates, paretoFront, paretoIndices } from "../../../src/sweep/pareto.js";

type P = { name: string; wait: number; score: number };
const byWait = (p: P) => p.wait;
const byScore = (p: P) => p.score;

describe("dominates", () => {
  it("dominates(a, b) is true when a is no worse everywhere and better somewhere (minimisation)", () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([0, 0], [1, 1])).toBe(true);
    expect(dominates([1, 3], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 1])).toBe(false);
  });

  it("dominates(a, a) is false: equal vectors do not dominate each other", () => {
    expect(dominates([1, 2], [1, 2])).toBe(false);
  });

  it("dominates refuses vectors of different lengths and NaN", () => {
    expect(() => dominates([1], [1, 2])).toThrowErrorMatchingInlineSnapshot(`[RangeError: dominates: expected vectors of the same length, got 1 and 2]`);
    expect(() => dominates([1, Number.NaN], [1, 2])).toThrowErrorMatchingInlineSnapshot(`[RangeError: dominates: objective 1: expected a number, got NaN]`);
  });
});

describe("paretoFront", () => {
  it("paretoFront([], objectives) is empty, and a single point is its own front", () => {
    expect(paretoFront<P>([], [byWait])).toEqual([]);
    const p = { name: "a", wait: 1, score: 1 };
    expect(paretoFront([p], [byWait, byScore])).toEqual([p]);
  });

  it("paretoFront keeps the non-dominated points in input order", () => {
    const points: P[] = [
      { name: "slow-green", wait: 10, score: 1 },
      { name: "dominated", wait: 6, score: 6 },
      { name: "fast-grey", wait: 1, score: 10 },
      { name: "middle", wait: 5, score: 5 },
      { name: "worse-middle", wait: 5, score: 7 },
    ];
    expect(paretoFront(points, [byWait, byScore]).map((p) => p.name)).toEqual(["slow-green", "fast-grey", "middle"]);
    expect(paretoIndices(points, [byWait, byScore])).toEqual([0, 2, 3]);
  });

  it("paretoFront with one objective keeps every point at the minimum", () => {
    const points: P[] = [
      { name: "a", wait: 3, score: 0 },
      { name: "b", wait: 1, score: 0 },
      { name: "c", wait: 1, score: 9 },
    ];
    expect(paretoFront(points, [byWait]).map((p) => p.name)).toEqual(["b", "c"]);
  });

  it("paretoFront keeps every copy of a duplicated non-dominated point", () => {
    const a = { name: "a", wait: 1, score: 2 };
    const a2 = { name: "a2", wait: 1, score: 2 };
    const b = { name: "b", wait: 2, score: 3 };
    expect(paretoFront([a, b, a2], [byWait, byScore])).toEqual([a, a2]);
  });

  it("paretoFront maximises an objective given negated", () => {
    const points: P[] = [
      { name: "a", wait: 1, score: 1 },
      { name: "b", wait: 1, score: 2 },
    ];
    expect(paretoFront(points, [byWait, (p) => -p.score]).map((p) => p.name)).toEqual(["b"]);
  });

  it("paretoFront refuses no objectives and NaN objectives", () => {
    expect(() => paretoFront([{ wait: 1 }], [])).toThrowErrorMatchingInlineSnapshot(`[RangeError: paretoFront: expected at least one objective, got none]`);
    expect(() => paretoFront([{ wait: 1 }, { wait: Number.NaN }], [(p) => p.wait])).toThrowErrorMatchingInlineSnapshot(`[RangeError: paretoFront: point 1, objective 0: expected a number, got NaN]`);
  });

  it("paretoFront: no point on the front is dominated, and every point off it is dominated by one on it", () => {
    const vec = (m: number) => fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((m) => fc.array(vec(m), { maxLength: 40 })),
        (points) => {
          const m = points[0]?.length ?? 1;
          const objectives = Array.from({ length: m }, (_, k) => (p: number[]) => p[k]);
          const onFront = new Set(paretoIndices(points, objectives));
          const front = [...onFront].map((i) => points[i]);
          for (const f of front) expect(points.some((q) => dominates(q, f))).toBe(false);
          points.forEach((p, i) => {
            if (!onFront.has(i)) expect(front.some((f) => dominates(f, p))).toBe(true);
          });
          // stable: the front is a subsequence of the input
          expect([...onFront]).toEqual([...onFront].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});
