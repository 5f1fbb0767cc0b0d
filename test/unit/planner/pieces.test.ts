/**
 * planPieces against an independent exact oracle: every plan of pieces is
 * enumerated (each piece's first slot, its length in work slots, which work
 * slot holds the remainder), with the rules written out again here from the
 * definitions in src/planner/pieces.ts, and the cheapest cost compared. Then
 * hand-worked cases.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planPieces, slotRates, type Piece } from "../../../src/planner/pieces.js";

interface Case {
  rates: number[];
  step: number;
  /** The window is rates.length slots long, less `short` seconds at its end. */
  short: number;
  work: number;
  restart: number;
  minPiece: number;
  resumed: boolean;
}

/** Brute force: the least cost over every plan, or Infinity when none fits. */
function oracle(c: Case): number {
  const n = c.rates.length;
  const lastLen = c.step - c.short;
  const K = Math.ceil(c.work / c.step - 1e-9);
  const rho = c.work - (K - 1) * c.step;
  const R = Math.ceil(c.restart / c.step - 1e-9);
  const M = Math.min(Math.max(1, Math.ceil(c.minPiece / c.step - 1e-9)), K);
  const len = (k: number) => (k === n - 1 ? lastLen : c.step);
  let best = Infinity;
  // Place pieces left to right: `next` is the first slot free, `left` the work slots still to place, `remDone` whether the remainder is placed.
  const go = (next: number, left: number, remDone: boolean, first: boolean, cost: number) => {
    if (left === 0) {
      if (remDone) best = Math.min(best, cost);
      return;
    }
    for (let s = next; s < n; s++) {
      const r = first && !c.resumed ? 0 : R;
      // Restart slots: whole slots; the r-th costs min(step, restart - (r - 1) step).
      let rc = 0;
      let ok = true;
      for (let i = 0; i < r; i++) {
        const k = s + i;
        if (k >= n || len(k) < c.step) ok = false;
        else rc += c.rates[k] * Math.min(c.step, c.restart - i * c.step);
      }
      if (!ok) continue;
      for (let w = M; w <= left; w++) {
        // Work slots s + r .. s + r + w - 1; the remainder, if in this piece, is its last.
        for (const withRem of remDone ? [false] : [true, false]) {
          let wc = 0;
          let fits = true;
          for (let i = 0; i < w; i++) {
            const k = s + r + i;
            const isRem = withRem && i === w - 1;
            if (k >= n) fits = false;
            else if (isRem) {
              if (len(k) < rho - 1e-9) fits = false;
              wc += c.rates[k] * rho;
            } else {
              if (len(k) < c.step) fits = false;
              wc += c.rates[k] * c.step;
            }
          }
          if (!fits) continue;
          // Whole slots placed may not exceed K - 1.
          const wholeHere = withRem ? w - 1 : w;
          const wholeBefore = K - left - (remDone ? 1 : 0);
          if (wholeBefore + wholeHere > K - 1) continue;
          go(s + r + w, left - w, remDone || withRem, false, cost + rc + wc);
        }
      }
    }
  };
  go(0, K, false, true, 0);
  return best;
}

/** The cost of a plan's pieces, recomputed from the slot rates (piecewise constant per slot). */
function costOf(pieces: readonly Piece[], c: Case): number {
  let cost = 0;
  for (const p of pieces) {
    for (let t = p.start; t < p.end; ) {
      const k = Math.floor(t / c.step + 1e-9);
      const e = Math.min(p.end, (k + 1) * c.step);
      cost += c.rates[k] * (e - t);
      t = e;
    }
  }
  return cost;
}

const solve = (c: Case) =>
  planPieces({ from: 0, to: c.rates.length * c.step - c.short, work: c.work, step: c.step, rates: c.rates, restart: c.restart, minPiece: c.minPiece, resumed: c.resumed });

const caseArb = fc
  .record({
    rates: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }),
    short: fc.constantFrom(0, 0, 40),
    workSlots: fc.integer({ min: 1, max: 4 }),
    rem: fc.constantFrom(100, 30, 70),
    restart: fc.constantFrom(0, 0, 100, 150, 250),
    minPiece: fc.constantFrom(0, 100, 200, 300),
    resumed: fc.boolean(),
  })
  .map((r): Case => ({ rates: r.rates, step: 100, short: r.rates.length > 1 ? r.short : 0, work: (r.workSlots - 1) * 100 + r.rem, restart: r.restart, minPiece: r.minPiece, resumed: r.resumed }));

describe("planPieces", () => {
  it("planPieces() takes the cheapest slots, whole, and the next cheapest as the remainder (no restart, pieces of one slot)", () => {
    // Slots of 100 s with rates 5 1 4 2 3; 250 s of work = 2 whole slots and a remainder of 50 s.
    // Cheapest: slot 1 (1) and slot 3 (2) whole, slot 4 (3) holds the remainder: 100 + 200 + 150 = 450.
    const plan = planPieces({ from: 0, to: 500, work: 250, step: 100, rates: [5, 1, 4, 2, 3] })!;
    expect(plan.cost).toBe(450);
    expect(plan.pieces).toEqual([
      { start: 100, end: 200, restart: 0 },
      { start: 300, end: 450, restart: 0 },
    ]);
  });

  it("planPieces({ restart }) pays a restart only where an interruption saves more than it costs", () => {
    // Rates 1 9 1, 200 s of work, restart 100 s: interrupting costs 100 (slot 0) + restart 100 x 9 (slot 1) + 100 (slot 2) = 1100,
    // against running through slots 0-1 (100 + 900 = 1000) or 1-2 (1000): it runs through, from the first (ties to the earlier).
    const through = planPieces({ from: 0, to: 300, work: 200, step: 100, rates: [1, 9, 1], restart: 100 })!;
    expect(through.cost).toBe(1000);
    expect(through.pieces).toEqual([{ start: 0, end: 200, restart: 0 }]);
    // Rates 1 1 9 2 1 1, 400 s of work: any run through four slots holds the 9 (1300); stopping over it and re-reading the
    // checkpoint in slot 3 costs 1 + 1 (slots 0-1) + 2 (restart) + 1 + 1 (slots 4-5) = 6 x 100 = 600.
    const split = planPieces({ from: 0, to: 600, work: 400, step: 100, rates: [1, 1, 9, 2, 1, 1], restart: 100 })!;
    expect(split.cost).toBe(600);
    expect(split.pieces).toEqual([
      { start: 0, end: 200, restart: 0 },
      { start: 300, end: 600, restart: 100 },
    ]);
  });

  it("planPieces({ minPiece }) keeps every piece at least that long", () => {
    // Rates 1 9 1 9 1, 300 s of work (3 slots), pieces of >= 200 s (2 slots): 3 slots split only as one piece of 3, so
    // the three cheap slots 0, 2, 4 (cost 300) are out; every run of 3 slots costs (1 + 9 + 1) x 100 = 1100 or more: slot 0 first.
    const plan = planPieces({ from: 0, to: 500, work: 300, step: 100, rates: [1, 9, 1, 9, 1], minPiece: 200 })!;
    expect(plan.cost).toBe(1100);
    expect(plan.pieces).toEqual([{ start: 0, end: 300, restart: 0 }]);
  });

  it("planPieces() is undefined when the window cannot hold the work", () => {
    expect(planPieces({ from: 0, to: 150, work: 200, step: 100, rates: [1, 1] })).toBeUndefined();
    // A resumed job re-reads its checkpoint first: 100 s of restart and 300 s of work do not fit in 300 s.
    expect(planPieces({ from: 0, to: 300, work: 300, step: 100, rates: [1, 9, 1], restart: 100, resumed: true })).toBeUndefined();
  });

  it("planPieces() equals the brute-force optimum over every plan, and its pieces cost what it says", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const want = oracle(c);
        const plan = solve(c);
        if (want === Infinity) return plan === undefined;
        expect(plan).toBeDefined();
        expect(plan!.cost).toBeCloseTo(want, 9);
        // Pieces in order, inside the window, work + restarts adding up.
        let t = -Infinity;
        let work = 0;
        plan!.pieces.forEach((p, i) => {
          expect(p.start).toBeGreaterThanOrEqual(t);
          expect(p.end).toBeLessThanOrEqual(c.rates.length * c.step - c.short + 1e-9);
          expect(p.restart).toBe(i > 0 || c.resumed ? (c.restart > 0 ? c.restart : 0) : 0);
          t = p.end;
          work += p.end - p.start - (p.restart > 0 ? Math.ceil(p.restart / c.step - 1e-9) * c.step : 0);
        });
        expect(work).toBeCloseTo(c.work, 9);
        if (c.restart === 0) expect(costOf(plan!.pieces, c)).toBeCloseTo(plan!.cost, 9);
        return true;
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it("slotRates() averages a forecast over each slot, the last one cut at the window's end", () => {
    // mean(a, b) = (a + b) / 2 stands for a forecast mean.
    expect(Array.from(slotRates(0, 250, 100, (a, b) => (a + b) / 2))).toEqual([50, 150, 225]);
  });

  it("planPieces() refuses a window, work or rates that make no sense, naming them", () => {
    expect(() => planPieces({ from: 10, to: 10, work: 1, step: 1, rates: [] })).toThrow("planPieces: expected a window from < to, got [10, 10)");
    expect(() => planPieces({ from: 0, to: 10, work: 0, step: 1, rates: new Array(10).fill(1) })).toThrow("planPieces: work: expected seconds > 0, got 0");
    expect(() => planPieces({ from: 0, to: 10, work: 1, step: 5, rates: [1] })).toThrow("planPieces: rates: expected 2 slot rates for [0, 10) in steps of 5 s, got 1");
  });
});
