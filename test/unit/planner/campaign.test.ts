/**
 * Campaign planning (src/planner/campaign.ts): defaults, a 2 sites x 3 slots x 2 classes
 * case worked by hand, windows and barred sites, infeasible campaigns, invariants and LP <=
 * greedy on random small campaigns, and error messages.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { useImpact } from "../../../src/models/charge.js";
import { nodeHourCost, planCampaign, planCampaignGreedy, type CampaignPlan, type CampaignProblem } from "../../../src/planner/campaign.js";

/** Intensity from kg per kWh: at 1000 W a node-hour is 3.6e6 J, so its impact is the kWh figure. */
const perKwh = (kgPerKwh: number) => kgPerKwh / 3.6e6;

/* Two sites, three hourly slots, two classes.
 *   site A: 2 nodes, PUE 1   -> 2 node-hours per slot, embodied 0.1 per node-hour
 *   site B: 1 node,  PUE 1.5 -> 1 node-hour per slot,  embodied 0.2 per node-hour
 *   intensity (kg/kWh):   slot 0  1  2
 *                    A        3  1  2
 *                    B        1  2  1
 *   "cpu": 4 node-hours in [0, 3) at 1000 W on A or B
 *   "gpu": 2 node-hours in [1, 3) at 2000 W on A only
 * Impact per node-hour = kW * PUE * kg/kWh + embodied:
 *   cpu on A: 1 * 1 * [3, 1, 2] + 0.1   = [3.1, 1.1, 2.1]
 *   cpu on B: 1 * 1.5 * [1, 2, 1] + 0.2 = [1.7, 3.2, 1.7]
 *   gpu on A (slots 1, 2): 2 * [1, 2] + 0.1 = [2.1, 4.1]
 * Greedy (deadline order, tie -> earlier release: cpu first): cpu takes A1 (2 x 1.1), B0 (1.7)
 *   and B2 (1.7) = 5.6; gpu finds A1 full and takes A2: 2 x 4.1 = 8.2. Total 13.8.
 * LP: moving gpu's 2 node-hours from A2 to A1 saves 2 x (4.1 - 2.1) = 4, and cpu moves from A1
 *   to its next cheapest cell A2 at a cost of 2 x (2.1 - 1.1) = 2: net -2. Any gpu node-hour left
 *   in A2 would cost 2 - 1 = 1 more, so gpu: A1 = 2; cpu: B0 = 1, B2 = 1, A2 = 2 (its cheapest
 *   cells once A1 is full: 1.7, 1.7, 2.1; next are A0 3.1 and B1 3.2).
 *   Impact 2 x 2.1 + 1.7 + 1.7 + 2 x 2.1 = 11.8.
 */
const HAND: CampaignProblem = {
  sites: [
    { id: "A", nodes: 2, pue: 1 },
    { id: "B", nodes: 1, pue: 1.5 },
  ],
  slotSeconds: 3600,
  slots: 3,
  intensity: [[3, 1, 2].map(perKwh), [1, 2, 1].map(perKwh)],
  classes: [
    { name: "cpu", nodeHours: 4, release: 0, deadline: 3, wattsPerSite: [1000, 1000] },
    { name: "gpu", nodeHours: 2, release: 1, deadline: 3, wattsPerSite: [2000, Infinity] },
  ],
  embodiedPerNodeHour: [0.1, 0.2],
};

/** The allocation with every value rounded to 1e-9, so plans can be compared exactly. */
const rounded = (plan: CampaignPlan) => plan.alloc.map((bySite) => bySite.map((row) => row.map((x) => Math.round(x * 1e9) / 1e9)));

describe("planCampaign", () => {
  it("planCampaign(p) counts no embodied impact and no solve time by default, and sizes the LP", () => {
    const p: CampaignProblem = {
      sites: [{ id: "A", nodes: 1, pue: 1.2 }],
      slotSeconds: 3600,
      slots: 2,
      intensity: [[2, 1].map(perKwh)],
      classes: [{ name: "only", nodeHours: 1, release: 0, deadline: 2, wattsPerSite: [1000] }],
    };
    const plan = planCampaign(p);
    // One node-hour in slot 1 at 1 kW, PUE 1.2, 1 kg/kWh.
    expect(plan.feasible).toBe(true);
    expect(plan.impact).toBeCloseTo(1 * 1.2 * 1, 12);
    expect(plan.alloc).toEqual([[[0, 1]]]);
    expect(plan.solveMs).toBeUndefined();
    expect(plan.reason).toBeUndefined();
    // Variables: 1 class x 1 site x 2 slots; rows: 1 class + 2 cells.
    expect(plan.variables).toBe(2);
    expect(plan.constraints).toBe(3);
  });

  it("nodeHourCost(watts, pue, intensity, embodied) is a node-hour of the accountant's use phase plus embodied impact", () => {
    // 250 W x 3600 s = 0.25 kWh IT; x PUE 1.2 = 0.3 kWh at the facility; x 0.4 kg/kWh = 0.12 kg; + 0.05 embodied.
    expect(nodeHourCost(250, 1.2, perKwh(0.4), 0.05)).toBeCloseTo(0.12 + 0.05, 15);
    expect(nodeHourCost(250, 1.2, perKwh(0.4))).toBeCloseTo(0.12, 15);
    // One node-hour of the charge models/charge.ts makes: its use phase at an hour of constant intensity.
    expect(nodeHourCost(250, 1.2, perKwh(0.4))).toBe(useImpact(250, 1.2, perKwh(0.4) * 3600));
  });

  it("planCampaign(p) finds the hand-worked optimum of 2 sites x 3 slots x 2 classes", () => {
    const plan = planCampaign(HAND);
    expect(plan.feasible).toBe(true);
    expect(plan.impact).toBeCloseTo(2 * 2.1 + 1.7 + 1.7 + 2 * 2.1, 9);
    expect(rounded(plan)).toEqual([
      [
        [0, 0, 2],
        [1, 0, 1],
      ],
      [
        [0, 2, 0],
        [0, 0, 0],
      ],
    ]);
    // cpu: 2 sites x 3 slots; gpu: site A x 2 slots. Rows: 2 classes + 6 cells.
    expect(plan.variables).toBe(6 + 2);
    expect(plan.constraints).toBe(2 + 6);
  });

  it("planCampaign(p, {clock}) reports the time spent in the solver", () => {
    const times = [10, 25];
    const plan = planCampaign(HAND, { clock: () => times.shift()! });
    expect(plan.solveMs).toBe(15);
  });

  it("planCampaign(p) uses the single cheapest cells for one class, as the greedy does", () => {
    // Site A alone, 1 node, 4 slots at 4, 1, 3, 2 kg/kWh; 2.5 node-hours -> slots 1, 3 and half of 2.
    const p: CampaignProblem = {
      sites: [{ id: "A", nodes: 1, pue: 1 }],
      slotSeconds: 3600,
      slots: 4,
      intensity: [[4, 1, 3, 2].map(perKwh)],
      classes: [{ name: "one", nodeHours: 2.5, release: 0, deadline: 4, wattsPerSite: [1000] }],
    };
    const lp = planCampaign(p);
    const greedy = planCampaignGreedy(p);
    expect(rounded(lp)).toEqual([[[0, 1, 0.5, 1]]]);
    expect(greedy.alloc).toEqual([[[0, 1, 0.5, 1]]]);
    expect(lp.impact).toBeCloseTo(1 + 0.5 * 3 + 2, 9);
    expect(greedy.impact).toBeCloseTo(lp.impact, 12);
  });

  it("planCampaign(p) with slots of 30 minutes gives a node half a node-hour per slot", () => {
    const p: CampaignProblem = {
      sites: [{ id: "A", nodes: 3, pue: 1 }],
      slotSeconds: 1800,
      slots: 2,
      intensity: [[1, 2].map(perKwh)],
      classes: [{ name: "c", nodeHours: 2, release: 0, deadline: 2, wattsPerSite: [1000] }],
    };
    const plan = planCampaign(p);
    // Capacity 3 * 1800/3600 = 1.5 node-hours per slot: 1.5 at 1, 0.5 at 2.
    expect(rounded(plan)).toEqual([[[1.5, 0.5]]]);
    expect(plan.impact).toBeCloseTo(1.5 * 1 + 0.5 * 2, 9);
  });

  it("planCampaign(p) keeps work inside its window and off sites where it cannot run", () => {
    // The cleanest cells (site B, and slots 0 and 3) are outside what the class may use.
    const p: CampaignProblem = {
      sites: [
        { id: "A", nodes: 2, pue: 1 },
        { id: "B", nodes: 4, pue: 1 },
      ],
      slotSeconds: 3600,
      slots: 4,
      intensity: [[0, 5, 6, 0].map(perKwh), [0, 0, 0, 0]],
      classes: [{ name: "c", nodeHours: 3, release: 1, deadline: 3, wattsPerSite: [1000] }],
    };
    const plan = planCampaign(p);
    expect(rounded(plan)).toEqual([
      [
        [0, 2, 1, 0],
        [0, 0, 0, 0],
      ],
    ]);
    expect(plan.impact).toBeCloseTo(2 * 5 + 6, 9);
  });

  it("planCampaign(p) reports a class whose window cannot hold its node-hours", () => {
    const p: CampaignProblem = {
      sites: [{ id: "A", nodes: 2, pue: 1 }],
      slotSeconds: 3600,
      slots: 4,
      intensity: [[1, 1, 1, 1].map(perKwh)],
      classes: [{ name: "big", nodeHours: 7, release: 1, deadline: 4, wattsPerSite: [1000] }],
    };
    const plan = planCampaign(p);
    expect(plan.feasible).toBe(false);
    expect(plan.impact).toBe(0);
    expect(plan.reason).toMatchInlineSnapshot(`"class "big" needs 7 node-hours but its window [1, 4) holds at most 6"`);
    expect(planCampaignGreedy(p).reason).toBe(plan.reason);
  });

  it("planCampaign(p) reports a class that can run nowhere", () => {
    const p: CampaignProblem = {
      sites: [
        { id: "A", nodes: 2, pue: 1 },
        { id: "B", nodes: 0, pue: 1 },
      ],
      slotSeconds: 3600,
      slots: 2,
      intensity: [
        [1, 1],
        [1, 1],
      ],
      classes: [{ name: "gpu", nodeHours: 1, release: 0, deadline: 2, wattsPerSite: [Infinity, 500] }],
    };
    expect(planCampaign(p).reason).toMatchInlineSnapshot(`"class "gpu" needs 1 node-hours but has no slot in [0, 2) at a site with nodes where it can run"`);
  });

  it("planCampaign(p) detects classes that fit alone but not together", () => {
    // 2 nodes x 2 slots = 4 node-hours; each class needs 3.
    const p: CampaignProblem = {
      sites: [{ id: "A", nodes: 2, pue: 1 }],
      slotSeconds: 3600,
      slots: 2,
      intensity: [[1, 2].map(perKwh)],
      classes: [
        { name: "a", nodeHours: 3, release: 0, deadline: 2, wattsPerSite: [1000] },
        { name: "b", nodeHours: 3, release: 0, deadline: 2, wattsPerSite: [1000] },
      ],
    };
    const plan = planCampaign(p);
    expect(plan.feasible).toBe(false);
    expect(plan.alloc).toEqual([[[0, 0]], [[0, 0]]]);
    expect(plan.reason).toMatchInlineSnapshot(`"the classes together need more node-hours than the sites hold in their windows (LP infeasible)"`);
    // Greedy: same deadline and release, so "a" goes first and takes 3 of the 4; "b" gets 1.
    expect(planCampaignGreedy(p).reason).toMatchInlineSnapshot(
      `"greedy: class "b" could place only 1 of 3 node-hours; classes placed before it took the room (the LP may still find a plan)"`,
    );
  });

  it("planCampaign(p) plans nothing for a class of zero node-hours, even with an empty window", () => {
    const p: CampaignProblem = { ...HAND, classes: [...HAND.classes, { name: "none", nodeHours: 0, release: 2, deadline: 2, wattsPerSite: [] }] };
    const plan = planCampaign(p);
    expect(plan.feasible).toBe(true);
    expect(plan.alloc[2]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(plan.impact).toBeCloseTo(11.8, 9);
  });

  it("planCampaign(p) plans an empty campaign without calling the solver", () => {
    const times = [10, 25];
    const plan = planCampaign({ ...HAND, sites: [{ id: "A", nodes: 0, pue: 1 }, HAND.sites[1]], classes: [] }, { clock: () => times.shift()! });
    expect(plan).toEqual({ feasible: true, impact: 0, alloc: [], variables: 0, constraints: 0 });
  });
});

describe("planCampaignGreedy", () => {
  it("planCampaignGreedy(p) fills the cleanest cells in deadline order and misses the hand-worked optimum", () => {
    const plan = planCampaignGreedy(HAND);
    expect(plan.feasible).toBe(true);
    expect(plan.impact).toBeCloseTo(2 * 1.1 + 1.7 + 1.7 + 2 * 4.1, 9);
    expect(plan.alloc).toEqual([
      [
        [0, 2, 0],
        [1, 0, 1],
      ],
      [
        [0, 0, 2],
        [0, 0, 0],
      ],
    ]);
    expect(plan.variables).toBe(planCampaign(HAND).variables);
  });
});

/** A random small campaign: 1-3 sites, 1-6 slots, 1-3 classes, intensity in whole kg/kWh. */
const smallCampaign: fc.Arbitrary<CampaignProblem> = fc
  .record({ sites: fc.integer({ min: 1, max: 3 }), slots: fc.integer({ min: 1, max: 6 }), classes: fc.integer({ min: 1, max: 3 }) })
  .chain(({ sites, slots, classes }) =>
    fc.record({
      sites: fc.array(fc.record({ id: fc.constant("s"), nodes: fc.integer({ min: 0, max: 3 }), pue: fc.constantFrom(1, 1.25, 1.5) }), { minLength: sites, maxLength: sites }),
      slotSeconds: fc.constantFrom(1800, 3600),
      slots: fc.constant(slots),
      intensity: fc.array(fc.array(fc.integer({ min: 0, max: 9 }).map(perKwh), { minLength: slots, maxLength: slots }), { minLength: sites, maxLength: sites }),
      classes: fc.array(
        fc
          .record({
            name: fc.constantFrom("a", "b", "c"),
            nodeHours: fc.integer({ min: 0, max: 12 }),
            a: fc.integer({ min: 0, max: slots }),
            b: fc.integer({ min: 0, max: slots }),
            wattsPerSite: fc.array(fc.oneof(fc.constant(Infinity), fc.constantFrom(500, 1000, 2000)), { minLength: sites, maxLength: sites }),
          })
          .map(({ a, b, ...k }) => ({ ...k, release: Math.min(a, b), deadline: Math.max(a, b) })),
        { minLength: classes, maxLength: classes },
      ),
      embodiedPerNodeHour: fc.array(fc.constantFrom(0, 0.1, 0.5), { minLength: sites, maxLength: sites }),
    }),
  );

/** Every constraint of the campaign holds for the plan (relative tolerance 1e-7). */
function expectPlanHolds(p: CampaignProblem, plan: CampaignPlan): void {
  const cap = p.sites.map((s) => (s.nodes * p.slotSeconds) / 3600);
  p.classes.forEach((k, c) => {
    let sum = 0;
    for (let s = 0; s < p.sites.length; s++) {
      const runs = k.wattsPerSite[s] !== undefined && k.wattsPerSite[s] !== Infinity;
      for (let t = 0; t < p.slots; t++) {
        const x = plan.alloc[c][s][t];
        expect(x).toBeGreaterThanOrEqual(0);
        if (!runs || t < k.release || t >= k.deadline) expect(x).toBe(0);
        sum += x;
      }
    }
    expect(Math.abs(sum - k.nodeHours)).toBeLessThanOrEqual(1e-7 * Math.max(1, k.nodeHours));
  });
  for (let s = 0; s < p.sites.length; s++) {
    for (let t = 0; t < p.slots; t++) {
      const used = plan.alloc.reduce((a, bySite) => a + bySite[s][t], 0);
      expect(used).toBeLessThanOrEqual(cap[s] * (1 + 1e-7) + 1e-9);
    }
  }
}

describe("planCampaign on random small campaigns", () => {
  it("planCampaign(p) respects windows, sites and capacities, and is never worse than the greedy", () => {
    fc.assert(
      fc.property(smallCampaign, (p) => {
        const lp = planCampaign(p);
        const greedy = planCampaignGreedy(p);
        if (greedy.feasible) {
          expectPlanHolds(p, greedy);
          expect(lp.feasible).toBe(true);
        }
        if (!lp.feasible) return;
        expectPlanHolds(p, lp);
        if (greedy.feasible) expect(lp.impact).toBeLessThanOrEqual(greedy.impact + 1e-9 * Math.abs(greedy.impact) + 1e-12);
      }),
      { numRuns: 300, seed: 4 },
    );
  });

  it("planCampaign(p) equals the greedy for a single class (a fractional knapsack of unit weights)", () => {
    fc.assert(
      fc.property(
        smallCampaign.map((p) => ({ ...p, classes: p.classes.slice(0, 1) })),
        (p) => {
          const lp = planCampaign(p);
          const greedy = planCampaignGreedy(p);
          expect(lp.feasible).toBe(greedy.feasible);
          if (lp.feasible) expect(Math.abs(lp.impact - greedy.impact)).toBeLessThanOrEqual(1e-9 * Math.abs(greedy.impact) + 1e-12);
        },
      ),
      { numRuns: 200, seed: 4 },
    );
  });
});

describe("planCampaign errors", () => {
  const withClass = (patch: object): CampaignProblem => ({ ...HAND, classes: [HAND.classes[0], { ...HAND.classes[1], ...patch }] });

  it("planCampaign(p) names the field and the value it refuses", () => {
    expect(() => planCampaign({ ...HAND, slots: 0 })).toThrowErrorMatchingInlineSnapshot(`[RangeError: planCampaign: slots: expected an integer > 0, got 0]`);
    expect(() => planCampaign({ ...HAND, slotSeconds: -60 })).toThrowErrorMatchingInlineSnapshot(`[RangeError: planCampaign: slotSeconds: expected seconds > 0, got -60]`);
    expect(() => planCampaign({ ...HAND, sites: [HAND.sites[0], { id: "B", nodes: 1, pue: 0.9 }] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: sites[1].pue: expected a finite number >= 1, got 0.9]`,
    );
    expect(() => planCampaign({ ...HAND, sites: [{ id: "A", nodes: 1.5, pue: 1 }, HAND.sites[1]] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: sites[0].nodes: expected an integer >= 0, got 1.5]`,
    );
    expect(() => planCampaign({ ...HAND, intensity: [HAND.intensity[0], [1, 2]] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: intensity[1].length: expected one value per slot (3), got 2]`,
    );
    expect(() => planCampaign({ ...HAND, intensity: [HAND.intensity[0], [1, NaN, 2]] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: intensity[1][1]: expected a finite number, got NaN]`,
    );
    expect(() => planCampaign({ ...HAND, embodiedPerNodeHour: [0.1] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: embodiedPerNodeHour.length: expected one value per site (2), got 1]`,
    );
    expect(() => planCampaign(withClass({ nodeHours: -1 }))).toThrowErrorMatchingInlineSnapshot(`[RangeError: planCampaign: classes[1].nodeHours: expected a finite number >= 0, got -1]`);
    expect(() => planCampaign(withClass({ deadline: 4 }))).toThrowErrorMatchingInlineSnapshot(`[RangeError: planCampaign: classes[1].deadline: expected an integer in [release=1, slots=3], got 4]`);
    expect(() => planCampaign(withClass({ release: 2, deadline: 1 }))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: classes[1].deadline: expected an integer in [release=2, slots=3], got 1]`,
    );
    expect(() => planCampaign(withClass({ wattsPerSite: [-5, Infinity] }))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: planCampaign: classes[1].wattsPerSite[0]: expected W >= 0, or Infinity where the class cannot run, got -5]`,
    );
    expect(() => planCampaignGreedy({ ...HAND, sites: [], intensity: [] })).toThrowErrorMatchingInlineSnapshot(`[RangeError: planCampaignGreedy: sites.length: expected at least 1, got 0]`);
  });
});
