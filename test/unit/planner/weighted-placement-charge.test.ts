/**
 * resources.placementCharge, the draw weighted (and estimate, powercap,
 * campaign, the workflow planners) prices a candidate pool at, worked by hand.
 *
 * Pool: nodes of 8 cores, 100 W idle, busyWatts(u) = 100 + 100 u^2 (a
 * nonlinear curve, so how the cores lie across nodes matters). A shared job
 * alone on a node with c of its cores busy is charged (views.ts poolView
 * shareWatts) the node's dynamic draw at u = c/8 plus c/8 of its static
 * 100 W: 100 (c/8)^2 + 12.5 c; held idle, 12.5 c.
 */
import { describe, expect, it } from "vitest";
import { placementCharge } from "../../../src/planner/resources.js";
import { poolView, queuedJob } from "../../helpers/views.js";

const pool = poolView({ coresPerNode: 8, idleWatts: 100, busyWatts: (_d, u) => 100 + 100 * u * u });
const busy = (c: number) => 100 * (c / 8) ** 2 + 12.5 * c;

describe("placementCharge() of a job sharing nodes", () => {
  it("20 cores: two full nodes and 4 cores on a third", () => {
    // Run 2 x (100 + 100) + (25 + 50) = 475 W; held 2 x 100 + 50 = 250 W; 20/8 = 2.5 node-equivalents.
    const c = placementCharge(queuedJob({ id: 1, cores: 20 }), pool, "cpu");
    expect(c.runWatts).toBeCloseTo(2 * busy(8) + busy(4), 12);
    expect(c.runWatts).toBeCloseTo(475, 12);
    expect(c.holdWatts).toBeCloseTo(250, 12);
    expect(c).toMatchObject({ wholeNodes: 0, node: 2.5, gpu: 0, fpga: 0 });
  });

  it("16 cores: two full nodes, no partial one", () => {
    const c = placementCharge(queuedJob({ id: 1, cores: 16 }), pool, "cpu");
    expect(c.runWatts).toBeCloseTo(400, 12);
    expect(c.holdWatts).toBeCloseTo(200, 12);
  });

  it("20 cores on exactly 3 nodes: blocks of 7, 7 and 6", () => {
    // Run 2 x (76.5625 + 87.5) + (56.25 + 75) = 459.375 W; held 2 x 87.5 + 75 = 250 W.
    const c = placementCharge(queuedJob({ id: 1, cores: 20, exactNodes: 3 }), pool, "cpu");
    expect(c.runWatts).toBeCloseTo(459.375, 12);
    expect(c.holdWatts).toBeCloseTo(250, 12);
    expect(c.node).toBe(2.5);
  });

  it("12 cores on exactly 3 nodes: three blocks of 4 (none of 5)", () => {
    const c = placementCharge(queuedJob({ id: 1, cores: 12, exactNodes: 3 }), pool, "cpu");
    expect(c.runWatts).toBeCloseTo(3 * 75, 12);
    expect(c.holdWatts).toBeCloseTo(150, 12);
  });
});

describe("placementCharge() of a job holding whole nodes", () => {
  it("20 cores exclusive: 3 whole nodes at u = 20/24", () => {
    // 3 x (100 + 100 x (5/6)^2) = 508.333... W; held idle 3 x 100 W.
    const c = placementCharge(queuedJob({ id: 1, cores: 20, exclusive: true }), pool, "cpu");
    expect(c.runWatts).toBeCloseTo(3 * (100 + 100 * (20 / 24) ** 2), 9);
    expect(c.holdWatts).toBe(300);
    expect(c).toMatchObject({ wholeNodes: 3, node: 3, gpu: 3, fpga: 3 });
  });
});
