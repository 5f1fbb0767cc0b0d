/** Hand-built planner views for tests that need no simulator. */
import type { PoolView } from "../../src/planner/view.js";

/** A pool view: 4 CPU-only nodes of 8 cores at speed 1, all free, 100 W idle and 200 W busy, unless overridden. */
export function poolView(over: Partial<PoolView> = {}): PoolView {
  return {
    index: 0,
    site: "s",
    nodeType: "t",
    coresPerNode: 8,
    firstNode: 0,
    nodes: 4,
    freeNodes: 4,
    sleepingNodes: 0,
    wakingNodes: 0,
    siteIndex: 0,
    speed: 1,
    gpusPerNode: 0,
    fpgasPerNode: 0,
    dvfsSpeeds: [],
    idleWatts: 100,
    busyWatts: () => 200,
    embodiedPerNodeSecond: new Float64Array(0),
    ...over,
  };
}
