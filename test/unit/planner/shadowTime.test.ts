/**
 * EASY's reservation in one pool for a head that holds whole nodes (common.ts
 * shadowTime): worked out by hand on a pool of 4 nodes (ids 0-3) x 2 cores,
 * where a node is idle once the last job on it ends.
 *
 * Running, by predicted end: A (node 0, 1 core, shared) ends 10, D (node 2,
 * 1 core, shared) 15, C (node 1 whole, 2 cores) 20, B (node 0, 1 core,
 * shared) 30. Node 3 is idle. So nodes 2, 1 and 0 become idle at 15, 20 and
 * 30 (node 0 only when B, its last job, ends; A ending frees a core, no node).
 */
import { describe, expect, it } from "vitest";
import { PassStarts, shadowTime } from "../../../src/planner/policies/common.js";
import type { ClusterView, RunningJobView } from "../../../src/planner/view.js";

function running(id: number, nodes: number[], allocCores: number, holdsWholeNodes: boolean, predictedEnd: number, pool = 0): RunningJobView {
  return { id, pool, nodes, nodeCount: nodes.length, allocCores, holdsWholeNodes, predictedEnd } as unknown as RunningJobView;
}

const A = running(1, [0], 1, false, 10);
const D = running(4, [2], 1, false, 15);
const C = running(3, [1], 2, true, 20);
const B = running(2, [0], 1, false, 30);
// A job of another pool on the same node ids changes nothing here.
const other = running(9, [0, 1, 2], 6, true, 5, 1);
const list = [other, A, D, C, B];
const view = { now: 0, running: list } as unknown as ClusterView;

describe("shadowTime for a head holding whole nodes", () => {
  it("waits for the nodes to be idle, not only for the cores", () => {
    const none = new PassStarts();
    // 3 nodes (6 cores) wanted, 1 idle now (3 cores free: node 3's 2 and node 2's 1): 2 more nodes idle at 20; 7 cores free then.
    expect({ ...shadowTime(view, 0, { cores: 6, wholeNodes: 3 }, { cores: 3, nodes: 1 }, none, list) }).toEqual({ shadow: 20, extra: 1 });
    // 2 nodes: node 2 idle at 15 (5 cores free then, 4 wanted).
    expect({ ...shadowTime(view, 0, { cores: 4, wholeNodes: 2 }, { cores: 3, nodes: 1 }, none, list) }).toEqual({ shadow: 15, extra: 1 });
    // 4 nodes: node 0 idle at 30, when all 8 cores are free.
    expect({ ...shadowTime(view, 0, { cores: 8, wholeNodes: 4 }, { cores: 3, nodes: 1 }, none, list) }).toEqual({ shadow: 30, extra: 0 });
    // 5 nodes: never.
    expect(shadowTime(view, 0, { cores: 10, wholeNodes: 5 }, { cores: 3, nodes: 1 }, none, list).shadow).toBe(Infinity);
  });

  it("counts the idle nodes this pass's starts took back at their ends", () => {
    // This pass started a job on node 3 (whole: 2 cores, 1 idle node) predicted to end at 12.
    const pass = new PassStarts();
    pass.add(1, 4, 1, 100); // another pool's start: no part of pool 0's
    pass.add(0, 2, 1, 12);
    // 3 nodes wanted, none idle now: idle at 12 (node 3), 15, 20; cores 1 + 1 (A) + 2 (start) + 1 (D) + 2 (C) = 7 at 20.
    expect({ ...shadowTime(view, 0, { cores: 6, wholeNodes: 3 }, { cores: 1, nodes: 0 }, pass, list) }).toEqual({ shadow: 20, extra: 1 });
    // 1 node: node 3 back at 12 (4 cores free then, 2 wanted).
    expect({ ...shadowTime(view, 0, { cores: 2, wholeNodes: 1 }, { cores: 1, nodes: 0 }, pass, list) }).toEqual({ shadow: 12, extra: 2 });
    // All 4 nodes: at 30.
    expect({ ...shadowTime(view, 0, { cores: 8, wholeNodes: 4 }, { cores: 1, nodes: 0 }, pass, list) }).toEqual({ shadow: 30, extra: 0 });
    pass.clear();
    expect(shadowTime(view, 0, { cores: 8, wholeNodes: 4 }, { cores: 1, nodes: 0 }, pass, list).shadow).toBe(Infinity);
  });
});
