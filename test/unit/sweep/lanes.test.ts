/**
 * How the lanes of a run pool deal tasks (sweep/lanes.ts): each lane its own
 * block first, in order, then from the end; every task claimed exactly once,
 * whatever order the lanes claim in. Expectations worked out by hand from the
 * rule, and a property over random interleavings.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { claim, claimSlots, FREE, type Batch } from "../../../src/sweep/lanes.js";

const batch = (id: number, n: number): Batch<number> => ({ id, status: claimSlots(n), tasks: Array.from({ length: n }, (_, i) => i) });
/** Claims until none is left, for the lanes in `order` (cycled), returning [lane, batch id, slot] per claim. */
function drain(batches: Batch<number>[], lanes: number, order: readonly number[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let k = 0; ; k++) {
    const lane = order[k % order.length];
    const c = claim(batches, lane, lanes);
    if (c === undefined) {
      // A lane finding nothing means nothing is left for any lane.
      for (let l = 0; l < lanes; l++) expect(claim(batches, l, lanes)).toBeUndefined();
      return out;
    }
    out.push([lane, c.batch.id, c.slot]);
  }
}

describe("claim", () => {
  it("a lane alone takes its own block in order, then the rest from the end", () => {
    // 9 tasks, 2 lanes: lane 0's block is [0, 4), lane 1's [4, 9).
    expect(drain([batch(0, 9)], 2, [0]).map(([, , s]) => s)).toEqual([0, 1, 2, 3, 8, 7, 6, 5, 4]);
    expect(drain([batch(0, 9)], 2, [1]).map(([, , s]) => s)).toEqual([4, 5, 6, 7, 8, 3, 2, 1, 0]);
  });

  it("two lanes taking turns each work through their block, then steal from the end", () => {
    // Turns 0,1,0,1,...: lane 0 takes 0..3, lane 1 takes 4..7; then lane 0 steals 8 (the end), and lane 1 finds nothing.
    expect(drain([batch(0, 9)], 2, [0, 1])).toEqual([
      [0, 0, 0],
      [1, 0, 4],
      [0, 0, 1],
      [1, 0, 5],
      [0, 0, 2],
      [1, 0, 6],
      [0, 0, 3],
      [1, 0, 7],
      [0, 0, 8],
    ]);
  });

  it("blocks are taken in each batch, oldest first; stealing starts from the latest batch", () => {
    // Batches of 4 and 2, 2 lanes: lane 1's blocks are [2, 4) of batch 0 and [1, 2) of batch 1.
    expect(drain([batch(0, 4), batch(1, 2)], 2, [1])).toEqual([
      [1, 0, 2],
      [1, 0, 3],
      [1, 1, 1],
      [1, 1, 0],
      [1, 0, 1],
      [1, 0, 0],
    ]);
  });

  it("marks a claimed slot with 1 + the lane, and leaves a batch of more lanes than tasks to the lanes with a block", () => {
    const b = batch(0, 2);
    // 3 lanes over 2 tasks: blocks [0, 0), [0, 1), [1, 2): lane 0 has none and steals from the end.
    expect(claim([b], 0, 3)).toEqual({ batch: b, slot: 1 });
    expect(claim([b], 1, 3)).toEqual({ batch: b, slot: 0 });
    expect([...b.status]).toEqual([2, 1]);
    expect(claim([b], 2, 3)).toBeUndefined();
    expect(FREE).toBe(0);
  });

  it("claims every task exactly once whatever the lanes, batches and interleaving", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (lanes, sizes, turns) => {
        const batches = sizes.map((n, id) => batch(id, n));
        const claims = drain(batches, lanes, turns.map((t) => t % lanes));
        const keys = claims.map(([, id, slot]) => `${id}:${slot}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.length).toBe(sizes.reduce((s, n) => s + n, 0));
        for (const [lane, id, slot] of claims) expect(batches[id].status[slot]).toBe(lane + 1);
      }),
    );
  });
});
