/**
 * HEFT (src/planner/heft.ts): defaults, the paper's example, a diamond worked by
 * hand, invariants on random DAGs against a naive reference, and error messages.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { heftSchedule, heftUpwardRank, type HeftCosts, type HeftDag, type HeftPlan } from "../../../src/planner/heft.js";

/** A DAG and edge weights from a list of (parent, child, weight), tasks 0..n-1. */
function dagOf(n: number, edges: readonly (readonly [number, number, number])[]): { dag: HeftDag; weight: Map<string, number> } {
  const parents: number[][] = Array.from({ length: n }, () => []);
  const children: number[][] = Array.from({ length: n }, () => []);
  const weight = new Map<string, number>();
  for (const [p, c, w] of edges) {
    parents[c].push(p);
    children[p].push(c);
    weight.set(`${p},${c}`, w);
  }
  return { dag: { n, parents, children }, weight };
}

/** Costs from an exec table; comm is the edge weight between distinct resources, meanComm the weight (the paper's c̄). */
function tableCosts(exec: readonly (readonly number[])[], weight: Map<string, number>, extra: Partial<HeftCosts> = {}): HeftCosts {
  const w = (p: number, c: number) => weight.get(`${p},${c}`) ?? 0;
  return {
    m: exec[0].length,
    exec: (i, r) => exec[i][r],
    comm: (p, c, a, b) => (a === b ? 0 : w(p, c)),
    meanComm: w,
    ...extra,
  };
}

/* Diamond A(0) -> B(1), C(2) -> D(3) on two resource types: 0 = CPU node, 1 = GPU node.
 *            CPU  GPU  meanExec        edge   comm between CPU and GPU (0 on the same one)
 *   A (0)     4    8    6              A->B   3
 *   B (1)    10    2    6              A->C   2
 *   C (2)     5    1    3              B->D   4
 *   D (3)     3    9    6              C->D   1
 * Upward ranks (meanComm = the edge's comm):
 *   D = 6;  B = 6 + 4 + 6 = 16;  C = 3 + 1 + 6 = 10;  A = 6 + max(3 + 16, 2 + 10) = 25.
 *   Order: A, B, C, D.
 * Insertion (default):
 *   A: CPU [0, 4] (EFT 4) beats GPU [0, 8].
 *   B: CPU: data at 4, CPU free at 4 -> [4, 14]; GPU: data at 4 + 3 = 7 -> [7, 9]. GPU.
 *   C: CPU: data at 4 -> [4, 9]; GPU: data at 4 + 2 = 6, the gap [6, 7] before B fits
 *      exec 1 -> [6, 7]. GPU (finish 7 < 9), inserted before B.
 *   D: CPU: data at max(9 + 4, 7 + 1) = 13 -> [13, 16]; GPU: data at 9, GPU busy
 *      until 9 -> [9, 18]. CPU. Makespan 16.
 * Without insertion, C on GPU could only start after B, at 9 -> [9, 10] (finish 10);
 *   CPU [4, 9] wins. D: CPU data at max(9 + 4, 9) = 13 -> [13, 16]; GPU data at
 *   max(9, 9 + 1) = 10 -> [10, 19]. CPU. Makespan 16.
 */
const DIAMOND_EXEC = [
  [4, 8],
  [10, 2],
  [5, 1],
  [3, 9],
];
const DIAMOND = dagOf(4, [
  [0, 1, 3],
  [0, 2, 2],
  [1, 3, 4],
  [2, 3, 1],
]);
const diamondCosts = (extra: Partial<HeftCosts> = {}) => tableCosts(DIAMOND_EXEC, DIAMOND.weight, extra);

describe("heftSchedule() defaults", () => {
  it("heftSchedule(dag, costs) uses insertion, finishWeight 1, costWeight 0 and ready 0", () => {
    const plan = heftSchedule(DIAMOND.dag, diamondCosts());
    expect(plan).toEqual(heftSchedule(DIAMOND.dag, diamondCosts(), { insertion: true, finishWeight: 1, costWeight: 0 }));
    expect(plan).toEqual(heftSchedule(DIAMOND.dag, diamondCosts({ ready: () => 0 })));
    let called = 0;
    const withCost = heftSchedule(DIAMOND.dag, diamondCosts({ cost: () => (called++, 1) }));
    expect(withCost).toEqual(plan);
    expect(called).toBe(0);
  });
});

/* The example of Topcuoglu, Hariri and Wu, IEEE TPDS 13(3):260-274, 2002: Fig. 2 (DAG
 * with edge costs) and its table of computation costs on processors P1..P3. Transcribed
 * from the test data of the open-source HEFT implementation mackncheesiest/heft
 * (test/canonicalgraph_task_exe_time.csv and test/canonicalgraph_task_connectivity.csv,
 * tasks renumbered from 0; the expected schedule is in heft/test/test_heft.py there), and
 * checked against the paper's values: upward ranks 108, 77, 80, 80, 69, 63.33, 42.67,
 * 35.67, 44.33, 14.67; order n1, n3, n4, n2, n5, n6, n9, n7, n8, n10; schedule length 80
 * (Fig. 4a). Processors P1..P3 are resources 0..2.
 */
const PAPER_EXEC = [
  [14, 16, 9], // n1
  [13, 19, 18], // n2
  [11, 13, 19], // n3
  [13, 8, 17], // n4
  [12, 13, 10], // n5
  [13, 16, 9], // n6
  [7, 15, 11], // n7
  [5, 11, 14], // n8
  [18, 12, 20], // n9
  [21, 7, 16], // n10
];
const PAPER = dagOf(
  10,
  (
    [
      [1, 2, 18], [1, 3, 12], [1, 4, 9], [1, 5, 11], [1, 6, 14],
      [2, 8, 19], [2, 9, 16], [3, 7, 23], [4, 8, 27], [4, 9, 23],
      [5, 9, 13], [6, 8, 15], [7, 10, 17], [8, 10, 11], [9, 10, 13],
    ] as const
  ).map(([p, c, w]) => [p - 1, c - 1, w] as const),
);
const paperCosts = () => tableCosts(PAPER_EXEC, PAPER.weight);

describe("heftSchedule() on the example of Topcuoglu et al. 2002", () => {
  it("heftUpwardRank(dag, costs) gives the published upward ranks", () => {
    const rank = heftUpwardRank(PAPER.dag, paperCosts());
    expect([...rank].map((r) => r.toFixed(2))).toEqual(["108.00", "77.00", "80.00", "80.00", "69.00", "63.33", "42.67", "35.67", "44.33", "14.67"]);
    // n1: mean(14, 16, 9) = 13 plus the heaviest child term, n2's 18 + 77 = 95 (n3: 12 + 80 = 92).
    expect(rank[0]).toBe(13 + 18 + 77);
  });

  it("heftSchedule(dag, costs) gives the published order, processors, times and schedule length 80", () => {
    const plan = heftSchedule(PAPER.dag, paperCosts());
    // n1, n3, n4, n2, n5, n6, n9, n7, n8, n10 (n3 and n4 both rank 80: tie by index).
    expect([...plan.order].map((i) => i + 1)).toEqual([1, 3, 4, 2, 5, 6, 9, 7, 8, 10]);
    // Fig. 4a: P3 runs n1, n3, n5, n7; P2 runs n4, n6, n9, n10; P1 runs n2, n8.
    expect([...plan.resource].map((r) => `P${r + 1}`)).toEqual(["P3", "P1", "P3", "P2", "P3", "P2", "P3", "P1", "P2", "P2"]);
    expect([...plan.start]).toEqual([0, 27, 9, 18, 28, 26, 38, 57, 56, 73]);
    expect([...plan.finish]).toEqual([9, 40, 28, 26, 38, 42, 49, 62, 68, 80]);
    expect(plan.makespan).toBe(80);
  });
});

describe("heftSchedule() on a diamond worked by hand", () => {
  it("heftUpwardRank(diamond) is 25, 16, 10, 6", () => {
    expect([...heftUpwardRank(DIAMOND.dag, diamondCosts())]).toEqual([25, 16, 10, 6]);
  });

  it("heftSchedule(diamond) inserts C into the GPU gap before B", () => {
    const plan = heftSchedule(DIAMOND.dag, diamondCosts());
    expect([...plan.order]).toEqual([0, 1, 2, 3]);
    expect([...plan.resource]).toEqual([0, 1, 1, 0]);
    expect([...plan.start]).toEqual([0, 7, 6, 13]);
    expect([...plan.finish]).toEqual([4, 9, 7, 16]);
    expect(plan.makespan).toBe(16);
  });

  it("heftSchedule(diamond, {insertion: false}) appends C to the CPU instead", () => {
    const plan = heftSchedule(DIAMOND.dag, diamondCosts(), { insertion: false });
    expect([...plan.resource]).toEqual([0, 1, 0, 0]);
    expect([...plan.start]).toEqual([0, 7, 4, 13]);
    expect([...plan.finish]).toEqual([4, 9, 9, 16]);
    expect(plan.makespan).toBe(16);
  });

  it("heftSchedule(diamond) with ready times starts no task before its resource is ready", () => {
    // CPU ready at 5, GPU at 0. A: CPU [5, 9], GPU [0, 8] -> GPU. B: GPU data at 8 -> [8, 10];
    // CPU data at 8 + 3 = 11 -> [11, 21]. GPU. C: GPU data at 8, busy until 10 -> [10, 11];
    // CPU data at 8 + 2 = 10 -> [10, 15]. GPU. D: GPU data at 11 -> [11, 20]; CPU data at
    // max(10 + 4, 11 + 1) = 14 -> [14, 17]. CPU. Makespan 17.
    const plan = heftSchedule(DIAMOND.dag, diamondCosts({ ready: (r) => (r === 0 ? 5 : 0) }));
    expect([...plan.resource]).toEqual([1, 1, 1, 0]);
    expect([...plan.start]).toEqual([0, 8, 10, 14]);
    expect(plan.makespan).toBe(17);
  });
});

describe("heftSchedule() with a cost", () => {
  // One task: exec 10 on resource 0 with cost 5, exec 12 on resource 1 with cost 2.
  // Normalisers: least finish 10, least cost 2.
  const one = dagOf(1, []);
  const costs: HeftCosts = { m: 2, exec: (_i, r) => [10, 12][r], comm: () => 0, meanComm: () => 0, cost: (_i, r) => [5, 2][r] };

  it("heftSchedule(dag, costs, {costWeight: 1}) trades a later finish for a lower cost", () => {
    // Resource 0: 10/10 + 5/2 = 3.5; resource 1: 12/10 + 2/2 = 2.2.
    expect(heftSchedule(one.dag, costs, { costWeight: 1 }).resource[0]).toBe(1);
  });

  it("heftSchedule(dag, costs, {costWeight: 0.1}) keeps the earliest finish when cost weighs little", () => {
    // Resource 0: 10/10 + 0.1 * 5/2 = 1.25; resource 1: 12/10 + 0.1 * 2/2 = 1.3.
    expect(heftSchedule(one.dag, costs, { costWeight: 0.1 }).resource[0]).toBe(0);
  });

  it("heftSchedule(dag, costs, {finishWeight: 0, costWeight: 1}) breaks equal costs by the earlier finish", () => {
    const flat = { ...costs, cost: () => 3 };
    expect(heftSchedule(one.dag, flat, { finishWeight: 0, costWeight: 1 }).resource[0]).toBe(0);
  });

  it("heftSchedule(dag, costs) passes the task, resource, start and finish to cost", () => {
    const seen: number[][] = [];
    heftSchedule(DIAMOND.dag, diamondCosts({ cost: (i, r, s, f) => (seen.push([i, r, s, f]), 1) }), { costWeight: 1 });
    // Task A is placed first: CPU [0, 4], GPU [0, 8].
    expect(seen.slice(0, 2)).toEqual([
      [0, 0, 0, 4],
      [0, 1, 0, 8],
    ]);
  });
});

// ---------------------------------------------------------------------------
// Random DAGs

interface World {
  n: number;
  m: number;
  edges: [number, number, number][];
  exec: number[][];
  ready: number[];
}

const world: fc.Arbitrary<World> = fc
  .record({ n: fc.integer({ min: 1, max: 20 }), m: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, m }) =>
    fc.record({
      n: fc.constant(n),
      m: fc.constant(m),
      rawEdges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: 0, max: 10 })), { maxLength: 3 * n }),
      exec: fc.array(fc.array(fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constant(0), fc.constant(Infinity)), { minLength: m, maxLength: m }), {
        minLength: n,
        maxLength: n,
      }),
      ready: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: m, maxLength: m }),
    }),
  )
  .map(({ n, m, rawEdges, exec, ready }) => {
    const seen = new Set<string>();
    const edges: [number, number, number][] = [];
    for (const [a, b, w] of rawEdges) {
      if (a === b) continue;
      const p = Math.min(a, b);
      const c = Math.max(a, b);
      if (seen.has(`${p},${c}`)) continue;
      seen.add(`${p},${c}`);
      edges.push([p, c, w]);
    }
    // Every task can run somewhere.
    exec.forEach((row, i) => {
      if (row.every((e) => e === Infinity)) row[i % m] = 5;
    });
    return { n, m, edges, exec, ready };
  });

function worldCosts(w: World, extra: Partial<HeftCosts> = {}): { dag: HeftDag; costs: HeftCosts } {
  const { dag, weight } = dagOf(w.n, w.edges);
  // comm grows with the distance between resources; meanComm is its mean over ordered pairs.
  const base = (p: number, c: number) => weight.get(`${p},${c}`) ?? 0;
  let meanDist = 0;
  for (let a = 0; a < w.m; a++) for (let b = 0; b < w.m; b++) meanDist += Math.abs(a - b) / (w.m * w.m);
  return {
    dag,
    costs: {
      m: w.m,
      exec: (i, r) => w.exec[i][r],
      comm: (p, c, a, b) => base(p, c) * Math.abs(a - b),
      meanComm: (p, c) => base(p, c) * meanDist,
      ready: (r) => w.ready[r],
      ...extra,
    },
  };
}

/** Straightforward HEFT without binary search or typed arrays: the oracle for heftSchedule. */
function naiveHeft(dag: HeftDag, costs: HeftCosts, order: Int32Array, insertion: boolean): { resource: number[]; start: number[]; finish: number[] } {
  const resource: number[] = new Array(dag.n).fill(-1);
  const start: number[] = new Array(dag.n).fill(0);
  const finish: number[] = new Array(dag.n).fill(0);
  const busy: [number, number][][] = Array.from({ length: costs.m }, () => []);
  for (const i of order) {
    let best = { r: -1, s: Infinity, f: Infinity };
    for (let r = 0; r < costs.m; r++) {
      const e = costs.exec(i, r);
      if (e === Infinity) continue;
      const ready = costs.ready?.(r) ?? 0;
      const drt = Math.max(ready, ...dag.parents[i].map((p) => finish[p] + (resource[p] === r ? 0 : costs.comm(p, i, resource[p], r))));
      const slots = [...busy[r]].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let s = drt;
      if (insertion) {
        for (const [a, b] of slots) {
          if (s + e <= a) break;
          s = Math.max(s, b);
        }
      } else {
        s = Math.max(s, ...slots.map(([, b]) => b));
      }
      if (s + e < best.f) best = { r, s, f: s + e };
    }
    resource[i] = best.r;
    start[i] = best.s;
    finish[i] = best.f;
    busy[best.r].push([best.s, best.f]);
  }
  return { resource, start, finish };
}

function checkInvariants(dag: HeftDag, costs: HeftCosts, plan: HeftPlan): void {
  const n = dag.n;
  for (let i = 0; i < n; i++) {
    const r = plan.resource[i];
    expect(costs.exec(i, r)).toBeLessThan(Infinity);
    expect(plan.finish[i]).toBe(plan.start[i] + costs.exec(i, r));
    expect(plan.start[i]).toBeGreaterThanOrEqual(costs.ready?.(r) ?? 0);
    for (const p of dag.parents[i]) {
      const c = plan.resource[p] === r ? 0 : costs.comm(p, i, plan.resource[p], r);
      expect(plan.start[i]).toBeGreaterThanOrEqual(plan.finish[p] + c);
    }
    for (let j = i + 1; j < n; j++) {
      if (plan.resource[j] !== r) continue;
      const overlap = plan.start[i] < plan.finish[j] && plan.start[j] < plan.finish[i];
      expect(overlap, `tasks ${i} and ${j} overlap on resource ${r}`).toBe(false);
    }
  }
  expect(plan.makespan).toBe(n === 0 ? 0 : Math.max(...plan.finish));
  // order: a permutation by decreasing rank, ties by index.
  expect([...plan.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  for (let k = 1; k < n; k++) {
    const a = plan.order[k - 1];
    const b = plan.order[k];
    expect(plan.rank[a] > plan.rank[b] + 1e-6 || (Math.abs(plan.rank[a] - plan.rank[b]) <= 1e-6 && a < b)).toBe(true);
  }
}

describe("heftSchedule() on random DAGs", () => {
  it("heftSchedule(dag, costs) respects precedence with comm, ready times and one task at a time per resource", () => {
    fc.assert(
      fc.property(world, fc.boolean(), (w, insertion) => {
        const { dag, costs } = worldCosts(w);
        checkInvariants(dag, costs, heftSchedule(dag, costs, { insertion }));
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it("heftSchedule(dag, costs) matches a naive HEFT with and without insertion", () => {
    fc.assert(
      fc.property(world, fc.boolean(), (w, insertion) => {
        const { dag, costs } = worldCosts(w);
        const plan = heftSchedule(dag, costs, { insertion });
        const ref = naiveHeft(dag, costs, plan.order, insertion);
        expect({ resource: [...plan.resource], start: [...plan.start], finish: [...plan.finish] }).toEqual(ref);
      }),
      { numRuns: 500, seed: 2 },
    );
  });

  it("heftUpwardRank(dag, costs) is meanExec plus the longest child path, and is what heftSchedule reports", () => {
    fc.assert(
      fc.property(world, (w) => {
        const { dag, costs } = worldCosts(w);
        const rank = heftUpwardRank(dag, costs);
        for (let i = 0; i < w.n; i++) {
          const finite = w.exec[i].filter((e) => e < Infinity);
          const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
          const tail = Math.max(0, ...dag.children[i].map((c) => costs.meanComm(i, c) + rank[c]));
          expect(rank[i]).toBeCloseTo(mean + tail, 9);
        }
        expect(heftSchedule(dag, costs).rank).toEqual(rank);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("heftSchedule(dag, costs, {costWeight: 0}) equals the default even when a cost is given", () => {
    fc.assert(
      fc.property(world, (w) => {
        const { dag, costs } = worldCosts(w);
        const withCost = worldCosts(w, { cost: (_i, r) => r + 1 }).costs;
        expect(heftSchedule(dag, withCost, { costWeight: 0 })).toEqual(heftSchedule(dag, costs));
      }),
      { numRuns: 200, seed: 4 },
    );
  });

  it("heftSchedule(dag, costs, {costWeight}) with the same cost everywhere equals the default", () => {
    fc.assert(
      fc.property(world, fc.double({ min: 0.01, max: 100, noNaN: true }), (w, costWeight) => {
        const { dag, costs } = worldCosts(w);
        const flat = worldCosts(w, { cost: () => 7 }).costs;
        expect(heftSchedule(dag, flat, { costWeight })).toEqual(heftSchedule(dag, costs));
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it("heftSchedule(dag, costs, {costWeight: 1000}) with a cost favouring resource 0 puts every task there", () => {
    // Exec is finite everywhere and at most 10, n <= 20: all on resource 0 finishes by
    // 20 + 10 * 20 = 220 (ready + serial exec, no comm). Times are integers, so the least
    // finish is >= 1 (or 0, normalised by 1): finish/leastFinish <= 220 stays below
    // 1000 * (2 - 1) = 1000, the cost gap to any other resource.
    const everywhere = world.map((w) => ({ ...w, exec: w.exec.map((row) => row.map((e) => (e === Infinity ? 3 : e))) }));
    fc.assert(
      fc.property(everywhere, (w) => {
        const { dag, costs } = worldCosts(w);
        const favour0 = worldCosts(w, { cost: (_i, r) => (r === 0 ? 1 : 2) }).costs;
        const onZero = (p: HeftPlan) => p.resource.filter((r) => r === 0).length;
        const plan = heftSchedule(dag, favour0, { costWeight: 1000 });
        checkInvariants(dag, favour0, plan);
        expect(onZero(plan)).toBe(w.n);
        expect(onZero(plan)).toBeGreaterThanOrEqual(onZero(heftSchedule(dag, costs)));
      }),
      { numRuns: 200, seed: 6 },
    );
  });

  it("heftSchedule(dag, costs, {costWeight: 1}) puts more tasks on resource 0 when it is cheaper, over many DAGs", () => {
    const everywhere = world.filter((w) => w.m > 1).map((w) => ({ ...w, exec: w.exec.map((row) => row.map((e) => (e === Infinity ? 3 : e))) }));
    let weightedOnZero = 0;
    let defaultOnZero = 0;
    fc.assert(
      fc.property(everywhere, (w) => {
        const { dag, costs } = worldCosts(w);
        const favour0 = worldCosts(w, { cost: (_i, r) => (r === 0 ? 1 : 2) }).costs;
        weightedOnZero += heftSchedule(dag, favour0, { costWeight: 1 }).resource.filter((r) => r === 0).length;
        defaultOnZero += heftSchedule(dag, costs).resource.filter((r) => r === 0).length;
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(weightedOnZero).toBeGreaterThan(defaultOnZero);
  });
});

describe("heftSchedule() errors", () => {
  it("heftSchedule(dag, costs) throws a RangeError naming a task that can run nowhere", () => {
    const exec = DIAMOND_EXEC.map((row, i) => (i === 2 ? [Infinity, Infinity] : row));
    expect(() => heftSchedule(DIAMOND.dag, tableCosts(exec, DIAMOND.weight))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: task 2: expected a finite exec time on at least one of 2 resources, got none]`,
    );
    expect(() => heftUpwardRank(DIAMOND.dag, tableCosts(exec, DIAMOND.weight))).toThrow(RangeError);
  });

  it("heftSchedule(dag, costs) throws a RangeError when a parent comes after its child", () => {
    const dag: HeftDag = { n: 2, parents: [[1], []], children: [[], [0]] };
    expect(() => heftSchedule(dag, diamondCosts())).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: task 0: expected parents before it (index < 0), got parent 1]`,
    );
  });

  it("heftSchedule(dag, costs) throws a RangeError when parent and child lists disagree", () => {
    const dag: HeftDag = { n: 2, parents: [[], [0]], children: [[], []] };
    expect(() => heftSchedule(dag, diamondCosts())).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: task 1: expected as many parents as child lists naming it, got 1 and 0]`,
    );
  });

  it("heftSchedule(dag, costs) throws a RangeError on a NaN exec time or comm, or a negative weight", () => {
    const nan = DIAMOND_EXEC.map((row, i) => (i === 1 ? [NaN, 2] : row));
    expect(() => heftSchedule(DIAMOND.dag, tableCosts(nan, DIAMOND.weight))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: task 1 on resource 0: expected exec time >= 0 or Infinity, got NaN]`,
    );
    expect(() => heftSchedule(DIAMOND.dag, diamondCosts({ comm: () => -1 }))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: edge 0->1 from resource 0 to 1: expected comm >= 0, got -1]`,
    );
    expect(() => heftSchedule(DIAMOND.dag, diamondCosts(), { costWeight: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heft: options.costWeight: expected a finite number >= 0, got -1]`,
    );
  });

  it("heftSchedule(dag, costs) throws a RangeError when a task's data can reach no resource", () => {
    // A runs only on resource 0, B only on resource 1, and nothing moves between them.
    const { dag } = dagOf(2, [[0, 1, 1]]);
    const costs: HeftCosts = { m: 2, exec: (i, r) => (i === r ? 1 : Infinity), comm: () => Infinity, meanComm: () => 1 };
    expect(() => heftSchedule(dag, costs)).toThrowErrorMatchingInlineSnapshot(`[RangeError: heft: task 1: expected a resource where its parents' data can arrive, got none of 2]`);
  });
});
